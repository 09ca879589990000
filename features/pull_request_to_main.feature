Feature: Pull request from stg to main
  After a staging release, a pull request from stg to main proposes it for production.

  Background:
    Given the app repository is at version 1.2.0, released

  @pr_to_main
  Rule: A pull request from stg to main is opened, its head the bump commit.

  Scenario: A staging release opens the pull request to main
    Given a developer has pushed the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And one pull request from stg to main is open, its head the bump commit
