"""Users and repositories shaped as GitHub's REST API and webhooks shape them.

Only the values the testbed knows are real; the rest (counts, flags, URLs of features the
testbed does not host) are filled the way GitHub fills them for a fresh private repository,
so that clients and schema validators see every field they expect.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from testbed.github.records import Repo
from testbed.github.site import Site


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def numeric_id(text: str) -> int:
    return int(hashlib.sha1(text.encode()).hexdigest()[:7], 16)


def node_id(kind: str, number: int) -> str:
    return f"{kind}_{number:x}"


def user(api: str, web: str, login: str, *, webhook: bool = False) -> dict[str, Any]:
    uid = numeric_id(f"user:{login}")
    base = f"{api}/users/{login}"
    bot = login.endswith("[bot]")
    body = {
        "login": login,
        "id": uid,
        "node_id": node_id("U", uid),
        "avatar_url": f"{web}/avatars/{login}",
        "gravatar_id": "",
        "url": base,
        "html_url": f"{web}/{login}",
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": "Bot" if bot else "User",
        "user_view_type": "public",
        "site_admin": False,
    }
    if webhook:
        body.pop("user_view_type")
    return body


REPO_URLS = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


def repository(api: str, web: str, full_name: str, repo_id: int, default_branch: str, created: str,
               pushed: str, *, webhook: bool = False) -> dict[str, Any]:
    owner, name = full_name.split("/")
    url = f"{api}/repos/{full_name}"
    body: dict[str, Any] = {
        "id": repo_id,
        "node_id": node_id("R", repo_id),
        "name": name,
        "full_name": full_name,
        "private": True,
        "owner": user(api, web, owner, webhook=webhook),
        "html_url": f"{web}/{full_name}",
        "description": None,
        "fork": False,
        "url": url,
        **{key: url + suffix for key, suffix in REPO_URLS.items()},
        "git_url": f"git:{web.split(':', 1)[1]}/{full_name}.git",
        "ssh_url": f"git@localhost:{full_name}.git",
        "clone_url": f"{web}/{full_name}.git",
        "svn_url": f"{web}/{full_name}",
        "mirror_url": None,
        "homepage": None,
        "language": None,
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": default_branch,
        "open_issues_count": 0,
        "open_issues": 0,
        "is_template": False,
        "topics": [],
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_downloads": True,
        "has_discussions": False,
        "archived": False,
        "disabled": False,
        "visibility": "private",
        "pushed_at": pushed,
        "created_at": created,
        "updated_at": pushed,
        "permissions": {"admin": True, "maintain": True, "push": True, "triage": True, "pull": True},
        "allow_rebase_merge": True,
        "allow_squash_merge": True,
        "allow_merge_commit": True,
        "allow_auto_merge": False,
        "delete_branch_on_merge": False,
        "allow_forking": False,
        "web_commit_signoff_required": False,
        "license": None,
        "temp_clone_token": "",
        "network_count": 0,
        "subscribers_count": 0,
    }
    if webhook:
        # webhook payloads carry timestamps of pushed_at/created_at as in the REST API, and a
        # few extra fields the REST API does not have
        body["stargazers"] = 0
        body["master_branch"] = default_branch
        body["custom_properties"] = {}
        body.pop("permissions")
        body.pop("temp_clone_token")
        body.pop("network_count")
        body.pop("subscribers_count")
    return body


def git_person(name: str, email: str, date: str) -> dict[str, str]:
    return {"name": name, "email": email, "date": date}


def verification() -> dict[str, Any]:
    return {"verified": False, "reason": "unsigned", "signature": None, "payload": None, "verified_at": None}


def repo_of(site: Site, repo: Repo, *, webhook: bool = False) -> dict[str, Any]:
    """`repository` for a hosted repository."""
    return repository(site.api, site.url, repo.full_name, repo.id, repo.default_branch, repo.created, repo.pushed,
                      webhook=webhook)


def user_of(site: Site, login: str, *, webhook: bool = False) -> dict[str, Any]:
    return user(site.api, site.url, login, webhook=webhook)
