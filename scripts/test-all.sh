#!/usr/bin/env bash
# Every test: the testbed's own tests, the reference CLI's unit tests, the static gates on the
# workflows, the spec against the reference workflows (traceability report in results/), and the
# spec's self-test against broken workflows. Two pytest-xdist workers; extra arguments go to pytest.
# Then the end-to-end and changelog scenarios once more under each other merge method (squash,
# rebase): the scenarios where the merge method changes what the workflows see; their reports go
# to results/merge-<method>/ so the full report in results/ stays whole. Last, the second
# implementation (examples/marketplace, marketplace actions and gh) end to end; its whole spec is
# `bash scripts/spec.sh --workflows examples/marketplace` (a separate command: it doubles the time).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# Marketplace actions come from the project's action store (shared/actions beside the repo) when
# there is one; a later --actions DIR in the arguments wins.
store="$(python3 -m testbed store 2>/dev/null)" || { store=""; echo "no action store beside the repo: act downloads actions" >&2; }
python3 -m pytest tests features -n 2 -p no:cacheprovider ${store:+--actions "$store"} "$@"
for method in squash rebase; do
  python3 -m pytest features -m "e2e or prod_changelog" --merge-method "$method" -n 2 -p no:cacheprovider \
    ${store:+--actions "$store"} --results-dir "results/merge-$method" "$@"
done
python3 -m pytest features -m e2e --workflows examples/marketplace -n 2 -p no:cacheprovider \
  ${store:+--actions "$store"} --results-dir results/marketplace "$@"
