"""Per-job GITHUB_TOKENs in a run's clone of the workflows: which permissions each job's token gets
(job, else workflow, else repository default; called jobs capped by their caller) and where it is used."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from testbed.actions.jobtokens import JobTokenError, JobTokens, TokenPlan
from testbed.github.permissions import PERMISSIVE, RESTRICTED, Permissions

CALLER = """\
name: caller  # a comment that stays
on:
  push:
env:
  GH_TOKEN: ${{ github.token }}
permissions: read-all
jobs:
  plain:
    runs-on: ubuntu-latest
    steps:
      - uses: some/action@v1
      - uses: some/action@v1
        with:
          token: ${{ secrets.OTHER }}
      - run: echo "${{ secrets.GITHUB_TOKEN }}" "${{ secrets.GITHUB_TOKEN_X }}"
  none:
    permissions: {}
    runs-on: ubuntu-latest
    steps:
      - run: echo hi
  first:
    permissions:
      contents: write
      issues: write
    uses: ./.github/workflows/called.yml
  second:
    permissions: write-all
    uses: ./.github/workflows/called.yml
    secrets: inherit
"""
CALLED = """\
name: called
on:
  workflow_call:
jobs:
  write:
    permissions:
      contents: write
      pull-requests: write
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.token }}"
  default:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.token }}"
"""


def rewrite(tmp_path: Path, files: dict[str, str], default: Permissions = RESTRICTED) -> TokenPlan:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    minted = iter(range(1000))
    inputs = {"some/action@v1": {"token": "${{ github.token }}", "other": "x"}}
    return JobTokens(tmp_path, default=default, mint=lambda permissions: f"ghs_{next(minted)}_{permissions}",
                     action_inputs=lambda uses: inputs.get(uses, {})).rewrite("caller.yml")


def test_each_job_gets_its_permissions_and_called_jobs_are_capped(tmp_path: Path) -> None:
    """job > workflow (read-all) > default; a called job gets at most its caller's, a copy per caller."""
    plan = rewrite(tmp_path, {"caller.yml": CALLER, "called.yml": CALLED})
    tokens = {token.job: token.permissions for token in plan.jobs}
    assert plan.workflow == Permissions.parse("read-all")
    assert tokens["caller.yml/plain"] == Permissions.parse("read-all")
    assert tokens["caller.yml/none"].as_dict() == {"metadata": "read"}
    assert tokens["caller.yml/first/called.yml/write"].as_dict() == {"contents": "write", "metadata": "read"}
    assert tokens["caller.yml/first/called.yml/default"] == tokens["caller.yml/first"]  # inherits the caller's
    assert tokens["caller.yml/second/called.yml/write"].as_dict() == {
        "contents": "write", "metadata": "read", "pull-requests": "write"}
    assert sorted(plan.secrets) == sorted(token.secret for token in plan.jobs)


def test_token_references_point_at_the_jobs_own_secret(tmp_path: Path) -> None:
    """github.token / secrets.GITHUB_TOKEN in a job, action inputs defaulting to the token, workflow env."""
    plan = rewrite(tmp_path, {"caller.yml": CALLER, "called.yml": CALLED})
    secret = {token.job: token.secret for token in plan.jobs}
    text = (tmp_path / "caller.yml").read_text()
    assert "# a comment that stays" in text
    caller = yaml.safe_load(text)
    plain = caller["jobs"]["plain"]
    own = f"${{{{ secrets.{secret['caller.yml/plain']} }}}}"
    assert plain["steps"][0]["with"] == {"token": own}  # the input that defaults to github.token
    assert plain["steps"][1]["with"] == {"token": "${{ secrets.OTHER }}"}  # set by the step: kept
    assert plain["steps"][2]["run"] == f'echo "{own}" "${{{{ secrets.GITHUB_TOKEN_X }}}}"'
    assert plain["env"] == {"GH_TOKEN": own}
    first = caller["jobs"]["first"]
    assert first["uses"] == "./.github/workflows/called.yml"
    assert first["secrets"]["GITHUB_TOKEN"] == f"${{{{ secrets.{secret['caller.yml/first']} }}}}"
    passed = {name for name in first["secrets"] if name != "GITHUB_TOKEN"}
    assert passed >= {secret["caller.yml/first/called.yml/write"], secret["caller.yml/first/called.yml/default"]}
    second = caller["jobs"]["second"]
    assert second["uses"] == "./.github/workflows/called--2.yml" and second["secrets"] == "inherit"
    copy = yaml.safe_load((tmp_path / "called--2.yml").read_text())
    assert copy["jobs"]["write"]["steps"][0]["run"] == (
        f'echo "${{{{ secrets.{secret["caller.yml/second/called.yml/write"]} }}}}"')


def test_without_permissions_anywhere_jobs_get_the_repository_default(tmp_path: Path) -> None:
    """A workflow that declares nothing: restricted (contents and packages read) or permissive, per setting."""
    text = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n"
    assert rewrite(tmp_path, {"caller.yml": text}).jobs[0].permissions == RESTRICTED
    assert rewrite(tmp_path, {"caller.yml": text}, default=PERMISSIVE).jobs[0].permissions == PERMISSIVE


def test_a_permission_github_rejects_fails_the_run(tmp_path: Path) -> None:
    """An unknown scope is named in the error, as is a file that is not YAML."""
    text = ("on: push\npermissions:\n  content: write\n"
            "jobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n")
    with pytest.raises(JobTokenError, match="content"):
        rewrite(tmp_path, {"caller.yml": text})
    with pytest.raises(JobTokenError, match=r"caller\.yml is not valid YAML"):
        rewrite(tmp_path, {"caller.yml": "on: push\non: pull_request\n"})


FLOW_CALLER = """\
name: caller
on: push
jobs:
  call: {uses: ./.github/workflows/called.yml, permissions: {contents: write}}
"""


def test_a_caller_job_written_as_a_flow_mapping_passes_its_token(tmp_path: Path) -> None:
    """`call: {uses: ..., permissions: ...}` on one line still passes the called jobs their own tokens."""
    plan = rewrite(tmp_path, {"caller.yml": FLOW_CALLER, "called.yml": CALLED})
    secret = {token.job: token.secret for token in plan.jobs}
    call = yaml.safe_load((tmp_path / "caller.yml").read_text())["jobs"]["call"]
    assert call["secrets"]["GITHUB_TOKEN"] == f"${{{{ secrets.{secret['caller.yml/call']} }}}}"
    called = yaml.safe_load((tmp_path / "called.yml").read_text())
    written = called["jobs"]["write"]["steps"][0]["run"]
    assert written == f'echo "${{{{ secrets.{secret["caller.yml/call/called.yml/write"]} }}}}"'
    assert secret["caller.yml/call/called.yml/write"] in call["secrets"]
