#!/usr/bin/env bash
# Every test: the testbed's own tests, the reference CLI's unit tests, the spec against the
# reference workflows (with its traceability report in results/), and the spec's self-test.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p results
python3 -m pytest tests features --cucumberjson=results/cucumber.json "$@"
