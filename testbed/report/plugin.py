"""The pytest plugin: per-scenario verdicts, evidence, `--shard K/N`, cucumber JSON under xdist,
and the report (Markdown, HTML) with its summary at the end of the terminal output.

Loaded through the root conftest's plugin list. The report is written by the process that sees
every test: the only one, or the xdist controller.
"""

from __future__ import annotations

import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from testbed.report import cucumber, markdown, page
from testbed.report.catalogue import GENERAL_MARKERS, ROOT, Catalogue, load_catalogue
from testbed.report.collect import EVIDENCE_KEY, Assembly, phase_data, static_data, template_of
from testbed.report.environment import gather
from testbed.report.evidence import Evidence
from testbed.report.model import Report
from testbed.report.shard import load_durations, parse_shard, select, store_durations
from testbed.report.verdict import Classified, combine

COLLECTED = "conformance_collected"
PHASES_KEY = pytest.StashKey[list[Classified]]()


def _evidence_of(item: pytest.Item) -> Evidence:
    found = item.stash.get(EVIDENCE_KEY, None)
    if found is None:
        found = item.stash[EVIDENCE_KEY] = Evidence()
    return found


@pytest.fixture
def evidence(request: pytest.FixtureRequest) -> Evidence:
    """Where a step attaches what it observed (`evidence.add(title, value)`); shown in the report."""
    return _evidence_of(request.node)


class Conformance:
    """Collects scenario results (controller) and attaches phase data to reports (runner)."""

    def __init__(self, config: pytest.Config, catalogue: Catalogue) -> None:
        self.config = config
        self.catalogue = catalogue
        self.known_tags = set(catalogue.claims) | set(GENERAL_MARKERS)
        self.assembly = Assembly()
        self.results = Path(config.getoption("--results-dir"))
        shard = config.getoption("--shard")
        self.shard = parse_shard(shard) if shard else None
        self.started = time.time()
        self.environment: Any = None
        self.written: Report | None = None

    @property
    def is_worker(self) -> bool:
        return hasattr(self.config, "workerinput")

    def _record(self, item: pytest.Item, why: str = "") -> None:
        template = template_of(item)
        if template is not None:
            self.assembly.add_collected(static_data(item, template, self.known_tags), why)

    # collection: the shard, and every scenario (run or not) -----------------------------------
    def pytest_deselected(self, items: list[pytest.Item]) -> None:
        for item in items:
            self._record(item, "deselected (-k, -m or a node id)")

    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        if self.shard is not None:
            keep = set(select([item.nodeid for item in items], self.shard, load_durations()))
            dropped = [item for item in items if item.nodeid not in keep]
            for item in dropped:
                self._record(item, f"left to another shard (this is shard {self.shard})")
            items[:] = [item for item in items if item.nodeid in keep]
            self.config.hook.pytest_deselected(items=dropped)
        for item in items:
            self._record(item)

    # running: phase data on each report, evidence per step -------------------------------------
    @pytest.hookimpl(tryfirst=True)
    def pytest_bdd_before_scenario(self, request: pytest.FixtureRequest) -> None:
        _evidence_of(request.node)

    def pytest_bdd_before_step(self, request: pytest.FixtureRequest) -> None:
        _evidence_of(request.node).step += 1

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        report = yield
        data = phase_data(item, call, report, self.known_tags)
        if data is not None:
            report.conformance = data  # a plain attribute: xdist carries it to the controller
            phases = item.stash.setdefault(PHASES_KEY, [])
            phases.append(Classified(data["verdict"], data["reason"]))
            if call.when == "teardown":  # JUnit XML counts a step's testbed error as a failure: say which it is
                report.user_properties.append(("conformance.verdict", combine(phases).verdict))
        return report

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if self.is_worker:
            return
        data = getattr(report, "conformance", None)
        if data is None and report.failed and report.when not in ("setup", "call", "teardown") \
                and report.nodeid in self.assembly.static:  # an xdist worker died running this scenario
            last = str(report.longrepr).strip().splitlines()[-1:] or [""]
            data = {"when": "teardown", "verdict": "error", "seconds": report.duration,
                    "reason": f"the process running the scenario crashed: {last[0]}"}
        if data is not None:
            self.assembly.add_phase(report.nodeid, data)

    # xdist: workers send what they collected -----------------------------------------------------
    @pytest.hookimpl(optionalhook=True)
    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        for static, why in getattr(node, "workeroutput", {}).get(COLLECTED, []):
            self.assembly.add_collected(static, why)

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        if self.is_worker:
            return
        option = self.config.getoption
        self.environment = gather(
            workflows=Path(option("--workflows", default=str(ROOT / "workflows"))).resolve(),
            runner=str(option("--runner", default="container")),
            merge_method=str(option("--merge-method", default="merge")), shard=str(self.shard or ""))

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if self.is_worker:
            collected = [(static, self.assembly.not_run.get(nodeid, "")) for nodeid, static in self.assembly.static.items()]
            self.config.workeroutput[COLLECTED] = collected  # type: ignore[attr-defined]
            return
        scenarios = self.assembly.scenarios()
        if not scenarios or self.environment is None or self.config.option.collectonly:
            return
        from dataclasses import replace
        environment = replace(self.environment, duration_seconds=round(time.time() - self.started, 2))
        report = Report(environment, scenarios)
        self.written = report
        path = self.config.option.cucumber_json_path
        if path:
            cucumber.write(report, Path(path))
        write_report(report, self.catalogue, self.results)
        if self.config.getoption("--store-durations"):
            store_durations({s.nodeid: s.seconds for s in scenarios if s.verdict != "not run"})

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.is_worker or self.written is None:
            return
        report = self.written
        terminalreporter.section("conformance")
        for line in markdown.summary_table(report, self.catalogue).splitlines():
            terminalreporter.write_line(line)
        for s in report.scenarios:
            if s.verdict in ("failed", "error"):
                terminalreporter.write_line(f"{s.verdict.upper()}: {s.feature}: {s.name}: {s.reason[:300]}")
        terminalreporter.write_line(f"report: {self.results / 'traceability.md'} and traceability.html")


def write_report(report: Report, catalogue: Catalogue, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "traceability.md").write_text(markdown.render(report, catalogue))
    (folder / "traceability.html").write_text(page.render(report, catalogue))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("release conformance")
    group.addoption("--results-dir", default=str(ROOT / "results"), metavar="DIR",
                    help="where the report (traceability.md, traceability.html) is written (default: results/)")
    group.addoption("--shard", default=None, metavar="K/N",
                    help="run only the K-th of N shares of the tests, balanced by stored durations")
    group.addoption("--store-durations", action="store_true",
                    help="store each scenario's duration (benchmarks/spec-durations.json) for --shard")


@pytest.hookimpl(trylast=True)
def pytest_configure(config: pytest.Config) -> None:
    path = getattr(config.option, "cucumber_json_path", None)
    bdd_writer = getattr(config, "_bddcucumberjson", None)
    if bdd_writer is not None:  # pytest-bdd's writer sees nothing under xdist; ours writes the file
        config.pluginmanager.unregister(bdd_writer)
        del config._bddcucumberjson  # type: ignore[attr-defined]
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue()
    for name, text in {**catalogue.claims, **GENERAL_MARKERS}.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.pluginmanager.register(Conformance(config, catalogue), "release-conformance")
