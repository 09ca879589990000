"""Marketplace actions served from the action store, missing ones refused before act starts, and
the token GitHub gives every called workflow."""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from testbed.actions.calltoken import with_token
from testbed.actions.invocation import RunnerConfig
from testbed.actions.record import Run, RunRequest
from testbed.actions.runner import ActRunner
from testbed.actions.store import ActionStore, project_store
from testbed.actions.uses import MissingActionError, resolve
from testbed.dockerwatch import DockerWatch
from testbed.jobimage import ensure_job_image
from testbed.world import SUITE_ROOT, World, WorldConfig

STORE = project_store(SUITE_ROOT) or SUITE_ROOT.parent / "shared" / "actions"  # CI keeps shared/ beside the clone
GITHUB_SCRIPT_SHA = "ed597411d8f924073f98dfc5c65a23a2325f34cd"  # v8.0.0

SCRIPTED = f"""\
name: scripted
on: push
permissions: {{}}
jobs:
  script:
    runs-on: ubuntu-24.04
    steps:
      - id: sha
        uses: actions/github-script@{GITHUB_SCRIPT_SHA} # v8.0.0
        with:
          script: core.setOutput('repo', `${{context.repo.owner}}/${{context.repo.repo}}`)
      - id: tag
        uses: actions/github-script@v8
        with:
          result-encoding: string
          script: return `node ${{process.versions.node.split('.')[0]}}`
"""

MISSING = """\
name: missing
on: push
permissions: {}
jobs:
  script:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/github-script@v7
        with:
          script: core.setOutput('x', 'y')
"""


@pytest.fixture(scope="module")
def store() -> ActionStore:
    if not (STORE / "MANIFEST.json").is_file():
        pytest.fail(f"the project's action store is missing: expected {STORE}"
                    " (a copy of shared/actions beside the repo)")
    return ActionStore.load(STORE)


def _repo(path: Path, workflows: dict[str, str]) -> Path:
    (path / ".github/workflows").mkdir(parents=True)
    for name, text in workflows.items():
        (path / ".github/workflows" / name).write_text(text)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "one"]):
        subprocess.run(["git", *command], cwd=path, check=True, env={**env, "PATH": "/usr/bin:/bin"})
    return path


def _request(workflow: str) -> RunRequest:
    return RunRequest(
        repo="acme/app", workflow=workflow, event_name="push",
        payload={"ref": "refs/heads/main",
                 "repository": {"full_name": "acme/app", "name": "app", "owner": {"login": "acme"}}},
        sha="HEAD", secrets={"GITHUB_TOKEN": "not-used-by-these-scripts"}, variables={},
        env={"GITHUB_REPOSITORY": "acme/app", "GITHUB_API_URL": "http://127.0.0.1:9/api/v3"},
    )


@pytest.mark.parametrize("mode", ["container", "host"])
def test_github_script_by_sha_and_by_tag(tmp_path: Path, store: ActionStore, mode: str) -> None:
    """actions/github-script, pinned by commit SHA and by `@v8`, runs from the store on node 24."""
    runner = ActRunner(RunnerConfig(image=ensure_job_image(), mode=mode, action_store=store, action_downloads=False),
                       tmp_path / "act")
    run = runner.run(Run(id=1, request=_request("scripted.yml")), _repo(tmp_path / "repo", {"scripted.yml": SCRIPTED}))
    assert run.conclusion == "success", run.log
    # `repo` set by the step pinned by SHA, `result` returned by the one pinned by tag
    steps = run.jobs["script"].steps
    assert {name: value for step in steps.values() for name, value in step.items()} == {
        "repo": "acme/app", "result": "node 24"}


def test_action_missing_from_the_store_fails_at_once(tmp_path: Path, store: ActionStore) -> None:
    """A run using an action the store lacks fails before act starts, naming the action, ref and remedy."""
    act = tmp_path / "act-that-records"  # stands in for act: had the run started it, the file would exist
    act.write_text(f"#!/bin/sh\ntouch {tmp_path}/act-started\nexit 1\n")
    act.chmod(0o755)
    config = RunnerConfig(image=ensure_job_image(), action_store=store, action_downloads=False, act=str(act))
    run = ActRunner(config, tmp_path / "act").run(Run(id=1, request=_request("missing.yml")),
                                                  _repo(tmp_path / "repo", {"missing.yml": MISSING}))
    assert run.conclusion == "failure"
    assert not (tmp_path / "act-started").exists(), "refused before act starts, so no network wait is possible"
    assert "actions/github-script at ref v7" in run.log, run.log
    assert f"{STORE.resolve()}/MANIFEST.json" in run.log and '"refs": ["v7"]' in run.log, run.log
    assert run.jobs == {}


