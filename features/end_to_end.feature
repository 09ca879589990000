@e2e
Feature: End to end, from a brand-new feature branch to production
  The seed's last step: test the full workflow with a new feature branch. A feature goes to
  staging and on to production, then a fix follows the same road to a patch release.

  @end_to_end
  Rule: A brand-new feature branch goes through staging and production, then a fix branch through a patch release.

  @no_secret_leak
  Scenario: A new feature, then a fix, from branch to production
    Given the app repository was released as 1.2.0 with the change "Add profile page" from "feat/profile"
    When a developer pushes the branch "feat/dark-mode" with the change "Add dark mode"
    And the pull request from "feat/dark-mode" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the VERSION on stg reads "1.3.0"
    And the version bump is one commit on stg, directly on top of the merge
    And the version bump changes only VERSION
    And every image was built and pushed during the staging run
    And every image is in the registry as "stg-<SHORTHASH>" and "stg-1.3.0", one digest for both
    And the bump commit has a comment listing both staging tags of every image
    And the staging run exposes both staging tags as outputs
    And a pre-release of 1.3.0 links every staging image
    And the chart repository received one staging payload for 1.3.0 with the staging images
    And one pull request from stg to main is open, its head the bump commit
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the VERSION on main reads "1.3.0"
    And every image has the tag "1.3.0" with the digest of its "stg-<SHORTHASH>" image of the merged stg commit
    And no image was built during the production run
    And no image layer was pushed during the production run
    And a full release of 1.3.0 exists at the merge commit on main
    And the release of 1.3.0 is the latest release
    And the release of 1.3.0 links every promoted image
    And the release of 1.3.0 lists exactly the changes "Add dark mode"
    And the chart repository received one production payload for 1.3.0 with the promoted images
    And the staging and production payloads of 1.3.0 name the same images with the same digests
    When a developer pushes the branch "fix/contrast" with the change "Fix contrast in dark mode"
    And the pull request from "fix/contrast" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the VERSION on stg reads "1.3.1"
    And every image is in the registry as "stg-<SHORTHASH>" and "stg-1.3.1", one digest for both
    And a pre-release of 1.3.1 links every staging image
    And the chart repository received one staging payload for 1.3.1 with the staging images
    And one pull request from stg to main is open, its head the bump commit
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And every image has the tag "1.3.1" with the digest of its "stg-<SHORTHASH>" image of the merged stg commit
    And no image was built during the production run
    And no image layer was pushed during the production run
    And a full release of 1.3.1 exists at the merge commit on main
    And the release of 1.3.1 is the latest release
    And the release of 1.3.1 lists exactly the changes "Fix contrast in dark mode"
    And the chart repository received one production payload for 1.3.1 with the promoted images
    And the staging and production payloads of 1.3.1 name the same images with the same digests
    And no token value appears in any workflow log
