"""The permissions of a workflow's `GITHUB_TOKEN`, as GitHub Actions defines them.

`permissions:` in a workflow or job is `read-all`, `write-all`, `{}` or a mapping of scopes to
`read`/`write`/`none`; a scope a mapping leaves out is `none`, and `metadata` is always `read`.
Without `permissions:` a job gets the workflow's, and a workflow without one gets the
repository's default: GitHub's "restricted" set for new repositories and organisations
(`contents: read`, `packages: read`, `metadata: read`) or the legacy "permissive" set. A job of
a called (reusable) workflow never gets more than its caller job has (`capped`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from testbed.errors import TestbedError

LEVELS = {"none": 0, "read": 1, "write": 2}
# the scopes `permissions:` accepts (docs: "Assigning permissions to jobs"); metadata is implicit
SCOPES = ("actions", "attestations", "checks", "contents", "deployments", "discussions", "id-token", "issues",
          "models", "packages", "pages", "pull-requests", "repository-projects", "security-events", "statuses")
PERMISSIVE_WRITE = ("actions", "checks", "contents", "deployments", "discussions", "issues", "packages", "pages",
                    "pull-requests", "repository-projects", "security-events", "statuses")


class PermissionsError(TestbedError):
    """A `permissions:` value GitHub would reject."""


@dataclass(frozen=True)
class Permissions:
    """Scope -> level (`read` | `write`); scopes not listed are `none`. `metadata` is always `read`."""

    levels: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, levels: Mapping[str, str]) -> Permissions:
        kept = {scope: level for scope, level in levels.items() if level != "none"}
        kept["metadata"] = "read"
        return cls(tuple(sorted(kept.items())))

    @classmethod
    def parse(cls, value: Any, *, where: str = "permissions") -> Permissions:
        """A `permissions:` value as written in a workflow (YAML already parsed)."""
        if value == "read-all":
            return cls.of({scope: "read" for scope in SCOPES if scope != "id-token"})
        if value == "write-all":
            return cls.of({scope: "write" for scope in SCOPES if scope != "models"} | {"models": "read"})
        if value is None:
            return cls.of({})
        if not isinstance(value, Mapping):
            raise PermissionsError(f"{where}: {value!r} is not read-all, write-all or a mapping of scopes to levels")
        levels = {}
        for scope, level in value.items():
            if scope not in SCOPES:
                raise PermissionsError(f"{where}: unknown scope {scope!r} (one of: {', '.join(SCOPES)})")
            if level not in LEVELS:
                raise PermissionsError(f"{where}.{scope}: {level!r} is not read, write or none")
            levels[str(scope)] = str(level)
        return cls.of(levels)

    def level(self, scope: str) -> str:
        return dict(self.levels).get(scope, "none")

    def allows(self, scope: str, level: str) -> bool:
        return LEVELS[self.level(scope)] >= LEVELS[level]

    def capped(self, cap: Permissions) -> Permissions:
        """The lower level of the two for each scope (a called workflow's job under its caller)."""
        scopes = {scope for scope, _ in self.levels} | {scope for scope, _ in cap.levels}
        return Permissions.of({scope: min(self.level(scope), cap.level(scope), key=LEVELS.__getitem__)
                               for scope in scopes})

    def as_dict(self) -> dict[str, str]:
        """As GitHub lists them (the run log's "GITHUB_TOKEN Permissions"), `metadata` included."""
        return dict(self.levels)

    def __str__(self) -> str:
        return ", ".join(f"{scope}: {level}" for scope, level in self.levels)


RESTRICTED = Permissions.of({"contents": "read", "packages": "read"})
PERMISSIVE = Permissions.of({scope: "write" for scope in PERMISSIVE_WRITE})
DEFAULTS = {"restricted": RESTRICTED, "permissive": PERMISSIVE}


def repository_default(name: str) -> Permissions:
    """The repository setting "Workflow permissions": `restricted` (read repository contents and
    packages) or `permissive` (read and write)."""
    if name not in DEFAULTS:
        raise PermissionsError(f"default token permissions {name!r}: use 'restricted' (GitHub's default for new "
                               "repositories) or 'permissive'")
    return DEFAULTS[name]
