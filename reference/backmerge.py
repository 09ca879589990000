"""After a production release: keep the staging branch mergeable into main.

A squash merge of stg into main puts on main one commit that stg does not hold; the next
stg -> main pull request would change VERSION on both sides and conflict. Merging the released
main commit back into stg (GitHub's "merge a branch") restores a common history. Nothing is done
when main already holds stg's commits: as themselves (a merge commit) or as equivalent changes
(a rebase merge: `git cherry` finds each one on main, and a later rebase drops them again, where a
merge back would make them be replayed). A re-run finds the merge back done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reference import ReleaseError
from reference.gitops import Git


@dataclass(frozen=True)
class Sync:
    merged: bool
    sha: str
    reason: str


def main_holds_staging(git: Git, staged_sha: str, released_sha: str) -> bool:
    """Whether every change of `staged_sha`'s history is on main at `released_sha` (git decides, locally)."""
    for sha in (staged_sha, released_sha):
        if git("cat-file", "-e", f"{sha}^{{commit}}", check=False).returncode != 0:
            raise ReleaseError(f"commit {sha[:12]} is not in this checkout (fetch-depth: 0 is needed)")
    if git("merge-base", "--is-ancestor", staged_sha, released_sha, check=False).returncode == 0:
        return True
    missing = [line for line in git("cherry", released_sha, staged_sha).stdout.splitlines() if line.startswith("+")]
    return not missing


def sync_back(repo: Any, git: Git, *, branch: str, staged_sha: str, released_sha: str, version: str) -> Sync:
    """Merge `released_sha` (on main) into `branch` unless main holds the staged commits already."""
    if main_holds_staging(git, staged_sha, released_sha):
        return Sync(False, "", f"main holds the changes of {branch} at {staged_sha[:12]}: nothing to merge back")
    made = repo.merge(branch, released_sha, f"Merge the release of {version} back into {branch}\n\n"
                      f"main's release commit {released_sha} does not hold the commits of {branch} (squash "
                      f"merge); merging it back keeps the next pull request into main free of conflicts.")
    if made is None:
        return Sync(False, "", f"{branch} already holds the release commit {released_sha[:12]}")
    return Sync(True, made.sha, f"merged {released_sha[:12]} into {branch}")
