"""The HTML report (results/traceability.html): one self-contained page (inline style, no script,
no external resource) a reviewer reads without running anything: the verdict, what was judged, a
summary table, the seed's checklist, each claim with its seed sentences and scenarios, and each
scenario collapsed with its steps, evidence and, on failure, why its workflows did or did not start."""

from __future__ import annotations

from html import escape
from itertools import groupby

from testbed.report import scenario_html
from testbed.report.catalogue import Catalogue
from testbed.report.claims import claim_rows, claim_status, covering, line_counts, verdict_line
from testbed.report.markdown import environment_rows
from testbed.report.model import VERDICTS, Report

STYLE = """
body{font-family:system-ui,sans-serif;margin:1.5em auto;max-width:1100px;color:#222;line-height:1.4}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top;text-align:left}
th{background:#f3f3f3}.num{text-align:right;white-space:nowrap}table.kv pre{margin:0}.muted{color:#666;font-size:.9em}
.banner{padding:.6em 1em;border-radius:6px;font-weight:bold}.banner.ok{background:#d4edda}.banner.bad{background:#f8d7da}
.banner.none{background:#eee}.badge{display:inline-block;min-width:4.5em;text-align:center;border-radius:4px;
padding:0 .4em;font-size:.85em;font-weight:bold}.passed,.pass{background:#d4edda}.failed,.FAIL{background:#f8d7da}
.error,.ERROR{background:#e8d9f5}.not-run{background:#eee}td.pass,td.FAIL,td.ERROR,td.not-run{font-weight:bold}
details.scenario{border:1px solid #ddd;border-radius:6px;margin:.3em 0;padding:.2em .6em}
details.scenario>summary{cursor:pointer}pre{background:#f7f7f7;padding:.4em;overflow-x:auto;max-height:30em;
white-space:pre-wrap;word-break:break-all;font-size:.85em}.step-failed{background:#fdecea}.step-skipped{color:#888}
.mark{width:1.5em;text-align:center}.evidence{margin:.3em 0 .3em 1em}.step-error{color:#a00;white-space:pre-wrap}
.problem{background:#fdecea;padding:.4em;border-radius:4px}.tag{font-family:monospace;font-size:.85em;color:#555}
.trigger-invalid{background:#fdecea}.trigger-started{background:#eef8f0}svg.timeline{background:#fbfbfb;border:1px solid #eee}
"""


def _status_cell(status: str) -> str:
    return f"<td class='{escape(status.replace(' ', '-'))}'>{escape(status)}</td>"


def _counts(report: Report) -> str:
    cells = "".join(f"<tr><th>{v}</th><td class='num' data-verdict='{v}'>{report.count(v)}</td></tr>" for v in VERDICTS)
    return (f"<table id='counts'>{cells}<tr><th>scenarios</th><td class='num' data-verdict='total'>"
            f"{len(report.scenarios)}</td></tr></table>")


def _judged(report: Report) -> str:
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in environment_rows(report.environment))
    return f"<h2>What was judged</h2><table id='judged'>{rows}</table>"


def _summary(report: Report, catalogue: Catalogue) -> str:
    out = ["<h2>Summary by claim</h2><table id='summary'><tr><th>claim</th><th>scenarios</th><th>passed</th>"
           "<th>failed</th><th>error</th><th>not run</th><th>status</th></tr>"]
    for row in claim_rows(report, catalogue):
        c = row.counts
        out.append(f"<tr><td><a href='#claim-{row.claim}'>{row.claim}</a></td><td class='num'>{sum(c.values())}</td>"
                   + "".join(f"<td class='num'>{c[v]}</td>" for v in VERDICTS) + _status_cell(row.status) + "</tr>")
    lines = line_counts(report, catalogue.lines)
    out.append(f"</table><p>Seed checklist lines: {len(catalogue.lines)}; shown passing: {lines['pass']}; failing: "
               f"{lines['FAIL']}; error: {lines['ERROR']}; not run: {lines['not run']}.</p>")
    return "".join(out)


def _checklist(report: Report, catalogue: Catalogue) -> str:
    out = ["<h2>The seed's checklist, line by line</h2><table id='checklist'><tr><th>line</th><th>section</th>"
           "<th>seed</th><th>claims</th><th>status</th></tr>"]
    for line in catalogue.lines:
        claims = ", ".join(f"<a href='#claim-{c}'>{c}</a>" for c in line.items)
        out.append(f"<tr><td class='num'>{line.number}</td><td>{escape(line.section)}</td><td>"
                   f"{'&#9745;' if line.checked else '&#9744;'} {escape(line.text)}</td><td>{claims}</td>"
                   f"{_status_cell(claim_status(report, line.items))}</tr>")
    return "".join(out) + "</table>"


def _claims(report: Report, catalogue: Catalogue) -> str:
    out = ["<h2>Claims</h2>"]
    for claim, text in catalogue.claims.items():
        seeds = [line for line in catalogue.lines if claim in line.items]
        found = covering(report, claim)
        links = "".join(f"<li><span class='badge {s.verdict.replace(' ', '-')}'>{s.verdict}</span> "
                        f"<a href='#{scenario_html.anchor(s)}'>{escape(s.feature)}: {escape(s.name)}</a></li>"
                        for s in found) or "<li>no scenario shows this claim</li>"
        seed = "".join(f"<li>line {line.number}: {escape(line.text)}</li>" for line in seeds) or "<li>(beyond the seed)</li>"
        out.append(f"<section id='claim-{claim}'><h3>{claim} <span class='badge "
                   f"{claim_status(report, (claim,)).replace(' ', '-')}'>{claim_status(report, (claim,))}</span></h3>"
                   f"<p>{escape(text)}</p><p class='muted'>Seed sentences:</p><ul>{seed}</ul>"
                   f"<p class='muted'>Scenarios:</p><ul>{links}</ul></section>")
    return "".join(out)


def _scenarios(report: Report) -> str:
    ran = [s for s in report.scenarios if s.verdict != "not run"]
    out = ["<h2>Scenarios</h2><p class='muted'>Each one collapsed; open it for its steps, evidence and runs.</p>"]
    for feature, group in groupby(ran, key=lambda s: (s.uri, s.feature)):
        out.append(f"<h3>{escape(feature[1])} <span class='muted'>{escape(feature[0])}</span></h3>")
        out += [scenario_html.render(s) for s in group]
    idle = [s for s in report.scenarios if s.verdict == "not run"]
    if idle:
        out.append(f"<h3>Not run ({len(idle)})</h3><table id='not-run'><tr><th>feature</th><th>scenario</th>"
                   "<th>why</th></tr>")
        out += [f"<tr id='{scenario_html.anchor(s)}'><td>{escape(s.feature)}</td><td>{escape(s.name)}</td>"
                f"<td>{escape(s.reason)}</td></tr>" for s in idle]
        out.append("</table>")
    return "".join(out)


def render(report: Report, catalogue: Catalogue) -> str:
    banner = "none" if not report.count("passed") and report.ok else "ok" if report.ok else "bad"
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            "<meta name='viewport' content='width=device-width'><title>Release-pipeline conformance report</title>"
            f"<style>{STYLE}</style></head><body><h1>Release-pipeline conformance report</h1>"
            f"<p class='banner {banner}' id='verdict'>{escape(verdict_line(report))}</p>{_counts(report)}"
            f"{_judged(report)}{_summary(report, catalogue)}{_scenarios(report)}{_checklist(report, catalogue)}"
            f"{_claims(report, catalogue)}</body></html>\n")
