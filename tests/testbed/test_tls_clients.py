"""The local GitHub over https: real clients (PyGithub, git, curl) trust it through the machine's CA,
and refuse it without."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import github
import pytest
import requests

from testbed import gitrepo
from testbed.github import LocalGitHub
from testbed.tls import TLSFiles, machine_tls


@pytest.fixture
def tls() -> TLSFiles:
    return machine_tls()


@pytest.fixture
def gh(tmp_path: Path, tls: TLSFiles) -> Iterator[LocalGitHub]:
    with LocalGitHub(tmp_path / "github", tls=tls) as server:
        bare = server.create_repo("acme/app")
        gitrepo.commit_files(bare, "main", {"README.md": "hello\n"}, "Initial commit", root=tmp_path)
        yield server


def run(*args: str, env: dict[str, str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), env={**os.environ, "GIT_TERMINAL_PROMPT": "0", **env}, cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_pygithub_reads_and_writes_over_https(gh: LocalGitHub, tls: TLSFiles) -> None:
    """PyGithub with the CA bundle reads the repository and creates a release over https."""
    assert gh.api_url.startswith("https://127.0.0.1:")
    client = github.Github(base_url=gh.api_url, auth=github.Auth.Token(gh.admin_token), retry=None,
                           verify=str(tls.bundle))
    repo = client.get_repo("acme/app")
    assert repo.default_branch == "main"
    assert repo.create_git_release("v1.0.0", "v1.0.0", "first").tag_name == "v1.0.0"


def test_clients_without_the_ca_refuse_the_certificate(gh: LocalGitHub, tmp_path: Path) -> None:
    """Without the CA, requests, curl and git fail certificate verification: TLS is really on."""
    system = "/etc/ssl/certs/ca-certificates.crt"
    with pytest.raises(requests.exceptions.SSLError):
        requests.get(f"{gh.api_url}/repos/acme/app", verify=system, timeout=10)
    curl = run("curl", "-sS", f"{gh.api_url}/repos/acme/app", env={"CURL_CA_BUNDLE": system, "SSL_CERT_FILE": system})
    assert curl.returncode == 60, curl.stderr  # peer certificate cannot be authenticated
    clone = run("git", "clone", f"{gh.url}/acme/app.git", str(tmp_path / "c"), env={"GIT_SSL_CAINFO": system})
    assert clone.returncode != 0 and "certificate" in clone.stderr.lower()


def test_curl_with_the_ca_gets_the_api_over_https(gh: LocalGitHub, tls: TLSFiles) -> None:
    """curl trusting the CA bundle reads the API (the environment the jobs get)."""
    curl = run("curl", "-sS", "--fail", "-H", f"Authorization: token {gh.admin_token}", f"{gh.api_url}/repos/acme/app",
               env=tls.client_env())
    assert curl.returncode == 0, curl.stderr
    assert '"full_name": "acme/app"' in curl.stdout


def test_git_clones_and_pushes_over_https(gh: LocalGitHub, tls: TLSFiles, tmp_path: Path) -> None:
    """git with GIT_SSL_CAINFO clones and pushes over https; the push fires GitHub's push event."""
    sha = gitrepo.push_branch(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=tmp_path / "w",
                              base="main", branch="feat/tls", files={"f.txt": "x\n"}, message="Add f",
                              ca_bundle=tls.bundle)
    pushes = [event for event in gh.events if event.name == "push"]
    assert [(event.ref, event.sha) for event in pushes] == [("refs/heads/feat/tls", sha)]
