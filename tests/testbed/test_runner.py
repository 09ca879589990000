"""act driven through the runner: job results and outputs read back, in container and host mode."""

from __future__ import annotations

import subprocess
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import yaml

from testbed.actions.invocation import RunnerConfig
from testbed.actions.isolation import RUN_LABEL, distinct_names
from testbed.actions.record import Run, RunRequest
from testbed.actions.runner import ActRunner
from testbed.jobimage import ensure_job_image

ONE_JOB = textwrap.dedent(
    """
    name: one job
    on: push
    permissions: {}
    jobs:
      greet:
        runs-on: ubuntu-latest
        outputs:
          word: ${{ steps.say.outputs.word }}
        steps:
          - id: say
            env:
              WHO: ${{ vars.WHO }}
              SECRET: ${{ secrets.SECRET }}
            run: |
              test "$SECRET" = s3cret-value
              echo "word=hello-$WHO" >> "$GITHUB_OUTPUT"
      fail:
        runs-on: ubuntu-latest
        if: ${{ vars.FAIL == 'yes' }}
        steps:
          - run: exit 3
    """
)


def _repo(path: Path) -> Path:
    (path / ".github/workflows").mkdir(parents=True)
    (path / ".github/workflows/one.yml").write_text(ONE_JOB)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "one"]):
        subprocess.run(["git", *command], cwd=path, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    return path


def _request(fail: bool) -> RunRequest:
    return RunRequest(
        repo="acme/app",
        workflow="one.yml",
        event_name="push",
        payload={"ref": "refs/heads/main",
                 "repository": {"full_name": "acme/app", "name": "app", "owner": {"login": "acme"}}},
        sha="HEAD",
        secrets={"SECRET": "s3cret-value"},
        variables={"WHO": "world", "FAIL": "yes" if fail else "no"},
        env={"GITHUB_REPOSITORY": "acme/app"},
    )


@pytest.mark.parametrize("mode", ["container", "host"])
def test_one_job_outputs_and_result(tmp_path: Path, mode: str) -> None:
    """A job's outputs and success come back; a skipped job reads as skipped; the secret is masked."""
    runner = ActRunner(RunnerConfig(image=ensure_job_image(), mode=mode), tmp_path / "act")
    run = runner.run(Run(id=1, request=_request(fail=False)), _repo(tmp_path / "repo"))
    assert run.conclusion == "success", run.log
    assert run.jobs["greet"].result == "success"
    assert run.jobs["greet"].outputs["word"] == "hello-world"
    assert "fail" not in run.jobs
    assert "s3cret-value" not in run.log


def test_failing_job_fails_the_run(tmp_path: Path) -> None:
    """A job that exits non-zero makes the run a failure, and says which job."""
    runner = ActRunner(RunnerConfig(image=ensure_job_image()), tmp_path / "act")
    run = runner.run(Run(id=1, request=_request(fail=True)), _repo(tmp_path / "repo"))
    assert run.conclusion == "failure"
    assert run.jobs["fail"].result == "failure"


def test_failed_run_leaves_no_container(tmp_path: Path) -> None:
    """act keeps a failed job's container; the runner removes it so a test leaves nothing behind."""
    runner = ActRunner(RunnerConfig(image=ensure_job_image()), tmp_path / "act")
    runner.run(Run(id=1, request=_request(fail=True)), _repo(tmp_path / "repo"))
    left = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label={RUN_LABEL}", "--filter", "name=act-one-job"],
        capture_output=True, text=True, check=True,
    )
    assert left.stdout.split() == []


def test_same_workflow_runs_at_once(tmp_path: Path) -> None:
    """Two act processes running the same workflow at the same time (two xdist workers) both finish."""
    runner = ActRunner(RunnerConfig(image=ensure_job_image()), tmp_path / "act")
    repos = [_repo(tmp_path / f"repo{i}") for i in range(2)]
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda i: runner.run(Run(id=i, request=_request(fail=False)), repos[i]), range(2)))
    assert [run.conclusion for run in runs] == ["success", "success"], "\n".join(run.log for run in runs)
    assert [run.jobs["greet"].outputs["word"] for run in runs] == ["hello-world"] * 2


def test_distinct_names_follow_reusable_workflows(tmp_path: Path) -> None:
    """The entry workflow and what it calls get the run's tag; a file without `name:` gets one."""
    (tmp_path / "entry.yml").write_text(
        "# comment\nname: 'Build: stg'\non: push\njobs:\n  b:\n    uses: ./.github/workflows/called.yml\n"
    )
    (tmp_path / "called.yml").write_text("on: workflow_call\njobs:\n  j:\n    runs-on: x\n    steps: [{run: 'true'}]\n")
    (tmp_path / "other.yml").write_text("name: other\non: push\n")
    assert distinct_names(tmp_path, "entry.yml", "t1") == []
    names = {path.name: yaml.safe_load(path.read_text()).get("name") for path in tmp_path.iterdir()}
    assert names == {"entry.yml": "Build: stg [t1]", "called.yml": "called.yml [t1]", "other.yml": "other"}
    assert (tmp_path / "entry.yml").read_text().startswith("# comment\n")


