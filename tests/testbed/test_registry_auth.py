"""The registry as GHCR: https with the machine's CA, the bearer-token challenge, and tokens issued
for GitHub tokens with the access the GitHub side grants."""

from __future__ import annotations

import base64
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import ec

from testbed.enginelock import engine_lock
from testbed.github import LocalGitHub
from testbed.github.permissions import Permissions
from testbed.packages import package_access
from testbed.registry import Registry
from testbed.registry_auth import ISSUER, SERVICE, RegistryAccess, libtrust_key_id
from testbed.tls import TLSFiles, machine_tls

WRITER, READER, STRANGER = "ghp_writer", "ghp_reader", "ghp_other_owner"
GRANTS = {WRITER: RegistryAccess(read=True, write=True), READER: RegistryAccess(read=True, write=False)}


def access(token: str, owner: str) -> RegistryAccess | None:
    if token == STRANGER:
        return RegistryAccess(read=False, write=False)
    return GRANTS.get(token)


@pytest.fixture(scope="module")
def tls() -> TLSFiles:
    return machine_tls()


@pytest.fixture
def registry(tmp_path: Path, tls: TLSFiles) -> Iterator[Registry]:
    with Registry(tmp_path / "registry", tls=tls, access=access) as started:
        yield started


def get(url: str, tls: TLSFiles, **kwargs: object) -> requests.Response:
    return requests.get(url, verify=str(tls.bundle), timeout=10, **kwargs)  # type: ignore[arg-type]


def challenge(response: requests.Response) -> dict[str, str]:
    header = response.headers["WWW-Authenticate"]
    assert header.startswith("Bearer "), header
    return dict(part.split("=", 1) for part in header.removeprefix("Bearer ").replace('"', "").split(",", 2))


def token_for(registry: Registry, tls: TLSFiles, scope: str, auth: tuple[str, str] | None) -> requests.Response:
    assert registry.token_service is not None
    return get(registry.token_service.realm, tls, params={"service": SERVICE, "scope": scope}, auth=auth)


def docker(config: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", "--config", str(config), *args], input=stdin, capture_output=True, text=True,
                          check=False)


def test_v2_answers_401_with_a_bearer_challenge_naming_realm_service_and_scope(
    registry: Registry, tls: TLSFiles
) -> None:
    """/v2/ and a repository read answer 401 with GHCR's challenge: an https realm, the service, the scope."""
    root = get(f"{registry.url}/v2/", tls)
    assert registry.url.startswith("https://")
    assert root.status_code == 401
    fields = challenge(root)
    assert fields["realm"].startswith("https://127.0.0.1:") and fields["realm"].endswith("/token")
    assert fields["service"] == SERVICE
    read = get(f"{registry.url}/v2/acme/app/tags/list", tls)
    assert read.status_code == 401 and challenge(read)["scope"] == "repository:acme/app:pull"


def test_plain_http_clients_are_refused_by_the_tls_registry(registry: Registry) -> None:
    """The registry speaks only TLS: a plain-http request gets no registry answer."""
    answer = requests.get(f"http://{registry.address}/v2/", timeout=10)
    assert answer.status_code == 400 and "Docker-Distribution-Api-Version" not in answer.headers


def test_token_for_a_github_token_grants_what_github_allows(registry: Registry, tls: TLSFiles) -> None:
    """Basic (any user, GitHub token as password) and bearer GitHub tokens get a JWT with the allowed actions."""
    for auth, scope, wanted in ((("anyone", WRITER), "repository:acme/app:pull,push", ["pull", "push"]),
                                (None, "repository:acme/app:pull", ["pull"])):
        headers = {} if auth else {"Authorization": f"Bearer {READER}"}
        answer = get(registry.token_service.realm, tls, params={"service": SERVICE, "scope": scope},  # type: ignore[union-attr]
                     auth=auth, headers=headers)
        assert answer.status_code == 200, answer.text
        claims = jwt.decode(answer.json()["token"], options={"verify_signature": False})
        assert claims["iss"] == ISSUER and claims["aud"] == SERVICE
        assert claims["access"] == [{"type": "repository", "name": "acme/app", "actions": wanted}]


