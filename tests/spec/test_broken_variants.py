"""The spec catches breakage and accepts other legal choices.

The mutation catalogue (`tests/spec/catalogue.py`) holds plausible mistakes in the reference, one
per contract sentence at least; `python3 -m tests.spec.mutate` runs all of them (see
tests/spec/README.md for the score). Here CI runs a fixed fast subset, one mutant from each of
eight contract areas, through the spec (a child pytest, as a user runs it with --workflows DIR
--action DIR): each must be killed, i.e. a scenario tagged with its sentence's claim FAILS (an
error from the testbed does not count). The "must pass" variants are correct copies that make
other legal choices: the spec must pass them. Every mutant of the catalogue is also checked to
apply to today's reference and to leave valid YAML and Python, so a refactoring of the
reference cannot silently turn mutants into no-ops.
"""

from __future__ import annotations

import py_compile
from pathlib import Path

import pytest
import yaml

from tests.spec.catalogue import MUST_PASS, MUTANTS, Mutant, check
from tests.spec.mutation import apply, run
from tests.spec.sentences import BY_ID, SENTENCES

FAST = [mutant for mutant in MUTANTS if mutant.fast]


def test_the_catalogue_covers_every_contract_sentence() -> None:
    """Unique ids, at least 40 mutants, and every contract sentence broken by at least one."""
    check()
    assert len(MUTANTS) >= 40
    assert {m.sentence for m in MUTANTS} == {s.id for s in SENTENCES}


def test_the_fast_subset_spans_contract_areas() -> None:
    """CI's fixed subset holds 6 to 8 mutants of different sentences, none argued equivalent."""
    assert 6 <= len(FAST) <= 8
    assert len({m.sentence for m in FAST}) == len(FAST)
    assert not any(m.equivalent for m in FAST)


@pytest.mark.parametrize("mutant", [*MUTANTS, *MUST_PASS], ids=lambda mutant: mutant.id)
def test_mutant_applies_to_the_reference(mutant: Mutant, tmp_path: Path) -> None:
    """The mutant's edits find their text in today's reference and leave parseable YAML and Python."""
    workflows, action = apply(mutant, tmp_path)
    for path in workflows.glob("*.yml"):
        assert isinstance(yaml.safe_load(path.read_text()), dict), f"{mutant.id}: {path.name} is no workflow"
    for path in (action / "reference").glob("*.py"):
        py_compile.compile(str(path), cfile=str(tmp_path / "compiled.pyc"), doraise=True)


@pytest.mark.selftest
@pytest.mark.parametrize("mutant", FAST, ids=lambda mutant: mutant.id)
def test_spec_kills_mutant(mutant: Mutant, tmp_path: Path) -> None:
    """The spec fails on this mutant of the reference, in a scenario tagged with the broken sentence's claim."""
    outcome = run(mutant, tmp_path, workers=1)
    claims = BY_ID[mutant.sentence].claims
    assert outcome.status == "killed", (
        f"mutant {mutant.id} ({mutant.mistake}) was not killed by a scenario tagged {claims}: {outcome.status}; "
        f"scenarios: {[(s.name, s.verdict) for s in outcome.scenarios]}\n{outcome.tail}")


@pytest.mark.selftest
@pytest.mark.parametrize("variant", MUST_PASS, ids=lambda variant: variant.id)
def test_spec_accepts_correct_variant(variant: Mutant, tmp_path: Path) -> None:
    """The spec passes this correct copy that makes other legal choices than the reference."""
    outcome = run(variant, tmp_path, workers=1)
    assert outcome.ran, f"no scenario ran for {variant.id}:\n{outcome.tail}"
    assert outcome.returncode == 0 and all(s.verdict == "passed" for s in outcome.ran), (
        f"the spec rejected the correct variant {variant.id}: {[(s.name, s.verdict, s.step) for s in outcome.ran]}"
        f"\n{outcome.tail}")
