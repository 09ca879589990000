"""The local GitHub's own failures are recorded, so the report can call them the testbed's (error), not a failure."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from testbed.github import LocalGitHub
from testbed.github.routes import graphql as graphql_route


@pytest.fixture
def gh(tmp_path: Path) -> Iterator[LocalGitHub]:
    with LocalGitHub(tmp_path / "gh") as server:
        server.create_repo("acme/app")
        yield server


def test_a_500_of_its_own_is_recorded_and_an_answer_the_client_gets(gh: LocalGitHub,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A GraphQL request the local GitHub fails on answers 500 and lands in internal_errors; a 404 does not."""
    def broken(*_: object) -> None:
        raise RuntimeError("the schema is missing")

    monkeypatch.setattr(graphql_route.graphql, "run", broken)
    auth = {"Authorization": f"bearer {gh.admin_token}"}
    answer = requests.post(f"{gh.url}/api/graphql", json={"query": "{ viewer { login } }"}, headers=auth, timeout=30)
    assert answer.status_code == 500 and "local GitHub error" in answer.json()["message"]
    assert requests.get(f"{gh.api_url}/repos/acme/none", headers=auth, timeout=30).status_code == 404
    assert gh.internal_errors == ["POST /api/graphql: the schema is missing"]
