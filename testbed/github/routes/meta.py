"""The API root, `/meta`, `/versions`, the authenticated user and the rate limit."""

from __future__ import annotations

from urllib.parse import urlsplit

from testbed.github import shapes
from testbed.github.protocol import Call, Endpoint, HTTPError, Reply

VERSIONS = ["2022-11-28", "2026-03-10"]
# the API root's URL templates, relative to the API base (as api.github.com lists them)
ROOT = {
    "current_user_url": "/user",
    "current_user_authorizations_html_url": "{web}/settings/connections/applications{{/client_id}}",
    "authorizations_url": "/authorizations",
    "code_search_url": "/search/code?q={{query}}{{&page,per_page,sort,order}}",
    "commit_search_url": "/search/commits?q={{query}}{{&page,per_page,sort,order}}",
    "emails_url": "/user/emails",
    "emojis_url": "/emojis",
    "events_url": "/events",
    "feeds_url": "/feeds",
    "followers_url": "/user/followers",
    "following_url": "/user/following{{/target}}",
    "gists_url": "/gists{{/gist_id}}",
    "hub_url": "/hub",
    "issue_search_url": "/search/issues?q={{query}}{{&page,per_page,sort,order}}",
    "issues_url": "/issues",
    "keys_url": "/user/keys",
    "label_search_url": "/search/labels?q={{query}}&repository_id={{repository_id}}{{&page,per_page}}",
    "notifications_url": "/notifications",
    "organization_url": "/orgs/{{org}}",
    "organization_repositories_url": "/orgs/{{org}}/repos{{?type,page,per_page,sort}}",
    "organization_teams_url": "/orgs/{{org}}/teams",
    "public_gists_url": "/gists/public",
    "rate_limit_url": "/rate_limit",
    "repository_url": "/repos/{{owner}}/{{repo}}",
    "repository_search_url": "/search/repositories?q={{query}}{{&page,per_page,sort,order}}",
    "current_user_repositories_url": "/user/repos{{?type,page,per_page,sort}}",
    "starred_url": "/user/starred{{/owner}}{{/repo}}",
    "starred_gists_url": "/gists/starred",
    "topic_search_url": "/search/topics?q={{query}}{{&page,per_page}}",
    "user_url": "/users/{{user}}",
    "user_organizations_url": "/user/orgs",
    "user_repositories_url": "/users/{{user}}/repos{{?type,page,per_page,sort}}",
    "user_search_url": "/search/users?q={{query}}{{&page,per_page,sort,order}}",
}
# fields API version 2026-03-10 no longer lists in the root
REMOVED_IN_2026 = ("authorizations_url", "hub_url")


def root(call: Call) -> Reply:
    """`GET /`: hypermedia links to the API's top-level resources."""
    body = {key: (value.format(web=call.site.url) if value.startswith("{web}") else call.site.api + value.format())
            for key, value in ROOT.items()}
    if call.api_version >= "2026-03-10":
        for key in REMOVED_IN_2026:
            body.pop(key)
    return Reply(200, body)


def meta(call: Call) -> Reply:
    """`GET /meta`: where this GitHub's services are (all on one loopback address here)."""
    host = urlsplit(call.site.url).hostname or "127.0.0.1"
    addresses = [f"{host}/32"]
    return Reply(200, {
        "verifiable_password_authentication": False,
        "hooks": addresses, "web": addresses, "api": addresses, "git": addresses, "packages": addresses,
        "actions": addresses, "domains": {"website": [host], "packages": [host], "actions": [host]},
    })


def versions(call: Call) -> Reply:
    return Reply(200, VERSIONS)


def get_user(call: Call) -> Reply:
    if call.token.anonymous:
        raise HTTPError(401, "Requires authentication")
    profile = {"name": call.login, "company": None, "blog": "", "location": None, "email": None, "hireable": None,
               "bio": None, "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
               "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    return Reply(200, {**shapes.user_of(call.site, call.login), **profile})


def rate_limit(call: Call) -> Reply:
    """`GET /rate_limit`: the caller's windows, as counted (this call itself is not counted)."""
    key, limit = call.rate_subject
    resources = {name: call.state.rate_limits.peek(key, limit, name).json() for name in ("core", "search", "graphql")}
    body = {"resources": resources, "rate": resources["core"]}
    if call.api_version >= "2026-03-10":
        body.pop("rate")
    return Reply(200, body)


ROUTES = [
    Endpoint("GET", "/", root, public=True),
    Endpoint("GET", "/meta", meta, public=True),
    Endpoint("GET", "/versions", versions, public=True),
    Endpoint("GET", "/user", get_user),
    Endpoint("GET", "/rate_limit", rate_limit, public=True),
]
