"""The REST API's HTTP layer: every request under `/api/v3` and `/api/uploads` passes here.

In order: the `X-GitHub-Api-Version` check (400 for a version GitHub does not serve), injected
faults, authentication (401), the primary rate limit (403 when spent), the token's permissions
(403, `required`); then the route function
runs on a worker thread (routes block on git) with a `Call`, and its `Reply` or `HTTPError`
becomes GitHub's answer with GitHub's headers: `x-ratelimit-*`, `X-GitHub-Request-Id`,
`X-GitHub-Api-Version-Selected`, and on a `GET` a weak `ETag` (`If-None-Match` -> 304, which
does not count against the rate limit, as on GitHub).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable, Sequence

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match

from testbed.github.access import authenticate, fault_error, subject
from testbed.github.protocol import DOCS, Call, Endpoint, HTTPError, Reply
from testbed.github.required import check as check_permission
from testbed.github.shapes import numeric_id
from testbed.github.site import Site
from testbed.github.state import ANONYMOUS, State, Token

Handler = Callable[[Request], Awaitable[Response]]
RequestLog = list[tuple[str, str, int]]

DEFAULT_VERSION = "2022-11-28"
SUPPORTED_VERSIONS = ("2026-03-10", "2022-11-28")  # newest first
RATE_LIMIT_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
UNCOUNTED = ("/rate_limit",)  # GitHub does not count these against the limit


def request_id() -> str:
    """An id shaped as GitHub's `X-GitHub-Request-Id` (five hex groups)."""
    return ":".join(secrets.token_hex(n).upper() for n in (2, 3, 4, 4, 4))


def api_version(requested: str | None) -> str:
    if requested is None:
        return DEFAULT_VERSION
    if requested.strip() in SUPPORTED_VERSIONS:
        return requested.strip()
    listed = ", ".join(f'"{v}"' + (" (most recent)" if i == 0 else "") for i, v in enumerate(SUPPORTED_VERSIONS))
    raise HTTPError(400, f'The version you specified in the "X-GitHub-Api-Version" request header, "{requested}", '
                         f"is not a supported version. The following versions are currently supported: {listed}.")


def etag(data: bytes) -> str:
    return f'W/"{hashlib.sha256(data).hexdigest()}"'


def matches(if_none_match: str, tag: str) -> bool:
    """Weak comparison, as `If-None-Match` is defined (RFC 9110 13.1.2)."""
    wanted = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in wanted or tag.removeprefix("W/") in wanted


class RestApi:
    """Serves `Endpoint`s for one local GitHub; `log` gets (method, path, status) of each answer."""

    def __init__(self, state: State, site: Callable[[], Site], log: RequestLog) -> None:
        self.state = state
        self.site = site
        self.log = log

    def handler(self, operation: Endpoint, prefix: str) -> Handler:
        async def handle(request: Request) -> Response:
            return await self._serve(request, operation, prefix)
        handle.__name__ = operation.function.__name__
        return handle

    def fallback(self, routes: Sequence[BaseRoute], prefix: str) -> Handler:
        """For paths no operation matched: 405 when the path exists for another method, else 404."""
        def missing(call: Call) -> Reply:
            raise HTTPError(405, "Method Not Allowed") if call.params.get("allowed") else HTTPError(404, "Not Found")

        async def handle(request: Request) -> Response:
            allowed = any(route.matches(request.scope)[0] == Match.PARTIAL for route in routes)
            request.scope["path_params"] = {"allowed": allowed}
            return await self._serve(request, Endpoint(request.method, "", missing), prefix)
        return handle

    async def _serve(self, request: Request, operation: Endpoint, prefix: str) -> Response:
        client = request.client.host if request.client else "127.0.0.1"
        token: Token | None = None
        version = DEFAULT_VERSION
        try:
            version = api_version(request.headers.get("x-github-api-version"))
            fault = fault_error(self.state, request.method, request.url.path)
            if fault is not None:
                raise fault
            token = authenticate(self.state, request.headers)
            if token is None and ("authorization" in request.headers or not operation.public):
                raise HTTPError(401, "Bad credentials" if "authorization" in request.headers
                                else "Requires authentication")
            key, limit = subject(token, client)
            if self.state.rate_limits.peek(key, limit, operation.resource).remaining == 0:
                raise HTTPError(403, f"API rate limit exceeded for {self._who(token, client)}.",
                                headers={"Retry-After": "60"})
            if token is not None and operation.path:  # a path no operation serves answers 404 to anyone
                check_permission(token.permissions, request.method, request.url.path.removeprefix(prefix))
            call = Call(method=request.method, path=request.url.path.removeprefix(prefix),
                        params=request.path_params, query=dict(request.query_params), headers=request.headers,
                        body=await request.body(), token=token or ANONYMOUS, state=self.state, site=self.site(),
                        api_version=version, rate_subject=(key, limit))
            reply = await run_in_threadpool(operation.function, call)
        except HTTPError as error:
            reply = Reply(error.status, error.body(), error.headers)
            if error.status == 403 and error.message.startswith("API rate limit"):
                reply.body["documentation_url"] = RATE_LIMIT_DOCS
        except Exception as error:
            reply = Reply(500, {"message": f"local GitHub error: {error!r}", "documentation_url": DOCS})
            self.state.internal_errors.append(f"{request.method} {request.url.path}: {error!r}")
        response = self._response(request, reply, token, client, operation.resource, version)
        self.log.append((request.method, request.url.path, response.status_code))
        return response

    @staticmethod
    def _who(token: Token | None, client: str) -> str:
        return f"user ID {numeric_id(f'user:{token.login}')}" if token else client

    def _response(self, request: Request, reply: Reply, token: Token | None, client: str, resource: str,
                  version: str) -> Response:
        headers = dict(reply.headers)
        if reply.raw is not None:
            data = reply.raw
        elif reply.body is None:
            data = b""
        else:
            data = json.dumps(reply.body).encode()
            headers.setdefault("Content-Type", "application/json; charset=utf-8")
        status = reply.status
        if request.method in ("GET", "HEAD") and status == 200:
            headers["ETag"] = etag(data)
            headers["Cache-Control"] = "private, max-age=60, s-maxage=60"
            headers["Vary"] = "Accept, Authorization, Cookie, X-GitHub-OTP"
            if matches(request.headers.get("if-none-match", ""), headers["ETag"]):
                status, data = 304, b""
                headers.pop("Content-Type", None)
        key, limit = subject(token, client)
        counted = status != 304 and request.url.path.removeprefix("/api/v3") not in UNCOUNTED
        limits = self.state.rate_limits
        window = limits.consume(key, limit, resource) if counted else limits.peek(key, limit, resource)
        headers.update(window.headers())
        headers["X-GitHub-Request-Id"] = request_id()
        headers["X-GitHub-Media-Type"] = "github.v3; format=json"
        headers["X-GitHub-Api-Version-Selected"] = version
        return Response(data, status_code=status, headers=headers)
