"""Failed or error: whether a scenario shows the implementation does not conform, or the testbed
or the machine broke under it.

The rule: a scenario whose fixtures could not be set up (the world did not start: registry, local
GitHub, Docker, act, job image) is an *error*; so is any step that raised one of the testbed's
own exceptions (`TestbedError`), a Docker engine error, a lost connection to a testbed server, a
missing tool, or a workflow run the testbed could not drive (run conclusion `error`). Everything
else a step raises (an assertion in a Then, a 4xx from the local GitHub because something the
implementation should have made is missing) is a *failure*: the implementation does not conform.
A `pytest.fail` in teardown (secret values in the logs) is a failure; any other teardown
exception is an error.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass

import pytest

from testbed.errors import TestbedError
from testbed.report.model import Verdict

FIX_HINTS: tuple[tuple[str, str], ...] = (
    ("docker.errors", "the Docker engine did not answer:"
                      " start it (bash scripts/setup.sh starts dockerd) and check `docker info`"),
    ("requests.exceptions", "a testbed server (local GitHub or registry) stopped answering: see the log above"),
    ("urllib3.exceptions", "a testbed server (local GitHub or registry) stopped answering: see the log above"),
    ("FileNotFoundError", "a tool the testbed needs is missing: run bash scripts/setup.sh"),
)


@dataclass(frozen=True)
class Classified:
    verdict: Verdict
    reason: str


def _qualified(error: BaseException) -> str:
    kind = type(error)
    return f"{kind.__module__}.{kind.__qualname__}"


def is_testbed_fault(error: BaseException) -> bool:
    """True when the exception says the testbed or the machine broke, not the implementation."""
    if isinstance(error, (TestbedError, subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError)):
        return True
    name = _qualified(error)
    if name.startswith(("docker.errors.", "requests.exceptions.ConnectionError", "urllib3.exceptions.")):
        return True
    status = getattr(error, "status", None)  # PyGithub's GithubException: a 5xx is the local GitHub's bug
    return name.startswith("github.") and isinstance(status, int) and status >= 500


def fix_hint(error: BaseException) -> str:
    """How to fix a testbed fault, when the exception's own message may not say it."""
    name = _qualified(error)
    for prefix, hint in FIX_HINTS:
        if name.startswith(prefix) or type(error).__name__ == prefix:
            return hint
    if isinstance(error, TestbedError):
        return ""  # its message names the thing and the fix
    return "the testbed broke; the message above names what"


ENGINE_RACE = 'unable to find image "sha256:'


def engine_races(logs: list[str]) -> list[str]:
    """The shared Docker engine losing an image under a classic build (another user of the engine removed
    an image while the builder read its cache): the machine's fault, never the workflow's. The testbed's
    own builds and removals take turns (testbed.enginelock), so the remover was outside it."""
    return [f"the Docker engine lost an image during a build ({line.strip()[-90:]}): something outside the "
            "testbed removed an image from the shared engine meanwhile (the testbed's own builds and removals "
            "take turns); re-run when nothing else removes images"
            for log in logs for line in log.splitlines() if ENGINE_RACE in line][:1]


def describe(error: BaseException) -> str:
    text = " ".join(str(error).split())[:600]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def classify(when: str, outcome: str, error: BaseException | None, broken_runs: list[str]) -> Classified:
    """The verdict of one phase (setup, call, teardown) of a scenario's test."""
    if outcome == "passed":
        return Classified("passed", "")
    if outcome == "skipped":
        return Classified("not run", f"skipped: {describe(error)}" if error else "skipped")
    if broken_runs:
        return Classified("error", "the testbed broke under the workflows: " + "; ".join(broken_runs))
    if error is None:
        return Classified("error", f"{when} failed without an exception")
    if when == "setup" or is_testbed_fault(error):
        hint = fix_hint(error)
        where = "the world could not be set up" if when == "setup" else f"the testbed broke during {when}"
        return Classified("error", f"{where}: {describe(error)}" + (f" (fix: {hint})" if hint else ""))
    if when == "teardown" and not isinstance(error, pytest.fail.Exception):
        return Classified("error", f"the testbed broke during teardown: {describe(error)}")
    return Classified("failed", describe(error))


def combine(phases: list[Classified]) -> Classified:
    """The scenario's verdict: the first phase that did not pass (setup, call, teardown) decides."""
    for phase in phases:
        if phase.verdict != "passed":
            return phase
    return Classified("passed", "") if phases else Classified("not run", "not run")
