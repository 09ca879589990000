"""Every remote action and reusable workflow a run needs, and where act gets each of them.

GitHub resolves `uses: owner/repo[/path]@ref` when the job starts. act fetches the repository
from `GITHUB_SERVER_URL` (here the local GitHub, which does not host marketplace actions), so
before act starts the runner walks the workflow, the reusable workflows it calls and the
composite actions they use (recursively), and maps each remote action to a folder with
`--local-repository owner/repo@ref=DIR`: a folder of the action store, or one of the runner's
own mappings (the reference CLI's action). What is in neither is downloaded from github.com when
downloads are allowed, and otherwise fails the run before act starts, naming the action.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from testbed.actionstore import ActionStore, layout_help
from testbed.errors import TestbedError

# owner/repo[/path]@ref, as GitHub accepts it in `uses:`
REMOTE = re.compile(r"^(?P<owner>[A-Za-z0-9_.-]+)/(?P<repo>[A-Za-z0-9_.-]+)(?:/(?P<path>[^@]+))?@(?P<ref>[^@\s]+)$")
REUSABLE = re.compile(r"^\.github/workflows/[^/]+\.ya?ml$")


@dataclass(frozen=True)
class ActionUse:
    """One `uses:` of a remote action or reusable workflow, and the file that wrote it."""

    repository: str  # owner/repo as written
    path: str  # folder inside the repository ('' for its root), or `.github/workflows/x.yml`
    ref: str
    where: str

    @property
    def key(self) -> str:
        """What act's `--local-repository` matches: `owner/repo@ref`."""
        return f"{self.repository}@{self.ref}"

    @property
    def uses(self) -> str:
        return f"{self.repository}{'/' + self.path if self.path else ''}@{self.ref}"


@dataclass(frozen=True)
class ActionSources:
    """Where act gets the actions of one run."""

    local_repositories: Mapping[str, Path] = field(default_factory=dict)  # owner/repo@ref -> folder
    downloads: tuple[str, ...] = ()  # owner/repo fetched from github.com
    uses: tuple[ActionUse, ...] = ()


class MissingActionError(TestbedError):
    """A workflow uses an action the testbed can neither serve nor download."""


def resolve(
    checkout: Path,
    workflow: str,
    *,
    store: ActionStore | None,
    mapped: Mapping[str, Path],
    downloads: bool,
    repository: str,
) -> ActionSources:
    """The `--local-repository` mappings and downloads for running `workflow` in `checkout`.

    Raises MissingActionError naming every action that is neither mapped, in the store nor
    downloadable, with how to add it to the store.
    """
    local: dict[str, Path] = {}
    fetched: list[str] = []
    missing: list[str] = []
    seen: list[ActionUse] = []
    pending: list[tuple[str, Path, str]] = [("workflow", checkout, f".github/workflows/{workflow}")]
    done: set[tuple[str, Path, str]] = set()
    while pending:
        item = pending.pop()
        if item in done:
            continue
        done.add(item)
        kind, root, path = item
        for use in _uses(kind, root, path, repository=repository, checkout=checkout):
            if isinstance(use, tuple):
                pending.append(use)
                continue
            seen.append(use)
            folder = _mapped(mapped, use) or (store.folder(use.repository, use.ref) if store else None)
            if folder is not None:
                local.setdefault(use.key, folder)
                pending.append(("workflow" if REUSABLE.match(use.path) else "action", folder, use.path))
            elif downloads and not REUSABLE.match(use.path):
                fetched.append(use.repository)
            else:
                missing.append(_missing(use, store, downloads))
    if missing:
        how = f"Adding an action to the store: {layout_help(store.root)}." if store else ""
        raise MissingActionError("\n".join([*dict.fromkeys(missing), how]).strip())
    return ActionSources(local_repositories=local, downloads=tuple(dict.fromkeys(fetched)), uses=tuple(seen))


def _mapped(mapped: Mapping[str, Path], use: ActionUse) -> Path | None:
    for key, folder in mapped.items():
        if key.lower() == use.key.lower():
            return folder
    return None


def _missing(use: ActionUse, store: ActionStore | None, downloads: bool) -> str:
    head = f"{use.where} uses {use.uses}: action {use.repository} at ref {use.ref}"
    if REUSABLE.match(use.path) and downloads:
        head += " is a reusable workflow, which act cannot download from github.com here"
    if store is None:
        return f"{head} cannot be downloaded; pass --actions DIR with a folder that serves it (layout: ../shared/actions/README.md)"
    return f"{head} is {store.how_to_add(use.repository, use.ref)}"


Found = ActionUse | tuple[str, Path, str]


def _uses(kind: str, root: Path, path: str, *, repository: str, checkout: Path) -> Iterator[Found]:
    """The remote uses in one workflow or action file, and the local files they lead to."""
    document, where = _read(kind, root, path, checkout)
    if not isinstance(document, dict):
        return
    if kind == "action":
        runs = document.get("runs")
        if not isinstance(runs, dict) or runs.get("using") != "composite":
            return
        steps: list[Any] = runs.get("steps") or []
    else:
        steps = []
        jobs = document.get("jobs")
        for job in (jobs or {}).values() if isinstance(jobs, dict) else ():
            if not isinstance(job, dict):
                continue
            called = job.get("uses")
            if isinstance(called, str):
                if called.startswith("./"):
                    # a local reusable workflow: from the repository under test, even when called from elsewhere
                    yield ("workflow", checkout, called.removeprefix("./"))
                else:
                    yield from _remote(called, where)
            if isinstance(job.get("steps"), list):
                steps += job["steps"]
    for step in steps if isinstance(steps, list) else ():
        if not isinstance(step, dict) or not isinstance(step.get("uses"), str):
            continue
        uses: str = step["uses"]
        if uses.startswith("docker://") or "${{" in uses:
            continue
        if uses.startswith("./"):
            yield ("action", checkout, uses.removeprefix("./").rstrip("/"))
        elif not _act_checks_out(uses, step, repository):
            yield from _remote(uses, where)


def _remote(uses: str, where: str) -> Iterator[ActionUse]:
    match = REMOTE.match(uses.strip())
    if match:
        repository = f"{match['owner']}/{match['repo']}"
        yield ActionUse(repository=repository, path=(match["path"] or "").strip("/"), ref=match["ref"], where=where)


def _act_checks_out(uses: str, step: Mapping[str, Any], repository: str) -> bool:
    """act skips actions/checkout of the run's own repository and copies the working tree instead.

    Like act, only a checkout without `ref:` and without another `repository:` counts; any other
    checkout runs the real action, which must then come from the store.
    """
    match = REMOTE.match(uses.strip())
    if not match or f"{match['owner']}/{match['repo']}".lower() != "actions/checkout" or match["path"]:
        return False
    given = step.get("with")
    options: Mapping[str, Any] = given if isinstance(given, dict) else {}
    return "ref" not in options and str(options.get("repository", repository)) == repository


def _read(kind: str, root: Path, path: str, checkout: Path) -> tuple[Any, str]:
    candidates = [root / path] if kind == "workflow" else [root / path / "action.yml", root / path / "action.yaml"]
    for file in candidates:
        where = str(file.relative_to(checkout)) if root == checkout else str(file)
        if file.is_file():
            try:
                return yaml.safe_load(file.read_text()), where
            except yaml.YAMLError:
                return None, where  # act reports the syntax error itself
    return None, str(root / path)
