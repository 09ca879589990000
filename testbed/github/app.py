"""The local GitHub's URL space as one Starlette application.

`/api/v3/...` REST (the GitHub Enterprise layout), `/api/graphql` GraphQL, `/api/uploads/...`
the upload host, `/<owner>/<repo>.git/...` git smart HTTP; anything else is GitHub's JSON 404.
Starlette answers `HEAD` wherever `GET` is routed.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from testbed.github.api import RestApi, request_id
from testbed.github.protocol import DOCS, Endpoint
from testbed.github.routes import API_ROUTES, UPLOAD_ROUTES, WEB_ROUTES
from testbed.github.routes.graphql import PATH as GRAPHQL, GraphQLEndpoint
from testbed.github.smarthttp import GitEndpoint

API = "/api/v3"
UPLOADS = "/api/uploads"
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def _mount(api: RestApi, endpoints: list[Endpoint], prefix: str, path_prefix: str) -> list[BaseRoute]:
    routes: list[BaseRoute] = [
        Route(prefix + e.path, api.handler(e, path_prefix), methods=[e.method]) for e in endpoints
    ]
    roots = [e for e in endpoints if e.path == "/"]  # `/api/v3` answers as `/api/v3/` does
    routes += [Route(prefix, api.handler(e, path_prefix), methods=[e.method]) for e in roots]
    missing = api.fallback(routes, path_prefix)
    return [*routes, Route(prefix, missing, methods=ALL_METHODS), Route(prefix + "/{rest:path}", missing,
                                                                        methods=ALL_METHODS)]


async def _not_found(request: Request) -> Response:
    return JSONResponse({"message": "Not Found", "documentation_url": DOCS}, status_code=404,
                        headers={"X-GitHub-Request-Id": request_id()})


def build(api: RestApi, git: GitEndpoint, graphql: GraphQLEndpoint | None = None) -> Starlette:
    """The application; `graphql` defaults to an endpoint over the REST API's state."""
    graphql = graphql or GraphQLEndpoint(api.state, api.site, api.log)
    routes = [
        *_mount(api, API_ROUTES, API, API),
        *_mount(api, UPLOAD_ROUTES, UPLOADS, "/api"),
        Route(GRAPHQL, graphql.handle, methods=["POST"]),
        *[Route(e.path, api.handler(e, ""), methods=[e.method]) for e in WEB_ROUTES],
        Route("/{owner}/{name}/{rest:path}", git.handle, methods=["GET", "POST"]),
        Route("/{rest:path}", _not_found, methods=ALL_METHODS),
    ]
    return Starlette(routes=routes)
