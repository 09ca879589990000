"""Pull requests as GraphQL shows them (`PullRequest`, its commits and comments), read from the
records and the bare repository; the fields `gh pr list/view/merge/create` ask for."""

from __future__ import annotations

import subprocess
from typing import Any

from testbed.github import gitdata, shapes
from testbed.github.graphql.base import Served, pull_state
from testbed.github.graphql.comments import IssueComment
from testbed.github.graphql.connections import Connection, connection
from testbed.github.graphql.context import Context
from testbed.github.graphql.gitobjects import Commit, Ref, git_object, ref
from testbed.github.graphql.users import Actor, actor
from testbed.github.records import PullRequest as PullRecord
from testbed.github.records import Repo


def _conflicts(repo: Repo, base: str, head: str) -> bool:
    """Whether merging head into base conflicts (what the merge button would refuse)."""
    result = subprocess.run(["git", "merge-tree", "--write-tree", base, head], cwd=repo.bare, capture_output=True,
                            check=False)
    return result.returncode != 0


CHANGE_TYPES = {"A": "ADDED", "D": "DELETED", "M": "MODIFIED", "T": "CHANGED", "R": "RENAMED", "C": "COPIED"}


class PullRequestCommit(Served):
    typename = "PullRequestCommit"

    def __init__(self, ctx: Context, repo: Repo, pull: PullRecord, found: gitdata.Commit) -> None:
        super().__init__(ctx)
        self.commit = Commit(ctx, repo, found)
        self.id = shapes.node_id("PRC", shapes.numeric_id(f"{pull.id}:{found.sha}"))
        self.url = f"{ctx.site.repo_web(repo.full_name)}/pull/{pull.number}/commits/{found.sha}"
        self.resource_path = self.url.removeprefix(ctx.site.url)


class PullRequest(Served):
    typename = "PullRequest"

    def __init__(self, ctx: Context, repo: Repo, found: PullRecord) -> None:
        super().__init__(ctx)
        self._repo, self._pull = repo, found
        self.id = shapes.node_id("PR", found.id)
        self.database_id = found.id
        self.number = found.number
        self.title = found.title
        self.body = found.body or ""
        self.body_text = self.body
        self.state = pull_state(found)
        self.closed = found.state == "closed"
        self.merged = found.merged
        self.merged_at, self.closed_at = found.merged_at, found.closed_at
        self.created_at, self.updated_at = found.created_at, found.updated_at
        self.author = actor(ctx, found.user)
        self.merged_by = actor(ctx, found.merged_by)
        self.url = f"{ctx.site.repo_web(repo.full_name)}/pull/{found.number}"
        self.permalink = self.url
        self.resource_path = f"/{repo.full_name}/pull/{found.number}"
        self.base_ref_name, self.head_ref_name = found.base, found.head
        self.is_draft = False
        self.is_cross_repository = False
        self.maintainer_can_modify = False
        self.locked = False
        self.is_in_merge_queue = False
        self.is_merge_queue_enabled = False
        self.auto_merge_request = None
        self.milestone = None
        self.review_decision = None
        self.author_association = "OWNER" if found.user == repo.owner else "NONE"
        self.viewer_did_author = found.user == ctx.login

    def records(self) -> tuple[Repo, PullRecord]:
        """The repository and pull request record behind this object (not a GraphQL field)."""
        return self._repo, self._pull

    def _head(self) -> str:
        return self._repo.head_of(self._pull)

    def _base(self) -> str:
        return self._repo.base_of(self._pull)

    def head_ref_oid(self) -> str:
        return self._head()

    def base_ref_oid(self) -> str:
        return self._base()

    def head_ref(self) -> Ref | None:
        return ref(self._ctx, self._repo, f"refs/heads/{self._pull.head}")

    def base_ref(self) -> Ref | None:
        return ref(self._ctx, self._repo, f"refs/heads/{self._pull.base}")

    def repository(self) -> Any:
        return self._ctx.repository(self._repo)

    head_repository = repository
    base_repository = repository

    def head_repository_owner(self) -> Actor:
        return Actor(self._ctx, self._repo.owner)

    def merge_commit(self) -> Any:
        sha = self._pull.merge_commit_sha
        return git_object(self._ctx, self._repo, sha) if sha else None

    def mergeable(self) -> str:
        if self._pull.state != "open":
            return "UNKNOWN"
        return "CONFLICTING" if _conflicts(self._repo, self._base(), self._head()) else "MERGEABLE"

    def merge_state_status(self) -> str:
        return {"CONFLICTING": "DIRTY", "MERGEABLE": "CLEAN"}.get(self.mergeable(), "UNKNOWN")

    def _commits(self) -> list[gitdata.Commit]:
        exclude = self._pull.base_sha if self._pull.merged else self._base()
        return list(reversed(gitdata.log(self._repo.bare, self._head(), exclude=exclude)))

    def commits(self, first: int | None = None, last: int | None = None, after: str | None = None,
                before: str | None = None) -> Connection:
        items = [PullRequestCommit(self._ctx, self._repo, self._pull, c) for c in self._commits()]
        return connection(items, first=first, last=last, after=after, before=before, connection_name="commits")

    def _files(self) -> list[dict[str, Any]]:
        """The changed files from the merge base to the head, with line counts (`git diff --numstat`)."""
        base = gitdata.merge_base(self._repo.bare, self._pull.base_sha, self._head()) or self._pull.base_sha
        statuses = {path: status for status, path in gitdata.changed_files(self._repo.bare, base, self._head())}
        out = gitdata.git(self._repo.bare, "diff", "--numstat", "--no-renames", base, self._head(), check=False)
        found = []
        for line in out.splitlines():
            added, deleted, path = line.split("\t", 2)
            found.append({"path": path, "additions": int(added) if added.isdigit() else 0,
                          "deletions": int(deleted) if deleted.isdigit() else 0,
                          "changeType": CHANGE_TYPES.get(statuses.get(path, "M"), "MODIFIED"),
                          "viewerViewedState": "UNVIEWED"})
        return found

    def files(self, first: int | None = None, last: int | None = None, after: str | None = None,
              before: str | None = None) -> Connection:
        return connection(self._files(), first=first, last=last, after=after, before=before, connection_name="files")

    def additions(self) -> int:
        return sum(int(f["additions"]) for f in self._files())

    def deletions(self) -> int:
        return sum(int(f["deletions"]) for f in self._files())

    def changed_files(self) -> int:
        return len(self._files())

    def comments(self, first: int | None = None, last: int | None = None, after: str | None = None,
                 before: str | None = None) -> Connection:
        items = [IssueComment(self._ctx, self._repo, c) for c in self._repo.comments_on(self._pull.number)]
        return connection(items, first=first, last=last, after=after, before=before, connection_name="comments")

    def participants(self, first: int | None = None, last: int | None = None, after: str | None = None,
                     before: str | None = None) -> Connection:
        """The author, then everyone who commented, each once (the testbed has no reviews or assignees)."""
        logins = [self._pull.user] + [c.user for c in self._repo.comments_on(self._pull.number)]
        unique = list(dict.fromkeys(logins))
        return connection([Actor(self._ctx, login) for login in unique], first=first, last=last, after=after,
                          before=before, connection_name="participants")

    def viewer_can_update(self) -> bool:
        return True

    def can_be_rebased(self) -> bool:
        return self._pull.state == "open"
