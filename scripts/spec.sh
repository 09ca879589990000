#!/usr/bin/env bash
# The main job: the spec (features/) against the reference workflows, with its report:
# results/traceability.md and .html (verdicts, what was judged, evidence, runs), cucumber.json and
# junit.xml; the summary at the end says passed / FAILED (the implementation) / ERROR (the testbed).
# Exits non-zero when a scenario failed or errored. Extra arguments go to pytest, e.g.
# --workflows DIR to judge another implementation, --shard K/N for a share. Scenarios run on every
# core (pytest-xdist `-n auto`, reports merged across workers) unless -n/--numprocesses is given.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p results
# Marketplace actions come from the project's action store (shared/actions beside the repo) when
# there is one; a later --actions DIR in the arguments wins.
store="$(python3 -m testbed store 2>/dev/null)" || { store=""; echo "no action store beside the repo: act downloads actions" >&2; }
workers=(-n auto)
for arg in "$@"; do
  case "$arg" in -n|-n*|--numprocesses|--numprocesses=*|no:xdist) workers=() ;; esac
done
python3 -m pytest features "${workers[@]}" --cucumberjson=results/cucumber.json --junitxml=results/junit.xml ${store:+--actions "$store"} "$@"
