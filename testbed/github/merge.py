"""The merge button: how a pull request is merged into its base, in one place.

Today only the `merge` method (a merge commit by GitHub, parents base and head); squash and
rebase belong here too, next to it, sharing the checks and the events."""

from __future__ import annotations

from dataclasses import dataclass

from testbed.github import gitdata, shapes, webhooks
from testbed.github.protocol import HTTPError, unprocessable
from testbed.github.records import PullRequest, Repo
from testbed.github.site import Site
from testbed.github.state import Event, State, Token

MERGER = ("GitHub", "noreply@github.com")
METHODS = ("merge",)


@dataclass(frozen=True)
class MergeRequest:
    """What `PUT /pulls/{n}/merge` asks for."""

    method: str = "merge"
    sha: str | None = None  # the head the caller expects (409 if it moved)
    commit_title: str | None = None
    commit_message: str | None = None


def merge(state: State, site: Site, repo: Repo, pull: PullRequest, request: MergeRequest, token: Token) -> str:
    """Merge `pull` as the merge button does; returns the new commit's SHA after the events went out."""
    if request.method not in METHODS:
        raise unprocessable(f"Merge method {request.method!r} is not supported by the local GitHub "
                            f"(supported: {', '.join(METHODS)})")
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
        title = request.commit_title or f"Merge pull request #{pull.number} from {repo.owner}/{pull.head}"
        message = f"{title}\n\n{request.commit_message or pull.title}"
        merge_sha = gitdata.merge(repo.bare, base_sha, head_sha, message, committer=MERGER)
        if merge_sha is None or not gitdata.update_ref(repo.bare, base_ref, merge_sha, base_sha):
            raise HTTPError(405, "Pull Request is not mergeable")
        _close_as_merged(pull, merge_sha=merge_sha, head_sha=head_sha, base_sha=base_sha, by=token.login)
        events: list[Event] = [webhooks.pull_request(state, site, repo, pull, "closed", token)]
        events += webhooks.ref_changed(state, site, repo, base_ref, base_sha, merge_sha, token)
    state.deliver(events)
    return merge_sha


def _close_as_merged(pull: PullRequest, *, merge_sha: str, head_sha: str, base_sha: str, by: str) -> None:
    stamp = shapes.now()
    pull.state, pull.merged, pull.merge_commit_sha = "closed", True, merge_sha
    pull.merged_at = pull.closed_at = pull.updated_at = stamp
    pull.merged_by, pull.head_sha, pull.base_sha = by, head_sha, base_sha
