"""A job's outputs as GitHub computes them: its `outputs:` map evaluated over its steps' outputs.

act logs the outputs each step sets, not the job's: on GitHub a job exposes only what its
`outputs:` map names (`tags: ${{ steps.build.outputs.tags }}`); a step output the map does not
name, or a map entry naming a step output that was never set, gives nothing (an empty string).
The map is read from the run's own copy of the workflows (the workflow and those it calls).

Evaluated: text with `${{ steps.<id>.outputs.<name> }}` and `${{ needs.<job>.outputs.<name> }}`
(dot or `['...']` form). A map with any other expression (a function, an operator) is not
guessed at: that job keeps all its steps' outputs, as before, and the run log says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from testbed.actions.actlog import JobResult
from testbed.actions.jobtokens import LOCAL_CALL

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.DOTALL)
_PART = r"(?:\.([A-Za-z_][\w-]*)|\[\s*'([^']+)'\s*\])"
REFERENCE = re.compile(rf"^\s*(steps|needs){_PART}\s*(?:\.outputs|\[\s*'outputs'\s*\]){_PART}\s*$")


def declared(workflows: Path, workflow: str, tag: str = "") -> dict[str, Mapping[str, str]]:
    """Job key (as actlog keys jobs: `job`, or `<called workflow name>/<job>`) -> its `outputs:` map."""
    found: dict[str, Mapping[str, str]] = {}

    def visit(name: str, prefix: str, seen: frozenset[str]) -> None:
        document = _load(workflows / name)
        for job_id, job in (document.get("jobs") or {}).items():
            if not isinstance(job, dict):
                continue
            outputs = job.get("outputs")
            if isinstance(outputs, dict):
                found[f"{prefix}{job_id}"] = {str(k): str(v) for k, v in outputs.items()}
            called = job.get("uses")
            if isinstance(called, str) and called.startswith(LOCAL_CALL):
                target = called.removeprefix(LOCAL_CALL)
                if target not in seen:
                    title = str(_load(workflows / target).get("name") or f".github/workflows/{target}")
                    visit(target, f"{title.replace(f' [{tag}]', '') if tag else title}/", seen | {target})

    visit(workflow, "", frozenset({workflow}))
    return found


def _load(path: Path) -> dict[str, Any]:
    try:
        document = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return {}
    return document if isinstance(document, dict) else {}


def evaluate(template: str, steps: Mapping[str, Mapping[str, str]],
             needs: Mapping[str, Mapping[str, str]]) -> str | None:
    """`template` with its expressions replaced; None when one of them is not a plain output reference."""
    unknown = False

    def value(match: re.Match[str]) -> str:
        nonlocal unknown
        reference = REFERENCE.match(match.group(1))
        if reference is None:
            unknown = True
            return ""
        context, first, first_bracket, second, second_bracket = reference.groups()
        source = steps if context == "steps" else needs
        return source.get(first or first_bracket, {}).get(second or second_bracket, "")

    text = EXPRESSION.sub(value, template)
    return None if unknown else text


def with_job_outputs(jobs: Mapping[str, JobResult], definitions: Mapping[str, Mapping[str, str]]
                     ) -> tuple[dict[str, JobResult], list[str]]:
    """Each job with the outputs its `outputs:` map gives (none without a map); notes for maps not evaluated.

    A job is found in `definitions` by its workflow part and its id (act's keys use a job's `name:`)."""
    result: dict[str, JobResult] = {}
    notes = []
    done: dict[str, dict[str, Mapping[str, str]]] = {}  # workflow part -> job id -> its outputs
    for key, job in jobs.items():
        workflow, _, name = key.rpartition("/")
        job_id = job.job_id or name
        mapping = definitions.get(f"{workflow}/{job_id}" if workflow else job_id, {})
        evaluated = {output: evaluate(template, job.steps, done.get(workflow, {}))
                     for output, template in mapping.items()}
        if any(value is None for value in evaluated.values()):
            notes.append(f"job {key}: outputs map not evaluated by the testbed (an expression beyond "
                         f"steps/needs output references); its outputs are all its steps' outputs")
            outputs = dict(job.outputs)
        else:
            outputs = {output: value for output, value in evaluated.items() if value is not None}
        done.setdefault(workflow, {})[job_id] = outputs
        result[key] = replace(job, outputs=outputs)
    return result, notes
