"""GraphQL reads are held to a workflow token's permissions as REST reads are: a field the token may not
read answers GitHub's FORBIDDEN `Resource not accessible by integration` (HTTP 200, null there), the
repository's metadata stays readable, and each read needs what its REST twin needs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from testbed import gitrepo
from testbed.github import LocalGitHub
from testbed.github.permissions import Permissions
from testbed.github.required import NOT_ACCESSIBLE

REPO = 'repository(owner: "acme", name: "app")'


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[LocalGitHub]:
    with LocalGitHub(tmp_path / "gh") as server:
        bare = server.create_repo("acme/app")
        gitrepo.commit_files(bare, "main", {"VERSION": "1.0.0\n"}, "Initial commit", root=tmp_path)
        gitrepo.push_branch(url=f"{server.url}/acme/app.git", token=server.admin_token, workdir=tmp_path / "w",
                            base="main", branch="feat/login", files={"login.txt": "login\n"}, message="Add login")
        admin = {"Authorization": f"token {server.admin_token}"}
        opened = requests.post(f"{server.api_url}/repos/acme/app/pulls", headers=admin, timeout=30,
                               json={"head": "feat/login", "base": "main", "title": "Add login"})
        released = requests.post(f"{server.api_url}/repos/acme/app/releases", headers=admin, timeout=30,
                                 json={"tag_name": "v1.0.0"})
        assert opened.status_code == released.status_code == 201, (opened.text, released.text)
        server.pull_node_id = opened.json()["node_id"]  # type: ignore[attr-defined]
        yield server


def token(gh: LocalGitHub, levels: dict[str, str]) -> str:
    return gh.create_token("github-actions[bot]", repos={"acme/app"}, actions=True,
                           permissions=Permissions.parse(levels))


def answer(gh: LocalGitHub, query: str, bearer: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = requests.post(f"{gh.url}/api/graphql", json={"query": query, "variables": variables or {}},
                             headers={"Authorization": f"bearer {bearer}"}, timeout=30)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def forbidden(body: dict[str, Any]) -> list[list[Any]]:
    """The paths of the FORBIDDEN errors of an answer (each with GitHub's message)."""
    errors = body.get("errors", [])
    assert all(e["type"] == "FORBIDDEN" and e["message"] == NOT_ACCESSIBLE for e in errors), errors
    return [e["path"] for e in errors]


PULLS = f"{{ {REPO} {{ name pullRequests(first: 5) {{ nodes {{ number title }} }} }} }}"


@pytest.mark.parametrize("levels", [{}, {"contents": "read"}], ids=["empty", "contents-read"])
def test_pull_requests_need_pull_requests_read(gh: LocalGitHub, levels: dict[str, str]) -> None:
    """Without pull-requests read, `pullRequests` is FORBIDDEN at its path (null up to the nullable repository)."""
    body = answer(gh, PULLS, token(gh, levels))
    assert forbidden(body) == [["repository", "pullRequests"]]
    assert body["data"] == {"repository": None}
    single = answer(gh, f"{{ {REPO} {{ name pullRequest(number: 1) {{ title }} }} }}", token(gh, levels))
    assert forbidden(single) == [["repository", "pullRequest"]]
    assert single["data"] == {"repository": {"name": "app", "pullRequest": None}}


def test_pull_requests_read_with_pull_requests_read(gh: LocalGitHub) -> None:
    """With pull-requests read the same query answers the pull request and no error."""
    body = answer(gh, PULLS, token(gh, {"pull-requests": "read"}))
    assert "errors" not in body, body["errors"]
    assert body["data"]["repository"]["pullRequests"]["nodes"] == [{"number": 1, "title": "Add login"}]


def test_metadata_stays_readable_with_no_permissions(gh: LocalGitHub) -> None:
    """`permissions: {}` reads name, owner, id and the default branch's name, as GET /repos/{o}/{r} answers them."""
    query = f"{{ {REPO} {{ id name owner {{ login }} defaultBranchRef {{ name }} }} }}"
    body = answer(gh, query, token(gh, {}))
    assert "errors" not in body, body["errors"]
    assert body["data"]["repository"]["defaultBranchRef"] == {"name": "main"}
    assert body["data"]["repository"]["owner"] == {"login": "acme"}


# (GraphQL read, REST read of the same data, the scope both need)
TWINS = [
    (f'{{ {REPO} {{ object(expression: "main:VERSION") {{ ... on Blob {{ text }} }} }} }}',
     "/repos/acme/app/contents/VERSION", "contents"),
    (f'{{ {REPO} {{ refs(refPrefix: "refs/heads/", first: 5) {{ nodes {{ name }} }} }} }}',
     "/repos/acme/app/git/matching-refs/heads/", "contents"),
    (f'{{ {REPO} {{ defaultBranchRef {{ target {{ oid }} }} }} }}', "/repos/acme/app/commits/main", "contents"),
    (f'{{ {REPO} {{ releases(first: 5) {{ nodes {{ tagName }} }} }} }}', "/repos/acme/app/releases", "contents"),
    (f'{{ {REPO} {{ latestRelease {{ tagName }} }} }}', "/repos/acme/app/releases/latest", "contents"),
    (f"{{ {REPO} {{ pullRequests(first: 5) {{ nodes {{ number }} }} }} }}", "/repos/acme/app/pulls",
     "pull-requests"),
    ('query($id: ID!) { node(id: $id) { ... on PullRequest { title } } }', "/repos/acme/app/pulls/1",
     "pull-requests"),
]


@pytest.mark.parametrize(("query", "rest", "scope"), TWINS, ids=[t[1].removeprefix("/repos/acme/app") for t in TWINS])
def test_graphql_and_rest_reads_need_the_same_permission(gh: LocalGitHub, query: str, rest: str, scope: str) -> None:
    """Without the scope REST answers 403 and GraphQL FORBIDDEN; with read of it alone both answer the data."""
    variables = {"id": gh.pull_node_id}  # type: ignore[attr-defined]
    for levels, refused in (({}, True), ({scope: "read"}, False)):
        bearer = token(gh, levels)
        body = answer(gh, query, bearer, variables if "$id" in query else None)
        got = requests.get(gh.api_url + rest, headers={"Authorization": f"bearer {bearer}"}, timeout=30)
        assert (got.status_code == 403) is refused, (levels, got.status_code, got.text)
        assert bool(forbidden(body)) is refused, (levels, body)
        assert refused or all(value is not None for value in body["data"].values()), body