def test_actions_a_github_token_may_not_do_are_denied_as_ghcr_denies_them(registry: Registry, tls: TLSFiles) -> None:
    """Push asked by a read-only token, or pull by a token of another owner: 403 with distribution's `DENIED`."""
    for password, scope in ((READER, "repository:acme/app:pull,push"), (STRANGER, "repository:acme/app:pull")):
        answer = token_for(registry, tls, scope, ("x", password))
        assert answer.status_code == 403, (password, answer.text)
        errors = answer.json()["errors"]
        assert [error["code"] for error in errors] == ["DENIED"], errors
        assert "acme/app" in errors[0]["message"]


def test_a_bad_github_token_is_refused_with_distributions_denied_error(registry: Registry, tls: TLSFiles) -> None:
    """An unknown GitHub token gets 401 and the `DENIED` error shape distribution clients parse."""
    answer = token_for(registry, tls, "repository:acme/app:pull", ("anyone", "ghp_not_a_token"))
    assert answer.status_code == 401
    errors = answer.json()["errors"]
    assert [error["code"] for error in errors] == ["DENIED"] and errors[0]["message"]


def test_the_registry_accepts_only_tokens_signed_by_the_token_service(registry: Registry, tls: TLSFiles) -> None:
    """A well-formed token signed by another key is refused; the issued one reads the repository."""
    url = f"{registry.url}/v2/acme/app/tags/list"
    issued = token_for(registry, tls, "repository:acme/app:pull", ("anyone", READER)).json()["token"]
    # authorised; no such repo yet
    assert get(url, tls, headers={"Authorization": f"Bearer {issued}"}).status_code == 404
    other = ec.generate_private_key(ec.SECP256R1())
    forged = jwt.encode(jwt.decode(issued, options={"verify_signature": False}), other, algorithm="ES256",
                        headers={"kid": libtrust_key_id(other.public_key())})
    assert get(url, tls, headers={"Authorization": f"Bearer {forged}"}).status_code == 401


def test_push_is_refused_without_the_push_scope(registry: Registry, tls: TLSFiles) -> None:
    """A registry token granted only `pull` cannot start a blob upload; one with `push` can."""
    url = f"{registry.url}/v2/acme/app/blobs/uploads/"
    for password, scope, status in ((READER, "pull", 401), (WRITER, "pull,push", 202)):
        token = token_for(registry, tls, f"repository:acme/app:{scope}", ("anyone", password)).json()["token"]
        answer = requests.post(url, headers={"Authorization": f"Bearer {token}"}, verify=str(tls.bundle), timeout=10)
        assert answer.status_code == status, (password, answer.text)
        if status == 401:
            assert 'error="insufficient_scope"' in answer.headers["WWW-Authenticate"]



@pytest.fixture
def ghcr(tmp_path: Path, tls: TLSFiles) -> Iterator[tuple[LocalGitHub, Registry]]:
    """The registry asking the local GitHub, as in the world, what a token may do (testbed/packages.py)."""
    with LocalGitHub(tmp_path / "gh") as github:
        github.create_repo("acme/app")
        with Registry(tmp_path / "registry", tls=tls,
                      access=lambda token, owner: package_access(github, token, owner)) as started:
            yield github, started


def workflow_token(github: LocalGitHub, levels: dict[str, str]) -> str:
    return github.create_token("github-actions[bot]", repos={"acme/app"}, actions=True,
                               permissions=Permissions.parse(levels))


def test_pull_is_refused_to_a_workflow_token_without_packages_read(ghcr: tuple[LocalGitHub, Registry],
                                                                   tls: TLSFiles) -> None:
    """A GITHUB_TOKEN without `packages: read` asking to pull gets 403 `DENIED`; with it, a pull token that reads."""
    github, registry = ghcr
    for levels in ({}, {"contents": "write", "packages": "none"}):
        refused = token_for(registry, tls, "repository:acme/app:pull", ("x", workflow_token(github, levels)))
        assert refused.status_code == 403, (levels, refused.text)
        errors = refused.json()["errors"]
        assert [error["code"] for error in errors] == ["DENIED"] and "pull acme/app" in errors[0]["message"], errors
    granted = token_for(registry, tls, "repository:acme/app:pull", ("x", workflow_token(github, {"packages": "read"})))
    assert granted.status_code == 200, granted.text
    claims = jwt.decode(granted.json()["token"], options={"verify_signature": False})
    assert claims["access"] == [{"type": "repository", "name": "acme/app", "actions": ["pull"]}]
    bearer = {"Authorization": f"Bearer {granted.json()['token']}"}
    listed = get(f"{registry.url}/v2/acme/app/tags/list", tls, headers=bearer)
    assert listed.status_code == 404  # authorised: the repository has no image yet


