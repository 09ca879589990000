"""Which bump a merged branch asks for, and the next version."""

from __future__ import annotations

import semver

from reference import ReleaseError

BUMPS = {"feat/": "minor", "fix/": "patch"}


def parse_rules(text: str) -> dict[str, str]:
    """`feat/=minor,fix/=patch` -> {"feat/": "minor", "fix/": "patch"}."""
    rules = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        prefix, sep, kind = item.partition("=")
        if not sep or not prefix.strip() or kind.strip() not in ("major", "minor", "patch"):
            raise ReleaseError(f"bad bump rule {item!r}: expected <branch prefix>=major|minor|patch")
        rules[prefix.strip()] = kind.strip()
    if not rules:
        raise ReleaseError("no bump rules given")
    return rules


def bump_kind(branch: str, rules: dict[str, str] | None = None) -> str | None:
    """`minor` for `feat/*`, `patch` for `fix/*` (or as `rules` say), None for any other branch."""
    for prefix, kind in (rules or BUMPS).items():
        if branch.startswith(prefix) and len(branch) > len(prefix):
            return kind
    return None


def parse(text: str | None, *, source: str = "VERSION") -> semver.Version:
    if text is None:
        raise ReleaseError(f"{source} is missing: the repository must hold a VERSION file with a SemVer")
    value = text.strip()
    try:
        version = semver.Version.parse(value)
    except (ValueError, TypeError):
        raise ReleaseError(f"{source} is not a SemVer version: {value[:40]!r}") from None
    if version.prerelease or version.build:
        raise ReleaseError(f"{source} must be a plain MAJOR.MINOR.PATCH release version, not {value!r}")
    return version


def bump(current: semver.Version, kind: str) -> semver.Version:
    if kind == "minor":
        return current.bump_minor()
    if kind == "patch":
        return current.bump_patch()
    if kind == "major":
        return current.bump_major()
    raise ReleaseError(f"unknown bump kind {kind!r} (expected minor or patch)")
