"""The step code stays thin: every step sentence of the features has one definition, every
definition is used by some feature, step modules import no other step module, and no step module
runs a subprocess, sleeps or talks to the Docker engine itself (the testbed does that)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from pytest_bdd.parser import FeatureParser
from pytest_bdd.steps import StepFunctionContext, step_function_context_registry

ROOT = Path(__file__).resolve().parents[2]
STEP_MODULES = sorted(path for path in (ROOT / "steps").glob("*_steps.py"))
HELPERS = {"steps.state", "steps.drive"}  # shared, and holding no steps


def definitions() -> list[StepFunctionContext]:
    names = {f"steps.{path.stem}" for path in STEP_MODULES}
    for name in names:
        importlib.import_module(name)
    return [ctx for ctx in list(step_function_context_registry.values()) if ctx.step_func.__module__ in names]


def feature_steps() -> list[tuple[str, str, str]]:
    """(feature file, step type, step text) of every step, outlines filled in with their first example."""
    found = []
    for path in sorted((ROOT / "features").glob("*.feature")):
        feature = FeatureParser(str(path.parent), path.name).parse()
        for template in feature.scenarios.values():
            rows = [dict(zip(e.example_params, row, strict=True)) for e in template.examples for row in e.examples]
            for step in template.render(rows[0] if rows else {}).steps:
                found.append((path.name, step.type, step.name))
    return found


def test_every_step_has_one_definition_and_every_definition_is_used() -> None:
    """No sentence is undefined or ambiguous, and no step definition is dead."""
    defs = definitions()
    used: set[tuple[str, str, str]] = set()
    problems = []
    for feature, kind, text in feature_steps():
        hits = [ctx for ctx in defs if ctx.type == kind and ctx.parser.is_matching(text)]
        if len(hits) != 1:
            problems.append(f"{feature}: {kind} {text!r} matches {[ctx.step_func.__name__ for ctx in hits]}")
        used |= {(ctx.step_func.__module__, ctx.type, str(ctx.parser.name)) for ctx in hits}
    assert problems == []
    dead = sorted({(ctx.step_func.__module__, ctx.type, str(ctx.parser.name)) for ctx in defs} - used)
    assert dead == [], f"step definitions no feature uses: {dead}"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    found = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return found | {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}


def test_step_modules_import_no_other_step_module_and_run_nothing() -> None:
    """Step modules share code only through steps.state, steps.drive and the testbed; no subprocess, sleep or docker."""
    offenders = {}
    for path in [*STEP_MODULES, ROOT / "steps" / "state.py", ROOT / "steps" / "drive.py"]:
        found = imports(path)
        bad = {name for name in found if name.startswith("steps.") and name not in HELPERS}
        bad |= found & {"subprocess", "time", "docker", "os"}
        if bad:
            offenders[path.name] = sorted(bad)
    assert offenders == {}
