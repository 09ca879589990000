"""`repository_dispatch`: another repository's workflows started by an API call, within GitHub's limits."""

from __future__ import annotations

import json

from testbed.github import gitdata, shapes
from testbed.github.protocol import Call, Endpoint, Reply, unprocessable
from testbed.github.routes.common import REPO

MAX_PROPERTIES = 10
MAX_BYTES = 65536
EVENT_TYPE_MAX = 100


def repository_dispatch(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    event_type = data.get("event_type")
    if not isinstance(event_type, str) or not event_type:
        raise unprocessable("Invalid request.\n\n\"event_type\" wasn't supplied.")
    if len(event_type) > EVENT_TYPE_MAX:
        raise unprocessable(f"Invalid request.\n\nevent_type is too long (maximum is {EVENT_TYPE_MAX} characters).")
    client_payload = data.get("client_payload", {})
    if not isinstance(client_payload, dict):
        raise unprocessable("Invalid request.\n\nFor 'properties/client_payload', it is not an object.")
    if len(client_payload) > MAX_PROPERTIES:
        raise unprocessable(f"Invalid request.\n\nNo more than {MAX_PROPERTIES} properties are allowed; "
                            f"{len(client_payload)} were supplied.")
    if len(json.dumps(client_payload, separators=(",", ":")).encode()) > MAX_BYTES:
        raise unprocessable("Invalid request.\n\nclient_payload is too large (maximum is 64 KB).")
    payload = {
        "action": event_type, "branch": repo.default_branch, "client_payload": client_payload,
        "repository": shapes.repo_of(call.site, repo, webhook=True),
        "sender": shapes.user_of(call.site, call.login, webhook=True),
        "installation": {"id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ=="},
    }
    head = gitdata.resolve(repo.bare, repo.default_branch) or ""
    with call.state.lock:
        event = call.state.record_event("repository_dispatch", repo, payload,
                                        ref=f"refs/heads/{repo.default_branch}", sha=head, token=call.token)
        call.state.record_dispatch(event, kind="repository_dispatch", event_type=event_type,
                                   client_payload=client_payload)
    call.state.deliver([event])
    return Reply(204)


ROUTES = [Endpoint("POST", REPO + "/dispatches", repository_dispatch)]
