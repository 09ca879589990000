"""The root `Query`: `viewer`, `repository`, `node(s)`, `user`/`repositoryOwner`, `rateLimit`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from testbed.github.graphql.base import Served
from testbed.github.graphql.errors import GitHubError, not_found
from testbed.github.graphql.nodes import lookup
from testbed.github.graphql.repository import Repository
from testbed.github.graphql.search import SearchResults, search
from testbed.github.graphql.users import Actor


class Query(Served):
    typename = "Query"

    def viewer(self) -> Actor:
        return Actor(self._ctx, self._ctx.login)

    def repository(self, owner: str, name: str, follow_renames: bool = True) -> Repository:
        return Repository(self._ctx, self._ctx.repo(owner, name))

    def node(self, id: str) -> Any:
        return lookup(self._ctx, id)

    def nodes(self, ids: list[str]) -> list[Any]:
        found = []
        for node_id in ids:
            try:
                found.append(lookup(self._ctx, node_id))
            except GitHubError:
                found.append(None)
        return found

    def search(self, query: str, type: str, first: int | None = None, last: int | None = None,
               after: str | None = None, before: str | None = None) -> SearchResults:
        return search(self._ctx, query=query, kind=type, first=first, last=last, after=after, before=before)

    def user(self, login: str) -> Actor:
        if login not in self._ctx.logins():
            raise not_found("User", f"the login of '{login}'")
        return Actor(self._ctx, login)

    def repository_owner(self, login: str) -> Actor | None:
        return Actor(self._ctx, login) if login in self._ctx.logins() else None

    def rate_limit(self, dry_run: bool = False) -> dict[str, Any]:
        """The caller's `graphql` window, as the endpoint counts it (one point a query)."""
        key, limit = self._ctx.rate_subject
        window = self._ctx.state.rate_limits.peek(key, limit, "graphql")
        reset = datetime.fromtimestamp(window.reset, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"cost": 1, "limit": window.limit, "nodeCount": 0, "remaining": window.remaining,
                "used": window.used, "resetAt": reset}
