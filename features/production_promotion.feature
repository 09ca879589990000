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
