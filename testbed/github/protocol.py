"""The contract between the HTTP layer and the route modules: a `Call` in, a `Reply` out, an
`HTTPError` for GitHub's error answers, and the small request helpers every route family uses."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from testbed.github.records import Repo
from testbed.github.site import Site
from testbed.github.state import State, Token

DOCS = "https://docs.github.com/rest"
MAX_PER_PAGE = 100


class HTTPError(Exception):
    """An error answer shaped as GitHub's: `{"message", "documentation_url", "status", "errors"?}`."""

    def __init__(self, status: int, message: str, errors: list[dict[str, Any]] | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = dict(headers or {})

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, "documentation_url": DOCS, "status": str(self.status)}
        if self.errors:
            body["errors"] = self.errors
        return body


def unprocessable(message: str, *, resource: str = "", code: str = "", field_name: str = "") -> HTTPError:
    errors = [{"resource": resource, "code": code, "field": field_name}] if code else None
    return HTTPError(422, message, errors)


def not_found(message: str = "Not Found") -> HTTPError:
    return HTTPError(404, message)


@dataclass
class Reply:
    """An answer: `body` is sent as JSON unless `raw` bytes are given."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


@dataclass
class Call:
    """One authenticated API request as a route function sees it.

    `path` is the path below `/api/v3` (or `/uploads/...` for the upload host), `params` the
    values of the route's path template, `headers` case-insensitive."""

    method: str
    path: str
    params: Mapping[str, Any]
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes
    token: Token  # state.ANONYMOUS on a public operation called without credentials
    state: State
    site: Site
    api_version: str = "2022-11-28"
    rate_subject: tuple[str, int] = ("", 0)  # who the call is counted against, and their hourly limit

    @property
    def login(self) -> str:
        return self.token.login

    def json(self) -> dict[str, Any]:
        if not self.body:
            return {}
        try:
            data = json.loads(self.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise HTTPError(400, f"Problems parsing JSON: {error}") from error
        if not isinstance(data, dict):
            raise HTTPError(400, "Problems parsing JSON: expected an object")
        return data

    def repo(self) -> Repo:
        """The repository named by `{owner}/{repo}`, if this token reaches it (404 or 403 otherwise)."""
        full = f"{self.params['owner']}/{self.params['repo']}"
        repo = self.state.repo(full)
        if repo is None or not self.token.reaches(full):
            if repo is not None and self.token.actions:
                raise HTTPError(403, "Resource not accessible by integration")
            raise not_found()
        return repo

    def page(self, items: list[Any]) -> Reply:
        """One page of `items` per `per_page`/`page`, with GitHub's `Link` header."""
        try:
            per_page = min(int(self.query.get("per_page", 30)), MAX_PER_PAGE)
            page = max(int(self.query.get("page", 1)), 1)
        except ValueError as error:
            raise HTTPError(400, f"invalid pagination parameter: {error}") from error
        start = (page - 1) * per_page
        headers = {}
        last = max((len(items) + per_page - 1) // per_page, 1)
        if page < last:
            query = {**self.query, "per_page": str(per_page)}
            prefix = self.site.url + "/api" if self.path.startswith("/uploads") else self.site.api
            base = f"{prefix}{self.path}"

            def link(number: int) -> str:
                return base + "?" + "&".join(f"{k}={v}" for k, v in {**query, "page": str(number)}.items())
            headers["Link"] = f'<{link(page + 1)}>; rel="next", <{link(last)}>; rel="last"'
        return Reply(200, items[start:start + per_page], headers)


def required(data: Mapping[str, Any], *names: str) -> None:
    for name in names:
        if name not in data or data[name] in (None, ""):
            raise unprocessable(f"Invalid request.\n\n\"{name}\" wasn't supplied.", code="missing_field",
                                field_name=name)


def string(data: Mapping[str, Any], name: str, default: str | None = None) -> str | None:
    value = data.get(name, default)
    if value is not None and not isinstance(value, str):
        raise unprocessable(f"Invalid request.\n\nFor '{name}', {json.dumps(value)} is not a string.")
    return value


@dataclass(frozen=True)
class Endpoint:
    """A REST operation: method, path template below `/api/v3` (Starlette syntax), function;
    `public`: served without credentials too (as GitHub serves it); `resource`: its rate limit."""

    method: str
    path: str
    function: Callable[[Call], Reply]
    public: bool = False
    resource: str = "core"
