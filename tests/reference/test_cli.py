"""release-cli as a job calls it: --help for every command, one-line errors, outputs in $GITHUB_OUTPUT."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = ["bump", "build", "comment", "release", "dispatch", "pr", "promote", "sync"]


def cli(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {key: value for key, value in os.environ.items() if not key.startswith(("GITHUB_", "IMAGE", "HELM_"))}
    return subprocess.run([sys.executable, "-m", "reference", *args], cwd=cwd, capture_output=True, text=True,
                          env={**base, "PYTHONPATH": str(ROOT), **(env or {})}, check=False)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    """Each release-cli command answers --help with exit 0 and a usage line naming `release-cli <command>`."""
    result = cli(command, "--help")
    assert result.returncode == 0 and f"release-cli {command}" in result.stdout


@pytest.mark.parametrize(("args", "env", "reason"), [
    (["bump", "--branch", "feat/x", "--target-branch", "stg", "--merge-sha", "0" * 40], {}, "GITHUB_REPOSITORY"),
    (["bump", "--branch", "feat/x", "--target-branch", "stg", "--merge-sha", "0" * 40],
     {"GITHUB_REPOSITORY": "acme/app"}, "GITHUB_TOKEN"),
    (["release", "--version", "1.2", "--target", "x", "--images", "{}"],
     {"GITHUB_REPOSITORY": "acme/app", "GITHUB_TOKEN": "t"}, "not a SemVer"),
    (["comment", "--sha", "a" * 40, "--version", "1.0.0", "--images", "[1]"],
     {"GITHUB_REPOSITORY": "acme/app", "GITHUB_TOKEN": "t"}, "--images must be"),
    (["dispatch", "--repository", "acme/helm-charts", "--environment", "stg", "--version", "1.0.0", "--sha", "a" * 40,
      "--ref", "refs/heads/stg", "--images", '{"app": {"reference": "x"}}'],
     {"GITHUB_REPOSITORY": "acme/app", "GITHUB_TOKEN": "t"}, "HELM_RELEASE_TOKEN is not set"),
    (["promote", "--stg-sha", "a" * 40, "--images-spec", "App=../Dockerfile"],
     {"GITHUB_REPOSITORY": "acme/app", "GITHUB_TOKEN": "t"}, "bad image spec"),
])
def test_failures_exit_1_with_one_line_naming_the_problem(args: list[str], env: dict[str, str], reason: str) -> None:
    """A missing setting or bad argument exits 1 with exactly one stderr line naming the problem."""
    result = cli(*args, env=env)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and reason in lines[0], result.stderr


def test_a_branch_that_asks_for_no_release_writes_empty_outputs(tmp_path: Path) -> None:
    """A merge from neither feat/* nor fix/* succeeds, writes kind=none and an empty version, and says why."""
    output = tmp_path / "output"
    result = cli("bump", "--branch", "docs/readme", "--target-branch", "stg", "--merge-sha", "0" * 40,
                 env={"GITHUB_REPOSITORY": "acme/app", "GITHUB_TOKEN": "t", "GITHUB_OUTPUT": str(output)})
    assert result.returncode == 0, result.stderr
    assert "kind=none\n" in output.read_text() and "version=\n" in output.read_text()
    assert "neither feat/* nor fix/*" in result.stderr
