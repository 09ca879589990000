"""Lookups several route families share: a commit by any name, a pull request or release by number."""

from __future__ import annotations

from testbed.github import gitdata
from testbed.github.protocol import not_found, unprocessable
from testbed.github.records import PullRequest, Release, Repo

REPO = "/repos/{owner}/{repo}"


def commit_or_422(repo: Repo, rev: str) -> gitdata.Commit:
    """The commit `rev` names (branch, tag, SHA), or GitHub's 422 "No commit found"."""
    sha = gitdata.resolve(repo.bare, rev)
    found = gitdata.commit(repo.bare, sha) if sha else None
    if found is None:
        raise unprocessable(f"No commit found for SHA: {rev}")
    return found


def pull_or_404(repo: Repo, number: int) -> PullRequest:
    found = repo.pull(number)
    if found is None:
        raise not_found()
    return found


def release_or_404(repo: Repo, release_id: int) -> Release:
    found = repo.release(release_id)
    if found is None:
        raise not_found()
    return found


def associated_pulls(repo: Repo, sha: str) -> list[PullRequest]:
    """The pull requests a commit belongs to, as GitHub associates them: those whose head holds it
    (a commit of the branch) and the merged one that put it on its base (merge, squash or replayed commit)."""
    found = []
    for pull in repo.pulls:
        head = repo.head_of(pull)
        if sha in (head, *pull.landed) or (gitdata.is_ancestor(repo.bare, sha, head)
                                          and not gitdata.is_ancestor(repo.bare, sha, pull.base_sha)):
            found.append(pull)
    return found
