"""The events GitHub delivers to workflows, built and recorded: `push` for every ref change,
`pull_request` and `release` for their actions. Callers hand the returned events to
`State.deliver` once their change is complete."""

from __future__ import annotations

from typing import Any

from testbed.github import gitdata, shapes
from testbed.github.gitdata import EMPTY_TREE, ZERO
from testbed.github.records import PullRequest, Release, Repo
from testbed.github.shapes import pulls, releases
from testbed.github.site import Site
from testbed.github.state import Event, State, Token

PUSH_COMMITS_MAX = 20


def ref_changed(state: State, site: Site, repo: Repo, ref: str, before: str, after: str,
                token: Token | None) -> list[Event]:
    """Record the `push` event for one ref moving from `before` to `after` (ZERO: created/deleted)."""
    repo.pushed = shapes.now()
    payload = push_payload(site, repo, ref, before, after, token)
    events = [state.record_event("push", repo, payload, ref=ref, sha=after, token=token)]
    if ref.startswith("refs/heads/") and after != ZERO and token is not None:
        branch = ref.removeprefix("refs/heads/")
        for pull in repo.pulls:
            if pull.state == "open" and pull.head == branch:
                pull.head_sha, pull.updated_at = after, shapes.now()
                events.append(pull_request(state, site, repo, pull, "synchronize", token, before=before, after=after))
    return events


def push_payload(site: Site, repo: Repo, ref: str, before: str, after: str, token: Token | None) -> dict[str, Any]:
    login = token.login if token else "unknown"
    deleted = after == ZERO
    created = before == ZERO
    forced = not created and not deleted and not gitdata.is_ancestor(repo.bare, before, after)
    commits: list[gitdata.Commit] = []
    if not deleted:
        exclude = None if created else before
        commits = list(reversed(gitdata.log(repo.bare, after, exclude=exclude, limit=PUSH_COMMITS_MAX)))
        if created:
            commits = commits[-1:]
    head = gitdata.commit(repo.bare, after) if not deleted else None
    web = site.repo_web(repo.full_name)
    return {
        "ref": ref,
        "before": before,
        "after": after,
        "repository": shapes.repo_of(site, repo, webhook=True),
        "pusher": {"name": login, "email": f"{login}@users.noreply.localhost"},
        "sender": shapes.user_of(site, login, webhook=True),
        "created": created,
        "deleted": deleted,
        "forced": forced,
        "base_ref": None,
        "compare": f"{web}/compare/{before[:12]}...{after[:12]}",
        "commits": [_push_commit(web, repo, c) for c in commits],
        "head_commit": _push_commit(web, repo, head) if head else None,
    }


def _push_commit(web: str, repo: Repo, commit: gitdata.Commit) -> dict[str, Any]:
    parent = commit.parents[0] if commit.parents else EMPTY_TREE
    changes = gitdata.changed_files(repo.bare, parent, commit.sha)
    return {
        "id": commit.sha,
        "tree_id": commit.tree,
        "distinct": True,
        "message": commit.message,
        "timestamp": commit.committer_date,
        "url": f"{web}/commit/{commit.sha}",
        "author": {"name": commit.author_name, "email": commit.author_email},
        "committer": {"name": commit.committer_name, "email": commit.committer_email},
        "added": [p for s, p in changes if s == "A"],
        "removed": [p for s, p in changes if s == "D"],
        "modified": [p for s, p in changes if s not in ("A", "D")],
    }


def pull_request(state: State, site: Site, repo: Repo, pull: PullRequest, action: str, token: Token, *,
                 before: str | None = None, after: str | None = None) -> Event:
    """Record a `pull_request` event (opened, edited, closed, reopened, synchronize with `before`/`after`)."""
    payload: dict[str, Any] = {
        "action": action,
        "number": pull.number,
        "pull_request": pulls.pull(site, repo, pull, webhook=True),
        "repository": shapes.repo_of(site, repo, webhook=True),
        "sender": shapes.user_of(site, token.login, webhook=True),
    }
    if action == "synchronize":
        payload.update(before=before, after=after)
    return state.record_event("pull_request", repo, payload, ref=f"refs/pull/{pull.number}/merge",
                              sha=pull.merge_commit_sha or pull.head_sha, token=token)


def release(state: State, site: Site, repo: Repo, found: Release, action: str, token: Token) -> Event:
    """Record a `release` event (published, released, prereleased, ...)."""
    payload = {
        "action": action,
        "release": releases.release(site, repo, found, webhook=True),
        "repository": shapes.repo_of(site, repo, webhook=True),
        "sender": shapes.user_of(site, token.login, webhook=True),
    }
    return state.record_event("release", repo, payload, ref=f"refs/tags/{found.tag_name}", sha="", token=token)
