"""Global node ids: the REST API's `node_id` values (`R_...`, `PR_...`, `RE_...`) resolved back to the
object they name, for `node(id:)`, `nodes(ids:)` and mutation inputs."""

from __future__ import annotations

import re
from typing import Any

from testbed.github import gitdata, shapes
from testbed.github.graphql.comments import CommitComment, IssueComment
from testbed.github.graphql.context import Context
from testbed.github.graphql.errors import GitHubError
from testbed.github.graphql.gitobjects import Ref, StatusContext, git_object
from testbed.github.graphql.pulls import PullRequest
from testbed.github.graphql.releases import Release, ReleaseAsset
from testbed.github.graphql.repository import Repository
from testbed.github.graphql.users import Actor

NODE_ID = re.compile(r"(?P<kind>[A-Z]+)_(?P<number>[0-9a-f]+)")


def _missing(node_id: str) -> GitHubError:
    return GitHubError("NOT_FOUND", f"Could not resolve to a node with the global id of '{node_id}'")


def _by_number(ctx: Context, kind: str, number: int) -> Any:
    for repo in ctx.repos():
        if kind == "R" and repo.id == number:
            return Repository(ctx, repo)
        if kind == "PR":
            pull = next((p for p in repo.pulls if p.id == number), None)
            if pull:
                return PullRequest(ctx, repo, pull)
        if kind == "RE" and repo.release(number):
            return Release(ctx, repo, repo.release(number))  # type: ignore[arg-type]
        if kind == "RA":
            found = repo.asset(number)
            if found:
                return ReleaseAsset(ctx, repo, *found)
        if kind == "IC":
            comment = next((c for c in repo.issue_comments if c.id == number), None)
            if comment:
                return IssueComment(ctx, repo, comment)
        if kind == "REF":
            for refname, sha in gitdata.refs(repo.bare).items():
                if shapes.numeric_id(f"{repo.full_name}:{refname}") == number:
                    return Ref(ctx, repo, refname, sha)
        if kind == "CC":
            commit_comment = next((c for c in repo.commit_comments if c.id == number), None)
            if commit_comment:
                return CommitComment(ctx, repo, commit_comment)
        if kind == "SC":
            status = next((st for st in repo.statuses if st.id == number), None)
            if status:
                return StatusContext(ctx, status)
        if kind in ("C", "TAG"):
            objects = gitdata.git(repo.bare, "rev-list", "--all", check=False).split()
            objects += gitdata.refs(repo.bare, "refs/tags/").values()
            for sha in objects:
                if shapes.numeric_id(sha) == number:
                    return git_object(ctx, repo, sha)
    if kind == "U":
        login = next((login for login in ctx.logins() if shapes.numeric_id(f"user:{login}") == number), None)
        if login:
            return Actor(ctx, login)
    return None


def lookup(ctx: Context, node_id: str) -> Any:
    """The object a global id names, or GitHub's NOT_FOUND."""
    match = NODE_ID.fullmatch(node_id)
    found = _by_number(ctx, match["kind"], int(match["number"], 16)) if match else None
    if found is None:
        raise _missing(node_id)
    return found


def lookup_as(ctx: Context, node_id: str, cls: type[Any]) -> Any:
    """The object a mutation input's id names, which must be of `cls`'s GraphQL type."""
    found = lookup(ctx, node_id)
    if not isinstance(found, cls):
        raise GitHubError("NOT_FOUND", f"Could not resolve to {cls.typename} node with the global id of '{node_id}'.")
    return found
