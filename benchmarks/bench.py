"""How fast the spec gives its verdict, and what a promotion costs.

Prints one table: each figure is the median of several runs on this machine, next to its target
and the command that produced it. Run from the repository root:

    python3 benchmarks/bench.py                 # everything (about 45 minutes on 2 cores)
    python3 benchmarks/bench.py --quick         # one repetition each, no whole-spec runs
    python3 benchmarks/bench.py --only promotion act
    python3 benchmarks/bench.py --only tls          # what https and registry tokens cost per operation
"""

from __future__ import annotations

import argparse
import functools
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
# E402 below: these imports need ROOT on sys.path, as the script runs as `python3 benchmarks/bench.py`

from benchmarks import promotion, tls  # noqa: E402
from benchmarks.figure import Figure  # noqa: E402
from testbed.actions.invocation import RunnerConfig  # noqa: E402
from testbed.actions.record import Run, RunRequest  # noqa: E402
from testbed.actions.runner import ActRunner  # noqa: E402
from testbed.dockerwatch import DockerWatch  # noqa: E402
from testbed.enginelock import engine_lock  # noqa: E402
from testbed.jobimage import ensure_job_image  # noqa: E402


def timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def sh(command: str) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(command, shell=True, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return run


def bench_setup(repeat: int, cold: bool) -> list[Figure]:
    figures = []
    if cold:
        images = subprocess.run(
            "docker images --format '{{.Repository}}:{{.Tag}}' | grep -E '^relsuite-(job|base):'",
            shell=True, capture_output=True, text=True, check=False,
        ).stdout.split()
        with engine_lock("remove"):
            subprocess.run(["docker", "rmi", "-f", *images], capture_output=True, check=False)
        subprocess.run(["rm", "-rf", str(ROOT / ".cache/npm")], check=False)
        seconds = timed(sh("bash scripts/setup.sh"))
        figures.append(Figure("setup, cold (job image + schemas rebuilt; system packages present)", [seconds], "s",
                              "<= 240 s", "docker rmi relsuite images; rm -rf .cache/npm; bash scripts/setup.sh",
                              seconds <= 240))
    warm = [timed(sh("bash scripts/setup.sh")) for _ in range(repeat)]
    figures.append(Figure("setup, warm", warm, "s", "seconds", "bash scripts/setup.sh", statistics.median(warm) < 10))
    return figures


ONE_JOB = """\
name: floor
on: push
permissions: {}
jobs:
  hello:
    runs-on: ubuntu-latest
    steps:
      - run: echo hello
"""


def bench_act(repeat: int) -> list[Figure]:
    image = ensure_job_image()
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        (repo / ".github/workflows").mkdir(parents=True)
        (repo / ".github/workflows/floor.yml").write_text(ONE_JOB)
        subprocess.run("git init -q -b main && git add -A && git -c user.name=b -c user.email=b@b commit -qm floor",
                       shell=True, cwd=repo, check=True)
        request = RunRequest(repo="acme/app", workflow="floor.yml", event_name="push",
                             payload={"ref": "refs/heads/main"}, sha="HEAD", secrets={}, variables={}, env={})
        for mode in ("container", "host"):
            runner = ActRunner(RunnerConfig(image=image, mode=mode), Path(tmp) / "act")
            run_once = functools.partial(runner.run, Run(id=1, request=request), repo)
            values = [timed(run_once) for _ in range(repeat)]
            figures.append(Figure(f"act, one-job workflow ({mode})", values, "s", "floor",
                                  f"ActRunner(mode={mode!r}) on a one-step workflow"))
    return figures


def bench_reference_runs(repeat: int) -> list[Figure]:
    from testbed.world import World, WorldConfig

    stg, prod = [], []
    with DockerWatch() as watch:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp, World.started(Path(tmp), WorldConfig(), watch) as world:
                world.history.set_version("1.2.0")
                world.push_branch("feat/bench", files={"bench.txt": "x\n"}, message="Add bench")
                runs = world.merge_pr(world.open_pr("feat/bench", "stg", "Add bench"))
                stg += [run.seconds for run in runs if run.workflow == "build-stg-image.yml"]
                pulls = list(world.api().get_repo(world.app_repo).get_pulls(state="open", base="main"))
                if pulls:
                    runs = world.merge_pr(pulls[0].number)
                    prod += [run.seconds for run in runs if run.workflow == "build-prod-image.yml"]
    return [
        Figure("stg run (feat merged into stg)", stg, "s", "-", "World: merge feat/* PR, build-stg-image.yml"),
        Figure("prod run (stg merged into main)", prod, "s", "-", "World: merge stg -> main, build-prod-image.yml"),
    ]


def bench_spec(repeat: int) -> list[Figure]:
    """The README's main command (every core, job containers, the report), the end-to-end scenario, and
    the end-to-end scenario with act's engine socket as a plain pass-through (the lever's "before")."""
    failed: list[str] = []

    def runs(command: str, env: dict[str, str] | None = None) -> list[float]:
        seconds = []
        for _ in range(repeat):
            start = time.perf_counter()
            done = subprocess.run(command, shell=True, cwd=ROOT, env={**os.environ, **(env or {})}, check=False,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            seconds.append(time.perf_counter() - start)
            if done.returncode != 0:  # its output is kept: a failed run must be explained, not just counted
                log = ROOT / "results" / "bench-failures" / f"{len(failed) + 1}.log"
                log.parent.mkdir(parents=True, exist_ok=True)
                log.write_bytes(done.stdout)
                failed.append(f"{command} (output: {log.relative_to(ROOT)})")
        return seconds

    e2e = runs("python3 -m pytest features -m e2e -q -p no:cacheprovider")
    e2e_plain = runs("python3 -m pytest features -m e2e -q -p no:cacheprovider", {"RELSUITE_MOUNTED_FILES": "0"})
    e2e_host = runs("python3 -m pytest features -m e2e -q -p no:cacheprovider --runner host")
    main = runs("bash scripts/spec.sh")
    main_host = runs("bash scripts/spec.sh --runner host")
    return [
        Figure("end-to-end scenario", e2e, "s", "<= 30 s", "pytest features -m e2e", statistics.median(e2e) <= 30),
        Figure("end-to-end scenario, act's engine socket a plain pass-through (before)", e2e_plain, "s", "-",
               "RELSUITE_MOUNTED_FILES=0 pytest features -m e2e"),
        Figure("end-to-end scenario, host mode", e2e_host, "s", "<= 30 s", "pytest features -m e2e --runner host",
               statistics.median(e2e_host) <= 30),
        Figure("the main command, warm (whole spec, -n auto, report)", main, "s", "<= 120 s", "bash scripts/spec.sh",
               statistics.median(main) <= 120),
        Figure("the main command, host mode", main_host, "s", "<= 120 s", "bash scripts/spec.sh --runner host",
               statistics.median(main_host) <= 120),
        Figure("runs above that did not pass", [float(len(failed))], "", "0", "; ".join(failed) or "-",
               not failed),
    ]


def bench_promotion(repeat: int) -> list[Figure]:
    return promotion.figures(repeat)


SECTIONS: dict[str, Callable[[argparse.Namespace], list[Figure]]] = {
    "setup": lambda args: bench_setup(args.repeat, args.cold),
    "act": lambda args: bench_act(args.repeat),
    "runs": lambda args: bench_reference_runs(args.repeat),
    "promotion": lambda args: bench_promotion(args.repeat),
    "spec": lambda args: bench_spec(args.repeat),
    "tls": lambda args: tls.figures(args.repeat),
}


def render(figures: list[Figure]) -> str:
    lines = [
        f"benchmark on {platform.node()} ({os.cpu_count()} cores, {platform.machine()}), "
        f"{time.strftime('%Y-%m-%d %H:%M')}",
        "",
        "| figure | median | runs | target | met | command |",
        "|---|---|---|---|---|---|",
    ]
    for figure in figures:
        met = "" if figure.met is None else ("yes" if figure.met else "NO")
        if figure.unit == "B":
            value = f"{figure.median:,.0f} B"
        else:
            value = f"{figure.median:.2f} {figure.unit}" if figure.unit != "" else f"{figure.median:g}"
        lines.append(f"| {figure.name} | {value} | {len(figure.values)} | {figure.target} | {met}"
                     f" | `{figure.command}` |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median is printed)")
    parser.add_argument("--quick", action="store_true", help="one run per figure, skip the whole-spec runs")
    parser.add_argument("--cold", action="store_true", help="also measure setup with the job image removed")
    parser.add_argument("--only", nargs="*", choices=sorted(SECTIONS), help="sections to run")
    args = parser.parse_args()
    if args.quick:
        args.repeat = 1
    sections = args.only or [name for name in SECTIONS if not (args.quick and name == "spec")]
    figures: list[Figure] = []
    for name in sections:
        print(f"measuring {name} ...", file=sys.stderr, flush=True)
        figures += SECTIONS[name](args)
    print(render(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
