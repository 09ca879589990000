"""What TLS and registry token auth cost per operation: the same client calls against the local
GitHub and the registry served plain (http, no auth) and as github.com/GHCR are (https, tokens).

Each figure is the median of `repeat` samples; a sample of API calls is the mean of 20 calls on one
client (keep-alive, as PyGithub works), a git sample is a whole clone-commit-push, a registry sample
a fresh client's first manifest read (challenge and token included) and a docker login + push.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from unittest import mock

import github

from benchmarks.figure import Figure
from reference.registry import RegistryClient
from testbed import gitrepo
from testbed.enginelock import engine_lock
from testbed.github import LocalGitHub
from testbed.registry import Registry
from testbed.registry_auth import RegistryAccess
from testbed.tls import TLSFiles, machine_tls

CALLS = 20


def _api(gh: LocalGitHub, tls: TLSFiles | None) -> float:
    client = github.Github(base_url=gh.api_url, auth=github.Auth.Token(gh.admin_token), retry=None,
                           verify=str(tls.ca_cert) if tls else True)
    start = time.perf_counter()
    for _ in range(CALLS):
        client.get_repo("acme/app", lazy=False)
    return (time.perf_counter() - start) / CALLS * 1000


def _git(gh: LocalGitHub, tls: TLSFiles | None, work: Path) -> float:
    start = time.perf_counter()
    gitrepo.push_branch(url=f"{gh.url}/acme/app.git", token=gh.admin_token, workdir=work / uuid.uuid4().hex,
                        base="main", branch=f"b-{uuid.uuid4().hex[:8]}", files={"f": "x"}, message="m",
                        ca_bundle=tls.ca_cert if tls else None)
    return (time.perf_counter() - start) * 1000


def _registry_read(registry: Registry, token: str, tls: TLSFiles | None) -> float:
    trust = {"REQUESTS_CA_BUNDLE": str(tls.bundle)} if tls else {}  # what a job's environment holds
    with mock.patch.dict(os.environ, trust):
        start = time.perf_counter()
        RegistryClient(registry.address, username="bench", password=token).digest("relsuite/sentinel", "latest")
        return (time.perf_counter() - start) * 1000


def _docker_login_push(registry: Registry, token: str, work: Path) -> float:
    config = work / uuid.uuid4().hex
    config.mkdir()
    reference = f"{registry.address}/acme/bench:{uuid.uuid4().hex[:8]}"
    (work / "ctx").mkdir(exist_ok=True)
    (work / "ctx" / "Dockerfile").write_text("FROM scratch\nCOPY f /f\n")
    (work / "ctx" / "f").write_text(reference)
    with engine_lock("build"):
        subprocess.run(["docker", "build", "-q", "-t", reference, str(work / "ctx")], check=True, capture_output=True)
    start = time.perf_counter()
    if registry.token_service is not None:
        subprocess.run(["docker", "--config", str(config), "login", registry.address, "-u", "bench",
                        "--password-stdin"], input=token.encode(), check=True, capture_output=True)
    subprocess.run(["docker", "--config", str(config), "push", "-q", reference], check=True, capture_output=True)
    elapsed = (time.perf_counter() - start) * 1000
    with engine_lock("remove"):
        subprocess.run(["docker", "rmi", reference], check=True, capture_output=True)
    return elapsed


def figures(repeat: int) -> list[Figure]:

    out: list[Figure] = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        samples: dict[str, dict[str, list[float]]] = {}
        for label, tls in (("http", None), ("https", machine_tls())):
            with LocalGitHub(root / f"gh-{label}", tls=tls) as gh:
                bare = gh.create_repo("acme/app")
                gitrepo.commit_files(bare, "main", {"README.md": "x\n"}, "init", root=root)
                samples.setdefault("api", {})[label] = [_api(gh, tls) for _ in range(repeat)]
                samples.setdefault("git", {})[label] = [_git(gh, tls, root) for _ in range(repeat)]
        token = "ghp_bench"
        files = machine_tls()
        plain = Registry(root / "reg-plain")
        secured = Registry(root / "reg-tls", tls=files,
                           access=lambda value, owner: RegistryAccess(True, True) if value == token else None)
        for label, registry, trust in (("http", plain, None), ("https", secured, files)):
            with registry:
                registry.sync()  # writes relsuite/sentinel:latest
                samples.setdefault("registry", {})[label] = [_registry_read(registry, token, trust)
                                                             for _ in range(repeat)]
                samples.setdefault("docker", {})[label] = [_docker_login_push(registry, token, root)
                                                           for _ in range(repeat)]
    names = {
        "api": ("PyGithub API call", "github.Github(...).get_repo, keep-alive, mean of 20"),
        "git": ("git clone + commit + push", "testbed.gitrepo.push_branch"),
        "registry": ("registry client, first manifest read", "reference RegistryClient.digest (challenge + token)"),
        "docker": ("docker login + push of a tiny image", "docker login (auth only) + docker push"),
    }
    for key, (name, command) in names.items():
        out.append(Figure(f"{name}, plain http", samples[key]["http"], "ms", "(comparison)", command))
        out.append(Figure(f"{name}, https{' + token auth' if key in ('registry', 'docker') else ''}",
                          samples[key]["https"], "ms", "-", command))
    return out
