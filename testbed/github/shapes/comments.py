"""Commit comments, issue (pull request) comments and commit statuses as GitHub shapes them."""

from __future__ import annotations

from typing import Any

from testbed.github.records import CommitComment, IssueComment, Repo, Status
from testbed.github.shapes.common import node_id, user_of
from testbed.github.site import Site


def commit_comment(site: Site, repo: Repo, found: CommitComment) -> dict[str, Any]:
    return {
        "html_url": f"{site.repo_web(repo.full_name)}/commit/{found.commit_id}#commitcomment-{found.id}",
        "url": f"{site.repo_api(repo.full_name)}/comments/{found.id}",
        "id": found.id,
        "node_id": node_id("CC", found.id),
        "body": found.body,
        "path": found.path,
        "position": None,
        "line": None,
        "commit_id": found.commit_id,
        "user": user_of(site, found.user),
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "author_association": "OWNER",
    }


def issue_comment(site: Site, repo: Repo, found: IssueComment) -> dict[str, Any]:
    base = site.repo_api(repo.full_name)
    return {
        "id": found.id,
        "node_id": node_id("IC", found.id),
        "url": f"{base}/issues/comments/{found.id}",
        "html_url": f"{site.repo_web(repo.full_name)}/pull/{found.number}#issuecomment-{found.id}",
        "body": found.body,
        "user": user_of(site, found.user),
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "issue_url": f"{base}/issues/{found.number}",
        "author_association": "OWNER",
    }


def status(site: Site, repo: Repo, found: Status) -> dict[str, Any]:
    return {
        "url": f"{site.repo_api(repo.full_name)}/statuses/{found.sha}",
        "avatar_url": None,
        "id": found.id,
        "node_id": node_id("SC", found.id),
        "state": found.state,
        "description": found.description,
        "target_url": found.target_url,
        "context": found.context,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "creator": user_of(site, found.creator),
    }
