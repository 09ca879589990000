"""`Repository`: what `gh repo view`, `gh pr ...` and `gh release ...` read of a repository, with its
refs, pull requests and releases in the orders and filters GitHub applies."""

from __future__ import annotations

from typing import Any

from testbed.github import gitdata, shapes
from testbed.github.graphql.base import Served, pull_state
from testbed.github.graphql.comments import CommitComment
from testbed.github.graphql.connections import Connection, connection
from testbed.github.graphql.context import Context
from testbed.github.graphql.errors import not_found
from testbed.github.graphql.gitobjects import Ref, git_object, ref
from testbed.github.graphql.pulls import PullRequest
from testbed.github.graphql.releases import Release
from testbed.github.graphql.users import Actor
from testbed.github.records import Repo

Order = dict[str, str] | None


def _descending(order: Order, default: bool) -> bool:
    return (order or {}).get("direction", "DESC" if default else "ASC") == "DESC"


class Repository(Served):
    typename = "Repository"

    def __init__(self, ctx: Context, repo: Repo) -> None:
        super().__init__(ctx)
        self._repo = repo
        self.id = shapes.node_id("R", repo.id)
        self.database_id = repo.id
        self.name = repo.full_name.split("/")[1]
        self.name_with_owner = repo.full_name
        self.url = ctx.site.repo_web(repo.full_name)
        self.resource_path = f"/{repo.full_name}"
        self.ssh_url = f"git@localhost:{repo.full_name}.git"
        self.description = None
        self.homepage_url = None
        self.created_at, self.pushed_at, self.updated_at = repo.created, repo.pushed, repo.pushed
        self.is_private = True
        self.visibility = "PRIVATE"
        self.is_fork = self.is_archived = self.is_disabled = self.is_template = self.is_mirror = False
        self.is_locked = False
        self.is_in_organization = False
        self.parent = None
        self.template_repository = None
        self.has_issues_enabled = True
        self.has_wiki_enabled = self.has_projects_enabled = self.has_discussions_enabled = False
        self.merge_commit_allowed = self.rebase_merge_allowed = self.squash_merge_allowed = True
        self.delete_branch_on_merge = False
        self.auto_merge_allowed = False
        self.viewer_permission = "ADMIN"
        self.viewer_can_administer = True
        self.viewer_has_starred = False
        self.viewer_subscription = "SUBSCRIBED"
        self.stargazer_count = self.fork_count = 0
        self.primary_language = None
        self.license_info = None
        self.code_of_conduct = None

    def is_empty(self) -> bool:
        return not gitdata.refs(self._repo.bare, "refs/heads/")

    def hosted(self) -> Repo:
        """The repository record behind this object (not a GraphQL field)."""
        return self._repo

    def owner(self) -> Actor:
        return Actor(self._ctx, self._repo.owner)

    def default_branch_ref(self) -> Ref | None:
        return ref(self._ctx, self._repo, f"refs/heads/{self._repo.default_branch}")

    def ref(self, qualified_name: str) -> Ref | None:
        return ref(self._ctx, self._repo, qualified_name)

    def refs(self, ref_prefix: str, first: int | None = None, last: int | None = None, after: str | None = None,
             before: str | None = None, query: str | None = None, order_by: Order = None,
             direction: str | None = None) -> Connection:
        found = sorted(gitdata.refs(self._repo.bare, ref_prefix).items())
        items = [Ref(self._ctx, self._repo, name, sha) for name, sha in found
                 if not query or query in name.removeprefix(ref_prefix)]
        if _descending(order_by, False) or direction == "DESC":
            items.reverse()
        return connection(items, first=first, last=last, after=after, before=before, connection_name="refs")

    def object(self, oid: str | None = None, expression: str | None = None) -> Any:
        """The object an oid or a revision expression (`main`, `v1.0.0`, `main:README.md`) names, or null."""
        sha = oid
        if sha is None and expression and not expression.startswith("-"):
            sha = gitdata.git(self._repo.bare, "rev-parse", "--verify", "--quiet", expression, check=False).strip()
        return git_object(self._ctx, self._repo, sha) if sha else None

    def pull_request(self, number: int) -> PullRequest:
        found = self._repo.pull(number)
        if found is None:
            raise not_found("PullRequest", f"the number of {number}")
        return PullRequest(self._ctx, self._repo, found)

    def issue_or_pull_request(self, number: int) -> PullRequest | None:
        """The pull request with that number (the local GitHub has no issues besides pull requests)."""
        found = self._repo.pull(number)
        return PullRequest(self._ctx, self._repo, found) if found else None

    def pull_requests(self, states: list[str] | None = None, base_ref_name: str | None = None,
                      head_ref_name: str | None = None, first: int | None = None, last: int | None = None,
                      after: str | None = None, before: str | None = None, order_by: Order = None,
                      labels: list[str] | None = None) -> Connection:
        found = [p for p in self._repo.pulls
                 if (not states or pull_state(p) in states)
                 and (base_ref_name is None or p.base == base_ref_name)
                 and (head_ref_name is None or p.head == head_ref_name)
                 and not labels]  # the local GitHub has no labels: a label filter matches nothing
        field = (order_by or {}).get("field", "CREATED_AT")
        found.sort(key=lambda p: (p.updated_at if field == "UPDATED_AT" else p.created_at, p.number),
                   reverse=_descending(order_by, False))
        return connection([PullRequest(self._ctx, self._repo, p) for p in found], first=first, last=last,
                          after=after, before=before, connection_name="pullRequests")

    def commit_comments(self, first: int | None = None, last: int | None = None, after: str | None = None,
                        before: str | None = None) -> Connection:
        found = [CommitComment(self._ctx, self._repo, c) for c in self._repo.commit_comments]
        return connection(found, first=first, last=last, after=after, before=before, connection_name="commitComments")

    def release(self, tag_name: str) -> Release | None:
        found = self._repo.release_by_tag(tag_name)
        return Release(self._ctx, self._repo, found) if found else None

    def latest_release(self) -> Release | None:
        found = self._repo.latest_release()
        return Release(self._ctx, self._repo, found) if found else None

    def releases(self, first: int | None = None, last: int | None = None, after: str | None = None,
                 before: str | None = None, order_by: Order = None) -> Connection:
        field = (order_by or {}).get("field", "CREATED_AT")
        found = sorted(self._repo.releases, key=lambda r: (r.tag_name if field == "NAME" else r.created_at, r.id),
                       reverse=_descending(order_by, True))
        return connection([Release(self._ctx, self._repo, r) for r in found], first=first, last=last, after=after,
                          before=before, connection_name="releases")
