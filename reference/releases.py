"""GitHub releases: the staging pre-release (`v<SemVer>-stg`) and the production release (`v<SemVer>`).

Their tags never collide, so both exist for the same version. Creating is idempotent: a release
that already exists for the tag is updated in place, never duplicated.
"""

from __future__ import annotations

from typing import Any

import github

from reference import ReleaseError


def image_lines(images: dict[str, dict[str, Any]]) -> list[str]:
    lines = []
    for name, image in sorted(images.items()):
        link = package_link(image["repository"])
        shown = f"[`{image['reference']}`]({link})" if link else f"`{image['reference']}`"
        lines.append(f"- **{name}**: {shown}")
    return lines


def package_link(repository: str) -> str | None:
    """The GitHub Packages page of a GHCR image; None for other registries."""
    host, _, rest = repository.partition("/")
    if host != "ghcr.io" or "/" not in rest:
        return None
    owner, _, name = rest.partition("/")
    return f"https://github.com/{owner}/pkgs/container/{name}"


def body(*, version: str, prerelease: bool, images: dict[str, dict[str, Any]], changelog: str = "") -> str:
    heading = "Staging images" if prerelease else "Production images"
    parts = [f"Release {version} ({'pre-release for staging' if prerelease else 'production'}).", "",
             f"### {heading}", "", *image_lines(images)]
    if changelog:
        parts += ["", changelog]
    return "\n".join(parts) + "\n"


def upsert(repo: Any, *, tag: str, target: str, name: str, text: str, prerelease: bool) -> tuple[Any, bool]:
    """Create the release for `tag`, or bring the existing one up to date. Returns (release, created)."""
    try:
        existing = repo.get_release(tag)
    except github.UnknownObjectException:
        existing = None
    if existing is not None:
        if existing.prerelease != prerelease:
            raise ReleaseError(f"release {tag} exists with prerelease={existing.prerelease};"
                               " refusing to change its kind")
        if existing.body != text or existing.name != name:
            existing = existing.update_release(name=name, message=text, prerelease=prerelease)
        return existing, False
    try:
        created = repo.create_git_release(tag, name, text, prerelease=prerelease, target_commitish=target,
                                          make_latest="false" if prerelease else "true")
    except github.GithubException as error:
        if error.status == 422:  # a concurrent run made it first
            return repo.get_release(tag), False
        raise
    return created, True
