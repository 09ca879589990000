"""The REST API's HTTP layer: every request under `/api/v3` and `/api/uploads` passes here.

It answers injected faults, authenticates, turns the Starlette request into a `Call` for the
route function (run on a worker thread: routes block on git), and turns the `Reply` or
`HTTPError` into GitHub's answer with GitHub's headers.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

from testbed.github.access import authenticate, fault_error
from testbed.github.protocol import DOCS, Call, Endpoint, HTTPError, Reply
from testbed.github.site import Site
from testbed.github.state import State

Handler = Callable[[Request], Awaitable[Response]]
RequestLog = list[tuple[str, str, int]]


class RestApi:
    """Serves `Endpoint`s for one local GitHub; `log` gets (method, path, status) of each answer."""

    def __init__(self, state: State, site: Callable[[], Site], log: RequestLog) -> None:
        self.state = state
        self.site = site
        self.log = log

    def handler(self, operation: Endpoint, prefix: str) -> Handler:
        async def handle(request: Request) -> Response:
            return await self._serve(request, operation.function, prefix)
        handle.__name__ = operation.function.__name__
        return handle

    def fallback(self, routes: Sequence[BaseRoute], prefix: str) -> Handler:
        """For paths no operation matched: 405 when the path exists for another method, else 404."""
        def missing(call: Call) -> Reply:
            raise HTTPError(405, "Method Not Allowed") if call.params.get("allowed") else HTTPError(404, "Not Found")

        async def handle(request: Request) -> Response:
            allowed = any(route.matches(request.scope)[0] == Match.PARTIAL for route in routes)
            request.scope["path_params"] = {"allowed": allowed}
            return await self._serve(request, missing, prefix)
        return handle

    async def _serve(self, request: Request, function: Callable[[Call], Reply], prefix: str) -> Response:
        path = request.url.path
        try:
            reply = await self._answer(request, function, prefix)
        except HTTPError as error:
            reply = Reply(error.status, error.body(), error.headers)
        except Exception as error:  # noqa: BLE001 - a bug in the stand-in answers 500, visibly
            reply = Reply(500, {"message": f"local GitHub error: {error!r}", "documentation_url": DOCS})
        self.log.append((request.method, path, reply.status))
        return self._response(request, reply)

    async def _answer(self, request: Request, function: Callable[[Call], Reply], prefix: str) -> Reply:
        fault = fault_error(self.state, request.method, request.url.path)
        if fault is not None:
            raise fault
        token = authenticate(self.state, request.headers)
        if token is None:
            raise HTTPError(401, "Bad credentials" if "authorization" in request.headers else "Requires authentication")
        body = await request.body()
        call = Call(method=request.method, path=request.url.path.removeprefix(prefix), params=request.path_params,
                    query=dict(request.query_params), headers=request.headers, body=body, token=token,
                    state=self.state, site=self.site())
        return await run_in_threadpool(function, call)

    def _response(self, request: Request, reply: Reply) -> Response:
        headers = dict(reply.headers)
        if reply.raw is not None:
            data = reply.raw
        elif reply.body is None:
            data = b""
        else:
            data = json.dumps(reply.body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        headers["X-GitHub-Media-Type"] = "github.v3; format=json"
        return Response(data, status_code=reply.status, headers=headers)
