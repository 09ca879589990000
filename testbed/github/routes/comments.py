"""Commit comments, comments on pull requests (issue comments) and commit statuses."""

from __future__ import annotations

from testbed.github import shapes
from testbed.github.protocol import Call, Endpoint, Reply, not_found, required, unprocessable
from testbed.github.records import CommitComment, IssueComment, Status
from testbed.github.routes.common import REPO, commit_or_422, pull_or_404
from testbed.github.shapes.comments import commit_comment, issue_comment, status

STATES = ("error", "failure", "pending", "success")


def create_commit_comment(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "body")
    found = commit_or_422(repo, call.params["sha"])
    stamp = shapes.now()
    path = data.get("path")
    comment = CommitComment(call.state.next_id(), str(data["body"]), found.sha, str(path) if path else None,
                            call.login, stamp, stamp)
    with repo.lock:
        repo.commit_comments.append(comment)
    return Reply(201, commit_comment(call.site, repo, comment))


def list_commit_comments(call: Call) -> Reply:
    repo = call.repo()
    sha = commit_or_422(repo, call.params["sha"]).sha
    return call.page([commit_comment(call.site, repo, c) for c in repo.commit_comments if c.commit_id == sha])


def list_repo_comments(call: Call) -> Reply:
    repo = call.repo()
    return call.page([commit_comment(call.site, repo, c) for c in repo.commit_comments])


def update_commit_comment(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "body")
    with repo.lock:
        for comment in repo.commit_comments:
            if comment.id == call.params["comment_id"]:
                comment.body, comment.updated_at = str(data["body"]), shapes.now()
                return Reply(200, commit_comment(call.site, repo, comment))
    raise not_found()


def create_issue_comment(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "body")
    number = int(call.params["number"])
    pull_or_404(repo, number)
    stamp = shapes.now()
    comment = IssueComment(call.state.next_id(), number, str(data["body"]), call.login, stamp, stamp)
    with repo.lock:
        repo.issue_comments.append(comment)
    return Reply(201, issue_comment(call.site, repo, comment))


def list_issue_comments(call: Call) -> Reply:
    repo = call.repo()
    number = int(call.params["number"])
    pull_or_404(repo, number)
    return call.page([issue_comment(call.site, repo, c) for c in repo.comments_on(number)])


def create_status(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "state")
    if data["state"] not in STATES:
        raise unprocessable("Validation Failed", resource="Status", code="custom", field_name="state")
    sha = str(call.params["sha"])
    commit_or_422(repo, sha)
    stamp = shapes.now()
    found = Status(call.state.next_id(), sha, str(data["state"]), data.get("description"), data.get("target_url"),
                   str(data.get("context") or "default"), call.login, stamp, stamp)
    with repo.lock:
        repo.statuses.append(found)
    return Reply(201, status(call.site, repo, found))


def list_statuses(call: Call) -> Reply:
    repo = call.repo()
    sha = commit_or_422(repo, str(call.params["ref"])).sha
    return call.page([status(call.site, repo, s) for s in reversed(repo.statuses) if s.sha == sha])


def combined_status(call: Call) -> Reply:
    """`GET /commits/{ref}/status`: the latest status per context and the state they combine to
    (failure if any is error or failure, pending if any is pending or there is none, else success)."""
    repo = call.repo()
    sha = commit_or_422(repo, str(call.params["ref"])).sha
    latest: dict[str, Status] = {}
    for found in repo.statuses:
        if found.sha == sha:
            latest[found.context] = found
    states = {found.state for found in latest.values()}
    state = ("failure" if states & {"error", "failure"} else "pending" if not states or "pending" in states
             else "success")
    api = call.site.repo_api(repo.full_name)
    kept = sorted(latest.values(), key=lambda found: found.id)
    page = call.page([status(call.site, repo, found) for found in kept])
    return Reply(200, {"state": state, "statuses": page.body, "sha": sha, "total_count": len(kept),
                       "repository": shapes.repo_of(call.site, repo), "commit_url": f"{api}/commits/{sha}",
                       "url": f"{api}/commits/{sha}/status"}, page.headers)


ROUTES = [
    Endpoint("GET", REPO + "/commits/{ref}/status", combined_status),
    Endpoint("POST", REPO + "/commits/{sha}/comments", create_commit_comment),
    Endpoint("GET", REPO + "/commits/{sha}/comments", list_commit_comments),
    Endpoint("GET", REPO + "/comments", list_repo_comments),
    Endpoint("PATCH", REPO + "/comments/{comment_id:int}", update_commit_comment),
    Endpoint("POST", REPO + "/issues/{number:int}/comments", create_issue_comment),
    Endpoint("GET", REPO + "/issues/{number:int}/comments", list_issue_comments),
    Endpoint("POST", REPO + "/statuses/{sha}", create_status),
    Endpoint("GET", REPO + "/statuses/{ref}", list_statuses),
    Endpoint("GET", REPO + "/commits/{ref}/statuses", list_statuses),
]
