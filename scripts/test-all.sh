#!/usr/bin/env bash
# Every test: the testbed's own tests, the reference CLI's unit tests, the static gates on the
# workflows, the spec against the reference workflows (traceability report in results/), and the
# spec's self-test against broken workflows. Two pytest-xdist workers; extra arguments go to pytest.
# Then the end-to-end and changelog scenarios once more under each other merge method (squash,
# rebase): the scenarios where the merge method changes what the workflows see; their reports go
# to results/merge-<method>/ so the full report in results/ stays whole.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
python3 -m pytest tests features -n 2 -p no:cacheprovider "$@"
for method in squash rebase; do
  python3 -m pytest features -m "e2e or prod_changelog" --merge-method "$method" -n 2 -p no:cacheprovider \
    --results-dir "results/merge-$method" "$@"
done