CALLER = """\
name: caller
on: push
permissions: {}
jobs:
  call:
    uses: ./.github/workflows/called.yml
"""

CALLED = """\
name: called
on: workflow_call
permissions: {}
jobs:
  inner:
    runs-on: ubuntu-latest
    steps:
      - run: echo "in the called workflow"
"""


def test_reusable_workflow_jobs_keep_their_written_names(tmp_path: Path) -> None:
    """A called workflow's job is keyed `<called workflow name>/<job>`, the names as written in the files."""
    repo = _repo(tmp_path / "repo")
    (repo / ".github/workflows/caller.yml").write_text(CALLER)
    (repo / ".github/workflows/called.yml").write_text(CALLED)
    runner = ActRunner(RunnerConfig(image=ensure_job_image()), tmp_path / "act")
    request = RunRequest(**{**_request(fail=False).__dict__, "workflow": "caller.yml"})
    run = runner.run(Run(id=1, request=request), repo)
    assert run.conclusion == "success", run.log
    assert list(run.jobs) == ["called/inner"]
    assert "[relsuite-" not in run.log


SLOW = """\
name: slow
on: push
permissions: {}
jobs:
  wait:
    runs-on: ubuntu-latest
    steps:
      - run: echo started && sleep 60
"""


def test_cancelled_run_stops_and_leaves_no_container(tmp_path: Path) -> None:
    """Cancelling a run in progress interrupts act: the run ends `cancelled` long before its job would."""
    repo = _repo(tmp_path / "repo")
    (repo / ".github/workflows/slow.yml").write_text(SLOW)
    runner = ActRunner(RunnerConfig(image=ensure_job_image()), tmp_path / "act")
    run = Run(id=1, request=RunRequest(**{**_request(fail=False).__dict__, "workflow": "slow.yml"}))
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(runner.run, run, repo)
        deadline = time.monotonic() + 30
        while not _containers("act-slow") and time.monotonic() < deadline:  # the job has started
            time.sleep(0.1)
        run.cancel()
        finished = future.result(timeout=30)
    assert finished.conclusion == "cancelled", finished.log
    assert finished.seconds < 30
    assert _containers("act-slow") == []


def _containers(name: str) -> list[str]:
    listed = subprocess.run(["docker", "ps", "-aq", "--filter", f"name={name}"],
                            capture_output=True, text=True, check=True)
    return listed.stdout.split()


TRUST_JOB = textwrap.dedent(
    """
    name: trust
    on: push
    permissions: {}
    jobs:
      reach:
        runs-on: ubuntu-latest
        outputs:
          docker-config: ${{ steps.tools.outputs.docker-config }}
        steps:
          - id: tools
            env:
              TOKEN: ${{ secrets.TOKEN }}
            run: |
              set -eu
              curl -sS --fail -o /dev/null -H "Authorization: token $TOKEN" "$API/repos/acme/app"
              git -c "http.extraHeader=Authorization: basic $(printf 'x:%s' "$TOKEN" | base64 -w0)" \\
                ls-remote "$SERVER/acme/app.git"
              python3 -c 'import os, requests; url = os.environ["API"] + "/repos/acme/app"
              headers = {"Authorization": "token " + os.environ["TOKEN"]}
              requests.get(url, headers=headers, timeout=10).raise_for_status()'
              echo "docker-config=${DOCKER_CONFIG:-}" >> "$GITHUB_OUTPUT"
    """
)


@pytest.mark.parametrize("mode", ["container", "host"])
def test_jobs_trust_the_testbeds_ca(tmp_path: Path, mode: str) -> None:
    """curl, git and requests in a job trust the CA; a host-mode job gets a docker config of its own."""
    from testbed.github import LocalGitHub
    from testbed.jobimage import trusting_image
    from testbed.tls import machine_tls

    tls = machine_tls()
    repo = tmp_path / "repo"
    (repo / ".github/workflows").mkdir(parents=True)
    (repo / ".github/workflows/trust.yml").write_text(TRUST_JOB)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "one"]):
        subprocess.run(["git", *command], cwd=repo, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    with LocalGitHub(tmp_path / "github", tls=tls) as gh:
        gh.create_repo("acme/app")
        image = trusting_image(ensure_job_image(), tls)
        runner = ActRunner(RunnerConfig(image=image, mode=mode, tls=tls), tmp_path / "act")
        request = RunRequest(repo="acme/app", workflow="trust.yml", event_name="push",
                             payload={"ref": "refs/heads/main"}, sha="HEAD", secrets={"TOKEN": gh.admin_token},
                             variables={}, env={"API": gh.api_url, "SERVER": gh.url})
        run = runner.run(Run(id=1, request=request), repo)
    assert run.conclusion == "success", run.log
    docker_config = run.jobs["reach"].outputs["docker-config"]
    assert (docker_config.startswith(str(tmp_path / "act")) if mode == "host" else docker_config == ""), docker_config
