"""The local GitHub's GraphQL API (`POST /api/graphql`): every document is validated against
GitHub's published schema, failures come back in GitHub's error shape with HTTP 200, and what it
answers and changes is the same state the REST API (driven by PyGithub) shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import github
import pytest
import requests
from graphql import parse, validate

from testbed import gitrepo
from testbed.github import Event, LocalGitHub
from testbed.github.graphql import load

DOCUMENTS = Path(__file__).parent / "data" / "gh_2.23_graphql.json"


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[LocalGitHub]:
    events: list[Event] = []
    server = LocalGitHub(tmp_path / "gh", on_event=events.append)
    server.delivered = events  # type: ignore[attr-defined]
    with server:
        bare = server.create_repo("acme/app")
        gitrepo.commit_files(bare, "main", {"VERSION": "1.0.0\n"}, "Initial commit", root=tmp_path)
        gitrepo.push_branch(url=f"{server.url}/acme/app.git", token=server.admin_token, workdir=tmp_path / "w",
                            base="main", branch="feat/login", files={"login.txt": "login\n"}, message="Add login")
        yield server


def post(gh: LocalGitHub, query: str, variables: dict[str, Any] | None = None, *,
         token: str | None = None) -> requests.Response:
    return requests.post(f"{gh.url}/api/graphql", json={"query": query, "variables": variables or {}},
                         headers={"Authorization": f"bearer {token or gh.admin_token}"}, timeout=30)


def answer(gh: LocalGitHub, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    response = post(gh, query, variables, **kwargs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def data(gh: LocalGitHub, query: str, variables: dict[str, Any] | None = None, **kwargs: Any) -> dict[str, Any]:
    body = answer(gh, query, variables, **kwargs)
    assert "errors" not in body, body["errors"]
    result: dict[str, Any] = body["data"]
    return result


def client(gh: LocalGitHub) -> github.Github:
    return github.Github(base_url=gh.api_url, auth=github.Auth.Token(gh.admin_token), retry=None,
                         seconds_between_requests=None, seconds_between_writes=None)


# validation against the schema ------------------------------------------------------------

def test_every_document_gh_sends_validates_against_githubs_schema() -> None:
    """Each GraphQL document gh 2.23 was seen sending is valid against the pinned GitHub schema."""
    captured = json.loads(DOCUMENTS.read_text())["commands"]
    documents = [d["query"] for c in captured for d in c["graphql"]]
    assert len(documents) >= 10
    schema = load()
    problems = {q[:60]: [e.message for e in validate(schema, parse(q))] for q in documents}
    assert {q: p for q, p in problems.items() if p} == {}


def test_unknown_field_is_githubs_undefined_field_error(gh: LocalGitHub) -> None:
    """A field the schema lacks gets graphql-ruby's shape: no data, path, extensions.code, locations."""
    body = answer(gh, "query Who {\n  viewer { login nickname }\n}")
    assert body == {"errors": [{
        "path": ["query Who", "viewer", "nickname"],
        "extensions": {"code": "undefinedField", "typeName": "User", "fieldName": "nickname"},
        "locations": [{"line": 2, "column": 18}],
        "message": "Field 'nickname' doesn't exist on type 'User'",
    }]}


def test_bad_arguments_and_unused_variables_are_each_reported(gh: LocalGitHub) -> None:
    """Every validation problem of a document is reported, each with GitHub's code; nothing runs."""
    body = answer(gh, 'query Q($unused: Int) { repository(owner: "acme") { name } node(idd: "x") { id } }')
    codes = sorted(e["extensions"]["code"] for e in body["errors"])
    assert "data" not in body
    assert codes == ["argumentNotAccepted", "missingRequiredArguments", "missingRequiredArguments", "variableNotUsed"]
    messages = {e["message"] for e in body["errors"]}
    assert "Field 'repository' is missing required arguments: name" in messages
    assert "Field 'node' doesn't accept argument 'idd'" in messages


