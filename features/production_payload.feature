Feature: Production payload to the Helm chart repository
  The production run dispatches the version and the promoted image references; staging and
  production payloads follow one schema and name the same images by the same digests.

  Background:
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "feat/search" with the change "Add search"
    And "feat/search" has been released to staging

  @prod_dispatch
  Rule: The production run sends one repository_dispatch to the Helm chart repository.

  Scenario: A production release dispatches once to the chart repository
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the chart repository received 1 production payloads in all

  @prod_payload
  Rule: The production payload carries the SemVer and the promoted image references (<SemVer> tags).

  Scenario: The chart repository receives the production version and the promoted images
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the chart repository received one production payload for 1.3.0 with the promoted images

  @payload_consistent
  Rule: Staging and production payloads follow one schema and name the same images with the same digests.

  Scenario: The staging and production payloads of a version name the same images
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the staging and production payloads of 1.3.0 name the same images with the same digests
