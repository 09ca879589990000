"""Claims and seed lines judged by their scenarios: a claim passes only when every scenario that
shows it ran and passed; one failure makes it FAIL, one testbed error (and no failure) ERROR."""

from __future__ import annotations

from dataclasses import dataclass

from testbed.report.catalogue import Catalogue, SeedLine
from testbed.report.model import VERDICTS, Report, ScenarioResult, Verdict

ORDER = ("FAIL", "ERROR", "not run", "pass")


def covering(report: Report, claim: str) -> list[ScenarioResult]:
    return [s for s in report.scenarios if claim in s.tags]


def claim_status(report: Report, claims: tuple[str, ...]) -> str:
    per_claim = []
    for claim in claims:
        verdicts = {s.verdict for s in covering(report, claim)}
        per_claim.append("FAIL" if "failed" in verdicts else "ERROR" if "error" in verdicts
                         else "not run" if not verdicts or "not run" in verdicts else "pass")
    return min(per_claim, key=ORDER.index) if per_claim else "not run"


@dataclass(frozen=True)
class ClaimRow:
    claim: str
    text: str
    counts: dict[Verdict, int]
    status: str


def claim_rows(report: Report, catalogue: Catalogue) -> list[ClaimRow]:
    rows = []
    for claim, text in catalogue.claims.items():
        found = covering(report, claim)
        counts = {verdict: sum(s.verdict == verdict for s in found) for verdict in VERDICTS}
        rows.append(ClaimRow(claim, text, counts, claim_status(report, (claim,))))
    return rows


def line_counts(report: Report, lines: list[SeedLine]) -> dict[str, int]:
    statuses = [claim_status(report, line.items) for line in lines]
    return {status: statuses.count(status) for status in ORDER}


def verdict_line(report: Report) -> str:
    """One sentence: the overall verdict and which kind of problem, if any."""
    failed, error = report.count("failed"), report.count("error")
    counts = ", ".join(f"{report.count(v)} {v}" for v in VERDICTS)
    if failed and error:
        head = "FAILED and ERROR: the implementation does not conform, and the testbed broke in some scenarios"
    elif failed:
        head = "FAILED: the implementation does not conform"
    elif error:
        head = "ERROR: the testbed or the machine broke; the implementation was not fully judged"
    elif not report.count("passed"):
        head = "NOTHING JUDGED: no scenario ran"
    else:
        head = "PASSED: every scenario that ran passed"
    return f"{head} ({len(report.scenarios)} scenarios: {counts})"
