"""The changes a release brings: the pull requests merged since the previous release tag.

The range is computed here (previous `vX.Y.Z` tag reachable from the release commit, lower than
the version being released), not taken from GitHub's guess of the previous tag. Pull requests are
found through GitHub's "pull requests associated with a commit" for every commit of the staging
branch in that range, never by reading merge-commit messages or second parents, so merge commits,
squash merges and rebase merges give the same changelog.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import semver

from reference.tags import RELEASE_TAG


@dataclass(frozen=True)
class Change:
    number: int
    branch: str
    title: str

    def line(self) -> str:
        return f"- {self.title} (#{self.number}, `{self.branch}`)"


def previous_release_tag(repo: Any, version: str, target_sha: str) -> str | None:
    """The highest `vX.Y.Z` tag below `version` whose commit is an ancestor of `target_sha`."""
    current = semver.Version.parse(version)
    candidates = []
    for ref in repo.get_git_matching_refs("tags/v"):
        name = ref.ref.removeprefix("refs/tags/")
        match = RELEASE_TAG.fullmatch(name)
        if not match:
            continue
        tagged = semver.Version(*map(int, match.groups()))
        if tagged < current:
            candidates.append((tagged, name, ref.object.sha))
    for _tagged, name, sha in sorted(candidates, reverse=True):
        comparison = repo.compare(sha, target_sha)
        if comparison.status in ("ahead", "identical"):
            return name
    return None


def merged_as(repo: Any, sha: str) -> Any | None:
    """The merged pull request whose merge made `sha` (its `merge_commit_sha`), whatever the merge method."""
    for pull in repo.get_commit(sha).get_pulls():
        if pull.merged and pull.merge_commit_sha == sha:
            return pull
    return None


def staging_tip(repo: Any, sha: str) -> tuple[str, Any | None]:
    """The staging commit a release commit on main was made from: the head of the pull request
    merged as `sha` (stg -> main), else `sha` itself (a commit made on main directly)."""
    pull = merged_as(repo, sha)
    return (pull.head.sha, pull) if pull is not None else (sha, None)


def changes(repo: Any, previous: str | None, target_sha: str) -> list[Change]:
    """Pull requests (other than the release's stg -> main) merged between `previous` and `target_sha`,
    oldest first: those associated with the staging commits the release brings."""
    tip, release = staging_tip(repo, target_sha)
    if previous is None:
        commits = list(reversed(list(repo.get_commits(sha=tip))))
    else:
        base, _ = staging_tip(repo, repo.get_commit(previous).sha)
        commits = list(repo.compare(base, tip).commits)
    staging = release.head.ref if release is not None else "stg"
    found: list[Change] = []
    seen: set[int] = set()
    for commit in commits:
        for pull in commit.get_pulls():
            if not pull.merged or pull.number in seen or pull.head.ref == staging:
                continue  # open, listed already, or a release's own stg -> main pull request
            seen.add(pull.number)
            found.append(Change(pull.number, pull.head.ref, pull.title))
    return found


def render(version: str, previous: str | None, found: list[Change]) -> str:
    since = f"since {previous}" if previous else "since the first commit"
    lines = [f"## Changes in {version} ({since})", ""]
    lines += [change.line() for change in found] or ["- no pull requests merged"]
    return "\n".join(lines)
