Feature: Production release with changelog
  Merging stg into main publishes the full release of the version, linking the promoted images
  and listing the changes merged since the previous release.

  Background:
    Given the app repository was released as 1.2.0 with the change "Add profile page" from "feat/profile"

  @prod_release
  Rule: Merging into main creates a full release (not a pre-release) of the version at the merge commit on main.

  Scenario: Merging stg into main publishes the full release of the version
    Given a developer has pushed the branch "feat/login" with the change "Add login"
    And "feat/login" has been released to staging
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And a full release of 1.3.0 exists at the merge commit on main
    And the release of 1.3.0 is the latest release

  @prod_release_links
  Rule: The production release links the promoted images (<SemVer> tags, staging digests).

  Scenario: The release links the promoted images
    Given a developer has pushed the branch "feat/login" with the change "Add login"
    And "feat/login" has been released to staging
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the release of 1.3.0 links every promoted image

  @prod_changelog
  Rule: The production release lists exactly the changes merged since the previous release tag.

  Scenario: The changelog lists pull request titles, not commit messages
    Given a developer has pushed the branch "feat/login" with the commit "wip: form fields", proposed as "Add login"
    And "feat/login" has been released to staging
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the release of 1.3.0 lists exactly the changes "Add login"
    And the release of 1.3.0 does not list the commit message "wip: form fields"
