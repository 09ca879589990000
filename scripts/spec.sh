#!/usr/bin/env bash
# The main job: the spec (features/) against the reference workflows, with the traceability
# report (results/traceability.md, .html, cucumber.json) and its summary table printed at the end.
# Extra arguments go to pytest, e.g. --workflows DIR to judge another implementation.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p results
# Marketplace actions come from the project's action store (shared/actions beside the repo) when
# there is one; a later --actions DIR in the arguments wins.
store="$(python3 -m testbed store 2>/dev/null)" || { store=""; echo "no action store beside the repo: act downloads actions" >&2; }
python3 -m pytest features --cucumberjson=results/cucumber.json ${store:+--actions "$store"} "$@"
