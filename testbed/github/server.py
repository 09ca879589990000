"""A local GitHub: git over smart HTTP and the REST API a release pipeline uses, on 127.0.0.1.

Layout as on GitHub Enterprise Server: the REST API under `/api/v3`, release asset uploads
under `/api/uploads`, git at `/<owner>/<repo>.git`. Every request needs a token. GitHub's
rules that a release pipeline meets are enforced as GitHub enforces them (422 on a duplicate
release or pull request, dispatch payload limits, no force pushes, no cross-repository access
for a workflow's own token), and the events GitHub would deliver are recorded and handed to
`on_event`, except those caused by a workflow's own token, which are recorded as suppressed.

Served by uvicorn (HTTP/1.1, keep-alive, chunked bodies, TLS when `tls` is given) in a thread
of its own (testbed/asgiserver.py); the route functions run on Starlette's worker threads.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from testbed import gitcore
from testbed.asgiserver import ThreadedServer
from testbed.errors import TestbedError
from testbed.github import app, shapes
from testbed.github.api import RequestLog, RestApi
from testbed.github.permissions import Permissions
from testbed.github.records import Repo, WorkflowRun
from testbed.github.routes.graphql import GraphQLEndpoint
from testbed.github.site import Site
from testbed.github.smarthttp import GitEndpoint
from testbed.github.state import Dispatch, Event, Fault, State, Token
from testbed.tls import TLSFiles

REPO_NAME = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


class LocalGitHub:
    """The server and its state (`state`: repositories, tokens, events, dispatches, faults)."""

    def __init__(self, root: Path, on_event: Callable[[Event], None] | None = None, *,
                 tls: TLSFiles | None = None) -> None:
        self.root = root
        self.tls = tls
        self.state = State(on_event)
        self.requests: RequestLog = []  # (method, path, status), for tests and profiling
        self.graphql = GraphQLEndpoint(self.state, self.site, self.requests)
        self.admin_token = self.create_token("octocat")
        self._server: ThreadedServer | None = None

    # lifecycle ---------------------------------------------------------------
    def start(self) -> LocalGitHub:
        (self.root / "repos").mkdir(parents=True, exist_ok=True)
        application = app.build(RestApi(self.state, self.site, self.requests),
                                GitEndpoint(self.state, self.site, self.root / "repos", self.requests), self.graphql)
        self._server = ThreadedServer(application, name="the local GitHub", tls=self.tls).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> LocalGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # addresses ---------------------------------------------------------------
    @property
    def url(self) -> str:
        """`https://127.0.0.1:PORT` with TLS, else `http://...`: web and git base."""
        if self._server is None:
            raise TestbedError("the local GitHub is not started: call start() (or use it as a context manager)")
        return self._server.url

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v3"

    def site(self) -> Site:
        return Site(self.url)

    # administration ----------------------------------------------------------
    def create_repo(self, full_name: str, *, default_branch: str = "main") -> Path:
        """A new empty private repository; returns its bare git directory."""
        if not REPO_NAME.fullmatch(full_name):
            raise TestbedError(f"not a repository name: {full_name!r} (expected owner/name)")
        bare = self.root / "repos" / f"{full_name}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        gitcore.git(None, "init", "--quiet", "--bare", "-b", default_branch, str(bare))
        for key, value in (("receive.denyNonFastForwards", "true"), ("receive.denyDeletes", "false"),
                           ("http.receivepack", "true"), ("uploadpack.allowAnySHA1InWant", "true")):
            gitcore.git(bare, "config", key, value)
        self.state.add_repo(full_name, bare, default_branch=default_branch, created=shapes.now())
        return bare

    def repo(self, full_name: str) -> Repo:
        found = self.state.repo(full_name)
        if found is None:
            raise KeyError(f"no repository {full_name!r} on the local GitHub (create_repo first)")
        return found

    def create_token(self, login: str, *, repos: set[str] | None = None, actions: bool = False,
                     permissions: Permissions | None = None) -> str:
        """A token for `login` reaching `repos` (None: all); `actions`: a workflow run's GITHUB_TOKEN, with
        `permissions` (None: unlimited, as a personal token)."""
        return self.state.issue_token(login, repos=repos, actions=actions, permissions=permissions).value

    def token_info(self, value: str) -> Token | None:
        """The token with this value (who it is, which repositories it reaches), None if unknown or revoked."""
        return self.state.token(value)

    def revoke_token(self, value: str) -> None:
        self.state.revoke_token(value)

    def inject_fault(self, method: str, path_regex: str, status: int = 502, *, times: int = 1,
                     rate_limit: bool = False) -> Fault:
        """Answer the next `times` matching requests with `status` (or a secondary rate limit)."""
        fault = Fault(method.upper(), re.compile(path_regex), 403 if rate_limit else status, times, rate_limit)
        self.state.add_fault(fault)
        return fault

    def slow_pushes(self, seconds: float) -> None:
        """From now on every git push waits `seconds` before it is applied, as pushes to github.com can:
        whoever fetched in between pushes onto a branch that has moved by the time its push lands."""
        if seconds < 0:
            raise ValueError(f"a push delay cannot be negative: {seconds}")
        self.state.push_delay = seconds

    def clear_faults(self) -> None:
        with self.state.lock:
            self.state.faults.clear()

    @property
    def faults(self) -> list[Fault]:
        return self.state.faults

    @property
    def internal_errors(self) -> list[str]:
        """What the local GitHub itself failed at (it answered 500 `local GitHub error`): the testbed's faults."""
        return list(self.state.internal_errors)

    def report_runs(self, source: Callable[[], list[WorkflowRun]]) -> None:
        """`GET /actions/runs` and friends list the workflow runs `source` reports (whoever runs the workflows)."""
        self.state.run_source = source

    # what happened -----------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        return self.state.events

    @property
    def on_event(self) -> Callable[[Event], None] | None:
        return self.state.on_event

    def dispatches(self, repo: str | None = None) -> list[Dispatch]:
        with self.state.lock:
            return [d for d in self.state.dispatches if repo is None or d.repo == repo]
