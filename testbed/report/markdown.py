"""The report as Markdown (results/traceability.md) and the summary table the terminal shows.

Everything that depends on the run itself (date, machine, duration, hashes) sits in the section
"What was judged"; the rest is the same for one run and for the merge of its shards.
"""

from __future__ import annotations

from testbed.report.catalogue import Catalogue
from testbed.report.claims import claim_rows, claim_status, covering, line_counts, verdict_line
from testbed.report.model import Environment, Report

JUDGED_HEADING = "## What was judged"
ENVIRONMENT_LABELS = {
    "workflows": "workflows", "workflows_sha256": "workflows sha256", "workflow_files": "workflow files",
    "runner": "runner mode", "merge_method": "merge method", "suite_version": "suite version (git)",
    "act": "act", "registry": "registry", "docker": "Docker", "python": "Python", "date": "date (UTC)",
    "machine": "machine", "duration_seconds": "duration (s)", "shard": "shard",
}


def cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def environment_rows(environment: Environment) -> list[tuple[str, str]]:
    return [(label, str(getattr(environment, key))) for key, label in ENVIRONMENT_LABELS.items()
            if str(getattr(environment, key))]


def summary_table(report: Report, catalogue: Catalogue) -> str:
    rows = ["| claim | scenarios | passed | failed | error | not run | status |", "|---|---:|---:|---:|---:|---:|---|"]
    for row in claim_rows(report, catalogue):
        c = row.counts
        rows.append(f"| {row.claim} | {sum(c.values())} | {c['passed']} | {c['failed']} | {c['error']} | "
                    f"{c['not run']} | {row.status} |")
    lines = line_counts(report, catalogue.lines)
    rows += ["", f"seed checklist lines: {len(catalogue.lines)}; shown passing: {lines['pass']}; failing: "
                 f"{lines['FAIL']}; error: {lines['ERROR']}; not run: {lines['not run']}.", verdict_line(report)]
    return "\n".join(rows)


def render(report: Report, catalogue: Catalogue) -> str:
    out = ["# Conformance report: the seed's checklist and the scenarios that show it", "",
           f"**{verdict_line(report)}**", "", JUDGED_HEADING, "", "| | |", "|---|---|"]
    out += [f"| {label} | {cell(value)} |" for label, value in environment_rows(report.environment)]
    out += ["", "## Summary", "", summary_table(report, catalogue), "", "## Checklist, line by line", "",
            "| line | seed | claims | scenarios | status |", "|---:|---|---|---|---|"]
    for line in catalogue.lines:
        scenarios = sorted({f"{s.feature}: {s.name} ({s.verdict})" for claim in line.items
                            for s in covering(report, claim)})
        box = "[x]" if line.checked else "[ ]"
        out.append(f"| {line.number} | {box} {cell(line.text)} | {', '.join(line.items)} | "
                   f"{'<br>'.join(cell(s) for s in scenarios) or '-'} | {claim_status(report, line.items)} |")
    out += ["", "## Claims", "", "| claim | meaning |", "|---|---|"]
    out += [f"| {claim} | {cell(text)} |" for claim, text in catalogue.claims.items()]
    out += ["", "## Scenarios", "", "| feature | scenario | claims | verdict |", "|---|---|---|---|"]
    out += [f"| {cell(s.feature)} | {cell(s.name)} | {', '.join(s.tags)} | {s.verdict} |" for s in report.scenarios]
    problems = [s for s in report.scenarios if s.verdict in ("failed", "error")]
    if problems:
        out += ["", "## Failures and errors", ""]
        for s in problems:
            step = s.steps[s.failing_step] if 0 <= s.failing_step < len(s.steps) else None
            where = f" at step \"{step.keyword} {step.name}\"" if step else ""
            out.append(f"- **{s.verdict}**: {cell(s.feature)}: {cell(s.name)}{where}: {cell(s.reason)}")
    return "\n".join(out) + "\n"
