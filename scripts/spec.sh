#!/usr/bin/env bash
# The main job: the spec (features/) against the reference workflows, with its report:
# results/traceability.md and .html (verdicts, what was judged, evidence, runs), cucumber.json and
# junit.xml; the summary at the end says passed / FAILED (the implementation) / ERROR (the testbed).
# Exits non-zero when a scenario failed or errored. Extra arguments go to pytest, e.g.
# --workflows DIR to judge another implementation, -n 2 for two workers, --shard K/N for a share.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p results
python3 -m pytest features --cucumberjson=results/cucumber.json --junitxml=results/junit.xml "$@"
