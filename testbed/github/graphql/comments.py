"""Comments as GraphQL shows them: on pull requests (`IssueComment`) and on commits (`CommitComment`)."""

from __future__ import annotations

from typing import Any

from testbed.github import gitdata, shapes
from testbed.github.graphql.base import Served
from testbed.github.graphql.context import Context
from testbed.github.graphql.gitobjects import Commit
from testbed.github.graphql.users import actor
from testbed.github.records import CommitComment as CommitCommentRecord
from testbed.github.records import IssueComment as IssueCommentRecord
from testbed.github.records import Repo


class IssueComment(Served):
    typename = "IssueComment"

    def __init__(self, ctx: Context, repo: Repo, found: IssueCommentRecord) -> None:
        super().__init__(ctx)
        self.id = shapes.node_id("IC", found.id)
        self.database_id = found.id
        self.body = found.body
        self.body_text = found.body
        self.created_at, self.updated_at = found.created_at, found.updated_at
        self.author = actor(ctx, found.user)
        self.author_association = "OWNER" if found.user == repo.owner else "NONE"
        self.includes_created_edit = False
        self.is_minimized = False
        self.minimized_reason = None
        self.viewer_did_author = found.user == ctx.login
        self.url = f"{ctx.site.repo_web(repo.full_name)}/pull/{found.number}#issuecomment-{found.id}"


class CommitComment(Served):
    typename = "CommitComment"

    def __init__(self, ctx: Context, repo: Repo, found: CommitCommentRecord) -> None:
        super().__init__(ctx)
        self._repo, self._comment = repo, found
        self.id = shapes.node_id("CC", found.id)
        self.database_id = found.id
        self.body = self.body_text = found.body
        self.path = found.path
        self.position = None
        self.created_at, self.updated_at = found.created_at, found.updated_at
        self.author = actor(ctx, found.user)
        self.author_association = "OWNER" if found.user == repo.owner else "NONE"
        self.includes_created_edit = self.is_minimized = False
        self.minimized_reason = None
        self.viewer_did_author = found.user == ctx.login
        self.url = f"{ctx.site.repo_web(repo.full_name)}/commit/{found.commit_id}#commitcomment-{found.id}"
        self.resource_path = self.url.removeprefix(ctx.site.url)

    def commit(self) -> Commit | None:
        found = gitdata.commit(self._repo.bare, self._comment.commit_id)
        return Commit(self._ctx, self._repo, found) if found else None

    def repository(self) -> Any:
        return self._ctx.repository(self._repo)