def test_syntax_error_and_empty_body_are_answered_not_crashed(gh: LocalGitHub) -> None:
    """A document that does not parse, or no query at all, answers 200 with one error message."""
    broken = answer(gh, "{ viewer { login }")
    assert list(broken) == ["errors"] and broken["errors"][0]["message"].startswith("Parse error")
    assert broken["errors"][0]["locations"] == [{"line": 1, "column": 19}]
    empty = requests.post(f"{gh.url}/api/graphql", json={}, headers={"Authorization": f"token {gh.admin_token}"},
                          timeout=30)
    assert empty.status_code == 200
    assert empty.json() == {"errors": [{"message": "A query attribute must be specified and must be a string."}]}


def test_variables_of_the_wrong_type_are_rejected_before_running(gh: LocalGitHub) -> None:
    """A variable that does not fit its declared type fails the request without executing it."""
    body = answer(gh, "query($n: Int!) { repository(owner: \"acme\", name: \"app\") { pullRequest(number: $n) "
                      "{ id } } }", {"n": "one"})
    assert body == {"errors": [{
        "extensions": {"value": "one", "problems": [{"path": [], "explanation": body["errors"][0]["extensions"][
            "problems"][0]["explanation"]}]},
        "locations": [{"line": 1, "column": 7}],
        "message": "Variable $n of type Int! was provided invalid value",
    }]}
    assert "one" in body["errors"][0]["extensions"]["problems"][0]["explanation"]


def test_unauthenticated_request_is_401(gh: LocalGitHub) -> None:
    """Without a token the endpoint answers 401 as GitHub does, not a GraphQL result."""
    response = requests.post(f"{gh.url}/api/graphql", json={"query": "{ viewer { login } }"}, timeout=30)
    assert response.status_code == 401
    assert response.json()["message"] == "This endpoint requires you to be authenticated."


# resolution errors ------------------------------------------------------------------------

def test_missing_repository_and_pull_request_are_not_found_with_path(gh: LocalGitHub) -> None:
    """Unknown objects resolve to null with a NOT_FOUND error naming them and the path."""
    body = answer(gh, '{ gone: repository(owner: "acme", name: "nope") { id } '
                      'app: repository(owner: "acme", name: "app") { pullRequest(number: 7) { id } } }')
    assert body["data"] == {"gone": None, "app": {"pullRequest": None}}
    assert [(e["type"], e["path"], e["message"]) for e in body["errors"]] == [
        ("NOT_FOUND", ["gone"], "Could not resolve to a Repository with the name 'acme/nope'."),
        ("NOT_FOUND", ["app", "pullRequest"], "Could not resolve to a PullRequest with the number of 7."),
    ]
    assert all(e["locations"] for e in body["errors"])


def test_workflow_token_for_one_repository_cannot_read_another(gh: LocalGitHub) -> None:
    """A run's GITHUB_TOKEN for another repository gets FORBIDDEN, as on GitHub."""
    gh.create_repo("acme/other")
    token = gh.create_token("github-actions[bot]", repos={"acme/other"}, actions=True)
    body = answer(gh, '{ repository(owner: "acme", name: "app") { id } }', token=token)
    assert body["data"] == {"repository": None}
    assert body["errors"][0]["type"] == "FORBIDDEN"


def test_connections_require_bounds_and_page_with_cursors(gh: LocalGitHub, tmp_path: Path) -> None:
    """Lists need first/last as on GitHub; pages follow endCursor and report hasNextPage."""
    repo = client(gh).get_repo("acme/app")
    for n in range(3):
        repo.create_git_release(f"v1.{n}.0", f"v1.{n}.0", "", target_commitish="main")
    unbounded = answer(gh, '{ repository(owner: "acme", name: "app") { releases { nodes { tagName } } } }')
    assert unbounded["errors"][0]["type"] == "MISSING_PAGINATION_BOUNDARIES"
    query = ('query($after: String) { repository(owner: "acme", name: "app") { releases(first: 2, after: $after) '
             '{ totalCount nodes { tagName } pageInfo { hasNextPage endCursor } } } }')
    first = data(gh, query)["repository"]["releases"]
    second = data(gh, query, {"after": first["pageInfo"]["endCursor"]})["repository"]["releases"]
    assert [r["tagName"] for r in first["nodes"]] == ["v1.2.0", "v1.1.0"]  # newest first, GitHub's default
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    assert [r["tagName"] for r in second["nodes"]] == ["v1.0.0"] and not second["pageInfo"]["hasNextPage"]


