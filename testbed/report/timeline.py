"""A scenario's workflow runs and their jobs drawn as an SVG timeline: one row per run (queued
time pale, running time solid) and one per job under it, coloured by outcome, on a seconds axis
that starts when the first run was queued."""

from __future__ import annotations

from html import escape

from testbed.report.model import RunRecord

COLOURS = {"success": "#2e9e5b", "failure": "#d0453a", "cancelled": "#9a9a9a", "error": "#8a4fbf",
           "skipped": "#c8c8c8"}
LABEL_WIDTH, CHART_WIDTH, ROW, PAD = 260, 560, 18, 24


def _colour(outcome: str) -> str:
    return COLOURS.get(outcome, "#e0a030")


def _rows(runs: tuple[RunRecord, ...]) -> list[tuple[str, float, float, float, str, bool]]:
    """(label, queued, start, end, outcome, is_run) per row, runs in id order with their jobs."""
    rows = []
    for run in sorted(runs, key=lambda r: r.id):
        start = run.started or run.created
        rows.append((f"run {run.id} {run.workflow} ({run.event})", run.created or start, start,
                     run.finished or start, run.conclusion, True))
        for job in sorted(run.jobs, key=lambda j: (j.started or run.finished, j.name)):
            if job.started:
                rows.append((f"  {job.name}", job.started, job.started, job.finished or job.started, job.result, False))
            else:
                rows.append((f"  {job.name} (not started)", start, start, start, job.result, False))
    return rows


def render(runs: tuple[RunRecord, ...]) -> str:
    """The SVG, or an empty string when the scenario started no run."""
    rows = _rows(runs)
    if not rows:
        return ""
    origin = min(row[1] for row in rows)
    span = max(max(row[3] for row in rows) - origin, 0.001)
    scale = CHART_WIDTH / span
    height = PAD + ROW * len(rows) + PAD
    width = LABEL_WIDTH + CHART_WIDTH + 20
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" role="img" aria-label="workflow runs and jobs over time">',
           f'<text x="{LABEL_WIDTH}" y="14" font-size="11">0 s</text>',
           f'<text x="{LABEL_WIDTH + CHART_WIDTH}" y="14" font-size="11" text-anchor="end">{span:.1f} s</text>']
    for index, (label, queued, start, end, outcome, is_run) in enumerate(rows):
        y = PAD + index * ROW
        x_queued = LABEL_WIDTH + (queued - origin) * scale
        x_start = LABEL_WIDTH + (start - origin) * scale
        bar = max((end - start) * scale, 2.0)
        weight = "bold" if is_run else "normal"
        out.append(f'<text x="4" y="{y + 12}" font-size="11" font-weight="{weight}">{escape(label[:40])}</text>')
        if start > queued:
            out.append(f'<rect x="{x_queued:.1f}" y="{y + 5}" width="{x_start - x_queued:.1f}" height="6" '
                       f'fill="{_colour(outcome)}" opacity="0.3"/>')
        out.append(f'<rect x="{x_start:.1f}" y="{y + 2}" width="{bar:.1f}" height="{ROW - 5}" rx="2" '
                   f'fill="{_colour(outcome)}" opacity="{1 if is_run else 0.75}"><title>{escape(label.strip())}: '
                   f'{escape(outcome)}, starts at +{start - origin:.1f} s, lasts {end - start:.1f} s</title></rect>')
        out.append(f'<text x="{min(x_start + bar + 4, width - 4):.1f}" y="{y + 12}" font-size="10" '
                   f'text-anchor="{"end" if x_start + bar + 60 > width else "start"}">'
                   f'{escape(outcome)} {end - start:.1f} s</text>')
    out.append("</svg>")
    return "\n".join(out)
