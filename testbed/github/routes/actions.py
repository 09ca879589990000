"""GitHub Actions over REST: `workflow_dispatch`."""

from __future__ import annotations

from testbed.github import gitdata, shapes
from testbed.github.protocol import Call, Endpoint, Reply, required, unprocessable
from testbed.github.routes.common import REPO

MAX_INPUTS = 25


def workflow_dispatch(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "ref")
    ref = str(data["ref"])
    sha = gitdata.resolve(repo.bare, ref.removeprefix("refs/heads/").removeprefix("refs/tags/"))
    if sha is None:
        raise unprocessable(f"No ref found for: {ref}")
    inputs = data.get("inputs") or {}
    if not isinstance(inputs, dict) or len(inputs) > MAX_INPUTS:
        raise unprocessable(f"Invalid request.\n\ninputs must be an object with at most {MAX_INPUTS} properties.")
    workflow = str(call.params["workflow_id"])
    full_ref = ref if ref.startswith("refs/") else f"refs/heads/{ref}"
    payload = {"inputs": inputs, "ref": full_ref, "workflow": f".github/workflows/{workflow}",
               "repository": shapes.repo_of(call.site, repo, webhook=True),
               "sender": shapes.user_of(call.site, call.login, webhook=True)}
    with call.state.lock:
        event = call.state.record_event("workflow_dispatch", repo, payload, ref=full_ref, sha=sha, token=call.token)
        call.state.record_dispatch(event, kind="workflow_dispatch", event_type=workflow, client_payload=inputs)
    call.state.deliver([event])
    return Reply(204)


ROUTES = [Endpoint("POST", REPO + "/actions/workflows/{workflow_id}/dispatches", workflow_dispatch)]