# the same state as REST -------------------------------------------------------------------

def test_rest_node_ids_resolve_through_node(gh: LocalGitHub) -> None:
    """Every node_id that REST hands out resolves via node(id:) to that object."""
    repo = client(gh).get_repo("acme/app")
    pull = repo.create_pull(base="main", head="feat/login", title="Add login")
    release = repo.create_git_release("v1.0.0", "v1.0.0", "", target_commitish="main")
    asset = release.upload_asset_from_memory(b"{}", 2, "images.json", content_type="application/json")
    main = repo.get_branch("main").commit
    status = main.create_status("success", context="ci/build")
    comment = pull.create_issue_comment("Looks good")
    tag = next(iter(repo.get_tags()))
    expected = {main.raw_data["node_id"]: ("Commit", main.sha),
                status.raw_data["node_id"]: ("StatusContext", "ci/build"),
                comment.raw_data["node_id"]: ("IssueComment", "Looks good"),
                repo.get_git_ref("heads/main").raw_data["node_id"]: ("Ref", "main"),
                tag.raw_data["node_id"]: ("Ref", "v1.0.0"),
repo.raw_data["node_id"]: ("Repository", "acme/app"), pull.raw_data["node_id"]: ("PullRequest", 1),
                release.raw_data["node_id"]: ("Release", "v1.0.0"), asset.raw_data["node_id"]: ("ReleaseAsset", 2),
                pull.raw_data["user"]["node_id"]: ("User", "octocat")}
    query = ("query($id: ID!) { node(id: $id) { __typename id ... on Repository { key: nameWithOwner } "
             "... on PullRequest { number } ... on Release { tagName } ... on ReleaseAsset { size } "
             "... on User { login } ... on Commit { oid } ... on StatusContext { context } "
             "... on IssueComment { body } ... on Ref { name } } }")
    for node_id, (typename, key) in expected.items():
        node = data(gh, query, {"id": node_id})["node"]
        assert (node["__typename"], node["id"]) == (typename, node_id)
        assert key in node.values()
    missing = answer(gh, query, {"id": "PR_fffffff"})
    assert missing["errors"][0]["type"] == "NOT_FOUND"


def test_repository_refs_and_pull_requests_match_git_and_rest(gh: LocalGitHub) -> None:
    """Branches, their tips, and pull requests filtered by state read the same as git and REST."""
    repo = client(gh).get_repo("acme/app")
    repo.create_pull(base="main", head="feat/login", title="Add login").edit(state="closed")
    result = data(gh, '{ repository(owner: "acme", name: "app") { defaultBranchRef { name } '
                      'refs(refPrefix: "refs/heads/", first: 10) { nodes { name target { oid } } } '
                      'open: pullRequests(states: OPEN, first: 5) { totalCount } '
                      'closed: pullRequests(states: [CLOSED], first: 5) { nodes { number state headRefName } } } }')
    found = result["repository"]
    assert found["defaultBranchRef"] == {"name": "main"}
    assert {r["name"]: r["target"]["oid"] for r in found["refs"]["nodes"]} == {
        b.name: b.commit.sha for b in repo.get_branches()}
    assert found["open"] == {"totalCount": 0}
    assert found["closed"]["nodes"] == [{"number": 1, "state": "CLOSED", "headRefName": "feat/login"}]


