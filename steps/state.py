"""What a scenario remembers between its steps, as typed records, and the fixtures that give the
steps the world's read side.

Steps observe effects only (testbed.observer: git, the registry, the Docker engine's builds and
the local GitHub's API), never the implementation under test. A Then reads the world again; it
never reads what an earlier Then found. This module holds no steps: step modules import it, and
never each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from testbed.actions.record import Run
from testbed.canary import Canary
from testbed.observer import Observer, WorldSnapshot
from testbed.world import Mark, World


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
    """What the scenario did: the changes it proposed, the pull requests and the merges it made."""

    titles: dict[str, str] = field(default_factory=dict)  # branch -> change title
    pulls: dict[str, int] = field(default_factory=dict)  # branch -> PR number
    staging: list[Stage] = field(default_factory=list)
    production: list[Stage] = field(default_factory=list)
    history_titles: list[str] = field(default_factory=list)  # changes released before the scenario
    merged_together: list[str] = field(default_factory=list)  # branches merged back to back

    @property
    def last_staging(self) -> Stage:
        assert self.staging, "no merge into stg happened in this scenario"
        return self.staging[-1]

    @property
    def last_production(self) -> Stage:
        assert self.production, "no merge into main happened in this scenario"
        return self.production[-1]

    def last(self, kind: str) -> Stage:
        """The last merge of this kind: "staging" or "production"."""
        return self.last_staging if kind == "staging" else self.last_production

    @property
    def latest(self) -> Stage:
        """The last merge of either kind (production once there is one)."""
        return (self.production or self.staging)[-1]


@dataclass(frozen=True)
class ForeignImages:
    """Images no workflow built, pushed under a tag before the scenario's merge: name -> digest."""

    tag: str
    digests: dict[str, str]


@dataclass(frozen=True)
class HostileBranch:
    """A branch whose name would create the canary's Docker volume if a workflow ran it as code."""

    name: str
    canary: Canary


@pytest.fixture
def scenario() -> Scenario:
    """The scenario's own record of what it did."""
    return Scenario()


@pytest.fixture
def observe(world: World) -> Observer:
    """The world's read side: what a team sees now."""
    return Observer(world)


__all__ = ["ForeignImages", "HostileBranch", "Scenario", "Stage", "WorldSnapshot", "observe", "scenario"]
