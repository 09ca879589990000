"""Image tags and release tags."""

from __future__ import annotations

import re

from reference import ReleaseError

SHA = re.compile(r"[0-9a-f]{40}")
RELEASE_TAG = re.compile(r"v(\d+)\.(\d+)\.(\d+)")


def shorthash(sha: str) -> str:
    """The first 7 hex digits of a full commit SHA (fixed length, unlike `git rev-parse --short`)."""
    if not SHA.fullmatch(sha):
        raise ReleaseError(f"not a full commit SHA: {sha!r}")
    return sha[:7]


STAGING_TAGS = "stg-{short},stg-{version}"


def staging_tags(sha: str, version: str, template: str = STAGING_TAGS) -> list[str]:
    """The tags of a staging image: `stg-<SHORTHASH>` and `stg-<SemVer>` unless `template` says otherwise."""
    try:
        items = [item.strip() for item in template.split(",") if item.strip()]
        found = [item.format(short=shorthash(sha), version=version) for item in items]
    except (KeyError, IndexError, ValueError) as error:
        raise ReleaseError(f"bad tag template {template!r}: only {{short}} and {{version}} can be used") from error
    if not found or any(not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}", tag) for tag in found):
        raise ReleaseError(f"tag template {template!r} gives invalid image tags {found}")
    return found


def production_tag(version: str) -> str:
    return version


def release_tag(version: str, *, prerelease: bool) -> str:
    """`v1.3.0-stg` for the staging pre-release, `v1.3.0` for the production release."""
    return f"v{version}-stg" if prerelease else f"v{version}"
