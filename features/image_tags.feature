Feature: Staging images and their tags
  Every image of the app is built from the bump commit and pushed with two tags: the short hash
  of that commit and the version. Both tags are announced on the commit and exposed by the run.

  Background:
    Given the app repository is at version 1.2.0, released

  @images_pushed @stg_tags @tags_in_comment @tags_as_outputs
  Scenario: A merged feature's images are tagged stg-<SHORTHASH> and stg-<SemVer>
    Given a developer pushes the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And every image was built and pushed during the staging run
    And every image is in the registry as "stg-<SHORTHASH>" and "stg-1.3.0", one digest for both
    And the bump commit has a comment listing both staging tags of every image
    And the staging run exposes both staging tags as outputs

  @stg_tags @tags_in_comment
  Scenario: SHORTHASH stays 7 digits where git abbreviates commit hashes to more
    Given the app repository holds enough objects that git abbreviates commit hashes to more than 7 digits
    And a developer pushes the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And every image is in the registry as "stg-<SHORTHASH>" and "stg-1.3.0", one digest for both
    And the bump commit has a comment listing both staging tags of every image
