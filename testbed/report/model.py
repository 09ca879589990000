"""The report's values: scenario results with their steps, evidence, runs and decisions, and the
facts of what was judged. Plain dataclasses that turn into JSON and back without loss."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["passed", "failed", "error", "not run"]
VERDICTS: tuple[Verdict, ...] = ("passed", "failed", "error", "not run")
StepStatus = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class EvidenceItem:
    """One thing a step observed: a title and a JSON-able value (text, mapping or list)."""

    step: int  # index of the step in the scenario (background steps first); -1: the scenario itself
    title: str
    value: Any


@dataclass(frozen=True)
class StepResult:
    keyword: str
    name: str
    line: int
    status: StepStatus
    seconds: float = 0.0


@dataclass(frozen=True)
class JobRecord:
    name: str
    result: str
    started: float = 0.0
    finished: float = 0.0


@dataclass(frozen=True)
class RunRecord:
    """A workflow run as the report shows it (log redacted and cut to its end)."""

    id: int
    workflow: str
    event: str
    sha: str
    conclusion: str
    created: float
    started: float
    finished: float
    jobs: tuple[JobRecord, ...] = ()
    log: str = ""


@dataclass(frozen=True)
class DecisionRecord:
    """A trigger decision (kind `trigger`) or a concurrency decision (kind `concurrency`)."""

    kind: str
    workflow: str
    subject: str  # the event (trigger) or the group (concurrency)
    verdict: str  # started / not triggered / invalid, or the concurrency action
    reason: str = ""
    run: int | None = None
    by_run: int | None = None
    at: float = 0.0


@dataclass(frozen=True)
class ScenarioResult:
    nodeid: str
    feature: str
    uri: str  # feature file, relative to the features folder
    name: str
    line: int
    tags: tuple[str, ...]
    verdict: Verdict
    reason: str = ""  # for failed / error: what went wrong (and for error, how to fix it)
    failing_step: int = -1
    seconds: float = 0.0
    steps: tuple[StepResult, ...] = ()
    evidence: tuple[EvidenceItem, ...] = ()
    runs: tuple[RunRecord, ...] = ()
    decisions: tuple[DecisionRecord, ...] = ()

    @property
    def sort_key(self) -> tuple[str, int, str]:
        return (self.uri, self.line, self.nodeid)


@dataclass(frozen=True)
class Environment:
    """What was judged, and where and when."""

    workflows: str = ""
    workflows_sha256: str = ""
    workflow_files: str = ""
    runner: str = ""
    merge_method: str = ""
    suite_version: str = ""
    act: str = ""
    registry: str = ""
    docker: str = ""
    python: str = ""
    date: str = ""
    machine: str = ""
    duration_seconds: float = 0.0
    shard: str = ""

    # the facts two shards of one judgement must share
    JUDGED = ("workflows_sha256", "runner", "merge_method", "suite_version")


@dataclass
class Report:
    environment: Environment
    scenarios: list[ScenarioResult] = field(default_factory=list)

    def count(self, verdict: Verdict) -> int:
        return sum(s.verdict == verdict for s in self.scenarios)

    @property
    def ok(self) -> bool:
        return not self.count("failed") and not self.count("error")


def to_dict(value: Any) -> Any:
    return asdict(value)


def scenario_from_dict(data: dict[str, Any]) -> ScenarioResult:
    return ScenarioResult(
        **{key: data[key] for key in ("nodeid", "feature", "uri", "name", "line", "verdict", "reason",
                                      "failing_step", "seconds")},
        tags=tuple(data["tags"]),
        steps=tuple(StepResult(**step) for step in data["steps"]),
        evidence=tuple(EvidenceItem(**item) for item in data["evidence"]),
        runs=tuple(RunRecord(**{**run, "jobs": tuple(JobRecord(**job) for job in run["jobs"])}) for run in data["runs"]),
        decisions=tuple(DecisionRecord(**item) for item in data["decisions"]),
    )


def environment_from_dict(data: dict[str, Any]) -> Environment:
    known = {key: value for key, value in data.items() if key in Environment.__dataclass_fields__}
    return Environment(**known)
