Feature: Production payload to the Helm chart repository
  The production run dispatches the version and the promoted image references; staging and
  production payloads follow one schema and name the same images by the same digests.

  Background:
    Given the app repository is at version 1.2.0, released

  @prod_dispatch @prod_payload @payload_consistent
  Scenario: The chart repository receives the production version and the promoted images
    Given a developer pushes the branch "feat/search" with the change "Add search"
    And "feat/search" has been merged into stg
    Then the chart repository received one staging payload for 1.3.0 with the staging images
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the chart repository received one production payload for 1.3.0 with the promoted images
    And the staging and production payloads name the same images with the same digests
