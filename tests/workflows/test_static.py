"""Static gates on the workflows this repository ships (the reference in workflows/ and the
second implementation in examples/marketplace/): zizmor finds nothing, every job declares its
permissions, untrusted values never sit inside `run:` or a github-script `script:`, every action is
pinned to a commit SHA with its version in a comment, multi-line scripts pass shellcheck."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from testbed.actions.triggers import parse_workflow

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / "workflows").glob("*.yml"))
MARKETPLACE = sorted((ROOT / "examples" / "marketplace").glob("*.yml"))
ALL_WORKFLOWS = WORKFLOWS + MARKETPLACE
SEED_FILES = {
    "build-image.yml", "build-stg-image.yml", "build-prod-image.yml", "trigger-helm-release.yml", "create-release.yml"
}
ACTION = ROOT / "reference" / "action.yml"
PINNED = re.compile(r"^\s*(?:-\s*)?uses:\s*[^\s@]+@[0-9a-f]{40}\s+#\s*v\d+\.\d+\.\d+\s*$")
UNTRUSTED = re.compile(
    r"\$\{\{[^}]*(github\.event\.|github\.head_ref|inputs\.|needs\.[^}]*outputs|steps\.[^}]*outputs)[^}]*\}\}"
)


def _jobs(path: Path) -> dict[str, Any]:
    return dict(parse_workflow(path.read_text()).get("jobs") or {})


def _where(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _run_scripts() -> list[tuple[str, str]]:
    scripts = []
    for path in ALL_WORKFLOWS:
        for job_id, job in _jobs(path).items():
            for index, step in enumerate(job.get("steps") or []):
                if "run" in step:
                    scripts.append((f"{_where(path)}:{job_id}:step{index + 1}", str(step["run"])))
    return scripts


def _github_scripts() -> list[tuple[str, str]]:
    scripts = []
    for path in ALL_WORKFLOWS:
        for job_id, job in _jobs(path).items():
            for index, step in enumerate(job.get("steps") or []):
                if str(step.get("uses", "")).startswith("actions/github-script@"):
                    where = f"{_where(path)}:{job_id}:step{index + 1}"
                    scripts.append((where, str((step.get("with") or {})["script"])))
    return scripts


@pytest.mark.parametrize("files", [WORKFLOWS, MARKETPLACE], ids=["workflows", "examples-marketplace"])
def test_there_are_workflows(files: list[Path]) -> None:
    """Both implementations hold the five workflow files the seed names."""
    assert {path.name for path in files} >= SEED_FILES


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=_where)
def test_every_job_declares_permissions(path: Path) -> None:
    """Each job that runs steps declares `permissions:`, and the workflow starts from none."""
    workflow = parse_workflow(path.read_text())
    assert workflow.get("permissions") == {}, f"{path.name}: top-level `permissions: {{}}` missing"
    missing = [job_id for job_id, job in _jobs(path).items() if "steps" in job and "permissions" not in job]
    assert missing == [], f"{path.name}: jobs without permissions: {missing}"


def test_no_untrusted_expression_inside_run() -> None:
    """Event data, inputs and outputs reach scripts through `env:`, never spliced into `run:`."""
    offenders = [where for where, script in _run_scripts() if UNTRUSTED.search(script)]
    assert offenders == []


def test_no_expression_inside_github_script() -> None:
    """github-script code reads its values from `process.env`; no `${{ }}` is spliced into the JavaScript."""
    offenders = [where for where, script in _github_scripts() if "${{" in script]
    assert offenders == []


@pytest.mark.parametrize("path", ALL_WORKFLOWS, ids=_where)
def test_remote_actions_pinned_with_version_comment(path: Path) -> None:
    """Every action from another repository is pinned to a full commit SHA with its `# vX.Y.Z` beside it."""
    loose = [
        f"{_where(path)}:{number}: {line.strip()}"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.match(r"^\s*(?:-\s*)?uses:", line)
        and not re.search(r"uses:\s*(\./|release-suite/)", line)
        and not PINNED.match(line)
    ]
    assert loose == []


def test_zizmor_finds_nothing() -> None:
    """zizmor (offline) reports no finding on the workflows and the composite action."""
    zizmor = shutil.which("zizmor")
    assert zizmor, "zizmor is not installed (pip install zizmor)"
    inputs = [str(path) for path in ALL_WORKFLOWS] + ([str(ACTION)] if ACTION.exists() else [])
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--format", "plain", "--config", str(ROOT / "zizmor.yml"), *inputs],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_multi_line_scripts_pass_shellcheck(tmp_path: Path) -> None:
    """Every `run:` script of more than one line is clean under shellcheck."""
    shellcheck = shutil.which("shellcheck")
    assert shellcheck, "shellcheck is not installed (apt-get install shellcheck)"
    failures = []
    for where, script in _run_scripts():
        if len(script.strip().splitlines()) < 2:
            continue
        # Expressions are replaced by a placeholder, as the runner substitutes them before bash runs.
        body = re.sub(r"\$\{\{[^}]*\}\}", "placeholder", script)
        file = tmp_path / "script.sh"
        file.write_text("#!/usr/bin/env bash\nset -e\n" + body)
        result = subprocess.run([shellcheck, "-S", "style", str(file)], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            failures.append(f"{where}:\n{result.stdout}")
    assert failures == [], "\n".join(failures)


def test_zizmor_finds_nothing_in_the_suites_own_workflows() -> None:
    """The suite's own CI (.github/workflows: sharded spec, merged report) is zizmor-clean too."""
    zizmor = shutil.which("zizmor")
    assert zizmor, "zizmor is not installed (pip install zizmor)"
    own = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
    assert own, "no workflow in .github/workflows"
    result = subprocess.run(
        [zizmor, "--offline", "--no-progress", "--format", "plain", "--config", str(ROOT / "zizmor.yml"),
         *map(str, own)],
        capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for path in own:
        workflow = parse_workflow(path.read_text())
        assert workflow.get("permissions") == {}, f"{path.name}: top-level `permissions: {{}}` missing"
        for job_id, job in (workflow.get("jobs") or {}).items():
            for step in job.get("steps") or []:
                uses = str(step.get("uses", ""))
                if uses:
                    assert re.search(r"@[0-9a-f]{40}$", uses), f"{path.name}:{job_id}: {uses} is not pinned to a commit"
                if uses.startswith("actions/checkout@"):
                    assert step.get("with", {}).get("persist-credentials") is False, f"{path.name}:{job_id}"
