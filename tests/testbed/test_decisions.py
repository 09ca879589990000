"""Every workflow file is judged for every event and the verdict recorded and logged: started, not
triggered (with the filter that said no) or invalid (with the parser's message), never silence."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from testbed import gitrepo
from testbed.decisions import DecisionLog, TriggerDecision
from testbed.events import run_requests
from testbed.github import Event

WORKFLOWS = {
    ".github/workflows/on-push.yml": "on:\n  push:\n    branches: [stg]\njobs:\n  a:\n    runs-on: ubuntu-latest\n",
    ".github/workflows/on-main.yml": "on:\n  push:\n    branches: [main]\njobs:\n  a:\n    runs-on: ubuntu-latest\n",
    ".github/workflows/broken.yml": "on: [push\njobs: {}\n",
}


def test_each_workflow_file_gets_a_recorded_and_logged_decision(tmp_path: Path,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    """A push to stg: one file starts, one is filtered out by branch, the invalid one is named as such."""
    bare = tmp_path / "app.git"
    gitrepo.git("init", "--bare", "-q", str(bare))
    sha = gitrepo.commit_files(bare, "stg", WORKFLOWS, "workflows", root=tmp_path)
    event = Event(name="push", repo="acme/app", payload={"ref": "refs/heads/stg", "before": "0" * 40, "after": sha},
                  ref="refs/heads/stg", sha=sha, actor="admin", suppressed=False, seq=1)
    log = DecisionLog()
    with caplog.at_level(logging.INFO, logger="testbed"):
        started = [r.workflow for r in run_requests(event, bare=bare, secrets=lambda: {"GITHUB_TOKEN": "t"},
                                                    variables={}, env={}, on_decision=log.record)]
    assert started == ["on-push.yml"]
    verdicts = {d.workflow: (d.verdict, d.reason) for d in log.items if isinstance(d, TriggerDecision)}
    assert verdicts["on-push.yml"][0] == "started"
    assert verdicts["on-main.yml"] == ("not triggered",
                                       "branch 'stg' does not pass the `branches`/`branches-ignore` filters")
    assert verdicts["broken.yml"][0] == "invalid" and "while parsing a flow sequence" in verdicts["broken.yml"][1]
    warnings = [r for r in caplog.records if r.name == "testbed.triggers" and r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "broken.yml" in warnings[0].getMessage()
    assert sum(r.name == "testbed.triggers" for r in caplog.records) == 3
