"""The changes a release brings: the pull requests merged since the previous release tag.

The range is computed here (previous `vX.Y.Z` tag reachable from the release commit, lower than
the version being released), not taken from GitHub's guess of the previous tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import semver

from reference.tags import RELEASE_TAG

MERGE = re.compile(r"^Merge pull request #(\d+) from [^/\s]+/(\S+)")
RELEASE_COMMIT = re.compile(r"^chore\(release\): ")


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


def changes(repo: Any, previous: str | None, target_sha: str) -> list[Change]:
    """Pull requests (other than stg -> main) merged between `previous` and `target_sha`, oldest first."""
    if previous is None:
        commits = list(reversed(list(repo.get_commits(sha=target_sha))))
    else:
        commits = list(repo.compare(previous, target_sha).commits)
    found = []
    for commit in commits:
        match = MERGE.match(commit.commit.message)
        if not match or match.group(2) == "stg":
            continue
        number, branch = int(match.group(1)), match.group(2)
        lines = commit.commit.message.splitlines()
        title = next((line.strip() for line in lines[1:] if line.strip()), branch)
        found.append(Change(number, branch, title))
    return found


def render(version: str, previous: str | None, found: list[Change]) -> str:
    since = f"since {previous}" if previous else "since the first commit"
    lines = [f"## Changes in {version} ({since})", ""]
    lines += [change.line() for change in found] or ["- no pull requests merged"]
    return "\n".join(lines)