def test_create_and_merge_pull_request_through_mutations(gh: LocalGitHub) -> None:
    """createPullRequest and mergePullRequest change what REST shows, with the merge button's commit and events."""
    repo = client(gh).get_repo("acme/app")
    main_before = repo.get_branch("main").commit.sha
    head = repo.get_branch("feat/login").commit.sha
    repo_id = data(gh, '{ repository(owner: "acme", name: "app") { id } }')["repository"]["id"]
    created = data(gh, "mutation($input: CreatePullRequestInput!) { createPullRequest(input: $input) "
                       "{ pullRequest { id number state } } }",
                   {"input": {"repositoryId": repo_id, "baseRefName": "main", "headRefName": "feat/login",
                              "title": "Add login", "body": "Adds it"}})["createPullRequest"]["pullRequest"]
    assert (created["number"], created["state"]) == (1, "OPEN")
    assert repo.get_pull(1).title == "Add login" and repo.get_pull(1).body == "Adds it"
    merged = data(gh, "mutation($id: ID!) { mergePullRequest(input: {pullRequestId: $id, mergeMethod: MERGE}) "
                      "{ pullRequest { state merged mergeCommit { oid parents(first: 2) { nodes { oid } } } } } }",
                  {"id": created["id"]})["mergePullRequest"]["pullRequest"]
    pull = repo.get_pull(1)
    assert pull.merged and merged["state"] == "MERGED" and merged["mergeCommit"]["oid"] == pull.merge_commit_sha
    assert [p["oid"] for p in merged["mergeCommit"]["parents"]["nodes"]] == [main_before, head]
    assert repo.get_branch("main").commit.sha == pull.merge_commit_sha
    delivered = [(e.name, e.payload.get("action")) for e in gh.delivered]  # type: ignore[attr-defined]
    assert delivered[-3:] == [("pull_request", "opened"), ("pull_request", "closed"), ("push", None)]


def test_create_pull_request_keeps_githubs_rules(gh: LocalGitHub) -> None:
    """A second open pull request for the same branches is refused as GitHub refuses it, with nothing created."""
    repo_id = data(gh, '{ repository(owner: "acme", name: "app") { id } }')["repository"]["id"]
    mutation = ("mutation($input: CreatePullRequestInput!) { createPullRequest(input: $input) "
                "{ pullRequest { number } } }")
    variables = {"input": {"repositoryId": repo_id, "baseRefName": "main", "headRefName": "feat/login", "title": "x"}}
    data(gh, mutation, variables)
    body = answer(gh, mutation, variables)
    assert body["data"] == {"createPullRequest": None}
    assert (body["errors"][0]["type"], body["errors"][0]["message"]) == (
        "UNPROCESSABLE", "A pull request already exists for acme:feat/login.")
    assert client(gh).get_repo("acme/app").get_pulls(state="all").totalCount == 1


def test_a_mutation_the_local_github_does_not_serve_fails_clearly(gh: LocalGitHub) -> None:
    """A valid mutation outside what the testbed models is an error naming it, never a silent null."""
    body = answer(gh, 'mutation { addStar(input: {starrableId: "R_1"}) { clientMutationId } }')
    assert body["data"] == {"addStar": None}
    assert "addStar is not served by the local GitHub" in body["errors"][0]["message"]


def test_graphql_is_counted_against_its_own_rate_limit_window(gh: LocalGitHub) -> None:
    """Each query is counted in the `graphql` window: headers and `rateLimit` agree, REST's `core` is untouched."""
    first = post(gh, "{ viewer { login } }")
    second = post(gh, "{ rateLimit { limit used remaining } }")
    assert first.headers["x-ratelimit-resource"] == "graphql" and first.headers["x-github-request-id"]
    assert int(second.headers["x-ratelimit-used"]) == int(first.headers["x-ratelimit-used"]) + 1
    counted = second.json()["data"]["rateLimit"]
    used = int(second.headers["x-ratelimit-used"])  # this query included, as GitHub counts its cost
    assert counted == {"limit": 5000, "used": used, "remaining": 5000 - used}
    core = requests.get(f"{gh.api_url}/rate_limit", headers={"Authorization": f"token {gh.admin_token}"}, timeout=30)
    assert core.json()["resources"]["graphql"]["used"] == used
    assert core.json()["resources"]["core"]["used"] == 0


