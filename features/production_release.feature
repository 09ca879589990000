Feature: Production release with changelog
  Merging stg into main publishes the full release of the version, linking the promoted images
  and listing the changes merged since the previous release.

  Background:
    Given the app repository was released as 1.2.0 with the change "Add profile page" from "feat/profile"

  @prod_release @prod_release_links @prod_changelog
  Scenario: The release links the promoted images and lists exactly its changes
    Given "feat/login" has been released to staging
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And a full release of 1.3.0 exists at the merge commit on main, as the latest release
    And the release of 1.3.0 links every promoted image
    And the release of 1.3.0 lists exactly the changes "Change on feat/login"

  @prod_changelog
  Scenario: The changelog lists pull request titles, not commit messages
    Given a developer pushes the branch "feat/login" with the commit "wip: form fields", proposed as "Add login"
    And "feat/login" has been released to staging
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the release of 1.3.0 lists exactly the changes "Add login"
    And the release of 1.3.0 does not list the commit message "wip: form fields"
