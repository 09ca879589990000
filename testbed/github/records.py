"""What a hosted repository holds besides git: pull requests, releases and their assets,
commit and issue comments, commit statuses. Plain records; `Repo.lock` guards changes."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from testbed.github import gitdata


@dataclass
class PullRequest:
    id: int
    number: int
    title: str
    body: str | None
    head: str  # branch name
    base: str  # branch name
    head_sha: str  # head when last seen open (the merged head once merged)
    base_sha: str  # base when opened, or the base the merge was made onto
    user: str
    created_at: str
    updated_at: str
    state: Literal["open", "closed"] = "open"
    merged: bool = False
    merge_commit_sha: str | None = None
    # the commits the merge put on the base (merge: the merge commit; squash: one; rebase: the replayed ones)
    landed: tuple[str, ...] = ()
    merged_at: str | None = None
    merged_by: str | None = None
    closed_at: str | None = None


@dataclass
class Asset:
    id: int
    name: str
    label: str
    content_type: str
    data: bytes
    created_at: str
    uploader: str


@dataclass
class Release:
    id: int
    tag_name: str
    target_commitish: str
    name: str
    body: str
    draft: bool
    prerelease: bool
    created_at: str
    published_at: str
    updated_at: str
    author: str
    assets: list[Asset] = field(default_factory=list)
    latest: bool = False


@dataclass
class CommitComment:
    id: int
    body: str
    commit_id: str
    path: str | None
    user: str
    created_at: str
    updated_at: str


@dataclass
class IssueComment:
    id: int
    number: int  # the pull request (issue) it is on
    body: str
    user: str
    created_at: str
    updated_at: str


@dataclass
class Status:
    id: int
    sha: str
    state: str  # error | failure | pending | success
    description: str | None
    target_url: str | None
    context: str
    creator: str
    created_at: str
    updated_at: str


@dataclass(frozen=True)
class WorkflowRun:
    """A workflow run as whoever runs the workflows (the testbed's scheduler) reports it."""

    id: int
    repo: str
    path: str  # .github/workflows/<file>
    event: str
    head_sha: str
    head_branch: str | None
    actor: str
    status: str  # queued | in_progress | completed
    conclusion: str | None  # success | failure | cancelled | None while not completed
    created_at: str
    updated_at: str
    run_number: int


@dataclass
class Repo:
    """A hosted repository: its bare git directory and what GitHub keeps beside it.

    Change the lists while holding `lock` (it also serialises pushes and ref updates)."""

    full_name: str
    id: int
    bare: Path
    default_branch: str
    created: str
    pushed: str
    pulls: list[PullRequest] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)
    commit_comments: list[CommitComment] = field(default_factory=list)
    issue_comments: list[IssueComment] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def owner(self) -> str:
        return self.full_name.split("/")[0]

    def pull(self, number: int) -> PullRequest | None:
        return next((p for p in self.pulls if p.number == number), None)

    def release(self, release_id: int) -> Release | None:
        return next((r for r in self.releases if r.id == release_id), None)

    def release_by_tag(self, tag: str) -> Release | None:
        return next((r for r in self.releases if r.tag_name == tag), None)

    def latest_release(self) -> Release | None:
        """The release GitHub calls latest: the one marked so, else the newest full release."""
        full = [r for r in self.releases if not r.draft and not r.prerelease]
        marked = [r for r in full if r.latest]
        return marked[-1] if marked else (full[-1] if full else None)

    def mark_latest(self, release: Release) -> None:
        for other in self.releases:
            other.latest = other is release

    def asset(self, asset_id: int) -> tuple[Release, Asset] | None:
        for release in self.releases:
            for asset in release.assets:
                if asset.id == asset_id:
                    return release, asset
        return None

    def comments_on(self, number: int) -> list[IssueComment]:
        return [c for c in self.issue_comments if c.number == number]

    def head_of(self, pull: PullRequest) -> str:
        """The head commit of a pull request: its branch's tip while open, the recorded one after."""
        if pull.state == "open":
            return gitdata.resolve(self.bare, pull.head) or pull.head_sha
        return pull.head_sha

    def base_of(self, pull: PullRequest) -> str:
        """The base commit: the base branch's tip while open, the recorded one after."""
        if pull.state == "open":
            return gitdata.resolve(self.bare, pull.base) or pull.base_sha
        return pull.base_sha
