Feature: Staging payload to the Helm chart repository
  The staging run dispatches one payload to the chart repository with the new version and the
  staging image references, in the shape the contract schema gives and within GitHub's limits.

  Background:
    Given the app repository is at version 1.2.0, released

  @stg_dispatch
  Rule: The staging run sends one repository_dispatch to the Helm chart repository.

  Scenario: A staging release dispatches once to the chart repository
    Given a developer has pushed the branch "feat/search" with the change "Add search"
    When the pull request from "feat/search" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the chart repository received 1 staging payloads in all

  @stg_payload
  Rule: The staging payload carries the SemVer and the staging image references (stg tags, registry digests) within GitHub's limits.

  Scenario: The chart repository receives the staging version and images
    Given a developer has pushed the branch "feat/search" with the change "Add search"
    When the pull request from "feat/search" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the chart repository received one staging payload for 1.3.0 with the staging images
