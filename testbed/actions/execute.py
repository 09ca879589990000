"""One workflow run from start to end: a checkout of the event's commit, act, and afterwards every
token the run was given revoked (as GitHub expires a job's GITHUB_TOKEN) and its log kept."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

from testbed import gitrepo
from testbed.actions.record import Run
from testbed.actions.runner import ActRunner, TokenSource
from testbed.github.permissions import Permissions


def execute(run: Run, *, runner: ActRunner, bare: Path, origin: str, workdir: Path, tokens: TokenSource,
            revoke: Callable[[str], None]) -> None:
    """Run `run` with act in a fresh checkout of `bare` at the event's commit (`origin`: the git server's
    URL); `tokens` mints the per-job tokens, all of which `revoke` ends when the run is over."""
    checkout = workdir / "checkouts" / f"run-{run.id}"
    cloning = time.perf_counter()
    gitrepo.checkout(bare, run.request.sha, checkout, origin=f"{origin}/{run.request.repo}.git")
    run.checkout_seconds = time.perf_counter() - cloning
    minted: list[str] = []

    def mint(permissions: Permissions) -> str:
        minted.append(tokens.mint(permissions))
        return minted[-1]
    try:
        runner.run(run, checkout, TokenSource(tokens.default, mint))
    finally:
        for token in [run.request.secrets["GITHUB_TOKEN"], *minted]:
            revoke(token)
        shutil.rmtree(checkout, ignore_errors=True)
        logs = workdir / "logs"
        logs.mkdir(exist_ok=True)
        (logs / f"run-{run.id}-{run.workflow}.log").write_text(run.log)
