"""The REST operations of the local GitHub, one module per resource family.

A new family is a new module with a `ROUTES` list of `Endpoint`s, added to `API_ROUTES` here."""

from __future__ import annotations

from testbed.github.protocol import Endpoint
from testbed.github.routes import (
    actions,
    assets,
    comments,
    contents,
    dispatches,
    git,
    gitdb,
    meta,
    pulls,
    release_notes,
    releases,
    repos,
)

API_ROUTES: list[Endpoint] = [
    *meta.ROUTES,
    *repos.ROUTES,
    *git.ROUTES,
    *gitdb.ROUTES,
    *contents.ROUTES,
    *comments.ROUTES,
    *pulls.ROUTES,
    *release_notes.ROUTES,
    *releases.ROUTES,
    *assets.ROUTES,
    *dispatches.ROUTES,
    *actions.ROUTES,
]
UPLOAD_ROUTES: list[Endpoint] = [*releases.UPLOAD_ROUTES]
# on the web host (`<url>/...`): what `browser_download_url` names
WEB_ROUTES: list[Endpoint] = [*assets.WEB_ROUTES]

__all__ = ["API_ROUTES", "UPLOAD_ROUTES", "WEB_ROUTES"]
