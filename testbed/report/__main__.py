"""Command line of the report.

    python -m testbed.report merge results/shard-*.json -o results/
        merge the shards' cucumber JSON files into one report (cucumber.json, traceability.md,
        traceability.html), the same report one run on one machine writes
    python -m testbed.report check results/traceability.html [--cucumber results/cucumber.json]
        open the HTML report in headless Chromium: no console error, counts match the cucumber JSON
    python -m testbed.report screenshot results/traceability.html docs/report.png [--open failed]
        a PNG of the report's first screenful(s) in headless Chromium
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from testbed.report import cucumber
from testbed.report.browser import BrowserError, Chromium
from testbed.report.catalogue import load_catalogue
from testbed.report.merge import MergeError, merge_files
from testbed.report.plugin import write_report

COUNTS = ("Object.fromEntries([...document.querySelectorAll('#counts td')]"
          ".map(td => [td.dataset.verdict, Number(td.textContent)]))")


def _merge(args: argparse.Namespace) -> int:
    report = merge_files([Path(path) for path in args.files])
    out = Path(args.output)
    cucumber.write(report, out / "cucumber.json")
    write_report(report, load_catalogue(), out)
    counts = ", ".join(f"{report.count(v)} {v}" for v in ("passed", "failed", "error", "not run"))
    print(f"merged {len(args.files)} files: {len(report.scenarios)} scenarios ({counts}); "
          f"wrote {out / 'cucumber.json'}, traceability.md, traceability.html")
    return 0 if report.ok else 1


def _check(args: argparse.Namespace) -> int:
    with Chromium() as browser:
        visit = browser.visit(Path(args.html), COUNTS)
    problems = list(visit.errors)
    if args.cucumber:
        expected = cucumber.read(Path(args.cucumber))
        wanted = {v: expected.count(v) for v in ("passed", "failed", "error", "not run")}
        wanted["total"] = len(expected.scenarios)
        if visit.value != wanted:
            problems.append(f"the page counts {visit.value}, the cucumber JSON {wanted}")
    for problem in problems:
        print(f"report check: {problem}", file=sys.stderr)
    print(f"{args.html}: {'ok' if not problems else f'{len(problems)} problem(s)'}; counts {visit.value}")
    return 1 if problems else 0


def _screenshot(args: argparse.Namespace) -> int:
    opened = ("document.querySelectorAll('details.scenario').forEach(d => { if (d.querySelector("
              f"'.badge.{args.open}')) {{ d.open = true; d.querySelectorAll('details').forEach(x => x.open = true); }} }});"
              "document.querySelectorAll('pre').forEach(p => p.style.maxHeight = '14em'); true")
    with Chromium() as browser:
        visit = browser.visit(Path(args.html), opened if args.open else "true", screenshot=Path(args.png),
                              max_height=args.height)
    print(f"wrote {args.png}" + (f"; page problems: {visit.errors}" if visit.errors else ""))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testbed.report", description=(__doc__ or "").splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    merge = commands.add_parser("merge", help="merge shards' cucumber JSON files into one report")
    merge.add_argument("files", nargs="+", help="cucumber JSON files written by --cucumberjson")
    merge.add_argument("-o", "--output", default="results", help="folder for the merged report (default: results/)")
    merge.set_defaults(func=_merge)
    check = commands.add_parser("check", help="open the HTML report in headless Chromium and check it")
    check.add_argument("html")
    check.add_argument("--cucumber", help="cucumber JSON whose counts the page must show")
    check.set_defaults(func=_check)
    shot = commands.add_parser("screenshot", help="a PNG of the HTML report in headless Chromium")
    shot.add_argument("html")
    shot.add_argument("png")
    shot.add_argument("--open", choices=("failed", "error", "passed"), help="open the scenarios with this verdict")
    shot.add_argument("--height", type=int, default=2200, help="the most pixels of page height to picture")
    shot.set_defaults(func=_screenshot)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except (MergeError, BrowserError, ValueError) as error:
        print(f"report: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
