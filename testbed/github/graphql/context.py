"""What the GraphQL resolvers may read and change: one request's `Context` over the local GitHub's
state. Reads go to the typed state model; writes go through the same operations the REST API
uses (opening a pull request, the merge button), so GitHub's rules and events live in one place."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from testbed.github.graphql.errors import GitHubError, not_found
from testbed.github.merge import MergeRequest, merge
from testbed.github.protocol import Call, HTTPError, Reply
from testbed.github.records import IssueComment, PullRequest, Repo
from testbed.github.routes import comments as rest_comments
from testbed.github.routes import pulls as rest_pulls
from testbed.github.site import Site
from testbed.github.state import State, Token

ERROR_TYPES = {401: "FORBIDDEN", 403: "FORBIDDEN", 404: "NOT_FOUND"}


def _as_graphql(error: HTTPError) -> GitHubError:
    """A REST refusal as GitHub's GraphQL says it (the detail messages, not "Validation Failed")."""
    details = [str(e.get("message") or f"{e.get('field', '')} {e.get('code', '')}".strip()) for e in error.errors or []]
    return GitHubError(ERROR_TYPES.get(error.status, "UNPROCESSABLE"), "; ".join(details) or error.message)


@dataclass(frozen=True)
class Context:
    """One GraphQL request: the state it runs against, where the server is reached, who asks."""

    state: State
    site: Site
    token: Token
    rate_subject: tuple[str, int] = ("", 0)  # who the request is counted against, and their hourly limit
    # GraphQL types by name (`Repository`, `PullRequest`), given by `execution` so that the type modules
    # need not import each other
    types: Mapping[str, Callable[..., Any]] = field(default_factory=dict)

    @property
    def login(self) -> str:
        return self.token.login

    # reads -------------------------------------------------------------------
    def repo(self, owner: str, name: str) -> Repo:
        """The repository, if this token reaches it; GitHub's NOT_FOUND (or FORBIDDEN for a workflow token)."""
        full = f"{owner}/{name}"
        found = self.state.repo(full)
        if found is None or not self.token.reaches(full):
            if found is not None and self.token.actions:
                raise GitHubError("FORBIDDEN", "Resource not accessible by integration")
            raise not_found("Repository", f"the name '{full}'")
        return found

    def make(self, typename: str, *args: Any) -> Any:
        """An object of GraphQL type `typename` (`Repository`, `PullRequest`) made from records."""
        if typename not in self.types:
            raise GitHubError("INTERNAL", f"the GraphQL context was made without the {typename} type")
        return self.types[typename](self, *args)

    def repository(self, repo: Repo) -> Any:
        """`repo` as a GraphQL `Repository` (for the `repository` field of commits, pulls, releases, refs)."""
        return self.make("Repository", repo)

    def repos(self) -> list[Repo]:
        return [r for r in self.state.repos() if self.token.reaches(r.full_name)]

    def pulls_of_commit(self, repo: Repo, sha: str) -> list[PullRequest]:
        """The pull requests `GET /repos/{o}/{r}/commits/{sha}/pulls` lists for `sha` (one rule for both APIs)."""
        reply = self._rest(rest_pulls.pulls_of_commit, "GET", repo, f"/commits/{sha}/pulls", {"sha": sha}, {},
                           query={"per_page": "100"})
        numbers = [int(p["number"]) for p in reply.body]
        return [p for p in (repo.pull(n) for n in numbers) if p is not None]

    def logins(self) -> set[str]:
        """Every user the local GitHub has seen (owners, authors, token holders)."""
        seen = {self.login}
        for repo in self.repos():
            seen.add(repo.owner)
            seen.update(p.user for p in repo.pulls)
            seen.update(p.merged_by for p in repo.pulls if p.merged_by)
            seen.update(r.author for r in repo.releases)
            seen.update(c.user for c in repo.issue_comments)
        return seen

    # through the REST operations (one implementation of each GitHub rule) -----
    def _rest(self, function: Any, method: str, repo: Repo, path: str, params: dict[str, Any],
              body: dict[str, Any], query: dict[str, str] | None = None) -> Reply:
        owner, name = repo.full_name.split("/")
        call = Call(method=method, path=f"/repos/{repo.full_name}{path}",
                    params={"owner": owner, "repo": name, **params}, query=query or {}, headers={},
                    body=json.dumps(body).encode() if body else b"", token=self.token, state=self.state,
                    site=self.site)
        try:
            reply: Reply = function(call)
        except HTTPError as error:
            raise _as_graphql(error) from error
        return reply

    def open_pull(self, repo: Repo, *, head: str, base: str, title: str, body: str | None) -> PullRequest:
        """Open a pull request exactly as `POST /repos/{o}/{r}/pulls` does (checks, event)."""
        reply = self._rest(rest_pulls.create_pull, "POST", repo, "/pulls", {},
                           {"head": head, "base": base, "title": title, "body": body})
        opened = repo.pull(int(reply.body["number"]))
        assert opened is not None
        return opened

    def update_pull(self, repo: Repo, pull: PullRequest, changes: dict[str, Any]) -> PullRequest:
        """Edit title, body or state as `PATCH /pulls/{n}` does (events included)."""
        self._rest(rest_pulls.update_pull, "PATCH", repo, f"/pulls/{pull.number}", {"number": pull.number}, changes)
        return pull

    def set_pull_state(self, repo: Repo, pull: PullRequest, state: str) -> PullRequest:
        """Close or reopen as `PATCH /pulls/{n}` with `state` does."""
        return self.update_pull(repo, pull, {"state": state})

    def comment(self, repo: Repo, pull: PullRequest, body: str) -> IssueComment:
        """Comment on a pull request as `POST /issues/{n}/comments` does (the same record and event)."""
        reply = self._rest(rest_comments.create_issue_comment, "POST", repo, f"/issues/{pull.number}/comments",
                           {"number": pull.number}, {"body": body})
        made = next((c for c in repo.issue_comments if c.id == reply.body["id"]), None)
        assert made is not None
        return made

    def merge_pull(self, repo: Repo, pull: PullRequest, request: MergeRequest) -> str:
        """The merge button (the state model's one merge operation)."""
        try:
            return merge(self.state, self.site, repo, pull, request, self.token)
        except HTTPError as error:
            raise _as_graphql(error) from error