def test_commit_history_and_associated_pull_requests_as_release_tools_read_them(gh: LocalGitHub) -> None:
    """`history` lists commits newest first as git does; `associatedPullRequests` finds the merged pull request."""
    repo = client(gh).get_repo("acme/app")
    pull = repo.create_pull(base="main", head="feat/login", title="Add login")
    pull.merge(merge_method="merge")
    query = ('{ repository(owner: "acme", name: "app") { ref(qualifiedName: "refs/heads/main") { target { '
             '... on Commit { history(first: 10) { totalCount nodes { oid messageHeadline '
             'associatedPullRequests(first: 5) { nodes { number state } } } } } } } } }')
    history = data(gh, query)["repository"]["ref"]["target"]["history"]
    assert [c["oid"] for c in history["nodes"]] == [c.sha for c in repo.get_commits(sha="main")]
    assert history["nodes"][0]["messageHeadline"] == "Merge pull request #1 from acme/feat/login"
    assert history["nodes"][0]["associatedPullRequests"]["nodes"] == [{"number": 1, "state": "MERGED"}]
    by_headline = {c["messageHeadline"]: c["associatedPullRequests"]["nodes"] for c in history["nodes"]}
    assert by_headline["Add login"] == [{"number": 1, "state": "MERGED"}]
    assert by_headline["Initial commit"] == []  # on main before the pull request was opened


def test_files_trees_and_blobs_read_the_same_as_git(gh: LocalGitHub) -> None:
    """A pull request's changed files, a commit's tree and a blob by expression are git's, not placeholders."""
    repo = client(gh).get_repo("acme/app")
    repo.create_pull(base="main", head="feat/login", title="Add login")
    found = data(gh, '{ repository(owner: "acme", name: "app") { '
                     'pullRequest(number: 1) { changedFiles files(first: 10) { nodes { path additions deletions '
                     'changeType } } } '
                     'file: object(expression: "feat/login:login.txt") { ... on Blob { text byteSize isBinary } } '
                     'ref(qualifiedName: "main") { target { ... on Commit { tree { entries { name type oid } } } } } '
                     '} }')["repository"]
    assert found["pullRequest"]["changedFiles"] == 1
    assert found["pullRequest"]["files"]["nodes"] == [
        {"path": "login.txt", "additions": 1, "deletions": 0, "changeType": "ADDED"}]
    assert found["file"] == {"text": "login\n", "byteSize": 6, "isBinary": False}
    entries = found["ref"]["target"]["tree"]["entries"]
    assert [(e["name"], e["type"]) for e in entries] == [("VERSION", "blob")]
    assert entries[0]["oid"] == repo.get_contents("VERSION", ref="main").sha


def test_comments_participants_and_owned_repositories_show_what_exists(gh: LocalGitHub) -> None:
    """Commit comments, a pull request's participants and a user's repositories are the recorded ones."""
    repo = client(gh).get_repo("acme/app")
    pull = repo.create_pull(base="main", head="feat/login", title="Add login")
    head = repo.get_branch("feat/login").commit
    head.create_comment("Images: stg-1.1.0")
    pull.create_issue_comment("Looks good")
    found = data(gh, '{ repository(owner: "acme", name: "app") { '
                     'commitComments(first: 5) { nodes { body commit { oid } } } '
                     'issueOrPullRequest(number: 1) { ... on PullRequest { participants(first: 5) { nodes { login } } '
                     'commits(last: 1) { nodes { commit { comments(first: 5) { totalCount } authors(first: 2) '
                     '{ nodes { name } } } } } } } } '
                     'user(login: "acme") { repositories(first: 5) { nodes { nameWithOwner } } } }')
    assert found["repository"]["commitComments"]["nodes"] == [
        {"body": "Images: stg-1.1.0", "commit": {"oid": head.sha}}]
    pull_found = found["repository"]["issueOrPullRequest"]
    assert pull_found["participants"]["nodes"] == [{"login": "octocat"}]
    last = pull_found["commits"]["nodes"][0]["commit"]
    assert last["comments"]["totalCount"] == 1 and last["authors"]["nodes"] == [{"name": head.commit.author.name}]
    assert found["user"]["repositories"]["nodes"] == [{"nameWithOwner": "acme/app"}]
    timeline = answer(gh, '{ repository(owner: "acme", name: "app") { pullRequest(number: 1) '
                          '{ timelineItems(first: 5) { totalCount } } } }')
    assert "timelineItems is not served by the local GitHub" in timeline["errors"][0]["message"]


