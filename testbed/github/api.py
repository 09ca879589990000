"""The REST endpoints of the local GitHub, one function each, registered by `routes`."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from testbed.github import gitdata, shapes
from testbed.github.gitdata import ZERO
from testbed.github.server import MERGER, Dispatch, Event, HTTPError, Repo, Request, Response, unprocessable

if TYPE_CHECKING:
    from testbed.github.server import LocalGitHub

REPO = r"/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
MAX_PER_PAGE = 100
DISPATCH_MAX_PROPERTIES = 10
DISPATCH_MAX_BYTES = 65536
EVENT_TYPE_MAX = 100


def routes(gh: LocalGitHub) -> list[tuple[str, re.Pattern[str], Callable[..., Response]]]:
    table: list[tuple[str, str, Callable[..., Response]]] = []

    def route(method: str, path: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
        def register(function: Callable[..., Response]) -> Callable[..., Response]:
            table.append((method, path, function))
            return function
        return register

    def repo_of(request: Request, owner: str, name: str) -> Repo:
        return gh._find_repo(owner, name, request)

    def writable(request: Request, owner: str, name: str) -> Repo:
        return gh._find_repo(owner, name, request, write=True)

    def paginate(request: Request, items: list[Any]) -> Response:
        try:
            per_page = min(int(request.query.get("per_page", 30)), MAX_PER_PAGE)
            page = max(int(request.query.get("page", 1)), 1)
        except ValueError as error:
            raise HTTPError(400, f"invalid pagination parameter: {error}") from error
        start = (page - 1) * per_page
        chunk = items[start:start + per_page]
        headers = {}
        last = max((len(items) + per_page - 1) // per_page, 1)
        if page < last:
            query = {**request.query, "per_page": str(per_page)}
            prefix = "/api" if request.path.startswith("/uploads") else "/api/v3"
            base = f"{gh.url}{prefix}{request.path}"

            def link(number: int) -> str:
                return base + "?" + "&".join(f"{k}={v}" for k, v in {**query, "page": str(number)}.items())
            headers["Link"] = f'<{link(page + 1)}>; rel="next", <{link(last)}>; rel="last"'
        return Response(200, chunk, headers)

    def commit_or_404(repo: Repo, rev: str) -> gitdata.Commit:
        sha = gitdata.resolve(repo.bare, rev)
        commit = gitdata.commit(repo.bare, sha) if sha else None
        if commit is None:
            raise unprocessable(f"No commit found for SHA: {rev}")
        return commit

    def required(data: dict[str, Any], *names: str) -> None:
        for name in names:
            if name not in data or data[name] in (None, ""):
                raise unprocessable(f"Invalid request.\n\n\"{name}\" wasn't supplied.", resource="", code="missing_field",
                                    field_name=name)

    def string(data: dict[str, Any], name: str, default: str | None = None) -> str | None:
        value = data.get(name, default)
        if value is not None and not isinstance(value, str):
            raise unprocessable(f"Invalid request.\n\nFor '{name}', {json.dumps(value)} is not a string.")
        return value

    # users and repositories ----------------------------------------------------------
    @route("GET", "/user")
    def get_user(request: Request) -> Response:
        assert request.token is not None
        login = request.token.login
        profile = {"name": login, "company": None, "blog": "", "location": None, "email": None, "hireable": None,
                   "bio": None, "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
                   "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
        return Response(200, {**gh._user(login), **profile})

    @route("GET", "/rate_limit")
    def rate_limit(request: Request) -> Response:
        core = {"limit": 5000, "used": 0, "remaining": 5000, "reset": 0}
        return Response(200, {"resources": {"core": core, "search": core, "graphql": core}, "rate": core})

    @route("GET", REPO)
    def get_repo(request: Request, owner: str, name: str) -> Response:
        return Response(200, gh._repo_json(repo_of(request, owner, name)))

    @route("GET", REPO + r"/branches")
    def list_branches(request: Request, owner: str, name: str) -> Response:
        repo = repo_of(request, owner, name)
        refs = gitdata.refs(repo.bare, "refs/heads/")
        return paginate(request, [branch_json(repo, ref.removeprefix("refs/heads/"), sha) for ref, sha in refs.items()])

    @route("GET", REPO + r"/branches/(?P<branch>.+)")
    def get_branch(request: Request, owner: str, name: str, branch: str) -> Response:
        repo = repo_of(request, owner, name)
        sha = gitdata.refs(repo.bare, f"refs/heads/{branch}").get(f"refs/heads/{branch}")
        if sha is None:
            raise HTTPError(404, "Branch not found")
        return Response(200, branch_json(repo, branch, sha))

    def branch_json(repo: Repo, branch: str, sha: str) -> dict[str, Any]:
        commit = gitdata.commit(repo.bare, sha)
        assert commit is not None
        base = f"{gh.api_url}/repos/{repo.full_name}/branches/{branch}"
        return {
            "name": branch,
            "commit": gh._commit_json(repo, commit, files=False),
            "_links": {"self": base, "html": f"{gh.url}/{repo.full_name}/tree/{branch}"},
            "protected": False,
            "protection": {"enabled": False, "required_status_checks": {
                "enforcement_level": "off", "contexts": [], "checks": []}},
            "protection_url": f"{base}/protection",
        }

    # git data -------------------------------------------------------------------------
    @route("GET", REPO + r"/git/(?:ref|refs)/(?P<ref>(?:heads|tags)/.+)")
    def get_ref(request: Request, owner: str, name: str, ref: str) -> Response:
        repo = repo_of(request, owner, name)
        sha = gitdata.refs(repo.bare, f"refs/{ref}").get(f"refs/{ref}")
        if sha is None:
            raise HTTPError(404, "Not Found")
        return Response(200, gh._ref_json(repo, f"refs/{ref}", sha))

    @route("GET", REPO + r"/git/matching-refs/(?P<ref>.*)")
    def matching_refs(request: Request, owner: str, name: str, ref: str) -> Response:
        repo = repo_of(request, owner, name)
        refs = gitdata.refs(repo.bare, "refs/")
        found = [gh._ref_json(repo, r, sha) for r, sha in refs.items() if r.startswith(f"refs/{ref}")]
        return paginate(request, found)

    @route("GET", REPO + r"/git/refs")
    def list_refs(request: Request, owner: str, name: str) -> Response:
        repo = repo_of(request, owner, name)
        return paginate(request, [gh._ref_json(repo, r, sha) for r, sha in gitdata.refs(repo.bare).items()])

    @route("POST", REPO + r"/git/refs")
    def create_ref(request: Request, owner: str, name: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "ref", "sha")
        ref, sha = str(data["ref"]), str(data["sha"])
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise unprocessable("Reference name must start with 'refs/' and have at least two slashes.")
        if gitdata.object_type(repo.bare, sha) is None or len(sha) != 40:
            raise unprocessable("Object does not exist")
        with repo.lock:
            if not gitdata.update_ref(repo.bare, ref, sha, ZERO):
                raise unprocessable("Reference already exists")
            events = gh._ref_changed(repo, ref, ZERO, sha, request.token)
        gh._deliver(events)
        return Response(201, gh._ref_json(repo, ref, sha))

    @route("PATCH", REPO + r"/git/refs/(?P<ref>.+)")
    def update_ref(request: Request, owner: str, name: str, ref: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "sha")
        sha, force = str(data["sha"]), bool(data.get("force", False))
        full = f"refs/{ref}"
        with repo.lock:
            old = gitdata.refs(repo.bare, full).get(full)
            if old is None:
                raise unprocessable("Reference does not exist")
            if gitdata.object_type(repo.bare, sha) is None:
                raise unprocessable("Object does not exist")
            if not force and not gitdata.is_ancestor(repo.bare, old, sha):
                raise unprocessable("Update is not a fast forward")
            if not gitdata.update_ref(repo.bare, full, sha, old):
                raise unprocessable("Reference cannot be updated")
            events = gh._ref_changed(repo, full, old, sha, request.token) if old != sha else []
        gh._deliver(events)
        return Response(200, gh._ref_json(repo, full, sha))

    @route("DELETE", REPO + r"/git/refs/(?P<ref>.+)")
    def delete_ref(request: Request, owner: str, name: str, ref: str) -> Response:
        repo = writable(request, owner, name)
        full = f"refs/{ref}"
        with repo.lock:
            old = gitdata.refs(repo.bare, full).get(full)
            if old is None:
                raise unprocessable("Reference does not exist")
            gitdata.delete_ref(repo.bare, full)
            events = gh._ref_changed(repo, full, old, ZERO, request.token)
        gh._deliver(events)
        return Response(204)

    @route("GET", REPO + r"/git/commits/(?P<sha>[0-9a-f]{4,40})")
    def get_git_commit(request: Request, owner: str, name: str, sha: str) -> Response:
        repo = repo_of(request, owner, name)
        commit = gitdata.commit(repo.bare, sha) if gitdata.object_type(repo.bare, sha) == "commit" else None
        if commit is None:
            raise HTTPError(404, "Not Found")
        return Response(200, gh._git_commit_json(repo, commit))

    @route("GET", REPO + r"/tags")
    def list_tags(request: Request, owner: str, name: str) -> Response:
        repo = repo_of(request, owner, name)
        base = f"{gh.api_url}/repos/{repo.full_name}"
        tags = [
            {"name": ref.removeprefix("refs/tags/"),
             "commit": {"sha": gitdata.resolve(repo.bare, sha) or sha, "url": f"{base}/commits/{sha}"},
             "zipball_url": f"{base}/zipball/{ref.removeprefix('refs/tags/')}",
             "tarball_url": f"{base}/tarball/{ref.removeprefix('refs/tags/')}",
             "node_id": shapes.node_id("TAG", shapes.numeric_id(ref))}
            for ref, sha in sorted(gitdata.refs(repo.bare, "refs/tags/").items(), reverse=True)
        ]
        return paginate(request, tags)

    # commits ---------------------------------------------------------------------------
    @route("GET", REPO + r"/commits")
    def list_commits(request: Request, owner: str, name: str) -> Response:
        repo = repo_of(request, owner, name)
        rev = request.query.get("sha") or repo.default_branch
        sha = gitdata.resolve(repo.bare, rev)
        if sha is None:
            raise HTTPError(404, "Not Found")
        commits = gitdata.log(repo.bare, sha, path=request.query.get("path") or None)
        return paginate(request, [gh._commit_json(repo, c, files=False) for c in commits])

    @route("GET", REPO + r"/commits/(?P<ref>[^/]+)")
    def get_commit(request: Request, owner: str, name: str, ref: str) -> Response:
        repo = repo_of(request, owner, name)
        return Response(200, gh._commit_json(repo, commit_or_404(repo, ref)))

    @route("GET", REPO + r"/compare/(?P<spec>.+)")
    def compare(request: Request, owner: str, name: str, spec: str) -> Response:
        repo = repo_of(request, owner, name)
        base_rev, sep, head_rev = spec.partition("...")
        if not sep:
            raise HTTPError(404, "Not Found")
        base, head = commit_or_404(repo, base_rev), commit_or_404(repo, head_rev)
        merge_base = gitdata.merge_base(repo.bare, base.sha, head.sha)
        if merge_base is None:
            raise HTTPError(404, f"No common ancestor between {base_rev} and {head_rev}.")
        ahead = gitdata.log(repo.bare, head.sha, exclude=base.sha)
        behind = gitdata.log(repo.bare, base.sha, exclude=head.sha)
        status = "identical" if not ahead and not behind else "ahead" if not behind else "behind" if not ahead else "diverged"
        mb = gitdata.commit(repo.bare, merge_base)
        assert mb is not None
        url = f"{gh.api_url}/repos/{repo.full_name}/compare/{spec}"
        html = f"{gh.url}/{repo.full_name}/compare/{spec}"
        files = [gh._file_json(repo, head.sha, s, p) for s, p in gitdata.changed_files(repo.bare, merge_base, head.sha)]
        body = {
            "url": url, "html_url": html, "permalink_url": html, "diff_url": f"{html}.diff", "patch_url": f"{html}.patch",
            "base_commit": gh._commit_json(repo, base, files=False),
            "merge_base_commit": gh._commit_json(repo, mb, files=False),
            "status": status, "ahead_by": len(ahead), "behind_by": len(behind), "total_commits": len(ahead),
            "commits": [gh._commit_json(repo, c, files=False) for c in reversed(ahead)],
            "files": files,
        }
        return Response(200, body)

    @route("GET", REPO + r"/contents/(?P<path>.*)")
    def get_contents(request: Request, owner: str, name: str, path: str) -> Response:
        repo = repo_of(request, owner, name)
        rev = request.query.get("ref") or repo.default_branch
        sha = gitdata.resolve(repo.bare, rev)
        if sha is None:
            raise HTTPError(404, f"No commit found for the ref {rev}")
        path = path.strip("/")
        data = gitdata.show(repo.bare, sha, path) if path else None
        kind = gitdata.object_type(repo.bare, f"{sha}:{path}")
        if kind != "blob" or data is None:
            raise HTTPError(404, "Not Found")
        blob = gitdata.blob_sha(repo.bare, sha, path) or ZERO
        url = f"{gh.api_url}/repos/{repo.full_name}/contents/{path}?ref={rev}"
        git_url = f"{gh.api_url}/repos/{repo.full_name}/git/blobs/{blob}"
        html = f"{gh.url}/{repo.full_name}/blob/{rev}/{path}"
        return Response(200, {
            "type": "file", "encoding": "base64", "size": len(data), "name": path.rsplit("/", 1)[-1], "path": path,
            "content": base64.encodebytes(data).decode(), "sha": blob, "url": url, "git_url": git_url,
            "html_url": html, "download_url": f"{gh.url}/{repo.full_name}/raw/{rev}/{path}",
            "_links": {"git": git_url, "self": url, "html": html},
        })

    # commit comments and statuses -----------------------------------------------------------
    @route("POST", REPO + r"/commits/(?P<sha>[0-9a-f]{4,40})/comments")
    def create_commit_comment(request: Request, owner: str, name: str, sha: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "body")
        commit = commit_or_404(repo, sha)
        assert request.token is not None
        stamp = shapes.now()
        comment = {"id": next(gh._ids), "body": str(data["body"]), "commit_id": commit.sha, "path": data.get("path"),
                   "user": request.token.login, "created_at": stamp, "updated_at": stamp}
        with repo.lock:
            repo.commit_comments.append(comment)
        return Response(201, gh._comment_json(repo, comment))

    @route("GET", REPO + r"/commits/(?P<sha>[0-9a-f]{4,40})/comments")
    def list_commit_comments(request: Request, owner: str, name: str, sha: str) -> Response:
        repo = repo_of(request, owner, name)
        commit = commit_or_404(repo, sha)
        return paginate(request, [gh._comment_json(repo, c) for c in repo.commit_comments if c["commit_id"] == commit.sha])

    @route("GET", REPO + r"/comments")
    def list_repo_comments(request: Request, owner: str, name: str) -> Response:
        repo = repo_of(request, owner, name)
        return paginate(request, [gh._comment_json(repo, c) for c in repo.commit_comments])

    @route("PATCH", REPO + r"/comments/(?P<cid>\d+)")
    def update_commit_comment(request: Request, owner: str, name: str, cid: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "body")
        for comment in repo.commit_comments:
            if comment["id"] == int(cid):
                comment["body"], comment["updated_at"] = str(data["body"]), shapes.now()
                return Response(200, gh._comment_json(repo, comment))
        raise HTTPError(404, "Not Found")

    @route("POST", REPO + r"/statuses/(?P<sha>[0-9a-f]{40})")
    def create_status(request: Request, owner: str, name: str, sha: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "state")
        if data["state"] not in ("error", "failure", "pending", "success"):
            raise unprocessable("Validation Failed", resource="Status", code="custom", field_name="state")
        commit_or_404(repo, sha)
        assert request.token is not None
        stamp, sid = shapes.now(), next(gh._ids)
        status = {
            "url": f"{gh.api_url}/repos/{repo.full_name}/statuses/{sha}", "avatar_url": None, "id": sid,
            "node_id": shapes.node_id("SC", sid), "state": data["state"], "description": data.get("description"),
            "target_url": data.get("target_url"), "context": data.get("context") or "default",
            "created_at": stamp, "updated_at": stamp, "creator": gh._user(request.token.login), "sha": sha,
        }
        with repo.lock:
            repo.statuses.append(status)
        return Response(201, {k: v for k, v in status.items() if k != "sha"})

    @route("GET", REPO + r"/(?:commits/(?P<ref>[^/]+)/statuses|statuses/(?P<sha>[0-9a-f]{40}))")
    def list_statuses(request: Request, owner: str, name: str, ref: str | None, sha: str | None) -> Response:
        repo = repo_of(request, owner, name)
        commit = commit_or_404(repo, ref or sha or "")
        found = [{k: v for k, v in s.items() if k != "sha"} for s in reversed(repo.statuses) if s["sha"] == commit.sha]
        return paginate(request, found)

    @route("GET", REPO + r"/commits/(?P<sha>[0-9a-f]{4,40})/pulls")
    def pulls_of_commit(request: Request, owner: str, name: str, sha: str) -> Response:
        repo = repo_of(request, owner, name)
        commit = commit_or_404(repo, sha)
        found = []
        for pull in repo.pulls:
            head = gh._pull_head_sha(repo, pull)
            if commit.sha in (head, pull["merge_commit_sha"]) or gitdata.is_ancestor(repo.bare, commit.sha, head) and \
                    not gitdata.is_ancestor(repo.bare, commit.sha, pull["base_sha"]):
                found.append(gh._pull_json(repo, pull))
        return paginate(request, found)

    # pull requests ----------------------------------------------------------------------------
    def find_pull(repo: Repo, number: str | int) -> dict[str, Any]:
        for pull in repo.pulls:
            if pull["number"] == int(number):
                return pull
        raise HTTPError(404, "Not Found")

    def next_number(repo: Repo) -> int:
        return len(repo.pulls) + 1

    @route("POST", REPO + r"/pulls")
    def create_pull(request: Request, owner: str, name: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "head", "base")
        head = str(data["head"]).split(":", 1)[-1]
        base = str(data["base"])
        title = string(data, "title")
        if not title:
            raise unprocessable("Validation Failed", resource="PullRequest", code="missing_field", field_name="title")
        assert request.token is not None
        with repo.lock:
            head_sha = gitdata.resolve(repo.bare, head) if gitdata.refs(repo.bare, f"refs/heads/{head}") else None
            base_sha = gitdata.resolve(repo.bare, base) if gitdata.refs(repo.bare, f"refs/heads/{base}") else None
            if head_sha is None:
                raise unprocessable("Validation Failed", resource="PullRequest", code="invalid", field_name="head")
            if base_sha is None:
                raise unprocessable("Validation Failed", resource="PullRequest", code="invalid", field_name="base")
            for pull in repo.pulls:
                if pull["state"] == "open" and pull["head"] == head and pull["base"] == base:
                    raise HTTPError(422, "Validation Failed", [{
                        "resource": "PullRequest", "code": "custom",
                        "message": f"A pull request already exists for {owner}:{head}."}])
            if not gitdata.log(repo.bare, head_sha, exclude=base_sha, limit=1):
                raise HTTPError(422, "Validation Failed", [{
                    "resource": "PullRequest", "code": "custom", "message": f"No commits between {base} and {head}"}])
            stamp = shapes.now()
            pull = {
                "id": next(gh._ids), "number": next_number(repo), "title": title, "body": string(data, "body"),
                "head": head, "base": base, "head_sha": head_sha, "base_sha": base_sha, "state": "open",
                "merged": False, "merge_commit_sha": None, "merged_at": None, "merged_by": None,
                "user": request.token.login, "created_at": stamp, "updated_at": stamp, "closed_at": None,
            }
            repo.pulls.append(pull)
            event = pull_event(repo, pull, "opened", request)
        gh._deliver([event])
        return Response(201, gh._pull_json(repo, pull))

    def pull_event(repo: Repo, pull: dict[str, Any], action: str, request: Request) -> Event:
        assert request.token is not None
        payload = {
            "action": action, "number": pull["number"], "pull_request": gh._pull_json(repo, pull, webhook=True),
            "repository": gh._repo_json(repo, webhook=True), "sender": gh._user(request.token.login, webhook=True),
        }
        ref = f"refs/pull/{pull['number']}/merge"
        return gh._emit("pull_request", repo, payload, ref=ref, sha=pull["merge_commit_sha"] or pull["head_sha"],
                        token=request.token)

    @route("GET", REPO + r"/pulls")
    def list_pulls(request: Request, owner: str, name: str) -> Response:
        repo = repo_of(request, owner, name)
        state = request.query.get("state", "open")
        head = request.query.get("head")
        base = request.query.get("base")
        found = [
            pull for pull in reversed(repo.pulls)
            if (state == "all" or pull["state"] == state)
            and (not head or f"{owner}:{pull['head']}" == head or pull["head"] == head)
            and (not base or pull["base"] == base)
        ]
        return paginate(request, [gh._pull_json(repo, pull) for pull in found])

    @route("GET", REPO + r"/pulls/(?P<number>\d+)")
    def get_pull(request: Request, owner: str, name: str, number: str) -> Response:
        repo = repo_of(request, owner, name)
        return Response(200, gh._pull_json(repo, find_pull(repo, number)))

    @route("PATCH", REPO + r"/pulls/(?P<number>\d+)")
    def update_pull(request: Request, owner: str, name: str, number: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        events = []
        with repo.lock:
            pull = find_pull(repo, number)
            for key in ("title", "body"):
                if key in data:
                    pull[key] = string(data, key)
            if data.get("state") == "closed" and pull["state"] == "open" and not pull["merged"]:
                pull["state"], pull["closed_at"] = "closed", shapes.now()
                pull["head_sha"] = gh._pull_head_sha(repo, {**pull, "state": "open"})
                events.append(pull_event(repo, pull, "closed", request))
            elif data.get("state") == "open" and pull["state"] == "closed" and not pull["merged"]:
                pull["state"], pull["closed_at"] = "open", None
                events.append(pull_event(repo, pull, "reopened", request))
            else:
                events.append(pull_event(repo, pull, "edited", request))
            pull["updated_at"] = shapes.now()
        gh._deliver(events)
        return Response(200, gh._pull_json(repo, pull))

    @route("GET", REPO + r"/pulls/(?P<number>\d+)/commits")
    def pull_commits(request: Request, owner: str, name: str, number: str) -> Response:
        repo = repo_of(request, owner, name)
        pull = find_pull(repo, number)
        head = gh._pull_head_sha(repo, pull)
        base = gitdata.resolve(repo.bare, pull["base"]) if pull["state"] == "open" else pull["base_sha"]
        commits = list(reversed(gitdata.log(repo.bare, head, exclude=base)))
        return paginate(request, [gh._commit_json(repo, c, files=False) for c in commits])

    @route("GET", REPO + r"/pulls/(?P<number>\d+)/files")
    def pull_files(request: Request, owner: str, name: str, number: str) -> Response:
        repo = repo_of(request, owner, name)
        pull = find_pull(repo, number)
        head = gh._pull_head_sha(repo, pull)
        base = gitdata.merge_base(repo.bare, pull["base_sha"], head) or pull["base_sha"]
        return paginate(request, [gh._file_json(repo, head, s, p) for s, p in gitdata.changed_files(repo.bare, base, head)])

    @route("GET", REPO + r"/pulls/(?P<number>\d+)/merge")
    def is_merged(request: Request, owner: str, name: str, number: str) -> Response:
        repo = repo_of(request, owner, name)
        if find_pull(repo, number)["merged"]:
            return Response(204)
        raise HTTPError(404, "Not Found")

    @route("PUT", REPO + r"/pulls/(?P<number>\d+)/merge")
    def merge_pull(request: Request, owner: str, name: str, number: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        method = data.get("merge_method", "merge")
        if method != "merge":
            raise unprocessable(f"Merge method {method!r} is not supported by the local GitHub (only 'merge')")
        assert request.token is not None
        with repo.lock:
            pull = find_pull(repo, number)
            if pull["state"] != "open":
                raise HTTPError(405, "Pull Request is not mergeable")
            head_sha = gh._pull_head_sha(repo, pull)
            if data.get("sha") and data["sha"] != head_sha:
                raise HTTPError(409, "Head branch was modified. Review and try the merge again.")
            base_ref = f"refs/heads/{pull['base']}"
            base_sha = gitdata.refs(repo.bare, base_ref).get(base_ref)
            if base_sha is None:
                raise HTTPError(405, "Base branch was deleted")
            title = data.get("commit_title") or f"Merge pull request #{pull['number']} from {owner}/{pull['head']}"
            message = title + ("\n\n" + str(data.get("commit_message") or pull["title"]))
            merge_sha = gitdata.merge(repo.bare, base_sha, head_sha, message, committer=MERGER)
            if merge_sha is None or not gitdata.update_ref(repo.bare, base_ref, merge_sha, base_sha):
                raise HTTPError(405, "Pull Request is not mergeable")
            stamp = shapes.now()
            pull.update(state="closed", merged=True, merge_commit_sha=merge_sha, merged_at=stamp, closed_at=stamp,
                        updated_at=stamp, merged_by=request.token.login, head_sha=head_sha, base_sha=base_sha)
            events = [pull_event(repo, pull, "closed", request)]
            events += gh._ref_changed(repo, base_ref, base_sha, merge_sha, request.token)
        gh._deliver(events)
        return Response(200, {"sha": merge_sha, "merged": True, "message": "Pull Request successfully merged"})

    # issue comments (on pull requests) -----------------------------------------------------------
    @route("POST", REPO + r"/issues/(?P<number>\d+)/comments")
    def create_issue_comment(request: Request, owner: str, name: str, number: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "body")
        find_pull(repo, number)
        assert request.token is not None
        stamp = shapes.now()
        comment = {"id": next(gh._ids), "number": int(number), "body": str(data["body"]), "user": request.token.login,
                   "created_at": stamp, "updated_at": stamp}
        with repo.lock:
            repo.issue_comments.append(comment)
        return Response(201, gh._issue_comment_json(repo, comment))

    @route("GET", REPO + r"/issues/(?P<number>\d+)/comments")
    def list_issue_comments(request: Request, owner: str, name: str, number: str) -> Response:
        repo = repo_of(request, owner, name)
        find_pull(repo, number)
        found = [gh._issue_comment_json(repo, c) for c in repo.issue_comments if c["number"] == int(number)]
        return paginate(request, found)

    # releases ---------------------------------------------------------------------------------
    def find_release(repo: Repo, rid: str | int) -> dict[str, Any]:
        for release in repo.releases:
            if release["id"] == int(rid):
                return release
        raise HTTPError(404, "Not Found")

    def latest(repo: Repo) -> dict[str, Any] | None:
        full = [r for r in repo.releases if not r["draft"] and not r["prerelease"]]
        chosen = [r for r in full if r.get("latest")]
        return chosen[-1] if chosen else (full[-1] if full else None)

    def make_latest(repo: Repo, release: dict[str, Any], setting: Any) -> None:
        if release["draft"] or release["prerelease"] or setting in ("false", False):
            return
        for other in repo.releases:
            other["latest"] = False
        release["latest"] = True

    @route("POST", REPO + r"/releases")
    def create_release(request: Request, owner: str, name: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "tag_name")
        tag = string(data, "tag_name") or ""
        if not re.fullmatch(r"[^\s~^:?*\[\\]+", tag) or ".." in tag or tag.endswith((".", "/", ".lock")):
            raise unprocessable("Validation Failed", resource="Release", code="invalid", field_name="tag_name")
        assert request.token is not None
        events: list[Event] = []
        with repo.lock:
            if any(r["tag_name"] == tag for r in repo.releases):
                raise unprocessable("Validation Failed", resource="Release", code="already_exists",
                                    field_name="tag_name")
            target = string(data, "target_commitish") or repo.default_branch
            tag_ref = f"refs/tags/{tag}"
            existing = gitdata.refs(repo.bare, tag_ref).get(tag_ref)
            draft = bool(data.get("draft", False))
            if existing is None and not draft:
                target_sha = gitdata.resolve(repo.bare, target)
                if target_sha is None:
                    raise unprocessable("Validation Failed", resource="Release", code="invalid",
                                        field_name="target_commitish")
                gitdata.update_ref(repo.bare, tag_ref, target_sha, ZERO)
                events += gh._ref_changed(repo, tag_ref, ZERO, target_sha, request.token)
            stamp = shapes.now()
            release = {
                "id": next(gh._ids), "tag_name": tag, "target_commitish": target, "name": string(data, "name") or tag,
                "body": string(data, "body") or "", "draft": draft, "prerelease": bool(data.get("prerelease", False)),
                "created_at": stamp, "published_at": stamp, "updated_at": stamp, "author": request.token.login,
                "assets": [], "latest": False,
            }
            repo.releases.append(release)
            make_latest(repo, release, data.get("make_latest", "true"))
            if not draft:
                action = "prereleased" if release["prerelease"] else "released"
                for act in ("published", action):
                    payload = {"action": act, "release": gh._release_json(repo, release),
                               "repository": gh._repo_json(repo, webhook=True),
                               "sender": gh._user(request.token.login, webhook=True)}
                    events.append(gh._emit("release", repo, payload, ref=tag_ref, sha="", token=request.token))
        gh._deliver(events)
        return Response(201, gh._release_json(repo, release))

    @route("GET", REPO + r"/releases")
    def list_releases(request: Request, owner: str, name: str) -> Response:
        repo = repo_of(request, owner, name)
        return paginate(request, [gh._release_json(repo, r) for r in reversed(repo.releases)])

    @route("GET", REPO + r"/releases/latest")
    def latest_release(request: Request, owner: str, name: str) -> Response:
        repo = repo_of(request, owner, name)
        release = latest(repo)
        if release is None:
            raise HTTPError(404, "Not Found")
        return Response(200, gh._release_json(repo, release))

    @route("GET", REPO + r"/releases/tags/(?P<tag>.+)")
    def release_by_tag(request: Request, owner: str, name: str, tag: str) -> Response:
        repo = repo_of(request, owner, name)
        for release in repo.releases:
            if release["tag_name"] == tag and not release["draft"]:
                return Response(200, gh._release_json(repo, release))
        raise HTTPError(404, "Not Found")

    @route("GET", REPO + r"/releases/(?P<rid>\d+)")
    def get_release(request: Request, owner: str, name: str, rid: str) -> Response:
        repo = repo_of(request, owner, name)
        return Response(200, gh._release_json(repo, find_release(repo, rid)))

    @route("PATCH", REPO + r"/releases/(?P<rid>\d+)")
    def update_release(request: Request, owner: str, name: str, rid: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        with repo.lock:
            release = find_release(repo, rid)
            if "tag_name" in data and data["tag_name"] != release["tag_name"]:
                if any(r["tag_name"] == data["tag_name"] for r in repo.releases):
                    raise unprocessable("Validation Failed", resource="Release", code="already_exists",
                                        field_name="tag_name")
                release["tag_name"] = string(data, "tag_name")
            for key in ("name", "body", "target_commitish"):
                if key in data:
                    release[key] = string(data, key)
            for key in ("draft", "prerelease"):
                if key in data:
                    release[key] = bool(data[key])
            release["updated_at"] = shapes.now()
            if release["prerelease"] or release["draft"]:
                release["latest"] = False
            make_latest(repo, release, data.get("make_latest", "true" if release.get("latest") else "false"))
        return Response(200, gh._release_json(repo, release))

    @route("DELETE", REPO + r"/releases/(?P<rid>\d+)")
    def delete_release(request: Request, owner: str, name: str, rid: str) -> Response:
        repo = writable(request, owner, name)
        with repo.lock:
            repo.releases.remove(find_release(repo, rid))
        return Response(204)

    @route("GET", REPO + r"/releases/(?P<rid>\d+)/assets")
    def list_assets(request: Request, owner: str, name: str, rid: str) -> Response:
        repo = repo_of(request, owner, name)
        release = find_release(repo, rid)
        return paginate(request, [gh._asset_json(repo, release, a) for a in release["assets"]])

    @route("POST", r"/uploads" + REPO + r"/releases/(?P<rid>\d+)/assets")
    def upload_asset(request: Request, owner: str, name: str, rid: str) -> Response:
        repo = writable(request, owner, name)
        asset_name = request.query.get("name", "")
        if not asset_name:
            raise unprocessable("Validation Failed", resource="ReleaseAsset", code="missing_field", field_name="name")
        assert request.token is not None
        with repo.lock:
            release = find_release(repo, rid)
            if any(a["name"] == asset_name for a in release["assets"]):
                raise unprocessable("Validation Failed", resource="ReleaseAsset", code="already_exists",
                                    field_name="name")
            asset = {"id": next(gh._ids), "name": asset_name, "label": request.query.get("label") or "",
                     "content_type": request.headers.get("Content-Type", "application/octet-stream"),
                     "data": request.body, "created_at": shapes.now(), "uploader": request.token.login}
            release["assets"].append(asset)
        return Response(201, gh._asset_json(repo, release, asset))

    # dispatches ------------------------------------------------------------------------------
    @route("POST", REPO + r"/dispatches")
    def repository_dispatch(request: Request, owner: str, name: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        event_type = data.get("event_type")
        if not isinstance(event_type, str) or not event_type:
            raise unprocessable("Invalid request.\n\n\"event_type\" wasn't supplied.")
        if len(event_type) > EVENT_TYPE_MAX:
            raise unprocessable(f"Invalid request.\n\nevent_type is too long (maximum is {EVENT_TYPE_MAX} characters).")
        client_payload = data.get("client_payload", {})
        if not isinstance(client_payload, dict):
            raise unprocessable("Invalid request.\n\nFor 'properties/client_payload', it is not an object.")
        if len(client_payload) > DISPATCH_MAX_PROPERTIES:
            raise unprocessable(f"Invalid request.\n\nNo more than {DISPATCH_MAX_PROPERTIES} properties are allowed; "
                                f"{len(client_payload)} were supplied.")
        if len(json.dumps(client_payload, separators=(",", ":")).encode()) > DISPATCH_MAX_BYTES:
            raise unprocessable("Invalid request.\n\nclient_payload is too large (maximum is 64 KB).")
        assert request.token is not None
        payload = {
            "action": event_type, "branch": repo.default_branch, "client_payload": client_payload,
            "repository": gh._repo_json(repo, webhook=True), "sender": gh._user(request.token.login, webhook=True),
            "installation": {"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="},
        }
        head = gitdata.resolve(repo.bare, repo.default_branch) or ""
        with gh._lock:
            event = gh._emit("repository_dispatch", repo, payload, ref=f"refs/heads/{repo.default_branch}", sha=head,
                             token=request.token)
            gh._dispatches.append(Dispatch(repo.full_name, "repository_dispatch", event_type, client_payload,
                                           request.token.login, event.seq))
        gh._deliver([event])
        return Response(204)

    @route("POST", REPO + r"/actions/workflows/(?P<workflow>[^/]+)/dispatches")
    def workflow_dispatch(request: Request, owner: str, name: str, workflow: str) -> Response:
        repo = writable(request, owner, name)
        data = request.json()
        required(data, "ref")
        ref = str(data["ref"])
        sha = gitdata.resolve(repo.bare, ref.removeprefix("refs/heads/").removeprefix("refs/tags/"))
        if sha is None:
            raise unprocessable(f"No ref found for: {ref}")
        inputs = data.get("inputs") or {}
        if not isinstance(inputs, dict) or len(inputs) > 25:
            raise unprocessable("Invalid request.\n\ninputs must be an object with at most 25 properties.")
        assert request.token is not None
        full_ref = ref if ref.startswith("refs/") else f"refs/heads/{ref}"
        payload = {"inputs": inputs, "ref": full_ref, "workflow": f".github/workflows/{workflow}",
                   "repository": gh._repo_json(repo, webhook=True), "sender": gh._user(request.token.login, webhook=True)}
        with gh._lock:
            event = gh._emit("workflow_dispatch", repo, payload, ref=full_ref, sha=sha, token=request.token)
            gh._dispatches.append(Dispatch(repo.full_name, "workflow_dispatch", workflow, inputs, request.token.login,
                                           event.seq))
        gh._deliver([event])
        return Response(204)

    return [(method, re.compile(path), function) for method, path, function in table]
