"""The action store: a folder of marketplace actions at pinned refs, served to act instead of
downloads from github.com (`--actions DIR`).

Layout (as `../shared/actions`): `MANIFEST.json` lists, per action, the folder holding the
action's repository at one commit and every ref a workflow may write for it (tags, the commit SHA):

    [{"action": "actions/github-script", "refs": ["v8", "v8.0.0", "ed5974..."],
      "path": "actions/github-script/v8.0.0"}]
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path

from testbed.errors import TestbedError

MANIFEST = "MANIFEST.json"


@dataclass(frozen=True)
class StoredAction:
    """One action repository at one commit, and the refs that name it."""

    repository: str  # owner/repo
    refs: tuple[str, ...]
    folder: Path


@dataclass(frozen=True)
class ActionStore:
    """The actions of one store folder, looked up by `owner/repo` and ref."""

    root: Path
    actions: tuple[StoredAction, ...]

    @classmethod
    def load(cls, root: Path) -> ActionStore:
        """Read `root/MANIFEST.json`; every folder it names must exist."""
        root = root.resolve()
        manifest = root / MANIFEST
        try:
            entries = json.loads(manifest.read_text())
        except FileNotFoundError:
            raise TestbedError(f"the action store {root} has no {MANIFEST}: {layout_help(root)}") from None
        except json.JSONDecodeError as error:
            raise TestbedError(f"{manifest} is not valid JSON ({error})") from None
        if not isinstance(entries, list):
            raise TestbedError(f"{manifest} must hold a JSON list of actions: {layout_help(root)}")
        actions = []
        for index, entry in enumerate(entries):
            try:
                repository, refs, path = str(entry["action"]), entry["refs"], str(entry["path"])
            except (KeyError, TypeError):
                raise TestbedError(f"{manifest} entry {index} needs \"action\", \"refs\" and \"path\": {layout_help(root)}") from None
            folder = (root / path).resolve()
            if not folder.is_dir() or root not in folder.parents:
                raise TestbedError(f"{manifest} entry {repository}: folder {path!r} is not a folder inside {root}")
            if repository.count("/") != 1 or not isinstance(refs, list) or not refs:
                raise TestbedError(f"{manifest} entry {index}: \"action\" must be owner/repo and \"refs\" a non-empty list")
            actions.append(StoredAction(repository=repository, refs=tuple(str(ref) for ref in refs), folder=folder))
        return cls(root=root, actions=tuple(actions))

    def folder(self, repository: str, ref: str) -> Path | None:
        """The folder serving `repository@ref`, or None. Owner and repo names are matched without
        regard to case (as GitHub does); refs exactly."""
        for action in self.actions:
            if action.repository.lower() == repository.lower() and ref in action.refs:
                return action.folder
        return None

    def how_to_add(self, repository: str, ref: str) -> str:
        """The manifest entry that would make the store serve `repository@ref`."""
        known = [ref for action in self.actions if action.repository.lower() == repository.lower() for ref in action.refs]
        has = f" (it has {repository} at {', '.join(known)})" if known else ""
        entry = json.dumps({"action": repository, "refs": [ref], "path": f"{repository}/{ref}"})
        return f"not in the action store {self.root}{has}; to add it, list {entry} in {self.root / MANIFEST}"


def layout_help(root: Path) -> str:
    return (
        f"copy the action's repository at that ref (action.yml and its dist/) to {root}/<owner>/<repo>/<version>/ "
        f"and list it in {root}/{MANIFEST} as {{\"action\": \"<owner>/<repo>\", \"refs\": [<every ref workflows write, "
        f"the full commit SHA too>], \"path\": \"<owner>/<repo>/<version>\"}}"
    )


def project_store(repo: Path) -> Path | None:
    """The store the project's tests and CI use: `shared/actions` beside the repository (beside the
    main checkout when `repo` is a git worktree of it), or None when there is none."""
    candidates = [repo.resolve().parent / "shared" / "actions"]
    common = subprocess.run(
        ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"], cwd=repo, capture_output=True, text=True, check=False
    )
    if common.returncode == 0 and common.stdout.strip():
        candidates.append(Path(common.stdout.strip()).parent.parent / "shared" / "actions")
    return next((path for path in candidates if (path / MANIFEST).is_file()), None)