def test_docker_login_push_and_pull_from_the_host_engine_over_tls(registry: Registry, tmp_path: Path) -> None:
    """`docker login` with a GitHub token lets the host engine push over TLS; bad or read tokens cannot."""
    config = tmp_path / "docker-config"
    config.mkdir()
    context = tmp_path / "context"
    context.mkdir()
    (context / "Dockerfile").write_text("FROM scratch\nCOPY f /f\n")
    (context / "f").write_text(str(tmp_path))
    reference = f"{registry.address}/acme/app:auth"
    assert (Path("/etc/docker/certs.d") / registry.address / "ca.crt").is_file()
    with engine_lock("build"):
        assert docker(config, "build", "-q", "-t", reference, str(context)).returncode == 0
    try:
        bad = docker(config, "login", registry.address, "-u", "octocat", "--password-stdin", stdin="ghp_nope")
        assert bad.returncode != 0 and "denied" in bad.stderr
        assert docker(config, "push", reference).returncode != 0  # anonymous
        login = ("login", registry.address, "-u", "octocat", "--password-stdin")
        assert docker(config, *login, stdin=READER).returncode == 0
        assert docker(config, "push", reference).returncode != 0
        assert registry.tags("acme/app") == []
        assert docker(config, *login, stdin=WRITER).returncode == 0
        pushed = docker(config, "push", reference)
        assert pushed.returncode == 0, pushed.stderr
        assert registry.tags("acme/app") == ["auth"]
        with engine_lock("remove"):
            assert docker(config, "rmi", reference).returncode == 0
        pulled = docker(config, "pull", reference)
        assert pulled.returncode == 0, pulled.stderr
        saved = json.loads((config / "config.json").read_text())["auths"][registry.address]["auth"]
        assert base64.b64decode(saved).decode() == f"octocat:{WRITER}"
    finally:
        with engine_lock("remove"):
            docker(config, "rmi", "-f", reference)


def test_certs_d_entry_is_removed_when_the_registry_stops(tmp_path: Path, tls: TLSFiles) -> None:
    """The Docker engine's trust entry lives exactly as long as the registry (ports are per world)."""
    registry = Registry(tmp_path / "r", tls=tls, access=access).start()
    entry = Path("/etc/docker/certs.d") / registry.address
    assert (entry / "ca.crt").read_bytes() == tls.ca_cert.read_bytes()
    registry.stop()
    assert not entry.exists()


def test_servers_name_each_port_and_the_log_shows_the_requests(registry: Registry, tls: TLSFiles) -> None:
    """A failed scenario's output lists the registry's three servers, each answering on its own port, and its log."""
    servers = registry.servers()
    assert set(servers) == {"registry", "registry token service", "registry notification listener"}
    ports = {url.split(":")[2].split("/")[0] for url in servers.values()}
    assert len(ports) == 3
    assert get(servers["registry token service"], tls, params={"scope": "repository:acme/app:pull"}).status_code == 200
    assert requests.post(servers["registry notification listener"], data=b"not json", timeout=10).status_code == 400
    assert get(f"{registry.url}/v2/", tls).status_code == 401
    assert "/v2/" in registry.log_tail()


def test_the_token_service_answers_unknown_paths_with_a_json_404(registry: Registry, tls: TLSFiles) -> None:
    """Only /token is served; anything else is distribution's JSON error shape, 404."""
    assert registry.token_service is not None
    answer = get(registry.token_service.realm.removesuffix("/token") + "/v2/", tls)
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["code"] == "NOT_FOUND"
