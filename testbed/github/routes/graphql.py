"""`POST /api/graphql` (the GitHub Enterprise path of `https://api.github.com/graphql`): the HTTP side of
the GraphQL API. Authentication and injected faults as for REST; every answer to an authenticated
request is HTTP 200 with GitHub's `{"data", "errors"}` body, whatever the document holds, and is
counted against the caller's `graphql` rate-limit window (`x-ratelimit-*` headers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphql import GraphQLSchema
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from testbed.github import graphql
from testbed.github.access import authenticate, fault_error, subject
from testbed.github.api import request_id
from testbed.github.ratelimit import Window
from testbed.github.shapes import numeric_id
from testbed.github.site import Site
from testbed.github.state import State

PATH = "/api/graphql"
RESOURCE = "graphql"  # the rate-limit resource GraphQL is counted under
DOCS = "https://docs.github.com/graphql"
AUTH_DOCS = "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql"
GraphQLLog = list[tuple[str, list[str]]]  # (operation name, error codes) per answered request


def _request(body: bytes) -> graphql.Request | tuple[int, dict[str, Any]]:
    """The request in the body, or the answer GitHub gives to a body that holds none."""
    try:
        data = json.loads(body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return 400, {"message": f"Problems parsing JSON: {error}", "documentation_url": DOCS}
    if not isinstance(data, dict):
        return 400, {"message": "Problems parsing JSON: expected an object", "documentation_url": DOCS}
    query, variables = data.get("query"), data.get("variables")
    if not isinstance(query, str) or not query.strip():
        return 200, {"errors": [{"message": "A query attribute must be specified and must be a string."}]}
    if isinstance(variables, str):  # graphql-ruby also takes variables sent as a JSON string
        try:
            variables = json.loads(variables or "{}")
        except json.JSONDecodeError:
            variables = None
    if variables is not None and not isinstance(variables, dict):
        return 200, {"errors": [{"message": "Variables are invalid JSON."}]}
    name = data.get("operationName")
    return graphql.Request(query, variables, name if isinstance(name, str) and name else None)


class GraphQLEndpoint:
    """Answers `POST /api/graphql` for one local GitHub; `log` gets each request's operation and error codes."""

    def __init__(self, state: State, site: Callable[[], Site], log: list[tuple[str, str, int]],
                 schema: Callable[[], GraphQLSchema] = graphql.load) -> None:
        self.state = state
        self.site = site
        self.log = log
        self.schema = schema
        self._documents: graphql.Documents | None = None
        self.operations: GraphQLLog = []

    def documents(self) -> graphql.Documents:
        """The schema (loaded on the first GraphQL request, not at server start) and the checked documents."""
        if self._documents is None:
            self._documents = graphql.Documents(self.schema())
        return self._documents

    def _json(self, status: int, body: dict[str, Any], window: Window | None = None) -> Response:
        self.log.append(("POST", PATH, status))
        headers = {"X-GitHub-Media-Type": "github.v4; format=json", "X-GitHub-Request-Id": request_id()}
        if window is not None:
            headers.update(window.headers())
        return JSONResponse(body, status_code=status, headers=headers)

    async def handle(self, request: Request) -> Response:
        fault = fault_error(self.state, request.method, request.url.path)
        if fault is not None:
            return self._json(fault.status, fault.body())
        token = authenticate(self.state, request.headers)
        if token is None:
            return self._json(401, {"message": "This endpoint requires you to be authenticated.",
                                    "documentation_url": AUTH_DOCS})
        key, limit = subject(token, request.client.host if request.client else "127.0.0.1")
        limits = self.state.rate_limits
        if limits.peek(key, limit, RESOURCE).remaining == 0:
            # GitHub answers an exhausted GraphQL limit with 200 and a RATE_LIMITED error
            message = f"API rate limit exceeded for user ID {numeric_id(f'user:{token.login}')}."
            return self._json(200, {"errors": [{"type": "RATE_LIMITED", "message": message}]},
                              limits.peek(key, limit, RESOURCE))
        window = limits.consume(key, limit, RESOURCE)  # one point a query: the testbed's queries are small
        parsed = _request(await request.body())
        if isinstance(parsed, tuple):
            self.operations.append(("", ["request"]))
            return self._json(*parsed, window)
        context = graphql.Context(self.state, self.site(), token, rate_subject=(key, limit))
        try:
            outcome = await run_in_threadpool(lambda: graphql.run(self.documents(), parsed, context))
        except Exception as error:
            self.state.internal_errors.append(f"POST /api/graphql: {error}")
            return self._json(500, {"message": f"local GitHub error: {error}", "documentation_url": DOCS}, window)
        self.operations.append((outcome.operation, outcome.error_codes))
        return self._json(200, outcome.body, window)
