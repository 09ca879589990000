"""The REST operations of the local GitHub, one module per resource family.

A new family is a new module with a `ROUTES` list of `Endpoint`s, added to `API_ROUTES` here."""

from __future__ import annotations

from testbed.github.protocol import Endpoint
from testbed.github.routes import actions, comments, dispatches, git, meta, pulls, releases, repos

API_ROUTES: list[Endpoint] = [
    *meta.ROUTES,
    *repos.ROUTES,
    *git.ROUTES,
    *comments.ROUTES,
    *pulls.ROUTES,
    *releases.ROUTES,
    *dispatches.ROUTES,
    *actions.ROUTES,
]
UPLOAD_ROUTES: list[Endpoint] = [*releases.UPLOAD_ROUTES]

__all__ = ["API_ROUTES", "UPLOAD_ROUTES"]
