"""The engine-socket recorder passes every request through and counts only image-making ones as builds."""

from __future__ import annotations

import os
import subprocess
import uuid
from pathlib import Path

from testbed.dockerproxy import DockerApiRecorder, EngineRequest, image_build


def docker(recorder: DockerApiRecorder, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_HOST": recorder.uri}
    return subprocess.run(["docker", *args], env=env, capture_output=True, text=True, check=False, timeout=120)


def test_build_is_recorded_and_tag_is_not(tmp_path: Path) -> None:
    """`docker build` through the socket is a build with its tag; `docker tag` and a hijacked attach are not."""
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY a /a\n")
    (tmp_path / "a").write_text(uuid.uuid4().hex)
    name = f"relsuite-recorder-{uuid.uuid4().hex[:8]}"
    with DockerApiRecorder() as recorder:
        try:
            assert docker(recorder, "build", "-q", "-t", f"{name}:1", str(tmp_path)).returncode == 0
            mark = recorder.seq
            assert docker(recorder, "tag", f"{name}:1", f"{name}:2").returncode == 0
            ran = docker(recorder, "run", "--rm", f"{name}:1", "/missing")  # attach upgrades the connection
            assert ran.returncode != 0 and "missing" in ran.stderr
            builds = recorder.builds()
            assert [(b.kind, b.tags) for b in builds] == [("build", (f"{name}:1",))]
            assert recorder.builds(mark) == []
            assert any(r.path.endswith("/attach") for r in recorder.requests(mark))
        finally:
            docker(recorder, "rmi", f"{name}:1", f"{name}:2")


def test_image_making_requests_are_builds() -> None:
    """BuildKit sessions, commit, import and load make images; pull and push do not."""
    def kind(method: str, path: str, query: str = "") -> str | None:
        found = image_build(EngineRequest(1, method, path, query))
        return found.kind if found else None

    assert kind("POST", "/session") == "buildkit session"
    assert kind("POST", "/commit", "container=x&repo=a") == "commit"
    assert kind("POST", "/images/create", "fromSrc=-&repo=a") == "import"
    assert kind("POST", "/images/load") == "load"
    assert kind("POST", "/images/create", "fromImage=a&tag=1") is None
    assert kind("POST", "/images/a/push", "tag=1") is None
