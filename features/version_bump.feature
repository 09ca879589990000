Feature: Version bump on merge into stg
  The kind of branch merged into stg decides the next version: a feature bumps the minor
  version (and resets the patch number), a fix the patch version. The bump is committed straight
  onto stg, not proposed in a pull request, so VERSION on stg always names what stg holds.

  @bump_kind
  Rule: A merged feat/* branch bumps the minor version, a fix/* branch the patch version.

  Scenario Outline: A <kind> branch merged after the release of <released> bumps the <part> version
    Given the app repository is at version <released>, released
    And a developer has pushed the branch "<branch>" with the change "<title>"
    When the pull request from "<branch>" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the VERSION on stg reads "<version>"
    And every image is in the registry as "stg-<SHORTHASH>" and "stg-<version>", one digest for both

    Examples:
      | kind    | part  | released | branch          | title             | version |
      | feature | minor | 1.2.0    | feat/search     | Add search        | 1.3.0   |
      | fix     | patch | 1.2.0    | fix/typo-footer | Fix footer typo   | 1.2.1   |
      | feature | minor | 1.2.3    | feat/export     | Add export        | 1.3.0   |
      | fix     | patch | 1.3.0    | fix/export-name | Fix export name   | 1.3.1   |

  @bump_on_branch
  Rule: The VERSION bump is one commit pushed straight onto stg after the merge; no pull request is opened for it.

  Scenario: A merged fix's bump is one commit on stg, without a pull request
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "fix/typo-footer" with the change "Fix footer typo"
    When the pull request from "fix/typo-footer" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the version bump is one commit on stg, directly on top of the merge
    And the version bump changes only VERSION
    And no pull request was opened for the version bump
    And the version bump commit starts no other workflow run
    And the version bump commit does not silence the checks of the pull request to main

  @version_in_sync
  Rule: VERSION on the branch is the version of the images, the releases and the payloads built from it.

  Scenario: The images of a merged feature (feat/search) carry the version stg reads
    Given the app repository is at version 1.2.0, released
    And a developer has pushed the branch "feat/search" with the change "Add search"
    When the pull request from "feat/search" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the VERSION on stg reads "1.3.0"
    And every staging image carries the VERSION "1.3.0"
