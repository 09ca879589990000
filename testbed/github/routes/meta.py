"""The API root, the authenticated user and the rate limit."""

from __future__ import annotations

from testbed.github import shapes
from testbed.github.protocol import Call, Endpoint, Reply


def get_user(call: Call) -> Reply:
    profile = {"name": call.login, "company": None, "blog": "", "location": None, "email": None, "hireable": None,
               "bio": None, "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
               "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}
    return Reply(200, {**shapes.user_of(call.site, call.login), **profile})


def api_root(call: Call) -> Reply:
    """`GET /` (`/api/v3/` on Enterprise): the URL templates of the API; `gh auth status` checks the
    token with it."""
    api = call.site.api
    return Reply(200, {
        "current_user_url": f"{api}/user",
        "authorizations_url": f"{api}/authorizations",
        "emojis_url": f"{api}/emojis",
        "events_url": f"{api}/events",
        "hub_url": f"{api}/hub",
        "issue_search_url": f"{api}/search/issues?q={{query}}{{&page,per_page,sort,order}}",
        "rate_limit_url": f"{api}/rate_limit",
        "repository_url": f"{api}/repos/{{owner}}/{{repo}}",
        "user_url": f"{api}/users/{{user}}",
        "user_repositories_url": f"{api}/users/{{user}}/repos{{?type,page,per_page,sort}}",
    })


def rate_limit(call: Call) -> Reply:
    core = {"limit": 5000, "used": 0, "remaining": 5000, "reset": 0}
    return Reply(200, {"resources": {"core": core, "search": core, "graphql": core}, "rate": core})


ROUTES = [
    Endpoint("GET", "/", api_root),
    Endpoint("GET", "/user", get_user),
    Endpoint("GET", "/rate_limit", rate_limit),
]
