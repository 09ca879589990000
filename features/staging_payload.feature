Feature: Staging payload to the Helm chart repository
  The staging run dispatches one payload to the chart repository with the new version and the
  staging image references, in the shape the contract schema gives and within GitHub's limits.

  Background:
    Given the app repository is at version 1.2.0, released

  @stg_dispatch @stg_payload
  Scenario: The chart repository receives the staging version and images
    Given a developer pushes the branch "feat/search" with the change "Add search"
    When the pull request from "feat/search" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the chart repository received one staging payload for 1.3.0 with the staging images
