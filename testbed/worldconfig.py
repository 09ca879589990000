"""How a world is set up: what it judges and how it runs it (`WorldConfig`), the app repository's
files, where the reference CLI's action comes from, and the checkpoints observers count from (`Mark`)."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from testbed.errors import TestbedError
from testbed.settings import ContractSettings

SUITE_ROOT = Path(__file__).resolve().parent.parent
ACTION_REPOSITORY = "release-suite/release-pipeline@v1"
MERGE_METHODS = ("merge", "squash", "rebase")


def app_files(settings: ContractSettings, nonce: str) -> dict[str, str]:
    """The app repository's tree: per image a Dockerfile (FROM scratch, no pull) copying VERSION and
    a file unique to this world, so each image carries the version of the tree it was built from."""
    files = {"README.md": "# app\n\nA tiny application whose images the release pipeline builds.\n"}
    for name, dockerfile in settings.images:
        files[dockerfile] = f"FROM scratch\nCOPY VERSION {name}.txt /{name}/\n"
        files[f"{name}.txt"] = f"{name} {nonce}\n"
    return files


@dataclass(frozen=True)
class WorldConfig:
    """What to run (workflow files) and how (act container or host mode, where actions come from)."""

    workflows: Path = SUITE_ROOT / "workflows"
    runner: str = "container"
    # the action store (`--actions DIR`, laid out like ../shared/actions); None: act downloads actions
    actions: Path | None = None
    # may act download what the store lacks from github.com? None: only without a store
    download_actions: bool | None = None
    # actions and reusable workflows served locally; None: the reference CLI's action when action_source is set
    local_repositories: Mapping[str, Path] | None = None
    image: str | None = None  # act job image; built on demand when None
    plain_http: bool = False  # debugging only: GitHub and registry over http (the registry still wants tokens)
    # the folder holding `reference/`, served as the reference CLI's action; None: this suite's when
    # `workflows` is its own workflows/, else no such action (see reference_action)
    action_source: Path | None = None
    settings: ContractSettings | None = None  # the contract's target; None: features/contract/settings.yaml
    # the repository's "Workflow permissions" setting: GITHUB_TOKEN of a workflow without `permissions:`
    token_permissions: str = "restricted"  # restricted (GitHub's default for new repositories) | permissive
    # how the scenarios' merge button merges: merge (a merge commit), squash or rebase, as on GitHub
    merge_method: str = "merge"

    def __post_init__(self) -> None:
        if self.merge_method not in MERGE_METHODS:
            raise TestbedError(f"merge method {self.merge_method!r} is not one of {', '.join(MERGE_METHODS)}: "
                               "pass --merge-method merge|squash|rebase")


def bundle_action(target: Path, source: Path = SUITE_ROOT) -> Path:
    """A small copy of `source` (this repository, or another copy of it) holding only what
    `release-suite/release-pipeline/reference@v1` needs (act copies a mapped repository into every
    job container, so it is kept to the CLI)."""
    if not (source / "reference" / "action.yml").is_file():
        raise TestbedError(f"{source} holds no reference/action.yml: pass the folder that contains reference/")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source / "reference", target / "reference", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


def reference_action(source: Path | None, workflows: Path) -> Path | None:
    """Where the reference CLI's action comes from: `source` when given, else this suite when the
    workflows judged are its own reference (workflows/); a foreign implementation gets none."""
    if source is not None:
        return source
    return SUITE_ROOT if workflows.resolve() == (SUITE_ROOT / "workflows").resolve() else None


@dataclass(frozen=True)
class Mark:
    """A point in the world's history; observers report what happened after it."""

    registry: int
    github: int
    docker: int
    runs: int
