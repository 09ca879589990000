Feature: Production promotion without rebuild
  Merging stg into main gives the staging image of the merged stg commit its production tag.
  The image is not rebuilt: the production tag has the very digest that was tested in staging,
  no image is built and no layer is pushed.

  Background:
    Given the app repository is at version 1.2.0, released
    And "feat/login" has been released to staging

  @prod_retag @prod_no_rebuild
  Scenario: The tested staging image becomes the production image
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And every image has the tag "1.3.0" with the digest of its "stg-<SHORTHASH>" image of the merged stg commit
    And no image was built during the production run
    And no image layer was pushed during the production run

  @prod_retag @prod_no_rebuild
  Scenario: Promotion takes the merged stg commit's images though stg moved on before the run started
    Given the pull request from stg into main has been merged while its production runs waited for a runner
    And "feat/search" has been released to staging
    When the waiting production runs start
    Then every workflow run of the production merge succeeded
    And every image has the tag "1.3.0" with the digest of its "stg-<SHORTHASH>" image of the merged stg commit
    And no image tag "1.4.0" exists
    And no image was built during the production run

  @prod_retag @rerun
  Scenario: A production re-run after stg moved on still promotes the merged stg commit
    Given the pull request from stg into main has been merged
    And "feat/search" has been released to staging
    When the production workflows run again for the same merge
    Then the re-run changed nothing: the same bump, tags, releases, pull requests, comments and dispatches
    And no image tag "1.4.0" exists

  @prod_retag @prod_no_rebuild
  Scenario: A multi-platform staging image is promoted with every platform
    Given the staging images of 1.3.0 were published for linux/amd64 and linux/arm64
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And every image has the tag "1.3.0" with the digest of its "stg-<SHORTHASH>" image of the merged stg commit
    And every image tagged "1.3.0" is available for linux/amd64 and linux/arm64
    And no image was built during the production run
    And no image layer was pushed during the production run
