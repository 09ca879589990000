"""After a production release: keep the staging branch mergeable into main.

A squash merge of stg into main puts on main one commit that stg does not hold; the next
stg -> main pull request would change VERSION on both sides and conflict. Merging the released
main commit back into stg (GitHub's "merge a branch") restores a common history. Nothing is done
when main already holds stg's commits: as themselves (a merge commit) or as equivalent changes
(a rebase merge: `git cherry` finds each one on main, and a later rebase drops them again, where a
merge back would make them be replayed). A re-run finds the merge back done.

When stg moved on meanwhile and changed VERSION again (the next feature's bump), GitHub's merge
answers 409 (both sides changed VERSION since their common ancestor). The release commit holds
exactly the tree of the staged commit, which stg already holds, so stg's side is right: the merge
is then made locally keeping stg's tree (`git merge -s ours`) and pushed; if main's tree differs
from the staged commit's, something else reached main and the run stops for a person to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from github import GithubException

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
    message = (f"Merge the release of {version} back into {branch}\n\n"
               f"main's release commit {released_sha} does not hold the commits of {branch} (squash "
               f"merge); merging it back keeps the next pull request into main free of conflicts.")
    try:
        made = repo.merge(branch, released_sha, message)
    except GithubException as error:
        if error.status != 409:
            raise
        return merge_keeping_branch(git, branch=branch, staged_sha=staged_sha, released_sha=released_sha,
                                    message=message)
    if made is None:
        return Sync(False, "", f"{branch} already holds the release commit {released_sha[:12]}")
    return Sync(True, made.sha, f"merged {released_sha[:12]} into {branch}")


def merge_keeping_branch(git: Git, *, branch: str, staged_sha: str, released_sha: str, message: str) -> Sync:
    """Record `released_sha` as merged into `branch` keeping the branch's tree (the conflict is only stg
    having moved on); refused when main's tree is not the staged commit's."""
    if git("rev-parse", f"{released_sha}^{{tree}}").stdout != git("rev-parse", f"{staged_sha}^{{tree}}").stdout:
        raise ReleaseError(f"merging {released_sha[:12]} back into {branch} conflicts, and main's tree is not the "
                           f"tree of the staged commit {staged_sha[:12]}: resolve the merge by hand")
    head = git.fetch(branch)
    if git("merge-base", "--is-ancestor", released_sha, head, check=False).returncode == 0:
        return Sync(False, "", f"{branch} already holds the release commit {released_sha[:12]}")
    git("checkout", "--quiet", "--detach", head)
    git("merge", "--quiet", "--no-ff", "-s", "ours", "-m", message, released_sha)
    sha = git("rev-parse", "HEAD").stdout.strip()
    git("push", "--quiet", git.remote_url, f"HEAD:refs/heads/{branch}", remote=True)
    return Sync(True, sha, f"merged {released_sha[:12]} into {branch} keeping {branch}'s tree (it moved on)")
