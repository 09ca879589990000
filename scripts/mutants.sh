#!/usr/bin/env bash
# The spec's mutation score: every mutant of tests/spec/catalogue.py through the scenarios of its
# contract sentence (two workers each); prints the kill rate and the survivors, writes
# results/mutants.md (and results/mutants.json, which later batches add to). Arguments go to
# `python3 -m tests.spec.mutate`, e.g. --only ID..., --sentence ST5 PR1, --fast, --list;
# arguments it does not know go to the child pytest.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p results
# Marketplace actions come from the project's action store, as in scripts/test-all.sh.
store="$(python3 -m testbed store 2>/dev/null)" || store=""
python3 -m tests.spec.mutate "$@" ${store:+--actions "$store"}
