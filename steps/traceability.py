"""The traceability report: every line of the seed's checklist, the scenarios that show it, and
whether they passed. Written after each run as Markdown and HTML into the results folder, and
summed up at the end of the terminal output.

Works under pytest-xdist: scenario names and tags travel with the test reports.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pytest_bdd.scenario import scenario_wrapper_template_registry

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "features" / "SEED.md"
ITEMS = ROOT / "features" / "seed_items.yaml"
CHECKLIST = re.compile(r"^\s*(?:-|\d+\.)\s*\[( |x)\]\s*(.*)$")
HEADING = re.compile(r"^(#+)\s*(.*)$")
GENERAL_MARKERS = {
    "e2e": "the end-to-end scenario",
    "hardening": "behaviour beyond the seed: re-runs, concurrency, faults, bad input, secrets",
    "selftest": "the spec run against deliberately broken workflows",
}


@dataclass(frozen=True)
class SeedLine:
    number: int
    section: str
    text: str
    checked: bool
    items: tuple[str, ...]


@dataclass
class Outcome:
    nodeid: str
    feature: str
    scenario: str
    tags: tuple[str, ...]
    status: str = "passed"
    seconds: float = 0.0


@dataclass
class Catalogue:
    items: dict[str, str]
    hardening: dict[str, str]
    lines: list[SeedLine] = field(default_factory=list)

    @property
    def claims(self) -> dict[str, str]:
        return {**self.items, **self.hardening}


def load_catalogue(seed: Path = SEED, items: Path = ITEMS) -> Catalogue:
    """The seed's checklist lines, each with the claims that show it (features/seed_items.yaml)."""
    data = yaml.safe_load(items.read_text())
    mapped = list(data["lines"])
    catalogue = Catalogue(dict(data["items"]), dict(data.get("hardening") or {}))
    sections: list[str] = []
    index = 0
    for number, line in enumerate(seed.read_text().splitlines(), 1):
        heading = HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            sections = [*sections[: max(level - 2, 0)], heading.group(2).strip()]
            continue
        match = CHECKLIST.match(line)
        if not match:
            continue
        text = match.group(2).strip()
        if index >= len(mapped) or mapped[index]["seed"].strip() != text:
            expected = mapped[index]["seed"] if index < len(mapped) else "nothing (seed_items.yaml ends)"
            raise ValueError(f"{ITEMS.name}: checklist line {number} of {seed.name} is {text!r}, "
                             f"but entry {index + 1} is {expected!r}")
        unknown = [item for item in mapped[index]["items"] if item not in catalogue.items]
        if unknown:
            raise ValueError(f"{ITEMS.name}: line {number} names unknown items {unknown}")
        catalogue.lines.append(SeedLine(number, " / ".join(sections), text, match.group(1) == "x",
                                        tuple(mapped[index]["items"])))
        index += 1
    if index != len(mapped):
        raise ValueError(f"{ITEMS.name} has {len(mapped) - index} entries more than {seed.name} has checklist lines")
    return catalogue


def scenario_of(item: pytest.Item) -> Any:
    """The pytest-bdd scenario (template) a test item runs, or None for other tests."""
    function = getattr(item, "obj", None)
    if function is None:
        return None
    try:
        return scenario_wrapper_template_registry.get(function)
    except TypeError:  # not weak-referenceable: not a scenario
        return None


