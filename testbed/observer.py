"""What the world shows now, read the way a team reads it: git refs and files, the registry's
tags and digests, releases, comments and pull requests through GitHub's API (PyGithub), and the
dispatches the chart repository received. The spec's steps observe through this, never through
the implementation under test; each call reads the world again (nothing is cached).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import github
import jsonschema
from github.GitRelease import GitRelease
from github.PullRequest import PullRequest
from github.Repository import Repository

from testbed.actions.record import Run
from testbed.github import Dispatch
from testbed.world import Mark, World

CONTRACT = Path(__file__).resolve().parent.parent / "features" / "contract" / "dispatch-payload.schema.json"
ENVIRONMENTS = {"staging": "stg", "production": "prod"}


def short(sha: str) -> str:
    """SHORTHASH: the first 7 hex digits of a commit, always 7."""
    return sha[:7]


def staging_tags(bump_sha: str, version: str) -> list[str]:
    """The two tags every staging image carries: stg-<SHORTHASH> of the bump commit and stg-<SemVer>."""
    return [f"stg-{short(bump_sha)}", f"stg-{version}"]


def runs_summary(runs: list[Run]) -> str:
    return "; ".join(run.summary() for run in runs) or "no workflow run started"


def contract_errors(payload: Any) -> list[str]:
    """Where `payload` breaks the contract's dispatch payload schema (empty: it conforms)."""
    validator = jsonschema.Draft7Validator(json.loads(CONTRACT.read_text()))
    return [f"{'/'.join(map(str, e.path)) or 'payload'}: {e.message[:160]}" for e in validator.iter_errors(payload)]


@dataclass(frozen=True)
class WorldSnapshot:
    """Everything a re-run could change, as one comparable value."""

    stg: str
    main: str
    releases: tuple[tuple[str, bool], ...]  # (tag, prerelease)
    pulls: tuple[tuple[int, str], ...]  # (number, state)
    dispatches: int
    tags: tuple[tuple[str, str, str], ...]  # (repository, tag, digest)
    comments: int

    def changes(self, later: WorldSnapshot) -> dict[str, tuple[object, object]]:
        """What differs in `later`: field -> (before, after)."""
        return {key: (getattr(self, key), getattr(later, key)) for key in self.__dataclass_fields__
                if getattr(self, key) != getattr(later, key)}


class Observer:
    """Read-only questions about one world's app repository, registry and chart repository."""

    def __init__(self, world: World) -> None:
        self.world = world

    # git and GitHub --------------------------------------------------------------------------
    def repo(self) -> Repository:
        return self.world.api().get_repo(self.world.app_repo)

    def head(self, branch: str) -> str:
        return str(self.repo().get_branch(branch).commit.sha)

    def file(self, ref: str, path: str) -> str | None:
        return self.world.read_file(self.world.app_repo, ref, path)

    def version(self, ref: str) -> str:
        """VERSION at `ref`, stripped ("" when there is none)."""
        return (self.file(ref, "VERSION") or "").strip()

    def releases_for(self, version: str) -> list[GitRelease]:
        """Releases whose tag names this version (v1.3.0, v1.3.0-stg, 1.3.0-rc...)."""
        pattern = re.compile(rf"(?<![0-9.]){re.escape(version)}(?![0-9])")
        return [r for r in self.repo().get_releases() if pattern.search(r.tag_name)]

    def prereleases_for(self, version: str) -> list[GitRelease]:
        return [r for r in self.releases_for(version) if r.prerelease]

    def full_releases_for(self, version: str) -> list[GitRelease]:
        return [r for r in self.releases_for(version) if not r.prerelease and not r.draft]

    def latest_release(self) -> str | None:
        try:
            return str(self.repo().get_latest_release().tag_name)
        except github.UnknownObjectException:
            return None

    def tag_commit(self, tag: str) -> str:
        return str(self.repo().get_git_ref(f"tags/{tag}").object.sha)

    def release_pulls(self, state: str = "open") -> list[PullRequest]:
        """Pull requests from stg into main."""
        return [p for p in self.repo().get_pulls(state=state, base="main") if p.head.ref == "stg"]

    def pull_head(self, number: int) -> str:
        return str(self.repo().get_pull(number).head.sha)

    def bump_versions(self, since: str) -> list[str]:
        """The versions of the bump commits (one parent, only VERSION changed) on stg after commit
        `since`, oldest first."""
        repo = self.repo()
        found = []
        for commit in repo.compare(since, "stg").commits:
            full = repo.get_commit(commit.sha)
            if len(full.parents) == 1 and [f.filename for f in full.files] == ["VERSION"]:
                found.append(self.version(commit.sha))
        return found

    # registry --------------------------------------------------------------------------------
    def image_repos(self) -> dict[str, str]:
        """Image name -> registry repository (namespace/name), as the contract settings declare them."""
        return {name: self.world.settings.image_repository(name) for name in self.world.settings.image_names}

    def digest(self, repository: str, tag: str) -> str | None:
        return self.world.registry.digest(repository, tag)

    # the chart repository ----------------------------------------------------------------------
    def payloads(self, environment: str | None = None, since: Mark | None = None) -> list[Dispatch]:
        """repository_dispatches the chart repository received (of any event type), optionally only
        those for `environment` ("staging" or "production") or after `since`."""
        found = [d for d in self.world.dispatches(self.world.chart_repo, since=since)
                 if d.kind == "repository_dispatch"]
        if environment is not None:
            found = [d for d in found if d.client_payload.get("environment") == ENVIRONMENTS[environment]]
        return found

    def payload_of(self, environment: str, version: str) -> dict[str, Any] | None:
        """The last payload the chart repository received for this environment and version."""
        found = [d for d in self.payloads(environment) if d.client_payload.get("version") == version]
        return dict(found[-1].client_payload) if found else None

    def snapshot(self) -> WorldSnapshot:
        repo = self.repo()
        return WorldSnapshot(
            stg=self.head("stg"), main=self.head("main"),
            releases=tuple(sorted((r.tag_name, r.prerelease) for r in repo.get_releases())),
            pulls=tuple(sorted((p.number, p.state) for p in repo.get_pulls(state="all"))),
            dispatches=len(self.world.dispatches(self.world.chart_repo)),
            tags=tuple(sorted((repository, tag, self.digest(repository, tag) or "")
                              for repository in self.image_repos().values()
                              for tag in self.world.registry.tags(repository))),
            comments=sum(1 for _ in repo.get_comments()),
        )
