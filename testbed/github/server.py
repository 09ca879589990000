"""A local GitHub: git over smart HTTP and the REST API a release pipeline uses, on 127.0.0.1.

Layout as on GitHub Enterprise Server: the REST API under `/api/v3`, release asset uploads
under `/api/uploads`, git at `/<owner>/<repo>.git`. Every request needs a token. GitHub's
rules that a release pipeline meets are enforced as GitHub enforces them (422 on a duplicate
release or pull request, dispatch payload limits, no force pushes, no cross-repository access
for a workflow's own token), and the events GitHub would deliver are recorded and handed to
`on_event`, except those caused by a workflow's own token, which are recorded as suppressed.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import re
import secrets
import subprocess
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from testbed.errors import TestbedError
from testbed.github import gitdata, shapes
from testbed.github.gitdata import ZERO
from testbed.tls import TLSFiles

DOCS = "https://docs.github.com/rest"
MERGER = ("GitHub", "noreply@github.com")


@dataclass(frozen=True)
class Event:
    """An event GitHub would deliver to workflows (`suppressed`: caused by a workflow's token)."""

    name: str
    repo: str
    payload: Mapping[str, Any]
    ref: str
    sha: str
    actor: str
    suppressed: bool
    seq: int


@dataclass(frozen=True)
class Dispatch:
    """A repository_dispatch or workflow_dispatch that GitHub accepted."""

    repo: str
    kind: str  # repository_dispatch | workflow_dispatch
    event_type: str
    client_payload: Mapping[str, Any]
    sender: str
    seq: int


@dataclass
class Token:
    value: str
    login: str
    repos: frozenset[str] | None  # None: every repository
    actions: bool  # a workflow run's GITHUB_TOKEN


@dataclass
class Fault:
    method: str
    pattern: re.Pattern[str]
    status: int
    remaining: int
    rate_limit: bool
    hits: int = 0


@dataclass
class Repo:
    full_name: str
    id: int
    bare: Path
    default_branch: str
    created: str
    pushed: str
    pulls: list[dict[str, Any]] = field(default_factory=list)
    releases: list[dict[str, Any]] = field(default_factory=list)
    commit_comments: list[dict[str, Any]] = field(default_factory=list)
    issue_comments: list[dict[str, Any]] = field(default_factory=list)
    statuses: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)


class HTTPError(Exception):
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


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    token: Token | None

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


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None


Handler = Callable[..., Response]


