"""JSON bodies shaped as GitHub's REST API and webhooks shape them, one module per resource
family (`common`: users and repositories; `commits`, `pulls`, `releases`, `comments`)."""

from testbed.github.shapes.common import (
    git_person,
    node_id,
    now,
    numeric_id,
    repo_of,
    repository,
    user,
    user_of,
    verification,
)

__all__ = ["git_person", "repo_of", "user_of", "node_id", "now", "numeric_id", "repository", "user", "verification"]
