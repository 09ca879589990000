"""Pull requests: open, list, read, edit, and the merge button (whose logic lives in `merge`)."""

from __future__ import annotations

from testbed.github import gitdata, shapes, webhooks
from testbed.github.merge import MergeRequest, merge
from testbed.github.protocol import Call, Endpoint, HTTPError, Reply, not_found, required, string, unprocessable
from testbed.github.records import PullRequest
from testbed.github.routes.common import REPO, associated_pulls, commit_or_422, pull_or_404
from testbed.github.shapes import commits
from testbed.github.shapes.pulls import pull as pull_json
from testbed.github.state import Event


def _exists(call: Call, branch: str) -> str | None:
    repo = call.repo()
    return gitdata.resolve(repo.bare, branch) if gitdata.refs(repo.bare, f"refs/heads/{branch}") else None


def create_pull(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "head", "base")
    head = str(data["head"]).split(":", 1)[-1]
    base = str(data["base"])
    title = string(data, "title")
    if not title:
        raise unprocessable("Validation Failed", resource="PullRequest", code="missing_field", field_name="title")
    with repo.lock:
        head_sha, base_sha = _exists(call, head), _exists(call, base)
        if head_sha is None:
            raise unprocessable("Validation Failed", resource="PullRequest", code="invalid", field_name="head")
        if base_sha is None:
            raise unprocessable("Validation Failed", resource="PullRequest", code="invalid", field_name="base")
        if any(p.state == "open" and p.head == head and p.base == base for p in repo.pulls):
            raise HTTPError(422, "Validation Failed", [{
                "resource": "PullRequest", "code": "custom",
                "message": f"A pull request already exists for {repo.owner}:{head}."}])
        if not gitdata.log(repo.bare, head_sha, exclude=base_sha, limit=1):
            raise HTTPError(422, "Validation Failed", [{
                "resource": "PullRequest", "code": "custom", "message": f"No commits between {base} and {head}"}])
        stamp = shapes.now()
        pull = PullRequest(id=call.state.next_id(), number=len(repo.pulls) + 1, title=title,
                           body=string(data, "body"), head=head, base=base, head_sha=head_sha, base_sha=base_sha,
                           user=call.login, created_at=stamp, updated_at=stamp)
        repo.pulls.append(pull)
        event = webhooks.pull_request(call.state, call.site, repo, pull, "opened", call.token)
    call.state.deliver([event])
    return Reply(201, pull_json(call.site, repo, pull))


def list_pulls(call: Call) -> Reply:
    repo = call.repo()
    state = call.query.get("state", "open")
    head = call.query.get("head")
    base = call.query.get("base")
    found = [
        pull for pull in reversed(repo.pulls)
        if (state == "all" or pull.state == state)
        and (not head or f"{repo.owner}:{pull.head}" == head or pull.head == head)
        and (not base or pull.base == base)
    ]
    return call.page([pull_json(call.site, repo, pull) for pull in found])


def get_pull(call: Call) -> Reply:
    repo = call.repo()
    return Reply(200, pull_json(call.site, repo, pull_or_404(repo, call.params["number"])))


def update_pull(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    events: list[Event] = []
    with repo.lock:
        pull = pull_or_404(repo, call.params["number"])
        if "title" in data:
            pull.title = string(data, "title") or pull.title
        if "body" in data:
            pull.body = string(data, "body")
        if data.get("state") == "closed" and pull.state == "open" and not pull.merged:
            pull.head_sha = repo.head_of(pull)
            pull.state, pull.closed_at = "closed", shapes.now()
            action = "closed"
        elif data.get("state") == "open" and pull.state == "closed" and not pull.merged:
            pull.state, pull.closed_at = "open", None
            action = "reopened"
        else:
            action = "edited"
        pull.updated_at = shapes.now()
        events.append(webhooks.pull_request(call.state, call.site, repo, pull, action, call.token))
    call.state.deliver(events)
    return Reply(200, pull_json(call.site, repo, pull))


def pull_commits(call: Call) -> Reply:
    repo = call.repo()
    pull = pull_or_404(repo, call.params["number"])
    found = reversed(gitdata.log(repo.bare, repo.head_of(pull), exclude=repo.base_of(pull)))
    return call.page([commits.commit(call.site, repo, c, files=False) for c in found])


def pull_files(call: Call) -> Reply:
    repo = call.repo()
    pull = pull_or_404(repo, call.params["number"])
    head = repo.head_of(pull)
    base = gitdata.merge_base(repo.bare, pull.base_sha, head) or pull.base_sha
    changed = gitdata.changed_files(repo.bare, base, head)
    return call.page([commits.file(call.site, repo, head, s, p) for s, p in changed])


def is_merged(call: Call) -> Reply:
    repo = call.repo()
    if pull_or_404(repo, call.params["number"]).merged:
        return Reply(204)
    raise not_found()


def merge_pull(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    request = MergeRequest(method=str(data.get("merge_method") or "merge"), sha=string(data, "sha"),
                           commit_title=string(data, "commit_title"), commit_message=string(data, "commit_message"))
    sha = merge(call.state, call.site, repo, pull_or_404(repo, call.params["number"]), request, call.token)
    return Reply(200, {"sha": sha, "merged": True, "message": "Pull Request successfully merged"})


def pulls_of_commit(call: Call) -> Reply:
    repo = call.repo()
    sha = commit_or_422(repo, call.params["sha"]).sha
    return call.page([pull_json(call.site, repo, pull) for pull in associated_pulls(repo, sha)])


ROUTES = [
    Endpoint("POST", REPO + "/pulls", create_pull),
    Endpoint("GET", REPO + "/pulls", list_pulls),
    Endpoint("GET", REPO + "/pulls/{number:int}", get_pull),
    Endpoint("PATCH", REPO + "/pulls/{number:int}", update_pull),
    Endpoint("GET", REPO + "/pulls/{number:int}/commits", pull_commits),
    Endpoint("GET", REPO + "/pulls/{number:int}/files", pull_files),
    Endpoint("GET", REPO + "/pulls/{number:int}/merge", is_merged),
    Endpoint("PUT", REPO + "/pulls/{number:int}/merge", merge_pull),
    Endpoint("GET", REPO + "/commits/{sha}/pulls", pulls_of_commit),
]
