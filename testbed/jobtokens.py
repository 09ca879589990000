"""A `GITHUB_TOKEN` per job, with that job's permissions, although act gives one token per run.

GitHub mints the token per job: the job's `permissions:`, else the workflow's, else the
repository default; a job of a called workflow gets at most what its caller job has. act 0.2.89
takes one `GITHUB_TOKEN` secret (and `github.token`) for every job of the run. So, in the run's
own clone of the workflows, each job's token is minted here and its references are rewritten to
a secret of its own:

- every `secrets.GITHUB_TOKEN` / `github.token` inside a job becomes `secrets.GITHUB_TOKEN_<n>`;
  a workflow-level `env:` entry naming the token is copied into each job (GitHub evaluates it
  per job, with the job's token);
- a step `uses:` of an action whose input defaults to `${{ github.token }}` gets that input set
  to the job's token, unless the step sets it;
- a caller job passes its called workflow `GITHUB_TOKEN` (its own token) and every
  `GITHUB_TOKEN_<n>` the called jobs use; a workflow called by several jobs gets a copy per
  caller, since each caller caps it differently.

The act-level `GITHUB_TOKEN` keeps the workflow-level permissions (what composite actions'
own `github.token` see). Files are edited with ruamel.yaml's round trip, so comments and
layout stay; the display names act prints are unchanged.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as pyyaml
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import ScalarString

from testbed.actionuses import REMOTE, ActionSources
from testbed.errors import TestbedError
from testbed.github.permissions import Permissions, PermissionsError

TOKEN = "GITHUB_TOKEN"
LOCAL_CALL = "./.github/workflows/"
EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)
REFERENCE = re.compile(r"\bsecrets\.GITHUB_TOKEN\b(?![-\w])|\bsecrets\[\s*'GITHUB_TOKEN'\s*\]|\bgithub\.token\b(?![-\w])"
                       r"|\bgithub\[\s*'token'\s*\]")

Mint = Callable[[Permissions], str]  # a GITHUB_TOKEN for the run's repository with these permissions


@dataclass(frozen=True)
class JobToken:
    """The token one job got: which job (`file/job`, after its callers': `a.yml/caller/b.yml/job`), its
    permissions, the secret's name."""

    job: str
    permissions: Permissions
    secret: str


@dataclass
class TokenPlan:
    """What the rewrite produced: extra secrets for act, the run-level token's permissions, each job's token."""

    workflow: Permissions
    secrets: dict[str, str] = field(default_factory=dict)
    jobs: list[JobToken] = field(default_factory=list)


class JobTokenError(TestbedError):
    """A workflow whose permissions GitHub would reject (the run fails before it starts, as on GitHub)."""


def _yaml() -> YAML:
    yaml = YAML()  # round trip, YAML 1.2: `on:` stays a string key
    yaml.preserve_quotes = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


class JobTokens:
    """Rewrites one run's workflows (`workflows`: its clone's `.github/workflows`) for per-job tokens."""

    def __init__(self, workflows: Path, *, default: Permissions, mint: Mint,
                 action_inputs: Callable[[str], Mapping[str, str]]) -> None:
        self.workflows = workflows
        self.default = default
        self.mint = mint
        self.action_inputs = action_inputs  # step `uses:` -> {input: default} of that action ({} if unknown)
        self.plan = TokenPlan(default)
        self._texts: dict[str, str] = {}
        self._copies: dict[str, int] = {}

    def rewrite(self, workflow: str) -> TokenPlan:
        document = self._load(workflow)
        self.plan.workflow = self._permissions(document, None, f"{workflow}: permissions", self.default)
        self._rewrite_file(workflow, workflow, document, cap=None, inherited=self.plan.workflow)
        return self.plan

    # one file ----------------------------------------------------------------------------
    def _rewrite_file(self, name: str, target: str, document: Any, *, cap: Permissions | None,
                      inherited: Permissions, caller: str = "") -> list[str]:
        """Rewrite `document` (read from `name`), write it to `target`; the secret names its jobs use."""
        own = self._permissions(document, cap, f"{name}: permissions", inherited)
        jobs = document.get("jobs") if isinstance(document, dict) else None
        used: list[str] = []
        top_env = {key: value for key, value in (document.get("env") or {}).items()
                   if isinstance(value, str) and _mentions(value)} if isinstance(document.get("env"), dict) else {}
        for job_id, job in (jobs or {}).items() if isinstance(jobs, dict) else ():
            if not isinstance(job, dict):
                continue
            permissions = self._permissions(job, cap, f"{name}: jobs.{job_id}.permissions", own)
            path = f"{caller}{name}/{job_id}"
            secret = self._mint(path, permissions)
            used.append(secret)
            called = job.get("uses")
            if isinstance(called, str) and called.startswith(LOCAL_CALL):
                used += self._call(job, called, permissions, caller=f"{path}/")
            else:
                for key, value in top_env.items():
                    job.setdefault("env", {})
                    if key not in job["env"]:
                        job["env"][key] = value
                for step in job.get("steps") or []:
                    if isinstance(step, dict) and isinstance(step.get("uses"), str):
                        self._set_token_inputs(step)
            _replace(job, secret)
        for key in top_env:
            document["env"][key] = _replace(document["env"][key], TOKEN)  # as act's run-level token
        self._dump(document, target)
        return used

    def _call(self, job: dict[str, Any], called: str, permissions: Permissions, *, caller: str) -> list[str]:
        """Point a caller job at its own copy of the called workflow and pass it the tokens its jobs use."""
        name = called.removeprefix(LOCAL_CALL)
        count = self._copies.get(name, 0)
        self._copies[name] = count + 1
        target = name if count == 0 else f"{Path(name).stem}--{count + 1}{Path(name).suffix}"
        document = self._load(name)
        used = self._rewrite_file(name, target, document, cap=permissions, inherited=permissions, caller=caller)
        job["uses"] = LOCAL_CALL + target
        secrets = job.get("secrets")
        if secrets == "inherit":
            return used  # act passes every secret of the run
        if not isinstance(secrets, dict):
            job["secrets"] = secrets = {}
        secrets[TOKEN] = "${{ secrets.GITHUB_TOKEN }}"  # rewritten to the caller's own token by _replace
        for name_used in used:
            secrets[name_used] = f"${{{{ secrets.{name_used} }}}}"
        return used

    def _set_token_inputs(self, step: dict[str, Any]) -> None:
        given = step.get("with") if isinstance(step.get("with"), dict) else None
        for input_name, default in self.action_inputs(step["uses"]).items():
            if _mentions(default) and (given is None or input_name not in given):
                if given is None:
                    step["with"] = given = {}
                given[input_name] = "${{ github.token }}"  # the job's token, once _replace has run

    # helpers -----------------------------------------------------------------------------
    def _permissions(self, node: Any, cap: Permissions | None, where: str, otherwise: Permissions) -> Permissions:
        if not isinstance(node, dict) or "permissions" not in node:
            return otherwise
        try:
            declared = Permissions.parse(_plain(node["permissions"]), where=where)
        except PermissionsError as error:
            raise JobTokenError(str(error)) from None
        return declared.capped(cap) if cap is not None else declared

    def _mint(self, job: str, permissions: Permissions) -> str:
        secret = f"{TOKEN}_{len(self.plan.jobs) + 1}"
        self.plan.secrets[secret] = self.mint(permissions)
        self.plan.jobs.append(JobToken(job, permissions, secret))
        return secret

    def _load(self, name: str) -> Any:
        if name not in self._texts:
            try:
                self._texts[name] = (self.workflows / name).read_text()
            except OSError as error:
                raise JobTokenError(f"cannot read the workflow {name}: {error}") from None
        try:
            return _yaml().load(self._texts[name])
        except YAMLError as error:
            raise JobTokenError(f"the workflow {name} is not valid YAML: {error}") from None

    def _dump(self, document: Any, target: str) -> None:
        buffer = io.StringIO()
        _yaml().dump(document, buffer)
        (self.workflows / target).write_text(buffer.getvalue())


def action_inputs(uses: str, checkout: Path, sources: ActionSources) -> dict[str, str]:
    """The inputs (name -> default) of the action a step `uses:`, if the runner serves it; else {}."""
    if uses.startswith("./"):
        folder: Path | None = checkout / uses.removeprefix("./").rstrip("/")
    else:
        match = REMOTE.match(uses.strip())
        if not match:
            return {}
        key = f"{match['owner']}/{match['repo']}@{match['ref']}".lower()
        root = next((path for spec, path in sources.local_repositories.items() if spec.lower() == key), None)
        folder = root / (match["path"] or "") if root is not None else None
    for name in ("action.yml", "action.yaml"):
        if folder is not None and (folder / name).is_file():
            try:
                document = pyyaml.safe_load((folder / name).read_text()) or {}
            except pyyaml.YAMLError:
                return {}
            inputs = document.get("inputs") if isinstance(document, dict) else None
            return {str(key): str(value.get("default", "")) for key, value in (inputs or {}).items()
                    if isinstance(value, dict)}
    return {}


def _mentions(text: str) -> bool:
    return any(REFERENCE.search(expression.group()) for expression in EXPRESSION.finditer(text))


def _swap(text: str, secret: str) -> str:
    replacement = f"secrets.{secret}"
    return EXPRESSION.sub(lambda match: REFERENCE.sub(replacement, match.group()), text)


def _replace(node: Any, secret: str) -> Any:
    """Point every token reference in `node` (in place for mappings and lists) at `secrets.<secret>`."""
    if isinstance(node, dict):
        for key in list(node):
            if key == "if" and isinstance(node[key], str) and "${{" not in node[key]:
                node[key] = _keep_style(node[key], REFERENCE.sub(f"secrets.{secret}", node[key]))
            else:
                node[key] = _replace(node[key], secret)
        return node
    if isinstance(node, list):
        for index, item in enumerate(node):
            node[index] = _replace(item, secret)
        return node
    if isinstance(node, str):
        return _keep_style(node, _swap(node, secret))
    return node


def _keep_style(old: str, new: str) -> str:
    if new == old:
        return old
    return type(old)(new) if isinstance(old, ScalarString) else new


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(key): _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return str(node) if isinstance(node, str) else node