class Traceability:
    """Collects scenario outcomes and writes the report."""

    def __init__(self, config: pytest.Config, catalogue: Catalogue) -> None:
        self.config = config
        self.catalogue = catalogue
        self.outcomes: dict[str, Outcome] = {}
        self.results = Path(config.getoption("--results-dir"))

    # pytest hooks -----------------------------------------------------------------
    @pytest.hookimpl(trylast=True)
    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            scenario = scenario_of(item)
            if scenario is None:
                continue
            tags = sorted({marker.name for marker in item.iter_markers()} & set(self.catalogue.claims) |
                          {marker.name for marker in item.iter_markers()} & set(GENERAL_MARKERS))
            item.user_properties.append(("bdd", {"feature": scenario.feature.name, "scenario": scenario.name,
                                                 "tags": tags}))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        info = next((value for key, value in report.user_properties if key == "bdd"), None)
        if info is None:
            return
        outcome = self.outcomes.setdefault(report.nodeid, Outcome(report.nodeid, info["feature"], info["scenario"],
                                                                   tuple(info["tags"])))
        outcome.seconds += report.duration
        if report.failed:
            outcome.status = "failed"
        elif report.skipped and outcome.status != "failed":
            outcome.status = "skipped"

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if not self.outcomes or hasattr(self.config, "workerinput"):
            return
        self.results.mkdir(parents=True, exist_ok=True)
        (self.results / "traceability.md").write_text(self.markdown())
        (self.results / "traceability.html").write_text(self.html())

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.outcomes or hasattr(self.config, "workerinput"):
            return
        write = terminalreporter.write_line
        terminalreporter.section("seed traceability")
        for line in self.summary_table().splitlines():
            write(line)
        write(f"report: {self.results / 'traceability.md'} and traceability.html")

    # report -----------------------------------------------------------------------
    def covering(self, item: str) -> list[Outcome]:
        return [o for o in self.outcomes.values() if item in o.tags]

    def status(self, items: tuple[str, ...]) -> str:
        """FAIL if a covering scenario failed; pass only when every claim was shown by a passing scenario."""
        per_item = []
        for item in items:
            found = self.covering(item)
            if any(o.status == "failed" for o in found):
                per_item.append("FAIL")
            elif not found:
                per_item.append("not run")
            elif any(o.status == "skipped" for o in found):
                per_item.append("skipped")
            else:
                per_item.append("pass")
        for verdict in ("FAIL", "not run", "skipped"):
            if verdict in per_item:
                return verdict
        return "pass"

    def summary_table(self) -> str:
        rows = ["| claim | scenarios | passed | failed | status |", "|---|---:|---:|---:|---|"]
        for item in self.catalogue.claims:
            found = self.covering(item)
            passed = sum(o.status == "passed" for o in found)
            failed = sum(o.status == "failed" for o in found)
            rows.append(f"| {item} | {len(found)} | {passed} | {failed} | {self.status((item,))} |")
        lines = self.catalogue.lines
        ok = sum(self.status(line.items) == "pass" for line in lines)
        bad = sum(self.status(line.items) == "FAIL" for line in lines)
        total = len(self.outcomes)
        passed = sum(o.status == "passed" for o in self.outcomes.values())
        rows.append("")
        rows.append(f"seed checklist lines: {len(lines)}; shown passing: {ok}; failing: {bad}; "
                    f"not run: {len(lines) - ok - bad}. Scenarios: {total}, passed: {passed}.")
        return "\n".join(rows)

    def markdown(self) -> str:
        out = ["# Traceability: the seed's checklist and the scenarios that show it", "",
               f"Seed: `features/SEED.md`. Claims: `features/seed_items.yaml`. Scenarios run: {len(self.outcomes)}.", "",
               "## Summary", "", self.summary_table(), "", "## Checklist, line by line", "",
               "| line | seed | claims | scenarios | status |", "|---:|---|---|---|---|"]
        for line in self.catalogue.lines:
            scenarios = sorted({f"{o.feature}: {o.scenario} ({o.status})" for item in line.items
                                for o in self.covering(item)})
            box = "[x]" if line.checked else "[ ]"
            out.append(f"| {line.number} | {box} {line.text.replace('|', '/')} | {', '.join(line.items)} | "
                       f"{'<br>'.join(scenarios) or '-'} | {self.status(line.items)} |")
        out += ["", "## Claims", "", "| claim | meaning |", "|---|---|"]
        out += [f"| {item} | {text} |" for item, text in self.catalogue.claims.items()]
        out += ["", "## Scenarios", "", "| feature | scenario | claims | status | seconds |", "|---|---|---|---|---:|"]
        for o in sorted(self.outcomes.values(), key=lambda o: (o.feature, o.scenario)):
            out.append(f"| {o.feature} | {o.scenario} | {', '.join(o.tags)} | {o.status} | {o.seconds:.1f} |")
        return "\n".join(out) + "\n"

    def html(self) -> str:
        colour = {"pass": "#d4edda", "FAIL": "#f8d7da", "not run": "#eeeeee", "skipped": "#fff3cd"}
        rows = []
        for line in self.catalogue.lines:
            status = self.status(line.items)
            scenarios = "<br>".join(sorted({html.escape(f"{o.feature}: {o.scenario} ({o.status})")
                                            for item in line.items for o in self.covering(item)})) or "-"
            rows.append(f"<tr style='background:{colour.get(status, '#fff')}'><td>{line.number}</td>"
                        f"<td>{html.escape(line.section)}</td><td>{'&#9745;' if line.checked else '&#9744;'} "
                        f"{html.escape(line.text)}</td><td>{html.escape(', '.join(line.items))}</td>"
                        f"<td>{scenarios}</td><td>{status}</td></tr>")
        return ("<!doctype html><meta charset='utf-8'><title>Seed traceability</title>"
                "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px;vertical-align:top}"
                "table{border-collapse:collapse}</style><h1>Seed traceability</h1>"
                f"<pre>{html.escape(self.summary_table())}</pre><table><tr><th>line</th><th>section</th>"
                "<th>seed</th><th>claims</th><th>scenarios</th><th>status</th></tr>" + "".join(rows) + "</table>")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("release conformance").addoption(
        "--results-dir", default=str(ROOT / "results"), metavar="DIR",
        help="where the traceability report (Markdown, HTML) is written (default: results/)")


def pytest_configure(config: pytest.Config) -> None:
    cucumber = getattr(config.option, "cucumber_json_path", None)
    if cucumber:
        Path(cucumber).parent.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue()
    for name, text in {**catalogue.claims, **GENERAL_MARKERS}.items():
        config.addinivalue_line("markers", f"{name}: {text}")
    config.pluginmanager.register(Traceability(config, catalogue), "release-traceability")
