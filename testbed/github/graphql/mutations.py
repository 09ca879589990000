"""The mutations `gh` sends for pull requests: open (`createPullRequest`), merge
(`mergePullRequest`, through the state model's one merge operation), edit (`updatePullRequest`),
close, reopen and comment (`addComment`, on a pull request)."""

from __future__ import annotations

from typing import Any

from testbed.github.graphql.base import Served
from testbed.github.graphql.comments import IssueComment
from testbed.github.graphql.errors import GitHubError
from testbed.github.graphql.nodes import lookup_as
from testbed.github.graphql.pulls import PullRequest
from testbed.github.graphql.repository import Repository
from testbed.github.graphql.users import Actor
from testbed.github.merge import MergeRequest
from testbed.github.permissions import Permissions

MERGE_METHODS = {"MERGE": "merge", "SQUASH": "squash", "REBASE": "rebase"}


class Mutation(Served):
    typename = "Mutation"

    def token_permissions(self) -> Permissions | None:
        """What the caller's token may do (None: a personal token, limited only by the repositories it reaches)."""
        return self._ctx.token.permissions

    def _payload(self, data: dict[str, Any], pull: PullRequest) -> dict[str, Any]:
        repo, _ = pull.records()
        fresh = repo.pull(pull.number)
        assert fresh is not None
        return {"clientMutationId": data.get("clientMutationId"), "pullRequest": PullRequest(self._ctx, repo, fresh),
                "actor": Actor(self._ctx, self._ctx.login)}

    def create_pull_request(self, input: dict[str, Any]) -> dict[str, Any]:
        repository: Repository = lookup_as(self._ctx, input["repositoryId"], Repository)
        if input.get("headRepositoryId") not in (None, repository.id):
            raise GitHubError("UNPROCESSABLE", "Pull requests from another repository (forks) are not served by the "
                              "local GitHub: omit headRepositoryId or give the base repository's id")
        if input.get("draft"):
            raise GitHubError("UNPROCESSABLE", "Draft pull requests are not served by the local GitHub: open it "
                              "ready for review (draft: false)")
        repo = repository.hosted()
        opened = self._ctx.open_pull(repo, head=input["headRefName"], base=input["baseRefName"], title=input["title"],
                                     body=input.get("body"))
        return self._payload(input, PullRequest(self._ctx, repo, opened))

    def merge_pull_request(self, input: dict[str, Any]) -> dict[str, Any]:
        pull: PullRequest = lookup_as(self._ctx, input["pullRequestId"], PullRequest)
        method = MERGE_METHODS[input.get("mergeMethod") or "MERGE"]
        request = MergeRequest(method=method, sha=input.get("expectedHeadOid"),
                               commit_title=input.get("commitHeadline"), commit_message=input.get("commitBody"))
        self._ctx.merge_pull(*pull.records(), request)
        return self._payload(input, pull)

    def update_pull_request(self, input: dict[str, Any]) -> dict[str, Any]:
        pull: PullRequest = lookup_as(self._ctx, input["pullRequestId"], PullRequest)
        unserved = [k for k in ("baseRefName", "assigneeIds", "milestoneId", "labelIds", "projectIds")
                    if input.get(k) not in (None, [])]
        if unserved:
            raise GitHubError("UNPROCESSABLE", f"updatePullRequest with {', '.join(unserved)} is not served by the "
                              f"local GitHub (title, body and state are)")
        changes = {k: input[k].lower() if k == "state" else input[k] for k in ("title", "body", "state")
                   if input.get(k) is not None}
        self._ctx.update_pull(*pull.records(), changes)
        return self._payload(input, pull)

    def close_pull_request(self, input: dict[str, Any]) -> dict[str, Any]:
        pull: PullRequest = lookup_as(self._ctx, input["pullRequestId"], PullRequest)
        self._ctx.set_pull_state(*pull.records(), "closed")
        return self._payload(input, pull)

    def reopen_pull_request(self, input: dict[str, Any]) -> dict[str, Any]:
        pull: PullRequest = lookup_as(self._ctx, input["pullRequestId"], PullRequest)
        self._ctx.set_pull_state(*pull.records(), "open")
        return self._payload(input, pull)

    def add_comment(self, input: dict[str, Any]) -> dict[str, Any]:
        pull: PullRequest = lookup_as(self._ctx, input["subjectId"], PullRequest)
        repo, record = pull.records()
        made = IssueComment(self._ctx, repo, self._ctx.comment(repo, record, input["body"]))
        edge = {"node": made, "cursor": ""}
        return {"clientMutationId": input.get("clientMutationId"), "commentEdge": edge, "subject": pull,
                "timelineEdge": edge}
