"""What a scenario remembers between its steps, and how steps look at the world.

Steps observe effects only: the hosted git repositories, the registry, the Docker engine and the
local GitHub's API (through PyGithub), never the implementation under test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from testbed.runner import Run
from testbed.world import Mark, World

CONTRACT = Path(__file__).resolve().parent.parent / "features" / "contract" / "dispatch-payload.schema.json"


@dataclass
class Stage:
    """One release step the scenario went through (a merge into stg or main) and what it started."""

    mark: Mark
    runs: list[Run]
    merge_sha: str
    head_before: str  # the target branch before the merge
    head_after: str  # the target branch once every run the merge started is done
    pull: int = 0


@dataclass
class Scenario:
    """Names and facts a scenario refers back to."""

    titles: dict[str, str] = field(default_factory=dict)  # branch -> change title
    pulls: dict[str, int] = field(default_factory=dict)  # branch -> PR number
    staging: list[Stage] = field(default_factory=list)
    production: list[Stage] = field(default_factory=list)
    history_titles: list[str] = field(default_factory=list)  # changes released before the scenario
    versions: dict[str, str] = field(default_factory=dict)  # bump commit sha -> version
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def last_staging(self) -> Stage:
        assert self.staging, "no merge into stg happened in this scenario"
        return self.staging[-1]

    @property
    def last_production(self) -> Stage:
        assert self.production, "no merge into main happened in this scenario"
        return self.production[-1]


@pytest.fixture
def scenario() -> Scenario:
    return Scenario()


def repo(world: World) -> Any:
    return world.api().get_repo(world.app_repo)


def branch_head(world: World, branch: str) -> str:
    return str(repo(world).get_branch(branch).commit.sha)


def runs_summary(runs: list[Run]) -> str:
    return "; ".join(run.summary() for run in runs) or "no workflow run started"


def slug(text: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-")[:40] or "change"


def contract_schema() -> dict[str, Any]:
    return dict(json.loads(CONTRACT.read_text()))


def contract_errors(payload: Any) -> list[str]:
    validator = jsonschema.Draft7Validator(contract_schema())
    return [f"{'/'.join(map(str, e.path)) or 'payload'}: {e.message[:160]}" for e in validator.iter_errors(payload)]

