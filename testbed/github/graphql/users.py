"""Users and bots (`User`, `Bot`: the `Actor` and `RepositoryOwner` the local GitHub knows).
The ids match the REST API's `node_id` so a `user.node_id` resolves through `node(id:)`."""

from __future__ import annotations

from testbed.github import shapes
from testbed.github.graphql.base import Served
from testbed.github.graphql.connections import Connection, connection
from testbed.github.graphql.context import Context

CREATED = "2026-01-01T00:00:00Z"  # the REST API's `created_at` of every user


class Actor(Served):
    """A user (or, for a `...[bot]` login, a bot) by login."""

    def __init__(self, ctx: Context, login: str) -> None:
        super().__init__(ctx)
        self.login = login
        self.typename = "Bot" if login.endswith("[bot]") else "User"
        self.database_id = shapes.numeric_id(f"user:{login}")
        self.id = shapes.node_id("U", self.database_id)
        self.name = login
        self.url = f"{ctx.site.url}/{login}"
        self.resource_path = f"/{login}"
        self.email = ""
        self.created_at = CREATED
        self.updated_at = CREATED
        self.is_site_admin = False
        self.is_viewer = login == ctx.login

    def repositories(self, first: int | None = None, last: int | None = None, after: str | None = None,
                     before: str | None = None) -> Connection:
        """The repositories this user owns that the caller's token reaches, oldest first."""
        owned = [self._ctx.repository(r) for r in self._ctx.repos() if r.owner == self.login]
        return connection(owned, first=first, last=last, after=after, before=before, connection_name="repositories")

    def avatar_url(self, size: int | None = None) -> str:
        return f"{self._ctx.site.url}/avatars/{self.login}" + (f"?s={size}" if size else "")


def actor(ctx: Context, login: str | None) -> Actor | None:
    return Actor(ctx, login) if login else None
