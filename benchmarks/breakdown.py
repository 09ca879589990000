"""Where the end-to-end scenario's wall time goes: world start, each run's act start, each job's
container set-up, steps and clean-up, the scenario's own work between runs, pytest itself.

Runs `pytest features -m e2e` (container mode unless told otherwise, with the project's action
store) N times, each in a fresh process, and prints the median of each phase as a Markdown table
(also written to results/breakdown.md). From the repository root:

    python3 benchmarks/breakdown.py                   # --repeat 3
    python3 benchmarks/breakdown.py --repeat 1 -- --runner host
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# E402 below: these imports need ROOT on sys.path, as the script runs as `python3 benchmarks/breakdown.py`

from testbed.actions.store import project_store  # noqa: E402
from testbed.errors import TestbedError  # noqa: E402

Rows = list[tuple[int, str, float]]  # (indent, phase, seconds) in the order shown
Detail = dict[tuple[str, ...], float]  # (workflow, job[, step]) -> seconds summed over the scenario's runs


def union(spans: Iterable[tuple[float, float]]) -> float:
    """Seconds covered by at least one of `spans` (start, end)."""
    covered, reach = 0.0, float("-inf")
    for start, end in sorted(spans):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def run_rows(runs: list[dict[str, Any]]) -> Rows:
    """The runs' wall time split into act's phases; the rows under the first add up to it."""
    queued = checkout = act_start = setup = steps = complete = inside = between = side_by_side = 0.0
    for run in runs:
        jobs = [job for job in run["jobs"] if job["started"]]
        first = min((job["started"] for job in jobs), default=run["finished"])
        checkout += run["checkout_seconds"]
        queued += run["started"] - run["created"] - run["checkout_seconds"]
        act_start += first - run["started"]
        spans = [(job["started"], job["finished"]) for job in jobs]
        busy = sum(end - start for start, end in spans)
        parts = [part for job in jobs for part in job["parts"]]
        setup += sum(part["seconds"] for part in parts if part["kind"] == "setup")
        steps += sum(part["seconds"] for part in parts if part["kind"] == "step")
        complete += sum(part["seconds"] for part in parts if part["kind"] == "complete")
        inside += busy - sum(part["seconds"] for part in parts)
        between += run["finished"] - first - union(spans)
        side_by_side -= busy - union(spans)
    wall = union((run["created"], run["finished"]) for run in runs)
    overlap = wall - sum(run["finished"] - run["created"] for run in runs)
    return [
        (2, f"workflow runs ({len(runs)}, wall time)", wall),
        (3, "queued until act starts (scheduler, job tokens, actions resolved)", queued),
        (3, "clone of the event's commit for act", checkout),
        (3, "act start: process start to the first job's first line", act_start),
        (3, "jobs: Set up job (container created and started)", setup),
        (3, "jobs: steps (act's executionTime)", steps),
        (3, "jobs: Complete job (container stopped and removed)", complete),
        (3, "jobs: between their parts (act's work around each step, outside its executionTime)", inside),
        (3, "act: between jobs, and from the last job to its exit", between),
        (3, "jobs side by side (counted twice above)", side_by_side),
        (3, "runs side by side (counted twice above)", overlap),
    ]


def rows(record: dict[str, Any]) -> Rows:
    """One e2e run's table: the total, then its phases (each level's rows add up to the row above)."""
    total = record["process"]["finished"] - record["process"]["started"]
    session = record["session"]
    [scenario] = record["scenarios"].values()
    setup, call, teardown = (scenario["phases"][when] for when in ("setup", "call", "teardown"))
    laps = scenario["world_start"]
    runs = run_rows(scenario["runs"])
    startup = session["collected"] - record["process"]["started"]
    spent = startup + sum(stop - start for start, stop in (setup, call, teardown))
    # (is it the world, set up in the call phase, seconds): pytest-bdd sets most fixtures up inside the call
    fixtures = [(name == "world", call[0] <= start, stop - start) for name, start, stop in record["fixtures"]
                if setup[0] <= start <= call[1]]
    world = sum(seconds for is_world, _, seconds in fixtures if is_world)
    in_call = sum(seconds for is_world, called, seconds in fixtures if called and not is_world)
    world_in_setup = sum(seconds for is_world, called, seconds in fixtures if is_world and not called)
    others = setup[1] - setup[0] - world_in_setup + in_call
    steps = call[1] - call[0] - (world - world_in_setup) - in_call
    return [
        (0, "total: `pytest features -m e2e`, process start to exit", total),
        (1, "Python start, imports, collection", startup),
        (1, "world start (the `world` fixture: World() and its start)", world),
        *((2, name, seconds) for name, seconds in laps.items()),
        (2, "World() itself (TLS files, server objects)", world - sum(laps.values())),
        (1, "other fixtures and pytest set-up (the session's Docker event watch, tmp dirs)", others),
        (1, "the scenario's steps", steps),
        (2, "outside workflow runs (pushes, API calls, checks, events)", steps - runs[0][2]),
        *runs,
        (1, "teardown (wait for runs, secret scan, world stop)", teardown[1] - teardown[0]),
        (1, "pytest report and exit", total - spent),
    ]


def details(record: dict[str, Any]) -> tuple[Detail, Detail, Detail]:
    """Per (workflow, job): set-up and clean-up seconds; per (workflow, job, step): seconds; and how
    often each ran in the scenario (keyed by (workflow, job) and (workflow, job, step))."""
    per_job: Detail = defaultdict(float)
    per_step: Detail = defaultdict(float)
    count: Detail = defaultdict(float)
    [scenario] = record["scenarios"].values()
    for run in scenario["runs"]:
        for job in run["jobs"]:
            if not job["started"]:
                continue
            key = (run["workflow"], job["name"])
            count[key] += 1
            per_job[(*key, "span")] += job["finished"] - job["started"]
            for part in job["parts"]:
                kind = part["kind"]
                per_job[(*key, kind)] += part["seconds"]
                if kind == "step":
                    per_step[(*key, part["name"])] += part["seconds"]
                    count[(*key, part["name"])] += 1
    return per_job, per_step, count


def median_of(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def medians(tables: list[Detail]) -> Detail:
    keys = dict.fromkeys(key for table in tables for key in table)
    return {key: median_of([table[key] for table in tables if key in table]) for key in keys}


def render(records: list[dict[str, Any]], command: str) -> str:
    every = [rows(record) for record in records]
    shown = [median_of([table[index][2] for table in every]) for index in range(len(every[0]))]
    total = shown[0]
    lines = [f"Where the end-to-end scenario's time goes ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
             f"median of {len(records)}; `{command}`). Each phase's median is taken on its own, so the rows under "
             "a phase add up to it only roughly.", "",
             "| phase | seconds | share of total |", "|---|---|---|"]
    for (indent, name, _), seconds in zip(every[0], shown, strict=True):
        label = "&nbsp;&nbsp;" * indent + ("**" + name + "**" if indent == 0 else name)
        lines.append(f"| {label} | {seconds:.2f} | {100 * seconds / total:.1f} % |")
    per_job, per_step, count = (medians(list(tables)) for tables in zip(*map(details, records), strict=True))
    lines += ["", "Per job, summed over the scenario's runs (median seconds):", "",
              "| workflow | job | runs | span | Set up job | steps | Complete job | between its parts |",
              "|---|---|---|---|---|---|---|---|"]
    for workflow, job in dict.fromkeys(key[:2] for key in per_job):
        span, setup, steps, complete = (per_job.get((workflow, job, kind), 0.0)
                                        for kind in ("span", "setup", "step", "complete"))
        lines.append(f"| {workflow} | {job} | {count[(workflow, job)]:g} | {span:.2f} | {setup:.2f} | {steps:.2f} "
                     f"| {complete:.2f} | {span - setup - steps - complete:.2f} |")
    lines += ["", "Per step (act's executionTime), summed over the scenario's runs, longest first:", "",
              "| workflow | job | step | runs | seconds |", "|---|---|---|---|---|"]
    for (workflow, job, step), seconds in sorted(per_step.items(), key=lambda item: -item[1]):
        lines.append(f"| {workflow} | {job} | {step.replace('|', '/')} | {count[(workflow, job, step)]:g} "
                     f"| {seconds:.2f} |")
    return "\n".join(lines) + "\n"


def measure(extra: list[str], folder: Path) -> dict[str, Any]:
    """One `pytest features -m e2e` in a fresh process; its timings as benchmarks.timings_plugin wrote them."""
    store = project_store(ROOT)
    if store is None:
        raise TestbedError(f"no action store beside {ROOT} (see `python3 -m testbed store`): the breakdown "
                           "runs the scenario offline with the project's store")
    out = folder / "timings.json"
    command = [sys.executable, "-m", "pytest", "features", "-m", "e2e", "-q", "-p", "no:cacheprovider",
               "--actions", str(store), "--results-dir", str(folder / "results"),
               "-p", "benchmarks.timings_plugin", "--breakdown-json", str(out), *extra]
    started = time.time()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    finished = time.time()
    if done.returncode != 0 or not out.exists():
        raise TestbedError(f"the e2e scenario did not pass (exit {done.returncode}), so its timings would mislead: "
                           f"fix it first; pytest said:\n{done.stdout[-3000:]}\n{done.stderr[-2000:]}")
    record: dict[str, Any] = json.loads(out.read_text())
    record["process"] = {"started": started, "finished": finished}
    if len(record["scenarios"]) != 1:
        raise TestbedError(f"expected one e2e scenario, found {sorted(record['scenarios'])}: the breakdown reads one")
    return record


def main() -> int:
    parser = argparse.ArgumentParser(description=" ".join(__doc__.split("\n\n")[0].split()))
    parser.add_argument("--repeat", type=int, default=3, help="runs of the scenario (the median is shown)")
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "breakdown.md", help="where the table goes")
    parser.add_argument("--keep", type=Path, default=None, help="also keep each run's raw timings (JSON) here")
    parser.add_argument("extra", nargs="*", help="more pytest arguments, after `--` (e.g. -- --runner host)")
    args = parser.parse_args()
    records = []
    for index in range(args.repeat):
        print(f"e2e run {index + 1} of {args.repeat} ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix="breakdown-") as tmp:
            records.append(measure(args.extra, Path(tmp)))
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            (args.keep / f"timings-{index + 1}.json").write_text(json.dumps(records[-1], indent=1) + "\n")
    command = "python3 benchmarks/breakdown.py" + (f" --repeat {args.repeat}" if args.repeat != 3 else "") + "".join(
        f" {arg}" for arg in (["--", *args.extra] if args.extra else []))
    table = render(records, command)
    print(table)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(table)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except TestbedError as error:
        sys.exit(f"breakdown: {error}")