def test_composite_actions_are_followed(tmp_path: Path) -> None:
    """An action used inside a stored composite action is resolved too; missing, it is named."""
    action = tmp_path / "store/acme/composite/v1"
    action.mkdir(parents=True)
    (action / "action.yml").write_text(
        "runs:\n  using: composite\n  steps:\n    - uses: actions/github-script@v8\n      with: {script: ''}\n"
        "    - uses: acme/inner/sub@v2\n"
    )
    entries = [{"action": "acme/composite", "refs": ["v1", "a" * 40], "path": "acme/composite/v1"}]
    (tmp_path / "store/MANIFEST.json").write_text(json.dumps(entries))
    store = ActionStore.load(tmp_path / "store")
    workflow = "on: push\njobs:\n  j:\n    runs-on: x\n    steps:\n      - uses: acme/composite@v1\n"
    repo = _repo(tmp_path / "repo", {"w.yml": workflow})
    with pytest.raises(MissingActionError) as error:
        resolve(repo, "w.yml", store=store, mapped={}, downloads=False, repository="acme/app")
    assert "actions/github-script at ref v8" in str(error.value) and "acme/inner at ref v2" in str(error.value)
    sources = resolve(repo, "w.yml", store=store, mapped={}, downloads=True, repository="acme/app")
    assert dict(sources.local_repositories) == {"acme/composite@v1": action.resolve()}
    assert sources.downloads == ("actions/github-script", "acme/inner")


CALLER = """\
name: caller
on: push
permissions: {}
jobs:
  explicit:
    uses: ./.github/workflows/called.yml
    with: {case: explicit}
    secrets:
      OTHER: ${{ secrets.HELM_RELEASE_TOKEN }}
  none:
    uses: ./.github/workflows/called.yml
    with: {case: none}
  inherit:
    uses: ./.github/workflows/called.yml
    with: {case: inherit}
    secrets: inherit
"""

CALLED = """\
name: called
on:
  workflow_call:
    inputs:
      case: {type: string, required: true}
    secrets:
      OTHER: {required: false}
permissions: {}
jobs:
  api:
    runs-on: ubuntu-latest
    permissions:
      contents: read
    steps:
      - id: call
        env:
          TOKEN: ${{ secrets.GITHUB_TOKEN }}
          GITHUB_DOT_TOKEN: ${{ github.token }}
          CASE: ${{ inputs.case }}
        run: |
          test -n "$TOKEN" && test -n "$GITHUB_DOT_TOKEN"
          name="$(curl -fsS -H "Authorization: Bearer $TOKEN" "$GITHUB_API_URL/repos/acme/app" | jq -r .full_name)"
          echo "repo-$CASE=$name" >> "$GITHUB_OUTPUT"
"""


@pytest.fixture
def token_world(tmp_path: Path, docker_watch: DockerWatch) -> Iterator[World]:
    workflows = tmp_path / "workflows"
    workflows.mkdir()
    (workflows / "caller.yml").write_text(CALLER)
    (workflows / "called.yml").write_text(CALLED)
    with World.started(tmp_path / "world", WorldConfig(workflows=workflows), docker_watch) as world:
        yield world


def test_called_workflow_has_the_token(token_world: World) -> None:
    """A called workflow sees `secrets.GITHUB_TOKEN` whatever secrets its caller passes, and the API takes it."""
    world = token_world
    mark = world.mark()
    world.push_branch("feat/token", files={"t.txt": "t\n"}, message="Token")
    (run,) = [run for run in world.wait_idle()[mark.runs :] if run.workflow == "caller.yml"]
    assert run.conclusion == "success", run.log
    outputs = {name: value for job in run.jobs.values() for step in job.steps.values() for name, value in step.items()}
    assert outputs == {"repo-explicit": "acme/app", "repo-none": "acme/app", "repo-inherit": "acme/app"}, run.log


def test_token_added_to_every_form_of_caller_secrets() -> None:
    """Caller jobs without secrets, with a block or flow mapping get the token; `inherit` is left alone."""
    text = textwrap.dedent(
        """\
        on: push  # the key YAML 1.1 reads as true stays as written
        jobs:
          none:
            uses: ./.github/workflows/c.yml
          block:
            uses: ./.github/workflows/c.yml
            secrets:
              A: ${{ secrets.A }}
          flow:
            uses: ./.github/workflows/c.yml
            secrets: {}
          inherit:
            uses: ./.github/workflows/c.yml
            secrets: inherit
          steps:
            runs-on: ubuntu-latest
            steps: [{run: 'true'}]
        """
    )
    changed = with_token(text)
    token = "${{ secrets.GITHUB_TOKEN }}"
    jobs = yaml.safe_load(changed)["jobs"]
    assert jobs["none"]["secrets"] == {"GITHUB_TOKEN": token}
    assert jobs["block"]["secrets"] == {"GITHUB_TOKEN": token, "A": "${{ secrets.A }}"}
    assert jobs["flow"]["secrets"] == {"GITHUB_TOKEN": token}
    assert jobs["inherit"]["secrets"] == "inherit" and "secrets" not in jobs["steps"]
    assert changed.startswith("on: push  # the key")
