#!/usr/bin/env bash
# Every test: the testbed's own tests, the reference CLI's unit tests, the static gates on the
# workflows, the spec against the reference workflows (traceability report in results/), and the
# spec's self-test against broken workflows. Two pytest-xdist workers; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python3 -m pytest tests features -n 2 -p no:cacheprovider "$@"
