"""Git over smart HTTP at `/<owner>/<repo>.git`: real `git http-backend` behind token auth.

Fetching needs `contents: read` of a workflow token, pushing `contents: write` (403 otherwise, as
on github.com). A push runs under the repository's lock; each ref it moved becomes a `push` event, delivered
after the backend is done. Request bodies arrive de-chunked from the server (git sends pushes
chunked); gzip bodies are handed to the backend as they came, with their encoding.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from testbed.gitcore import ZERO
from testbed.github import gitdata, webhooks
from testbed.github.access import authenticate, fault_error
from testbed.github.api import RequestLog, request_id
from testbed.github.protocol import DOCS
from testbed.github.records import Repo
from testbed.github.site import Site
from testbed.github.state import Event, State, Token

CHALLENGE = {"WWW-Authenticate": 'Basic realm="GitHub"'}


@dataclass(frozen=True)
class BackendAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


class GitEndpoint:
    """The git smart-HTTP endpoint of one local GitHub; repositories live under `root`."""

    def __init__(self, state: State, site: Callable[[], Site], root: Path, log: RequestLog) -> None:
        self.state = state
        self.site = site
        self.root = root
        self.log = log

    async def handle(self, request: Request) -> Response:
        response = await self._answer(request)
        response.headers["X-GitHub-Request-Id"] = request_id()
        return response

    async def _answer(self, request: Request) -> Response:
        owner, name, rest = (request.path_params[k] for k in ("owner", "name", "rest"))
        full_name = f"{owner}/{name.removesuffix('.git')}"
        repo = self.state.repo(full_name)
        if repo is None:
            return JSONResponse({"message": "Not Found", "documentation_url": DOCS}, status_code=404)
        fault = fault_error(self.state, request.method, request.url.path)
        if fault is not None:
            return JSONResponse(fault.body(), status_code=fault.status, headers=fault.headers)
        token = authenticate(self.state, request.headers)
        if token is None:
            return Response(b"Authentication required\n", status_code=401, headers=CHALLENGE)
        if not token.reaches(full_name):
            return Response(b"Repository not found.\n", status_code=403 if token.actions else 404)
        pushing = rest.endswith("git-receive-pack") or request.query_params.get("service") == "git-receive-pack"
        needed = "write" if pushing else "read"
        if token.permissions is not None and not token.permissions.allows("contents", needed):
            # what github.com answers a workflow token without `contents: write` (git prints it as `remote:`)
            message = f"Permission to {full_name}.git denied to {token.login}.\n"
            self.log.append((request.method, f"/{full_name}.git/{rest}", 403))
            return Response(message.encode(), status_code=403, media_type="text/plain")
        body = await request.body()
        answer = await run_in_threadpool(self._backend, repo, f"/{rest}", request, body, token)
        self.log.append((request.method, f"/{full_name}.git/{rest}", answer.status))
        return Response(answer.body, status_code=answer.status, headers=answer.headers)

    def _backend(self, repo: Repo, rest: str, request: Request, body: bytes, token: Token) -> BackendAnswer:
        query = request.url.query
        pushing = rest.endswith("git-receive-pack") or "service=git-receive-pack" in query
        env = {
            **os.environ,
            "GIT_PROJECT_ROOT": str(self.root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": f"/{repo.full_name}.git{rest}",
            "QUERY_STRING": query,
            "REQUEST_METHOD": request.method,
            "CONTENT_TYPE": request.headers.get("content-type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": token.login,
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        if "content-encoding" in request.headers:
            env["HTTP_CONTENT_ENCODING"] = request.headers["content-encoding"]
        if "git-protocol" in request.headers:
            env["GIT_PROTOCOL"] = request.headers["git-protocol"]
        events: list[Event] = []
        if rest.endswith("/git-receive-pack") and self.state.push_delay:
            time.sleep(self.state.push_delay)  # the push is on its way: the branch is not updated yet
        with repo.lock if pushing else nullcontext():
            before = gitdata.refs(repo.bare) if rest.endswith("/git-receive-pack") else None
            result = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
            if before is not None:
                after = gitdata.refs(repo.bare)
                for ref in sorted(set(before) | set(after)):
                    old, new = before.get(ref, ZERO), after.get(ref, ZERO)
                    if old != new:
                        events += webhooks.ref_changed(self.state, self.site(), repo, ref, old, new, token)
        self.state.deliver(events)
        return _parse_cgi(result.stdout)


def _parse_cgi(output: bytes) -> BackendAnswer:
    separator = b"\r\n\r\n" if b"\r\n\r\n" in output else b"\n\n"
    head, _, payload = output.partition(separator)
    status, headers = 200, {}
    for line in head.decode(errors="replace").splitlines():
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.strip().split()[0])
        elif key:
            headers[key] = value.strip()
    return BackendAnswer(status, headers, payload)