def test_search_finds_pull_requests_by_qualifiers_and_names_unserved_ones(gh: LocalGitHub) -> None:
    """search(type: ISSUE) applies repo/is/state/author qualifiers and words; an unknown qualifier is an error."""
    repo = client(gh).get_repo("acme/app")
    repo.create_pull(base="main", head="feat/login", title="Add login")
    query = ("query($q: String!) { search(query: $q, type: ISSUE, first: 5) "
             "{ issueCount nodes { ... on PullRequest { number } } } }")

    def numbers(q: str) -> list[int]:
        found = data(gh, query, {"q": q})["search"]
        assert found["issueCount"] == len(found["nodes"])
        return [n["number"] for n in found["nodes"]]
    assert numbers("repo:acme/app is:pr state:open author:octocat") == [1]
    assert numbers("repo:acme/app is:pr login") == [1]
    assert numbers("repo:acme/app is:merged") == []
    assert numbers("repo:acme/app review-requested:octocat") == []  # nobody is asked to review here
    assert numbers("repo:acme/other is:pr") == []
    body = answer(gh, query, {"q": "repo:acme/app language:go"})
    assert "search qualifier 'language:' is not served" in body["errors"][0]["message"]


def test_an_argument_the_local_github_does_not_apply_is_an_error_not_ignored(gh: LocalGitHub) -> None:
    """A valid argument the testbed cannot apply (history by author) fails naming it instead of answering unfiltered."""
    body = answer(gh, '{ repository(owner: "acme", name: "app") { defaultBranchRef { target { ... on Commit { '
                      'history(first: 5, author: {emails: ["someone@example.com"]}) { totalCount } } } } } }')
    assert body["errors"][0]["message"] == ("The local GitHub does not serve the argument(s) author of "
                                            "Commit.history")


def test_a_mutation_needs_the_permission_its_rest_twin_needs(gh: LocalGitHub) -> None:
    """createPullRequest needs `pull-requests: write`, as its REST twin does."""
    from testbed.github.permissions import Permissions

    repo_id = data(gh, '{ repository(owner: "acme", name: "app") { id } }')["repository"]["id"]
    mutation = ("mutation($input: CreatePullRequestInput!) { createPullRequest(input: $input) "
                "{ pullRequest { number } } }")
    variables = {"input": {"repositoryId": repo_id, "baseRefName": "main", "headRefName": "feat/login",
                           "title": "Add login"}}
    reader = gh.create_token("github-actions[bot]", repos={"acme/app"}, actions=True,
                             permissions=Permissions.parse({"contents": "read"}))
    refused = answer(gh, mutation, variables, token=reader)
    assert [(e.get("type"), e["message"]) for e in refused["errors"]] == [
        ("FORBIDDEN", "Resource not accessible by integration")], refused
    assert client(gh).get_repo("acme/app").get_pulls(state="all").totalCount == 0
    writer = gh.create_token("github-actions[bot]", repos={"acme/app"}, actions=True,
                             permissions=Permissions.parse({"contents": "read", "pull-requests": "write"}))
    opened = data(gh, mutation, variables, token=writer)
    assert opened["createPullRequest"]["pullRequest"]["number"] == 1
