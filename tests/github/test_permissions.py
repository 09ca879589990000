"""A workflow's GITHUB_TOKEN is held to its permissions as GitHub holds it: per endpoint family,
git fetch and push; personal tokens are not limited."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from testbed import gitrepo
from testbed.github import LocalGitHub, routes
from testbed.github.permissions import RESTRICTED, SCOPES, Permissions, PermissionsError
from testbed.github.protocol import HTTPError
from testbed.github.required import NOT_ACCESSIBLE, check_mutation, rule_for
from testbed.github.routes import API_ROUTES, UPLOAD_ROUTES


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[LocalGitHub]:
    with LocalGitHub(tmp_path / "gh") as server:
        bare = server.create_repo("acme/app")
        sha = gitrepo.commit_files(bare, "main", {"VERSION": "1.0.0\n"}, "Initial commit", root=tmp_path)
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        server.sha = sha  # type: ignore[attr-defined]
        yield server


def workflow_token(gh: LocalGitHub, levels: dict[str, str] | str) -> str:
    permissions = Permissions.parse(levels)
    return gh.create_token("github-actions[bot]", repos={"acme/app"}, actions=True, permissions=permissions)


def all_but(scopes: dict[str, str]) -> dict[str, str]:
    """write on every scope except `scopes` (and `none` there)."""
    return {other: "write" for other in SCOPES if other not in scopes and other != "models"}


def call(gh: LocalGitHub, token: str, method: str, path: str, body: dict[str, object] | None = None) -> requests.Response:
    return requests.request(method, gh.api_url + path, json=body, timeout=30,
                            headers={"Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json"})


# (method, path, what it needs: any one of these); `{sha}` is the main commit
FAMILIES = [
    ("GET", "/repos/acme/app/commits", {"contents": "read"}),
    ("GET", "/repos/acme/app/git/matching-refs/tags/v", {"contents": "read"}),
    ("POST", "/repos/acme/app/git/refs", {"contents": "write"}),
    ("POST", "/repos/acme/app/releases", {"contents": "write"}),
    ("GET", "/repos/acme/app/releases", {"contents": "read"}),
    ("POST", "/repos/acme/app/commits/{sha}/comments", {"contents": "write"}),
    ("POST", "/repos/acme/app/dispatches", {"contents": "write"}),
    ("GET", "/repos/acme/app/pulls", {"pull-requests": "read"}),
    ("POST", "/repos/acme/app/pulls", {"pull-requests": "write"}),
    ("PUT", "/repos/acme/app/pulls/1/merge", {"contents": "write"}),
    ("POST", "/repos/acme/app/issues/1/comments", {"issues": "write", "pull-requests": "write"}),
    ("POST", "/repos/acme/app/statuses/{sha}", {"statuses": "write"}),
    ("GET", "/repos/acme/app/commits/{sha}/statuses", {"statuses": "read"}),
    ("POST", "/repos/acme/app/actions/workflows/release.yml/dispatches", {"actions": "write"}),
]
BODIES = {"/git/refs": {"ref": "refs/tags/x", "sha": "{sha}"}, "/releases": {"tag_name": "v9.9.9"},
          "/comments": {"body": "hi"}, "/dispatches": {"event_type": "go", "ref": "main"},
          "/pulls": {"head": "stg", "base": "main", "title": "t"}, "/merge": {},
          "/statuses/{sha}": {"state": "success", "context": "c"}}


def body_for(path: str, sha: str) -> dict[str, object] | None:
    for suffix, body in BODIES.items():
        if path.endswith(suffix):
            return {key: value.replace("{sha}", sha) if isinstance(value, str) else value for key, value in body.items()}
    return None


@pytest.mark.parametrize(("method", "path", "needs"), FAMILIES, ids=[f"{m} {p}" for m, p, _ in FAMILIES])
def test_each_endpoint_family_needs_its_permission(gh: LocalGitHub, method: str, path: str,
                                                   needs: dict[str, str]) -> None:
    """Without the scope (every other one at write) 403 `Resource not accessible by integration`; with it alone, no 403."""
    sha: str = gh.sha  # type: ignore[attr-defined]
    path = path.replace("{sha}", sha)
    refused = call(gh, workflow_token(gh, all_but(needs)), method, path, body_for(path, sha))
    assert refused.status_code == 403, (refused.status_code, refused.text)
    assert refused.json()["message"] == NOT_ACCESSIBLE and refused.json()["documentation_url"].startswith("https://")
    for scope, level in needs.items():
        allowed = call(gh, workflow_token(gh, {scope: level}), method, path, body_for(path, sha))
        assert allowed.status_code not in (401, 403, 500), (scope, allowed.status_code, allowed.text)


def test_read_is_not_write(gh: LocalGitHub) -> None:
    """`contents: read` reads releases but cannot create one."""
    token = workflow_token(gh, {"contents": "read"})
    assert call(gh, token, "GET", "/repos/acme/app/releases").status_code == 200
    created = call(gh, token, "POST", "/repos/acme/app/releases", {"tag_name": "v1.0.0"})
    assert created.status_code == 403 and created.json()["message"] == NOT_ACCESSIBLE


def test_metadata_is_always_readable_and_user_never(gh: LocalGitHub) -> None:
    """`permissions: {}` still reads the repository (metadata); no workflow token reads GET /user, as on GitHub."""
    empty = workflow_token(gh, {})
    assert call(gh, empty, "GET", "/repos/acme/app").status_code == 200
    assert call(gh, empty, "GET", "/meta").status_code == 200
    assert call(gh, empty, "GET", "/repos/acme/app/commits").status_code == 403
    assert call(gh, workflow_token(gh, "write-all"), "GET", "/user").status_code == 403


def test_personal_tokens_are_not_limited_by_permissions(gh: LocalGitHub) -> None:
    """The admin's token creates a release whatever any workflow's permissions are."""
    created = call(gh, gh.admin_token, "POST", "/repos/acme/app/releases", {"tag_name": "v1.0.0"})
    assert created.status_code == 201, created.text


def git(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env={"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": "/tmp"})


def test_git_push_needs_contents_write_and_fetch_contents_read(gh: LocalGitHub, tmp_path: Path) -> None:
    """Clone with `contents: read` works and its push is refused (403); `{}` cannot even clone; `write` pushes."""
    reader = workflow_token(gh, {"contents": "read"})
    work = tmp_path / "clone"
    cloned = git("clone", "--quiet", gh.url.replace("://", f"://x-access-token:{reader}@") + "/acme/app.git", str(work))
    assert cloned.returncode == 0, cloned.stderr
    git("-c", "user.name=a", "-c", "user.email=a@b", "commit", "--allow-empty", "-qm", "bump", cwd=work)
    refused = git("push", "origin", "HEAD:refs/heads/main", cwd=work)
    assert refused.returncode != 0 and "403" in refused.stderr, refused.stderr
    writer = workflow_token(gh, {"contents": "write"})
    url = gh.url.replace("://", f"://x-access-token:{writer}@") + "/acme/app.git"
    pushed = git("push", url, "HEAD:refs/heads/main", cwd=work)
    assert pushed.returncode == 0, pushed.stderr
    nothing = workflow_token(gh, {})
    denied = git("clone", "--quiet", gh.url.replace("://", f"://x-access-token:{nothing}@") + "/acme/app.git",
                 str(tmp_path / "denied"))
    assert denied.returncode != 0 and "403" in denied.stderr, denied.stderr


def test_every_route_of_the_local_github_has_a_permission_rule() -> None:
    """Each operation served falls under a rule of the one table (a new endpoint without a family fails here)."""
    served = [getattr(routes, name) for name in dir(routes) if name.endswith("_ROUTES")]  # API, uploads, web...
    assert API_ROUTES in served and UPLOAD_ROUTES in served
    for endpoint in (endpoint for table in served for endpoint in table):
        path = re.sub(r"\{[a-z_]+:int\}", "1", endpoint.path)
        path = re.sub(r"\{[a-z_]+:path\}", "a/b", path)
        path = re.sub(r"\{[a-z_]+\}", "x", path)
        rule_for(endpoint.method, path)  # raises MissingRuleError naming the route


def test_permissions_values_as_github_reads_them() -> None:
    """read-all, write-all, `{}`, mappings (unlisted scopes none, metadata read), caps and bad values."""
    assert Permissions.parse({}).as_dict() == {"metadata": "read"}
    assert Permissions.parse("read-all").level("contents") == "read"
    assert Permissions.parse("write-all").level("packages") == "write"
    job = Permissions.parse({"contents": "write", "issues": "read"})
    assert job.level("pull-requests") == "none" and job.allows("contents", "read")
    capped = job.capped(Permissions.parse({"contents": "read", "statuses": "write"}))
    assert capped.as_dict() == {"contents": "read", "metadata": "read"}
    assert RESTRICTED.as_dict() == {"contents": "read", "metadata": "read", "packages": "read"}
    for bad in ({"content": "write"}, {"contents": "admin"}, "read"):
        with pytest.raises(PermissionsError):
            Permissions.parse(bad)


def test_graphql_mutations_need_what_their_rest_counterparts_need() -> None:
    """createPullRequest needs pull-requests write, mergePullRequest contents write."""
    prs = Permissions.parse({"pull-requests": "write"})
    check_mutation(prs, "createPullRequest")
    with pytest.raises(HTTPError):
        check_mutation(prs, "mergePullRequest")
    check_mutation(Permissions.parse({"contents": "write"}), "mergePullRequest")
