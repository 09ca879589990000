"""Run the mutation catalogue: `python3 -m tests.spec.mutate [--only ID ...] [--sentence ID ...] [--fast]`.

Each mutant runs only the scenarios of its contract sentence's claims (narrowed by its keyword)
with two workers. Prints each verdict as it comes, then the kill rate (killed / non-equivalent
mutants run) and the survivors; merges the outcomes into results/mutants.json (so batches add up)
and writes the table results/mutants.md from it. Exits 1 when a non-equivalent mutant survived.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from tests.spec.catalogue import MUST_PASS, MUTANTS, Mutant, check
from tests.spec.mutation import ROOT, Outcome, run
from tests.spec.sentences import BY_ID


def chosen(args: argparse.Namespace) -> list[Mutant]:
    if args.must_pass:
        return list(MUST_PASS)
    picked = [m for m in MUTANTS if (not args.only or m.id in args.only)
              and (not args.sentence or m.sentence in args.sentence) and (not args.fast or m.fast)
              and (args.equivalent or not m.equivalent)]
    unknown = set(args.only or ()) - {m.id for m in MUTANTS}
    if unknown:
        raise SystemExit(f"unknown mutant ids: {sorted(unknown)} (python3 -m tests.spec.mutate --list shows them)")
    return picked


def table(outcomes: dict[str, dict[str, object]]) -> str:
    """The Markdown table of every catalogue mutant with its latest outcome."""
    run_ones = [m for m in MUTANTS if not m.equivalent and m.id in outcomes]
    killed = [m for m in run_ones if outcomes[m.id]["status"] == "killed"]
    lines = ["# Mutation score of the spec", "",
             f"Killed {len(killed)} of {len(run_ones)} non-equivalent mutants run "
             f"({len(MUTANTS)} in the catalogue, {sum(bool(m.equivalent) for m in MUTANTS)} argued equivalent, "
             f"{sum(1 for m in MUTANTS if not m.equivalent and m.id not in outcomes)} not run yet).", "",
             "| mutant | sentence | operator | outcome | seconds | killed by (failed scenario: step) |",
             "|---|---|---|---|---|---|"]
    for mutant in MUTANTS:
        found = outcomes.get(mutant.id)
        status = str(found["status"]) if found else "not run"
        if mutant.equivalent:
            status = f"equivalent ({status})"
        claims = set(BY_ID[mutant.sentence].claims)
        killers = [f"{s['name']}: {s['step']}" for s in (found or {}).get("scenarios", [])  # type: ignore[attr-defined]
                   if s["verdict"] == "failed" and claims & set(s["tags"])]
        seconds = found["seconds"] if found else ""
        lines.append(f"| {mutant.id} | {mutant.sentence} | {mutant.operator} | {status} | {seconds} | "
                     f"{'; '.join(killers)[:300].replace('|', '/')} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tests.spec.mutate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", metavar="ID", help="these mutants only")
    parser.add_argument("--sentence", nargs="+", metavar="ID", help="the mutants of these contract sentences")
    parser.add_argument("--fast", action="store_true", help="the fixed fast subset CI runs")
    parser.add_argument("--equivalent", action="store_true", help="run the argued-equivalent mutants too")
    parser.add_argument("--must-pass", action="store_true",
                        help="run the must-pass variants instead (each must survive)")
    parser.add_argument("--list", action="store_true", help="list the catalogue and exit")
    parser.add_argument("--workers", type=int, default=2, help="pytest-xdist workers per mutant (default 2)")
    parser.add_argument("--results", default=str(ROOT / "results"), help="where mutants.json and mutants.md go")
    args, extra = parser.parse_known_args(argv)
    check()
    if args.list:
        for m in MUTANTS:
            print(f"{m.id:45} {m.sentence:5} {m.operator:16} {'EQUIVALENT ' if m.equivalent else ''}{m.mistake}")
        return 0
    results = Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    store = results / "mutants.json"
    outcomes: dict[str, dict[str, object]] = json.loads(store.read_text()) if store.exists() else {}
    ran: list[Outcome] = []
    for mutant in chosen(args):
        with tempfile.TemporaryDirectory(prefix=f"mutant-{mutant.id}-") as work:
            outcome = run(mutant, Path(work), workers=args.workers, extra=tuple(extra))
        ran.append(outcome)
        print(f"{outcome.status:9} {mutant.id} ({mutant.sentence}, {outcome.seconds:.0f} s)", flush=True)
        if outcome.status != "killed":
            print("  " + outcome.tail[-1500:].replace("\n", "\n  "), flush=True)
        current = json.loads(store.read_text()) if store.exists() else {}  # another batch may have written meanwhile
        current[mutant.id] = outcome.to_json()
        store.write_text(json.dumps(current, indent=1))
        outcomes = current
        (results / "mutants.md").write_text(table(outcomes))
    if args.must_pass:
        rejected = [o.mutant for o in ran if o.status != "survived"]
        print("must-pass variants the spec rejected (or errored on): " + (", ".join(rejected) or "none"))
        return 1 if rejected else 0
    counted = [o for o in ran if not next(m for m in MUTANTS if m.id == o.mutant).equivalent]
    killed = [o for o in counted if o.status == "killed"]
    survivors = [o.mutant for o in counted if o.status != "killed"]
    print(f"\nkill rate: {len(killed)}/{len(counted)} non-equivalent mutants run"
          f" ({100 * len(killed) / max(len(counted), 1):.0f}%); total {sum(o.seconds for o in ran):.0f} s")
    print("survivors (or errors): " + (", ".join(survivors) or "none"))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