class LocalGitHub:
    """The server, its repositories, tokens, recorded events and injected faults."""

    def __init__(self, root: Path, on_event: Callable[[Event], None] | None = None, *,
                 tls: TLSFiles | None = None) -> None:
        self.root = root
        self.tls = tls
        self.on_event = on_event
        self.events: list[Event] = []
        self._dispatches: list[Dispatch] = []
        self._repos: dict[str, Repo] = {}
        self._tokens: dict[str, Token] = {}
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._ids = itertools.count(1000)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.admin_token = self.create_token("octocat")
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status), for tests and profiling
        self._routes = self._build_routes()

    # lifecycle ---------------------------------------------------------------
    def start(self) -> LocalGitHub:
        (self.root / "repos").mkdir(parents=True, exist_ok=True)
        handler = type("BoundHandler", (_HTTPHandler,), {"github": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        if self.tls is not None:
            # the handshake happens on first read, in the handler's thread, not in accept()
            self._server.socket = self.tls.server_context().wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._thread = threading.Thread(target=self._server.serve_forever, name="local-github", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> LocalGitHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise TestbedError("the local GitHub is not started")
        host, port = self._server.server_address[:2]
        return f"{'https' if self.tls is not None else 'http'}://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.url}/api/v3"

    # administration ----------------------------------------------------------
    def create_repo(self, full_name: str, *, default_branch: str = "main") -> Path:
        if not re.fullmatch(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", full_name):
            raise TestbedError(f"not a repository name: {full_name!r}")
        bare = self.root / "repos" / f"{full_name}.git"
        bare.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "--quiet", "--bare", "-b", default_branch, str(bare)], check=True)
        for key, value in (("receive.denyNonFastForwards", "true"), ("receive.denyDeletes", "false"),
                           ("http.receivepack", "true"), ("uploadpack.allowAnySHA1InWant", "true")):
            subprocess.run(["git", "config", key, value], cwd=bare, check=True)
        stamp = shapes.now()
        with self._lock:
            self._repos[full_name] = Repo(full_name, next(self._ids), bare, default_branch, stamp, stamp)
        return bare

    def create_token(self, login: str, *, repos: set[str] | None = None, actions: bool = False) -> str:
        prefix = "ghs" if actions else "ghp"
        value = f"{prefix}_{secrets.token_hex(18)}"
        with self._lock:
            self._tokens[value] = Token(value, login, frozenset(repos) if repos is not None else None, actions)
        return value

    def token_info(self, value: str) -> Token | None:
        """The token with this value (who it is, which repositories it reaches), None if unknown or revoked."""
        with self._lock:
            return self._tokens.get(value)

    def revoke_token(self, value: str) -> None:
        with self._lock:
            self._tokens.pop(value, None)

    def inject_fault(self, method: str, path_regex: str, status: int = 502, *, times: int = 1,
                     rate_limit: bool = False) -> Fault:
        """Answer the next `times` matching API requests with `status` (or a secondary rate limit)."""
        fault = Fault(method.upper(), re.compile(path_regex), 403 if rate_limit else status, times, rate_limit)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()

    def dispatches(self, repo: str | None = None) -> list[Dispatch]:
        with self._lock:
            return [d for d in self._dispatches if repo is None or d.repo == repo]

    def repo(self, full_name: str) -> Repo:
        return self._repos[full_name]

    # events -------------------------------------------------------------------
    def _emit(self, name: str, repo: Repo, payload: dict[str, Any], *, ref: str, sha: str, token: Token | None) -> Event:
        suppressed = bool(token and token.actions and name not in ("repository_dispatch", "workflow_dispatch"))
        with self._lock:
            event = Event(name, repo.full_name, payload, ref, sha, token.login if token else "", suppressed,
                          len(self.events) + 1)
            self.events.append(event)
        return event

    def _deliver(self, events: list[Event]) -> None:
        """Hand events to the listener after the state change is complete (outside any lock)."""
        for event in events:
            if not event.suppressed and self.on_event is not None:
                self.on_event(event)

    # helpers for handlers -----------------------------------------------------------
    def _user(self, login: str, *, webhook: bool = False) -> dict[str, Any]:
        return shapes.user(self.api_url, self.url, login, webhook=webhook)

    def _repo_json(self, repo: Repo, *, webhook: bool = False) -> dict[str, Any]:
        return shapes.repository(self.api_url, self.url, repo.full_name, repo.id, repo.default_branch,
                                 repo.created, repo.pushed, webhook=webhook)

    def _find_repo(self, owner: str, name: str, request: Request, *, write: bool = False) -> Repo:
        full = f"{owner}/{name}"
        repo = self._repos.get(full)
        token = request.token
        assert token is not None
        if repo is None or (token.repos is not None and full not in token.repos):
            if repo is not None and token.actions:
                raise HTTPError(403, "Resource not accessible by integration")
            raise HTTPError(404, "Not Found")
        return repo

    def _commit_json(self, repo: Repo, commit: gitdata.Commit, *, files: bool = True) -> dict[str, Any]:
        base = f"{self.api_url}/repos/{repo.full_name}"
        body: dict[str, Any] = {
            "url": f"{base}/commits/{commit.sha}",
            "sha": commit.sha,
            "node_id": shapes.node_id("C", shapes.numeric_id(commit.sha)),
            "html_url": f"{self.url}/{repo.full_name}/commit/{commit.sha}",
            "comments_url": f"{base}/commits/{commit.sha}/comments",
            "commit": {
                "url": f"{base}/git/commits/{commit.sha}",
                "author": shapes.git_person(commit.author_name, commit.author_email, commit.author_date),
                "committer": shapes.git_person(commit.committer_name, commit.committer_email, commit.committer_date),
                "message": commit.message,
                "comment_count": sum(1 for c in repo.commit_comments if c["commit_id"] == commit.sha),
                "tree": {"sha": commit.tree, "url": f"{base}/git/trees/{commit.tree}"},
                "verification": shapes.verification(),
            },
            "author": None,
            "committer": None,
            "parents": [
                {"sha": p, "url": f"{base}/commits/{p}", "html_url": f"{self.url}/{repo.full_name}/commit/{p}"}
                for p in commit.parents
            ],
        }
        if files:
            parent = commit.parents[0] if commit.parents else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
            changes = gitdata.changed_files(repo.bare, parent, commit.sha)
            body["files"] = [self._file_json(repo, commit.sha, status, path) for status, path in changes]
            body["stats"] = {"total": len(changes), "additions": 0, "deletions": 0}
        return body

    def _file_json(self, repo: Repo, sha: str, status: str, path: str) -> dict[str, Any]:
        state = {"A": "added", "D": "removed", "M": "modified"}.get(status, "changed")
        return {
            "sha": gitdata.blob_sha(repo.bare, sha, path) or ZERO,
            "filename": path,
            "status": state,
            "additions": 0,
            "deletions": 0,
            "changes": 0,
            "blob_url": f"{self.url}/{repo.full_name}/blob/{sha}/{path}",
            "raw_url": f"{self.url}/{repo.full_name}/raw/{sha}/{path}",
            "contents_url": f"{self.api_url}/repos/{repo.full_name}/contents/{path}?ref={sha}",
        }

    def _git_commit_json(self, repo: Repo, commit: gitdata.Commit) -> dict[str, Any]:
        base = f"{self.api_url}/repos/{repo.full_name}"
        return {
            "sha": commit.sha,
            "node_id": shapes.node_id("C", shapes.numeric_id(commit.sha)),
            "url": f"{base}/git/commits/{commit.sha}",
            "html_url": f"{self.url}/{repo.full_name}/commit/{commit.sha}",
            "author": shapes.git_person(commit.author_name, commit.author_email, commit.author_date),
            "committer": shapes.git_person(commit.committer_name, commit.committer_email, commit.committer_date),
            "message": commit.message,
            "tree": {"sha": commit.tree, "url": f"{base}/git/trees/{commit.tree}"},
            "parents": [
                {"sha": p, "url": f"{base}/git/commits/{p}", "html_url": f"{self.url}/{repo.full_name}/commit/{p}"}
                for p in commit.parents
            ],
            "verification": shapes.verification(),
        }

    def _ref_json(self, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
        kind = gitdata.object_type(repo.bare, sha) or "commit"
        return {
            "ref": ref,
            "node_id": shapes.node_id("REF", shapes.numeric_id(f"{repo.full_name}:{ref}")),
            "url": f"{self.api_url}/repos/{repo.full_name}/git/{ref}",
            "object": {"type": kind, "sha": sha, "url": f"{self.api_url}/repos/{repo.full_name}/git/{kind}s/{sha}"},
        }

    def _pull_json(self, repo: Repo, pull: dict[str, Any], *, webhook: bool = False) -> dict[str, Any]:
        base_url = f"{self.api_url}/repos/{repo.full_name}"
        html = f"{self.url}/{repo.full_name}/pull/{pull['number']}"
        head_sha = self._pull_head_sha(repo, pull)
        base_sha = gitdata.resolve(repo.bare, pull["base"]) if pull["state"] == "open" else pull["base_sha"]
        repo_json = self._repo_json(repo, webhook=webhook)
        owner = repo.full_name.split("/")[0]
        commits = gitdata.log(repo.bare, head_sha, exclude=base_sha) if head_sha and base_sha else []
        if pull["merged"]:
            commits = gitdata.log(repo.bare, head_sha, exclude=pull["base_sha"])
        changed = gitdata.changed_files(repo.bare, pull["base_sha"], head_sha) if head_sha else []
        number = pull["number"]
        body: dict[str, Any] = {
            "url": f"{base_url}/pulls/{number}",
            "id": pull["id"],
            "node_id": shapes.node_id("PR", pull["id"]),
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "issue_url": f"{base_url}/issues/{number}",
            "commits_url": f"{base_url}/pulls/{number}/commits",
            "review_comments_url": f"{base_url}/pulls/{number}/comments",
            "review_comment_url": f"{base_url}/pulls/comments{{/number}}",
            "comments_url": f"{base_url}/issues/{number}/comments",
            "statuses_url": f"{base_url}/statuses/{head_sha}",
            "number": number,
            "state": pull["state"],
            "locked": False,
            "title": pull["title"],
            "user": self._user(pull["user"], webhook=webhook),
            "body": pull["body"],
            "labels": [],
            "milestone": None,
            "active_lock_reason": None,
            "created_at": pull["created_at"],
            "updated_at": pull["updated_at"],
            "closed_at": pull["closed_at"],
            "merged_at": pull["merged_at"],
            "merge_commit_sha": pull["merge_commit_sha"],
            "assignee": None,
            "assignees": [],
            "requested_reviewers": [],
            "requested_teams": [],
            "head": {"label": f"{owner}:{pull['head']}", "ref": pull["head"], "sha": head_sha,
                     "user": self._user(owner, webhook=webhook), "repo": repo_json},
            "base": {"label": f"{owner}:{pull['base']}", "ref": pull["base"], "sha": base_sha,
                     "user": self._user(owner, webhook=webhook), "repo": repo_json},
            "_links": {
                "self": {"href": f"{base_url}/pulls/{number}"},
                "html": {"href": html},
                "issue": {"href": f"{base_url}/issues/{number}"},
                "comments": {"href": f"{base_url}/issues/{number}/comments"},
                "review_comments": {"href": f"{base_url}/pulls/{number}/comments"},
                "review_comment": {"href": f"{base_url}/pulls/comments{{/number}}"},
                "commits": {"href": f"{base_url}/pulls/{number}/commits"},
                "statuses": {"href": f"{base_url}/statuses/{head_sha}"},
            },
            "author_association": "OWNER",
            "auto_merge": None,
            "draft": False,
            "merged": pull["merged"],
            "mergeable": None if pull["merged"] else True,
            "rebaseable": None if pull["merged"] else True,
            "mergeable_state": "unknown" if pull["merged"] else "clean",
            "merged_by": self._user(pull["merged_by"], webhook=webhook) if pull["merged_by"] else None,
            "comments": sum(1 for c in repo.issue_comments if c["number"] == number),
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": len(commits),
            "additions": 0,
            "deletions": 0,
            "changed_files": len(changed),
        }
        return body

    def _pull_head_sha(self, repo: Repo, pull: dict[str, Any]) -> str:
        if pull["state"] == "open":
            return gitdata.resolve(repo.bare, pull["head"]) or pull["head_sha"]
        return str(pull["head_sha"])

    def _release_json(self, repo: Repo, release: dict[str, Any]) -> dict[str, Any]:
        base = f"{self.api_url}/repos/{repo.full_name}"
        rid = release["id"]
        return {
            "url": f"{base}/releases/{rid}",
            "html_url": f"{self.url}/{repo.full_name}/releases/tag/{release['tag_name']}",
            "assets_url": f"{base}/releases/{rid}/assets",
            "upload_url": f"{self.url}/api/uploads/repos/{repo.full_name}/releases/{rid}/assets{{?name,label}}",
            "tarball_url": f"{base}/tarball/{release['tag_name']}",
            "zipball_url": f"{base}/zipball/{release['tag_name']}",
            "id": rid,
            "node_id": shapes.node_id("RE", rid),
            "tag_name": release["tag_name"],
            "target_commitish": release["target_commitish"],
            "name": release["name"],
            "body": release["body"],
            "draft": release["draft"],
            "prerelease": release["prerelease"],
            "immutable": False,
            "created_at": release["created_at"],
            "published_at": None if release["draft"] else release["published_at"],
            "updated_at": release["updated_at"],
            "author": self._user(release["author"]),
            "assets": [self._asset_json(repo, release, asset) for asset in release["assets"]],
        }

    def _asset_json(self, repo: Repo, release: dict[str, Any], asset: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"{self.api_url}/repos/{repo.full_name}/releases/assets/{asset['id']}",
            "browser_download_url": f"{self.url}/{repo.full_name}/releases/download/{release['tag_name']}/{asset['name']}",
            "id": asset["id"],
            "node_id": shapes.node_id("RA", asset["id"]),
            "name": asset["name"],
            "label": asset["label"],
            "state": "uploaded",
            "content_type": asset["content_type"],
            "size": len(asset["data"]),
            "digest": None,
            "download_count": 0,
            "created_at": asset["created_at"],
            "updated_at": asset["created_at"],
            "uploader": self._user(asset["uploader"]),
        }

    def _comment_json(self, repo: Repo, comment: dict[str, Any]) -> dict[str, Any]:
        return {
            "html_url": f"{self.url}/{repo.full_name}/commit/{comment['commit_id']}#commitcomment-{comment['id']}",
            "url": f"{self.api_url}/repos/{repo.full_name}/comments/{comment['id']}",
            "id": comment["id"],
            "node_id": shapes.node_id("CC", comment["id"]),
            "body": comment["body"],
            "path": comment["path"],
            "position": None,
            "line": None,
            "commit_id": comment["commit_id"],
            "user": self._user(comment["user"]),
            "created_at": comment["created_at"],
            "updated_at": comment["updated_at"],
            "author_association": "OWNER",
        }

    def _issue_comment_json(self, repo: Repo, comment: dict[str, Any]) -> dict[str, Any]:
        base = f"{self.api_url}/repos/{repo.full_name}"
        return {
            "id": comment["id"],
            "node_id": shapes.node_id("IC", comment["id"]),
            "url": f"{base}/issues/comments/{comment['id']}",
            "html_url": f"{self.url}/{repo.full_name}/pull/{comment['number']}#issuecomment-{comment['id']}",
            "body": comment["body"],
            "user": self._user(comment["user"]),
            "created_at": comment["created_at"],
            "updated_at": comment["updated_at"],
            "issue_url": f"{base}/issues/{comment['number']}",
            "author_association": "OWNER",
        }

    def _push_payload(self, repo: Repo, ref: str, before: str, after: str, token: Token | None) -> dict[str, Any]:
        login = token.login if token else "unknown"
        deleted = after == ZERO
        created = before == ZERO
        forced = not created and not deleted and not gitdata.is_ancestor(repo.bare, before, after)
        commits: list[gitdata.Commit] = []
        if not deleted:
            commits = list(reversed(gitdata.log(repo.bare, after, exclude=None if created else before, limit=20)))
            if created:
                commits = commits[-1:]

        def commit_payload(commit: gitdata.Commit) -> dict[str, Any]:
            parent = commit.parents[0] if commit.parents else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
            changes = gitdata.changed_files(repo.bare, parent, commit.sha)
            return {
                "id": commit.sha,
                "tree_id": commit.tree,
                "distinct": True,
                "message": commit.message,
                "timestamp": commit.committer_date,
                "url": f"{self.url}/{repo.full_name}/commit/{commit.sha}",
                "author": {"name": commit.author_name, "email": commit.author_email},
                "committer": {"name": commit.committer_name, "email": commit.committer_email},
                "added": [p for s, p in changes if s == "A"],
                "removed": [p for s, p in changes if s == "D"],
                "modified": [p for s, p in changes if s not in ("A", "D")],
            }

        head = gitdata.commit(repo.bare, after) if not deleted else None
        return {
            "ref": ref,
            "before": before,
            "after": after,
            "repository": self._repo_json(repo, webhook=True),
            "pusher": {"name": login, "email": f"{login}@users.noreply.localhost"},
            "sender": self._user(login, webhook=True),
            "created": created,
            "deleted": deleted,
            "forced": forced,
            "base_ref": None,
            "compare": f"{self.url}/{repo.full_name}/compare/{before[:12]}...{after[:12]}",
            "commits": [commit_payload(c) for c in commits],
            "head_commit": commit_payload(head) if head else None,
        }

    def _ref_changed(self, repo: Repo, ref: str, before: str, after: str, token: Token | None) -> list[Event]:
        repo.pushed = shapes.now()
        payload = self._push_payload(repo, ref, before, after, token)
        return [self._emit("push", repo, payload, ref=ref, sha=after, token=token)]

    # routes -----------------------------------------------------------------------
    def _build_routes(self) -> list[tuple[str, re.Pattern[str], Handler]]:
        from testbed.github import api

        return api.routes(self)

    def handle_api(self, request: Request) -> Response:
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(request.path)
            if match and method == request.method:
                return handler(request, **match.groupdict())
        if any(pattern.fullmatch(request.path) for _, pattern, _ in self._routes):
            raise HTTPError(405, "Method Not Allowed")
        raise HTTPError(404, "Not Found")

    def check_fault(self, method: str, path: str) -> HTTPError | None:
        with self._lock:
            for fault in self._faults:
                if fault.remaining > 0 and fault.method in (method, "*") and fault.pattern.search(path):
                    fault.remaining -= 1
                    fault.hits += 1
                    if fault.rate_limit:
                        return HTTPError(403, "You have exceeded a secondary rate limit. Please wait a few minutes "
                                         "before you try again.", headers={"Retry-After": "1"})
                    return HTTPError(fault.status, "Server Error" if fault.status >= 500 else "Injected fault")
        return None

    def authenticate(self, headers: Mapping[str, str]) -> Token | None:
        header = headers.get("Authorization", "")
        scheme, _, credential = header.partition(" ")
        value = ""
        if scheme.lower() in ("token", "bearer"):
            value = credential.strip()
        elif scheme.lower() == "basic":
            try:
                decoded = base64.b64decode(credential.strip()).decode()
            except (ValueError, UnicodeDecodeError):
                return None
            value = decoded.partition(":")[2]
        with self._lock:
            return self._tokens.get(value)


class _HTTPHandler(BaseHTTPRequestHandler):
    github: LocalGitHub
    protocol_version = "HTTP/1.1"
    # headers and body go out as separate writes: without TCP_NODELAY each response waits for the
    # client's delayed ACK (about 40 ms on Linux)
    disable_nagle_algorithm = True
    server_version = "LocalGitHub/1.0"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        path = urllib.parse.unquote(parsed.path)
        query = dict(urllib.parse.parse_qsl(parsed.query, keep_blank_values=True))
        body = self._body()
        github = self.github
        fault = github.check_fault(self.command, path)
        if fault is not None:
            self._send(Response(fault.status, fault.body(), fault.headers))
            return
        token = github.authenticate(dict(self.headers.items()))
        if path.startswith(("/api/v3", "/api/uploads")):
            api_path = path.removeprefix("/api/v3") if path.startswith("/api/v3") else path.removeprefix("/api")
            request = Request(self.command, api_path or "/", query, dict(self.headers.items()), body, token)
            try:
                if token is None:
                    header = self.headers.get("Authorization")
                    raise HTTPError(401, "Bad credentials" if header else "Requires authentication")
                response = github.handle_api(request)
            except HTTPError as error:
                response = Response(error.status, error.body(), error.headers)
            except Exception as error:  # noqa: BLE001 - a bug in the stand-in answers 500, visibly
                response = Response(500, {"message": f"local GitHub error: {error!r}", "documentation_url": DOCS})
            github.requests.append((self.command, path, response.status))
            self._send(response)
            return
        match = re.fullmatch(r"/([^/]+/[^/]+?)(?:\.git)?(/.*)", path)
        if match and match.group(1) in github._repos:
            self._git(match.group(1), match.group(2), parsed.query, body, token)
            return
        self._send(Response(404, {"message": "Not Found", "documentation_url": DOCS}))

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

    def _send(self, response: Response) -> None:
        if response.raw is not None:
            data = response.raw
        elif response.body is None:
            data = b""
        else:
            data = json.dumps(response.body).encode()
            response.headers.setdefault("Content-Type", "application/json; charset=utf-8")
        self.send_response(response.status)
        for key, value in response.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-GitHub-Media-Type", "github.v3; format=json")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    # git smart HTTP ------------------------------------------------------------------
    def _git(self, full_name: str, rest: str, query: str, body: bytes, token: Token | None) -> None:
        github = self.github
        repo = github._repos[full_name]
        challenge = {"WWW-Authenticate": 'Basic realm="GitHub"'}
        if token is None:
            self._send(Response(401, raw=b"Authentication required\n", headers=challenge))
            return
        if token.repos is not None and full_name not in token.repos:
            self._send(Response(403 if token.actions else 404, raw=b"Repository not found.\n"))
            return
        pushing = rest.endswith("git-receive-pack") or "service=git-receive-pack" in query
        before = gitdata.refs(repo.bare) if rest.endswith("/git-receive-pack") else None
        env = {
            **os.environ,
            "GIT_PROJECT_ROOT": str(github.root / "repos"),
            "GIT_HTTP_EXPORT_ALL": "1",
            "PATH_INFO": f"/{full_name}.git{rest}",
            "QUERY_STRING": query,
            "REQUEST_METHOD": self.command,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": token.login,
            "REMOTE_ADDR": "127.0.0.1",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        with repo.lock if pushing else _null_lock():
            result = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, check=False)
            events: list[Event] = []
            if before is not None:
                after = gitdata.refs(repo.bare)
                for ref in sorted(set(before) | set(after)):
                    old, new = before.get(ref, ZERO), after.get(ref, ZERO)
                    if old != new:
                        events += github._ref_changed(repo, ref, old, new, token)
        separator = b"\r\n\r\n" if b"\r\n\r\n" in result.stdout else b"\n\n"
        head, _, payload = result.stdout.partition(separator)
        status, headers = 200, {}
        for line in head.decode(errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.strip().split()[0])
            elif key:
                headers[key] = value.strip()
        github._deliver(events)
        github.requests.append((self.command, f"/{full_name}.git{rest}", status))
        self._send(Response(status, raw=payload, headers=headers))


class _null_lock:  # noqa: N801 - used like a lock
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
