"""No flakiness bought with speed: the whole spec N times in a row on the default settings.

Runs `bash scripts/spec.sh` (the README's main command: the reference, job containers, every core)
N times, each run's report in results/repeat/<i>/ with pytest's own output (output.txt: a failed
scenario's workflow logs, the testbed's servers and the registry's log), and prints per run its
verdict counts, wall time and how busy the machine's cores were, and per scenario how often it
failed or errored; the last line is the count of runs that did not pass. Exits
1 when any run did not pass. From the repository root:

    python3 benchmarks/flakiness.py            # --times 10
    python3 benchmarks/flakiness.py --times 3 -- --runner host
    python3 benchmarks/flakiness.py --store-durations   # and keep the medians for --shard K/N
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# E402 below: these imports need ROOT on sys.path, as the script runs as `python3 benchmarks/flakiness.py`
from testbed.report.cucumber import read as read_report  # noqa: E402
from testbed.report.shard import store_durations  # noqa: E402


def verdicts(cucumber: Path) -> dict[str, str]:
    """Scenario name -> the report's verdict (passed, failed, error, not run) in a cucumber JSON."""
    found: dict[str, str] = {}
    for feature in json.loads(cucumber.read_text()):
        for element in feature.get("elements", []):
            verdict = element.get("conformance", {}).get("verdict", "error")
            found[f"{feature.get('name', '?')}: {element.get('name', '?')}"] = str(verdict)
    return found


def median_seconds(cucumbers: list[Path]) -> dict[str, float]:
    """Per scenario the median of its seconds over the runs that ran it: what `--shard` balances by."""
    runs: dict[str, list[float]] = collections.defaultdict(list)
    for cucumber in cucumbers:
        for scenario in read_report(cucumber).scenarios:
            if scenario.verdict != "not run":
                runs[scenario.nodeid].append(scenario.seconds)
    return {nodeid: statistics.median(values) for nodeid, values in runs.items()}


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle since boot (all cores; /proc/stat), 0 elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(field) for field in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 benchmarks/flakiness.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=10, help="how many runs (default 10)")
    parser.add_argument("--store-durations", action="store_true",
                        help="store each scenario's median seconds over the runs in benchmarks/spec-durations.json "
                             "(what --shard K/N balances by)")
    parser.add_argument("rest", nargs="*", help="after --: arguments for scripts/spec.sh")
    args = parser.parse_args(argv)
    if args.times < 1:
        parser.error(f"--times must be at least 1, not {args.times}")
    not_passed: collections.Counter[str] = collections.Counter()
    bad_runs = 0
    written: list[Path] = []
    for index in range(1, args.times + 1):
        results = ROOT / "results" / "repeat" / str(index)
        results.mkdir(parents=True, exist_ok=True)
        cucumber = results / "cucumber.json"
        started, busy = time.monotonic(), busy_seconds()
        done = subprocess.run(["bash", "scripts/spec.sh", f"--results-dir={results}", f"--cucumberjson={cucumber}",
                               *args.rest], cwd=ROOT, capture_output=True, text=True, check=False)
        seconds, busy = time.monotonic() - started, busy_seconds() - busy
        (results / "output.txt").write_text(done.stdout + done.stderr)
        found: dict[str, str] = {}
        if cucumber.exists():
            found = verdicts(cucumber)
            written.append(cucumber)
        counts = collections.Counter(found.values())
        for name, verdict in found.items():
            if verdict in ("failed", "error"):
                not_passed[name] += 1
        # deselected scenarios (-m, -k) are "not run": a run passes when some passed and none failed or errored
        ok = done.returncode == 0 and counts["passed"] > 0 and not counts["failed"] and not counts["error"]
        bad_runs += not ok
        cores = f", cores busy {busy / seconds:.2f} of {os.cpu_count()}" if busy else ""
        print(f"run {index}/{args.times}: {'passed' if ok else 'NOT PASSED'} in {seconds:.0f} s{cores} "
              f"({', '.join(f'{n} {v}' for v, n in sorted(counts.items())) or 'no report'}; exit {done.returncode})",
              flush=True)
    for name, count in not_passed.most_common():
        print(f"  failed or errored {count}x: {name}")
    if args.store_durations:
        store_durations(median_seconds(written))
    print(f"runs that did not pass: {bad_runs} of {args.times}")
    return 1 if bad_runs else 0


if __name__ == "__main__":
    sys.exit(main())
