"""GitHub Actions over REST: the repository's workflows, their runs (as the testbed's runner
reports them) and `workflow_dispatch` (404 for a workflow the repository does not have)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from testbed.github import gitdata, shapes
from testbed.github.protocol import Call, Endpoint, Reply, not_found, required, unprocessable
from testbed.github.records import Repo, WorkflowRun
from testbed.github.routes.common import REPO
from testbed.github.site import Site

MAX_INPUTS = 25
WORKFLOWS_DIR = ".github/workflows"


def _workflow_id(path: str) -> int:
    return shapes.numeric_id(f"workflow:{path}")


def _workflow_files(repo: Repo) -> dict[str, str]:
    """path -> name of every workflow file on the default branch (the name: key, else the path)."""
    head = gitdata.resolve(repo.bare, repo.default_branch)
    if head is None:
        return {}
    listing = gitdata.git(repo.bare, "ls-tree", "--name-only", f"{head}:{WORKFLOWS_DIR}", check=False).split()
    found = {}
    for file in sorted(name for name in listing if name.endswith((".yml", ".yaml"))):
        path = f"{WORKFLOWS_DIR}/{file}"
        try:
            parsed = yaml.safe_load((gitdata.show(repo.bare, head, path) or b"").decode())
        except (yaml.YAMLError, UnicodeDecodeError):
            parsed = None
        name = parsed.get("name") if isinstance(parsed, dict) else None
        found[path] = str(name) if name else path
    return found


def _find_workflow(repo: Repo, key: str) -> tuple[str, str]:
    """(path, name) of the workflow named by its file name or numeric id; 404 like GitHub otherwise."""
    for path, name in _workflow_files(repo).items():
        if key in (path.rsplit("/", 1)[-1], str(_workflow_id(path))):
            return path, name
    raise not_found()


def _workflow(site: Site, repo: Repo, path: str, name: str) -> dict[str, Any]:
    wid = _workflow_id(path)
    web = site.repo_web(repo.full_name)
    return {"id": wid, "node_id": shapes.node_id("W", wid), "name": name, "path": path, "state": "active",
            "created_at": repo.created, "updated_at": repo.created,
            "url": f"{site.repo_api(repo.full_name)}/actions/workflows/{wid}",
            "html_url": f"{web}/blob/{repo.default_branch}/{path}", "badge_url": f"{web}/workflows/{name}/badge.svg"}


def _run(site: Site, repo: Repo, run: WorkflowRun, names: dict[str, str]) -> dict[str, Any]:
    api = f"{site.repo_api(repo.full_name)}/actions/runs/{run.id}"
    commit = gitdata.commit(repo.bare, run.head_sha)
    head_commit = None if commit is None else {
        "id": commit.sha, "tree_id": commit.tree, "message": commit.message, "timestamp": commit.committer_date,
        "author": {"name": commit.author_name, "email": commit.author_email},
        "committer": {"name": commit.committer_name, "email": commit.committer_email},
    }
    name = names.get(run.path, run.path)
    return {
        "id": run.id, "name": name, "node_id": shapes.node_id("WFR", run.id), "check_suite_id": run.id,
        "check_suite_node_id": shapes.node_id("CS", run.id), "head_branch": run.head_branch, "head_sha": run.head_sha,
        "path": run.path, "run_number": run.run_number, "run_attempt": 1, "referenced_workflows": [],
        "event": run.event, "status": run.status, "conclusion": run.conclusion,
        "workflow_id": _workflow_id(run.path), "url": api,
        "html_url": f"{site.repo_web(repo.full_name)}/actions/runs/{run.id}", "pull_requests": [],
        "created_at": run.created_at, "updated_at": run.updated_at, "run_started_at": run.created_at,
        "actor": shapes.user_of(site, run.actor), "triggering_actor": shapes.user_of(site, run.actor),
        "jobs_url": f"{api}/jobs", "logs_url": f"{api}/logs", "check_suite_url": f"{api}/check-suite",
        "artifacts_url": f"{api}/artifacts", "cancel_url": f"{api}/cancel", "rerun_url": f"{api}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"{site.repo_api(repo.full_name)}/actions/workflows/{_workflow_id(run.path)}",
        "head_commit": head_commit, "repository": shapes.repo_of(site, repo),
        "head_repository": shapes.repo_of(site, repo), "head_repository_id": repo.id, "display_title": name,
    }


def _runs_page(call: Call, repo: Repo, runs: list[WorkflowRun]) -> Reply:
    """Filtered by `status` (a status or a conclusion), `event`, `branch`, `head_sha`, as GitHub filters."""
    query = call.query
    kept = [run for run in runs
            if (not query.get("status") or query["status"] in (run.status, run.conclusion))
            and (not query.get("event") or query["event"] == run.event)
            and (not query.get("branch") or query["branch"] == run.head_branch)
            and (not query.get("head_sha") or query["head_sha"] == run.head_sha)]
    names = _workflow_files(repo)
    page = call.page([_run(call.site, repo, run, names) for run in kept])
    return Reply(200, {"total_count": len(kept), "workflow_runs": page.body}, page.headers)


def list_workflows(call: Call) -> Reply:
    repo = call.repo()
    found = [_workflow(call.site, repo, path, name) for path, name in _workflow_files(repo).items()]
    page = call.page(found)
    return Reply(200, {"total_count": len(found), "workflows": page.body}, page.headers)


def get_workflow(call: Call) -> Reply:
    repo = call.repo()
    path, name = _find_workflow(repo, str(call.params["workflow_id"]))
    return Reply(200, _workflow(call.site, repo, path, name))


def list_runs(call: Call) -> Reply:
    repo = call.repo()
    return _runs_page(call, repo, call.state.workflow_runs(repo.full_name))


def list_workflow_runs(call: Call) -> Reply:
    repo = call.repo()
    path, _ = _find_workflow(repo, str(call.params["workflow_id"]))
    return _runs_page(call, repo, [r for r in call.state.workflow_runs(repo.full_name) if r.path == path])


def get_run(call: Call) -> Reply:
    repo = call.repo()
    for run in call.state.workflow_runs(repo.full_name):
        if run.id == call.params["run_id"]:
            return Reply(200, _run(call.site, repo, run, _workflow_files(repo)))
    raise not_found()


def workflow_dispatch(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    path, _ = _find_workflow(repo, str(call.params["workflow_id"]))
    required(data, "ref")
    ref = str(data["ref"])
    sha = gitdata.resolve(repo.bare, re.sub(r"^refs/(heads|tags)/", "", ref))
    if sha is None:
        raise unprocessable(f"No ref found for: {ref}")
    inputs = data.get("inputs") or {}
    if not isinstance(inputs, dict) or len(inputs) > MAX_INPUTS:
        raise unprocessable(f"Invalid request.\n\ninputs must be an object with at most {MAX_INPUTS} properties.")
    workflow = path.rsplit("/", 1)[-1]
    full_ref = ref if ref.startswith("refs/") else f"refs/heads/{ref}"
    payload = {"inputs": inputs, "ref": full_ref, "workflow": path,
               "repository": shapes.repo_of(call.site, repo, webhook=True),
               "sender": shapes.user_of(call.site, call.login, webhook=True)}
    with call.state.lock:
        event = call.state.record_event("workflow_dispatch", repo, payload, ref=full_ref, sha=sha, token=call.token)
        call.state.record_dispatch(event, kind="workflow_dispatch", event_type=workflow, client_payload=inputs)
    call.state.deliver([event])
    return Reply(204)


ROUTES = [
    Endpoint("GET", REPO + "/actions/workflows", list_workflows),
    Endpoint("GET", REPO + "/actions/workflows/{workflow_id}", get_workflow),
    Endpoint("GET", REPO + "/actions/workflows/{workflow_id}/runs", list_workflow_runs),
    Endpoint("POST", REPO + "/actions/workflows/{workflow_id}/dispatches", workflow_dispatch),
    Endpoint("GET", REPO + "/actions/runs", list_runs),
    Endpoint("GET", REPO + "/actions/runs/{run_id:int}", get_run),
]
