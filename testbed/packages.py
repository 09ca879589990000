"""GHCR's rule for a repository's packages: what a GitHub token may do with an owner's images, asked
by the registry's token service (testbed/registry_auth.py) of the local GitHub."""

from __future__ import annotations

from testbed.github import LocalGitHub
from testbed.registry_auth import RegistryAccess


def package_access(github: LocalGitHub, token: str, owner: str) -> RegistryAccess | None:
    """A token that reaches a repository of `owner` reads and writes its images; a workflow's
    GITHUB_TOKEN only as its `packages:` permission allows (read to pull, write to push).
    None: GitHub does not know the token."""
    info = github.token_info(token)
    if info is None:
        return None
    reaches = info.repos is None or any(repo.split("/")[0] == owner for repo in info.repos)
    if info.permissions is None:
        return RegistryAccess(read=reaches, write=reaches)
    return RegistryAccess(read=reaches and info.permissions.allows("packages", "read"),
                          write=reaches and info.permissions.allows("packages", "write"))
