"""From a GitHub event to the workflow runs GitHub would start for it.

Picks the workflow files at the commit GitHub reads them from, applies the trigger filters, and
works out each run's concurrency group.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from testbed import gitrepo
from testbed.github import Event
from testbed.runner import RunRequest
from testbed.decisions import TriggerDecision, TriggerVerdict
from testbed.triggers import EventFacts, invalid_reason, parse_workflow, why_not

ZERO_SHA = "0" * 40
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


def workflow_sha(event: Event) -> str:
    """The commit whose workflow files (and tree) the run uses, as on GitHub."""
    payload = event.payload
    if event.name in ("pull_request", "pull_request_target"):
        pull = payload["pull_request"]
        return str(pull.get("merge_commit_sha") or pull["head"]["sha"]) if pull.get("merged") else str(pull["head"]["sha"])
    if event.name == "push":
        return str(payload["after"])
    return event.sha


def facts(event: Event, bare: Path) -> EventFacts:
    payload = event.payload
    if event.name in ("pull_request", "pull_request_target"):
        pull = payload["pull_request"]
        return EventFacts(
            name=event.name,
            action=str(payload.get("action", "")),
            branch=str(pull["base"]["ref"]),
            changed_paths=gitrepo.changed_paths(bare, pull["base"]["sha"], pull["head"]["sha"]),
        )
    if event.name == "push":
        ref = str(payload["ref"])
        before = str(payload.get("before", ZERO_SHA))
        changed = None if before == ZERO_SHA else gitrepo.changed_paths(bare, before, str(payload["after"]))
        branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else ""
        tag = ref.removeprefix("refs/tags/") if ref.startswith("refs/tags/") else ""
        return EventFacts(name="push", branch=branch, tag=tag, changed_paths=changed)
    if event.name == "repository_dispatch":
        return EventFacts(name=event.name, action=str(payload.get("action", "")))
    return EventFacts(name=event.name, action=str(payload.get("action", "")))


def github_context(event: Event, workflow: Mapping[str, Any], file_name: str) -> dict[str, str]:
    """The few `github.*` values a concurrency group is usually built from."""
    payload = event.payload
    pull = payload.get("pull_request") or {}
    ref = event.ref
    if pull:
        ref = f"refs/pull/{pull['number']}/merge"
    return {
        "github.workflow": str(workflow.get("name") or f".github/workflows/{file_name}"),
        "github.ref": ref,
        "github.ref_name": ref.rsplit("/", 1)[-1] if not pull else f"{pull['number']}/merge",
        "github.head_ref": str(pull.get("head", {}).get("ref", "")),
        "github.base_ref": str(pull.get("base", {}).get("ref", "")),
        "github.event_name": event.name,
        "github.repository": event.repo,
        "github.event.pull_request.base.ref": str(pull.get("base", {}).get("ref", "")),
        "github.event.pull_request.head.ref": str(pull.get("head", {}).get("ref", "")),
        "github.event.pull_request.number": str(pull.get("number", "")),
    }


def concurrency_group(workflow: Mapping[str, Any], context: Mapping[str, str]) -> str | None:
    """The workflow-level `concurrency` group with simple `${{ github.* }}` values filled in.

    Only workflow-level groups are applied; job-level ones run as if absent.
    """
    setting = workflow.get("concurrency")
    if isinstance(setting, Mapping):
        setting = setting.get("group")
    if setting is None:
        return None
    return EXPRESSION.sub(lambda match: context.get(match.group(1), match.group(0)), str(setting))


def cancels_in_progress(workflow: Mapping[str, Any]) -> bool:
    """Whether the workflow-level group cancels the run in progress (`cancel-in-progress: true`)."""
    setting = workflow.get("concurrency")
    return isinstance(setting, Mapping) and setting.get("cancel-in-progress") is True


def run_requests(
    event: Event,
    *,
    bare: Path,
    secrets: Callable[[], Mapping[str, str]],
    variables: Mapping[str, str],
    env: Mapping[str, str],
    on_decision: Callable[[TriggerDecision], None] | None = None,
) -> Iterator[RunRequest]:
    """One request per workflow file this event starts; `on_decision` hears why each file did or did not."""
    sha = workflow_sha(event)
    event_facts = facts(event, bare)
    label = f"{event.name}.{event_facts.action}" if event_facts.action else event.name

    def decide(file_name: str, verdict: TriggerVerdict, reason: str) -> None:
        if on_decision is not None:
            on_decision(TriggerDecision(file_name, label, sha, verdict, reason))

    for file_name, text in sorted(gitrepo.workflow_files(bare, sha).items()):
        problem = invalid_reason(text)
        if problem is not None:  # GitHub shows an invalid file and starts nothing for it
            decide(file_name, "invalid", problem)
            continue
        workflow = parse_workflow(text)
        reason = why_not(workflow, event_facts)
        if reason is not None:
            decide(file_name, "not triggered", reason)
            continue
        decide(file_name, "started", _started_reason(event_facts))
        yield RunRequest(
            repo=event.repo,
            workflow=file_name,
            event_name=event.name,
            payload=event.payload,
            sha=sha,
            secrets=dict(secrets()),
            variables=dict(variables),
            env=dict(env),
            concurrency_group=concurrency_group(workflow, github_context(event, workflow, file_name)),
            cancel_in_progress=cancels_in_progress(workflow),
        )


def _started_reason(event: EventFacts) -> str:
    where = f"tag {event.tag!r}" if event.tag else f"branch {event.branch!r}" if event.branch else "the event"
    return f"`on:` names {event.name!r} and its filters pass for {where}"
