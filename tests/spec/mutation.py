"""Applying a mutant to a copy of the reference and running the spec on it.

The spec runs in a child pytest, as a user runs it (`--workflows DIR --action DIR`), on the
scenarios tagged with the claims of the mutant's contract sentence (-m) narrowed by the mutant's
keyword (-k). Its cucumber JSON gives each scenario's verdict: a mutant is killed only when a
scenario carrying one of those claims FAILED; a scenario that errored (the testbed broke) shows
nothing about the mutant.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tests.spec.catalogue import Edit, Mutant
from tests.spec.sentences import BY_ID

ROOT = Path(__file__).resolve().parents[2]


class MutantError(Exception):
    """A mutant that no longer applies to the reference (its `old` text is gone)."""


def apply_edit(edit: Edit, path: Path, name: str) -> None:
    text = path.read_text()
    if edit.old not in text:
        raise MutantError(f"mutant {name}: {edit.old[:60]!r} is not in {edit.file}; update the catalogue entry")
    changed = text.replace(edit.old, edit.new, edit.count or -1)
    if changed == text:
        raise MutantError(f"mutant {name}: the edit of {edit.file} changes nothing")
    path.write_text(changed)


def apply(mutant: Mutant, target: Path) -> tuple[Path, Path]:
    """Write the mutated reference under target: (workflows dir, action dir holding reference/)."""
    workflows, action = target / "workflows", target / "action"
    shutil.copytree(ROOT / "workflows", workflows)
    shutil.copytree(ROOT / "reference", action / "reference", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for edit in mutant.edits:
        base = workflows.parent / "action" if edit.file.startswith("reference/") else workflows.parent
        apply_edit(edit, base / edit.file, mutant.id)
    return workflows, action


@dataclass(frozen=True)
class Scenario:
    """One scenario's verdict in the child run, with its tags and the step that failed."""

    name: str
    verdict: str
    tags: frozenset[str]
    step: str = ""


@dataclass
class Outcome:
    """What the spec said about one mutant."""

    mutant: str
    status: str  # killed, survived, error (no failure, some scenario errored), not run
    seconds: float
    scenarios: list[Scenario] = field(default_factory=list)
    command: str = ""
    tail: str = ""
    returncode: int = 0

    @property
    def ran(self) -> list[Scenario]:
        """The scenarios the child pytest ran; the report lists the deselected ones too, as not run."""
        return [s for s in self.scenarios if s.verdict != "not run"]

    def killers(self, claims: tuple[str, ...]) -> list[Scenario]:
        return [s for s in self.scenarios if s.verdict == "failed" and s.tags & set(claims)]

    def to_json(self) -> dict[str, object]:
        return {"mutant": self.mutant, "status": self.status, "seconds": round(self.seconds),
                "scenarios": [{"name": s.name, "verdict": s.verdict, "tags": sorted(s.tags), "step": s.step}
                              for s in self.scenarios], "command": self.command, "tail": self.tail}


def scenarios(cucumber: Path) -> list[Scenario]:
    """Every scenario of a cucumber JSON with the report's verdict (failed vs error) and its failing step."""
    found = []
    for feature in json.loads(cucumber.read_text()):
        for element in feature.get("elements", []):
            steps = element.get("steps", [])
            statuses = [step.get("result", {}).get("status") for step in steps]
            verdict = element.get("conformance", {}).get("verdict")
            if verdict is None:
                verdict = "failed" if "failed" in statuses else "passed"
            failing = next((f"{s.get('keyword', '').strip()} {s.get('name', '')}" for s in steps
                            if s.get("result", {}).get("status") == "failed"), "")
            found.append(Scenario(element.get("name", "?"), verdict,
                                  frozenset(tag["name"].lstrip("@") for tag in element.get("tags", [])), failing))
    return found


def selection(mutant: Mutant) -> list[str]:
    """The child pytest's -m (the sentence's claims) and -k (the mutant's keyword) arguments."""
    claims = BY_ID[mutant.sentence].claims
    args = ["-m", " or ".join(claims)]
    return args + (["-k", mutant.keyword] if mutant.keyword else [])


def run(mutant: Mutant, work: Path, *, workers: int = 2, extra: tuple[str, ...] = ()) -> Outcome:
    """Apply the mutant under work/ and run its scenarios; the outcome says killed, survived or error."""
    workflows, action = apply(mutant, work / "variant")
    results = work / "results"
    cucumber = results / "cucumber.json"
    command = [sys.executable, "-m", "pytest", "features", "--workflows", str(workflows), "--action", str(action),
               f"--cucumberjson={cucumber}", f"--results-dir={results}", "-p", "no:cacheprovider", "-q",
               "--no-header", *(["-n", str(workers)] if workers > 1 else []), *selection(mutant), *extra]
    started = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    found = scenarios(cucumber) if cucumber.exists() else []
    output = result.stdout[-3000:] + result.stderr[-1000:]
    outcome = Outcome(mutant.id, "", seconds, found, " ".join(command[2:]), output, result.returncode)
    if outcome.killers(BY_ID[mutant.sentence].claims):
        outcome.status = "killed"
    elif not outcome.ran:
        outcome.status = "not run"  # nothing was selected or the child pytest broke before any scenario
    elif any(s.verdict == "error" for s in outcome.ran):
        outcome.status = "error"
    else:
        outcome.status = "survived"
    return outcome
