#!/usr/bin/env bash
# The main job: the spec (features/) against the reference workflows, with the traceability
# report (results/traceability.md, .html, cucumber.json) and its summary table printed at the end.
# Extra arguments go to pytest, e.g. --workflows DIR to judge another implementation.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p results
python3 -m pytest features --cucumberjson=results/cucumber.json "$@"
