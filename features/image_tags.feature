Feature: Staging images and their tags
  Every image of the app is built from the bump commit and pushed with two tags: the short hash
  of that commit and the version. Both tags are announced on the commit and exposed by the run.

  Background:
    Given the app repository is at version 1.2.0, released

  @images_pushed
  Rule: Every image of the app is built from the bump commit and pushed to the registry.

  @stg_tags
  Scenario: A merged feature's images are tagged stg-<SHORTHASH> and stg-<SemVer>
    Given a developer has pushed the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And every image was built and pushed during the staging run
    And every image is in the registry as "stg-<SHORTHASH>" and "stg-1.3.0", one digest for both

  @stg_tags
  Rule: Each staging image carries both stg-<SHORTHASH> (first 7 hex of the bump commit) and stg-<SemVer>, on one digest.

  @tags_in_comment
  Scenario: SHORTHASH stays 7 digits where git abbreviates commit hashes to more
    Given the app repository holds enough objects that git abbreviates commit hashes to more than 7 digits
    And a developer has pushed the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And every image is in the registry as "stg-<SHORTHASH>" and "stg-1.3.0", one digest for both
    And the bump commit has a comment listing both staging tags of every image

  @tags_in_comment
  Rule: The bump commit has a comment listing both tags of every image.

  Scenario: The bump commit's comment names both staging tags of every image
    Given a developer has pushed the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the bump commit has a comment listing both staging tags of every image

  @tags_as_outputs
  Rule: The staging run exposes both tags as outputs.

  Scenario: The staging run's outputs hold both staging tags
    Given a developer has pushed the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the staging run exposes both staging tags as outputs
