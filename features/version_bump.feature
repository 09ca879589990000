Feature: Version bump on merge into stg
  The kind of branch merged into stg decides the next version: a feature bumps the minor
  version (and resets the patch number), a fix the patch version. The bump is committed straight
  onto stg, not proposed in a pull request, so VERSION on stg always names what stg holds.

  @bump_kind @bump_on_branch @version_in_sync
  Scenario Outline: A <kind> branch merged after the release of <released> bumps the <part> version
    Given the app repository is at version <released>, released
    And a developer pushes the branch "<branch>" with the change "<title>"
    When the pull request from "<branch>" into stg is merged
    Then every workflow run of the staging merge succeeded
    And the VERSION on stg reads "<version>"
    And the version bump is one commit on stg, directly on top of the merge, changing only VERSION
    And no pull request was opened for the version bump
    And the version bump commit will not start another release
    And every image is in the registry as "stg-<SHORTHASH>" and "stg-<version>", one digest for both
    And every staging image carries the VERSION "<version>"

    Examples:
      | kind    | part  | released | branch          | title             | version |
      | feature | minor | 1.2.0    | feat/search     | Add search        | 1.3.0   |
      | fix     | patch | 1.2.0    | fix/typo-footer | Fix footer typo   | 1.2.1   |
      | feature | minor | 1.2.3    | feat/export     | Add export        | 1.3.0   |
      | fix     | patch | 1.3.0    | fix/export-name | Fix export name   | 1.3.1   |
