Feature: Pre-release for staging
  A merge into stg publishes a GitHub pre-release of the new version that links the staging
  images. It is never a full release and never the latest release.

  Background:
    Given the app repository is at version 1.2.0, released

  @prerelease
  Rule: Merging into stg creates a GitHub pre-release for the version (never a full release, never the latest).

  Scenario: A merged feature gets a pre-release of its version at the bump commit
    Given a developer has pushed the branch "feat/export" with the change "Add export"
    When the pull request from "feat/export" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the pre-release of 1.3.0 is tagged at the bump commit
    And the pre-release of 1.3.0 is not the latest release
    And no full release of 1.3.0 exists

  @prerelease_links
  Rule: The pre-release links every staging image by tag and digest.

  Scenario: A merged feature gets a pre-release linking its staging images
    Given a developer has pushed the branch "feat/export" with the change "Add export"
    When the pull request from "feat/export" into stg is merged
    Then every workflow run of the staging merge succeeded
    And a pre-release of 1.3.0 links every staging image
