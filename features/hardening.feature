@hardening
Feature: Hardening: re-runs, merges in quick succession, immutable production, faults and bad input
  A release pipeline is trusted only if it survives what really happens: a job re-run, merges
  a minute apart, a registry hiccup, a branch named by someone careless or hostile.

  @rerun
  Rule: Running a staging or production workflow again for the same event changes nothing: one bump, one set of tags, one release, one PR, one dispatch per environment.

  Scenario: Re-running the staging workflows for the same merge changes nothing
    Given the app repository is at version 1.2.0, released
    And "feat/login" has been released to staging
    When the staging workflows run again for the same merge
    Then the re-run changed nothing: the same bump, tags, releases, pull requests, comments and dispatches
    And the VERSION on stg reads "1.3.0"
    And the chart repository received 1 staging payloads in all

  Scenario: Re-running the production workflows for the same merge changes nothing
    Given the app repository is at version 1.2.0, released
    And "feat/login" has been released to staging
    And the pull request from stg into main has been merged
    When the production workflows run again for the same merge
    Then the re-run changed nothing: the same bump, tags, releases, pull requests, comments and dispatches
    And the chart repository received 1 production payloads in all

  @concurrent_merges
  Rule: Merges into stg in quick succession give successive bumps in merge order; no merged change is left out of a release.

  Scenario: Two features merged back to back get successive minor versions
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "feat/alpha" with the change "Add alpha"
    And a developer has pushed the branch "feat/beta" with the change "Add beta"
    And GitHub takes 3 seconds to apply each git push
    When the pull requests from "feat/alpha" and "feat/beta" into stg are merged back to back
    Then every workflow run of the staging merge succeeded
    And the version bumps on stg are "1.3.0" and "1.4.0", in merge order
    And each of "1.3.0" and "1.4.0" has its staging images tagged stg-<SemVer>
    And each of "1.3.0" and "1.4.0" has a pre-release
    And each of "1.3.0" and "1.4.0" has a staging payload naming its stg-<SemVer> images
    And the pull request from stg to main carries the changes of "feat/alpha" and "feat/beta"

  Scenario: Three features merged in quick succession all reach production
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "feat/a" with the change "Add a"
    And a developer has pushed the branch "feat/b" with the change "Add b"
    And a developer has pushed the branch "feat/c" with the change "Add c"
    When the pull requests from "feat/a", "feat/b" and "feat/c" into stg are merged back to back
    Then no staging run failed; a run GitHub cancelled for a newer one is allowed
    And the version bumps on stg are successive minor versions from "1.3.0", at most one per merge
    And every version bumped on stg has its staging images tagged stg-<SemVer>
    And every version bumped on stg has a pre-release
    And every version bumped on stg has a staging payload naming its stg-<SemVer> images
    And the pull request from stg to main carries the changes of "feat/a", "feat/b" and "feat/c"
    When the pull request from stg into main is merged
    Then every workflow run of the production merge succeeded
    And the release of the version on main lists exactly the changes "Add a", "Add b", "Add c"

  @immutable_prod
  Rule: Promotion refuses when <SemVer> exists with another digest or the staging image is missing: no build, no release, no dispatch.

  Scenario: Promotion refuses to overwrite a production tag that holds another image
    Given the app repository is at version 1.2.0, released
    And "feat/login" has been released to staging
    And the registry already holds a different image tagged "1.3.0" for every image
    When the pull request from stg into main is merged
    Then the production run failed, naming "acme/app:1.3.0"
    And the tag "1.3.0" still has the other image's digest
    And no image was built during the production run
    And no full release of 1.3.0 exists
    And the chart repository received 0 production payloads in all

  Scenario: Promotion refuses when the merged stg commit has no staging image
    Given the app repository is at version 1.2.0, released
    And "feat/login" has been released to staging
    And a commit was pushed straight onto stg after the staging release
    When the pull request from stg into main is merged
    Then the production run failed, naming "acme/app:stg-<SHORTHASH>"
    And no image tag "1.3.0" exists
    And no image was built during the production run
    And no full release of 1.3.0 exists
    And the chart repository received 0 production payloads in all

  @transient_faults
  Rule: GitHub API errors and secondary rate limits are retried; a registry that is down fails the run before any release or dispatch.

  Scenario: GitHub API errors and secondary rate limits during staging are retried
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "feat/login" with the change "Add login"
    And the GitHub API is set to fail the next 2 requests to create a release with a server error
    And the GitHub API is set to answer the next 1 requests to comment on a commit with a secondary rate limit
    And the GitHub API is set to fail the next 1 requests to dispatch to the chart repository with a server error
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the GitHub API faults were all hit
    And a pre-release of 1.3.0 links every staging image
    And the bump commit has a comment listing both staging tags of every image
    And the chart repository received 1 staging payloads in all
    And one pull request from stg to main is open, its head the bump commit

  Scenario: A registry that is down fails the staging run before any release or dispatch
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "feat/login" with the change "Add login"
    And the registry is down
    When the pull request from "feat/login" into stg is merged
    Then the staging run failed, naming "registry"
    And no release of 1.3.0 exists
    And no pull request from stg to main is open
    And the chart repository received 0 staging payloads in all
    When the registry is back and the staging workflows run again
    Then every workflow run of the staging merge succeeded
    And the VERSION on stg reads "1.3.0"
    And a pre-release of 1.3.0 links every staging image
    And the chart repository received 1 staging payloads in all

  @bad_input
  Rule: Bad input (VERSION, branch names, PRs into main from other branches) gives a clear error or a documented no-op, never code execution or a partial release.

  Scenario Outline: A VERSION that is not a plain SemVer stops the release before anything is made
    Given the app repository holds the VERSION "<version>"
    And a developer has pushed the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then the staging run failed, naming "VERSION"
    And stg did not change
    And no image was built
    And the registry received no push
    And no pull request from stg to main is open
    And the chart repository received no payload

    Examples:
      | version    |
      | 1.2        |
      | banana     |
      | 1.2.0-rc.1 |

  Scenario: A missing VERSION stops the release before anything is made
    Given the app repository has no VERSION file
    And a developer has pushed the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then the staging run failed, naming "VERSION"
    And stg did not change
    And no image was built
    And the registry received no push
    And the chart repository received no payload

  Scenario Outline: A branch that is neither feat/* nor fix/* releases nothing, as documented
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "<branch>" with the change "Update the docs"
    When the pull request from "<branch>" into stg is merged
    Then every workflow run of the staging merge succeeded or did nothing
    And stg did not change
    And no image was built
    And the registry received no push
    And no release of 1.3.0 exists
    And no release of 1.2.1 exists
    And no pull request from stg to main is open
    And the chart repository received no payload

    Examples:
      | branch       |
      | docs/readme  |
      | feature/x    |

  Scenario: A pull request into main from a branch other than stg releases nothing
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "hotfix/urgent" from main with the change "Urgent fix"
    When the pull request from "hotfix/urgent" into main is merged
    Then every workflow run of the production merge succeeded or did nothing
    And no image was built
    And the registry received no push
    And no full release of 1.2.1 exists
    And no full release of 1.3.0 exists
    And the chart repository received no payload

  Scenario Outline: Branch names with shell metacharacters are data, never code
    Given the app repository is at version 1.2.0, released
    And a developer has pushed a branch named <name>
    When the pull request from that branch into stg is merged
    Then every workflow run of the staging merge succeeded
    And the branch name was never run as a command
    And the VERSION on stg reads "1.3.0"

    Examples:
      | name                                                                    |
      | `feat/x$(docker${IFS}volume${IFS}create${IFS}CANARY)`                   |
      | `feat/it's";docker${IFS}volume${IFS}create${IFS}CANARY;"`               |
      | `feat/${{github.token}}`docker${IFS}volume${IFS}create${IFS}CANARY``     |

  @no_secret_leak
  Rule: No token value appears in any workflow log, raw or encoded (base64, URL-encoded, hex).

  Scenario: A staging release shows no token in its logs, in any encoding
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "feat/login" with the change "Add login"
    When the pull request from "feat/login" into stg is merged
    Then every workflow run of the staging merge succeeded
    And no token value appears in any workflow log, raw, base64, URL-encoded or hex
