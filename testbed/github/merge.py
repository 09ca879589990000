"""The merge button: how a pull request is merged into its base, in one place (REST's
`PUT /pulls/{n}/merge` and GraphQL's `mergePullRequest` both call `merge`).

The three methods make the commits GitHub makes ("About merge methods on GitHub"):
- merge: "Merge pull request #N from owner/branch" + the title, parents base and head, authored
  by the merging user, committed by GitHub; `merge_commit_sha` is that commit.
- squash: one commit on the base, "<title> (#N)" and the list of the pull request's commits,
  authored by the pull request's author, committed by GitHub; `merge_commit_sha` is that commit.
- rebase: the head's commits replayed onto the base with new SHAs, authors kept, committed by
  GitHub, no merge commit; `merge_commit_sha` is the last replayed commit.
"""

from __future__ import annotations

from dataclasses import dataclass

from testbed.github import gitdata, gitmerge, shapes, webhooks
from testbed.github.protocol import HTTPError, unprocessable
from testbed.github.records import PullRequest, Repo
from testbed.github.site import Site
from testbed.github.state import Event, State, Token

MERGER = ("GitHub", "noreply@github.com")
METHODS = ("merge", "squash", "rebase")


@dataclass(frozen=True)
class MergeRequest:
    """What `PUT /pulls/{n}/merge` asks for."""

    method: str = "merge"
    sha: str | None = None  # the head the caller expects (409 if it moved)
    commit_title: str | None = None
    commit_message: str | None = None


def person(login: str) -> tuple[str, str]:
    """A user's git identity as GitHub writes it (the noreply address with the user's id)."""
    return login, f"{shapes.numeric_id(f'user:{login}')}+{login}@users.noreply.github.com"


def default_message(repo: Repo, pull: PullRequest, method: str, head_sha: str, base_sha: str) -> tuple[str, str]:
    """GitHub's default (title, message) for a merge or squash commit of `pull`."""
    if method == "squash":
        commits = reversed(gitdata.log(repo.bare, head_sha, exclude=base_sha))
        return f"{pull.title} (#{pull.number})", "\n\n".join(f"* {c.message}" for c in commits)
    return f"Merge pull request #{pull.number} from {repo.owner}/{pull.head}", pull.title


def merge(state: State, site: Site, repo: Repo, pull: PullRequest, request: MergeRequest, token: Token) -> str:
    """Merge `pull` as the merge button does; returns `merge_commit_sha` after the events went out."""
    if request.method not in METHODS:
        raise unprocessable(f"Invalid request.\n\n{request.method!r} is not a valid merge_method "
                            f"(one of {', '.join(METHODS)}).")
    with repo.lock:
        if pull.state != "open":
            raise HTTPError(405, "Pull Request is not mergeable")
        head_sha = repo.head_of(pull)
        if request.sha and request.sha != head_sha:
            raise HTTPError(409, "Head branch was modified. Review and try the merge again.")
        base_ref = f"refs/heads/{pull.base}"
        base_sha = gitdata.refs(repo.bare, base_ref).get(base_ref)
        if base_sha is None:
            raise HTTPError(405, "Base branch was deleted")
        landed = _commits(repo, pull, request, head_sha, base_sha, token)
        if landed is None or not gitdata.update_ref(repo.bare, base_ref, landed.head, base_sha):
            raise HTTPError(405, "Pull Request is not mergeable")
        _close_as_merged(pull, landed=landed, head_sha=head_sha, base_sha=base_sha, by=token.login)
        events: list[Event] = [webhooks.pull_request(state, site, repo, pull, "closed", token)]
        if landed.head != base_sha:
            events += webhooks.ref_changed(state, site, repo, base_ref, base_sha, landed.head, token)
    state.deliver(events)
    return landed.head


def _commits(repo: Repo, pull: PullRequest, request: MergeRequest, head_sha: str, base_sha: str,
             token: Token) -> gitmerge.Merged | None:
    if request.method == "rebase":
        return gitmerge.rebase_commits(repo.bare, base_sha, head_sha, committer=MERGER)
    title, message = default_message(repo, pull, request.method, head_sha, base_sha)
    text = f"{request.commit_title or title}\n\n{request.commit_message if request.commit_message is not None else message}"
    if request.method == "squash":
        return gitmerge.squash_commit(repo.bare, base_sha, head_sha, text.rstrip() + "\n", author=person(pull.user),
                                      committer=MERGER)
    return gitmerge.merge_commit(repo.bare, base_sha, head_sha, text, author=person(token.login), committer=MERGER)


def _close_as_merged(pull: PullRequest, *, landed: gitmerge.Merged, head_sha: str, base_sha: str, by: str) -> None:
    stamp = shapes.now()
    pull.state, pull.merged, pull.merge_commit_sha, pull.landed = "closed", True, landed.head, landed.commits
    pull.merged_at = pull.closed_at = pull.updated_at = stamp
    pull.merged_by, pull.head_sha, pull.base_sha = by, head_sha, base_sha
