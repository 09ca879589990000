"""Pull requests as GitHub's REST API and `pull_request` webhooks shape them."""

from __future__ import annotations

from typing import Any

from testbed.github import gitdata, gitmerge
from testbed.github.records import PullRequest, Repo
from testbed.github.shapes.common import node_id, repo_of, user_of
from testbed.github.site import Site


def pull(site: Site, repo: Repo, found: PullRequest, *, webhook: bool = False) -> dict[str, Any]:
    base_url = site.repo_api(repo.full_name)
    number = found.number
    html = f"{site.repo_web(repo.full_name)}/pull/{number}"
    head_sha = repo.head_of(found)
    base_sha = repo.base_of(found)
    repo_json = repo_of(site, repo, webhook=webhook)
    owner = repo.owner
    commits = gitdata.log(repo.bare, head_sha, exclude=found.base_sha if found.merged else base_sha)
    changed = gitdata.changed_files(repo.bare, found.base_sha, head_sha)
    # computed as GitHub does in the background: None once closed, False (`dirty`) on conflicts
    can_merge = None if found.state != "open" else gitmerge.can_merge(repo.bare, base_sha, head_sha)
    links = {
        "self": f"{base_url}/pulls/{number}",
        "html": html,
        "issue": f"{base_url}/issues/{number}",
        "comments": f"{base_url}/issues/{number}/comments",
        "review_comments": f"{base_url}/pulls/{number}/comments",
        "review_comment": f"{base_url}/pulls/comments{{/number}}",
        "commits": f"{base_url}/pulls/{number}/commits",
        "statuses": f"{base_url}/statuses/{head_sha}",
    }
    return {
        "url": links["self"],
        "id": found.id,
        "node_id": node_id("PR", found.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": links["issue"],
        "commits_url": links["commits"],
        "review_comments_url": links["review_comments"],
        "review_comment_url": links["review_comment"],
        "comments_url": links["comments"],
        "statuses_url": links["statuses"],
        "number": number,
        "state": found.state,
        "locked": False,
        "title": found.title,
        "user": user_of(site, found.user, webhook=webhook),
        "body": found.body,
        "labels": [],
        "milestone": None,
        "active_lock_reason": None,
        "created_at": found.created_at,
        "updated_at": found.updated_at,
        "closed_at": found.closed_at,
        "merged_at": found.merged_at,
        "merge_commit_sha": found.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "head": {"label": f"{owner}:{found.head}", "ref": found.head, "sha": head_sha,
                 "user": user_of(site, owner, webhook=webhook), "repo": repo_json},
        "base": {"label": f"{owner}:{found.base}", "ref": found.base, "sha": base_sha,
                 "user": user_of(site, owner, webhook=webhook), "repo": repo_json},
        "_links": {key: {"href": value} for key, value in links.items()},
        "author_association": "OWNER",
        "auto_merge": None,
        "draft": False,
        "merged": found.merged,
        "mergeable": can_merge,
        "rebaseable": can_merge,
        "mergeable_state": "unknown" if can_merge is None else "clean" if can_merge else "dirty",
        "merged_by": user_of(site, found.merged_by, webhook=webhook) if found.merged_by else None,
        "comments": len(repo.comments_on(number)),
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": len(commits),
        "additions": 0,
        "deletions": 0,
        "changed_files": len(changed),
    }
