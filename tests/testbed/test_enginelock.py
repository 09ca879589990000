"""Builds and image removals on the shared engine never overlap: through the engine proxy and from the host."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import tarfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from testbed.enginelock import Held, engine_lock, guarded, lock_path, upstream_socket
from testbed.engineproxy import EngineProxy

PATIENCE = 1.0  # how long a blocked hold is watched not to happen (never long enough to pass by luck)


def _in_thread(work: object) -> tuple[threading.Thread, threading.Event]:
    done = threading.Event()

    def run() -> None:
        work()  # type: ignore[operator]
        done.set()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, done


def _docker(proxy: EngineProxy, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_HOST": proxy.uri}
    return subprocess.run(["docker", *args], env=env, capture_output=True, text=True, check=False, timeout=120)


def _exists(image: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode == 0


def _remove(image: str) -> None:
    with engine_lock("remove"):
        subprocess.run(["docker", "rmi", image], capture_output=True, check=False)


@pytest.fixture
def proxy() -> Iterator[EngineProxy]:
    started = EngineProxy()
    started.start()
    try:
        yield started
    finally:
        started.stop()


def _context(tmp_path: Path) -> Path:
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY a /a\n")
    (tmp_path / "a").write_text(uuid.uuid4().hex)
    return tmp_path


def test_builds_and_removals_are_the_guarded_requests() -> None:
    """POST /build is a build; DELETE /images/... and image prune are removals; tag, push, pull and run are neither."""
    assert guarded("POST", "/v1.41/build?t=a%3A1&q=1") == "build"
    assert guarded("POST", "/build") == "build"
    assert guarded("DELETE", "/v1.41/images/localhost:5000/acme/app:1?force=1") == "remove"
    assert guarded("POST", "/v1.41/images/prune?filters=%7B%7D") == "remove"
    for method, target in [("POST", "/v1.41/images/a/tag?repo=b"), ("POST", "/v1.41/images/a/push"),
                           ("POST", "/v1.41/images/create?fromImage=a"), ("POST", "/v1.41/containers/create"),
                           ("DELETE", "/v1.41/containers/abc"), ("GET", "/v1.41/images/json")]:
        assert guarded(method, target) is None, (method, target)


def test_a_removal_waits_for_builds_and_builds_share() -> None:
    """Two builds hold the lock at once; a removal gets it only when both have let go, and a build waits for it."""
    upstream = upstream_socket()
    first, second = Held(upstream, "build"), Held(upstream, "build")  # shared: the second did not wait
    removal: list[Held] = []
    thread, done = _in_thread(lambda: removal.append(Held(upstream, "remove")))
    assert not done.wait(PATIENCE)
    first.release()
    assert not done.wait(PATIENCE)
    second.release()
    assert done.wait(30)
    build, built = _in_thread(lambda: Held(upstream, "build").release())
    assert not built.wait(PATIENCE)
    removal[0].release()
    assert built.wait(30)
    thread.join(), build.join()
    assert lock_path(upstream).exists()


def test_a_build_through_the_proxy_waits_for_a_removal_and_lets_go_when_answered(
        proxy: EngineProxy, tmp_path: Path) -> None:
    """`docker build` through the proxy waits while the host removes images, and its hold ends with its answer."""
    name = f"relsuite-lock-{uuid.uuid4().hex[:8]}"
    try:
        with engine_lock("remove"):
            thread, done = _in_thread(lambda: _docker(proxy, "build", "-q", "-t", name, str(_context(tmp_path))))
            assert not done.wait(PATIENCE)
        assert done.wait(120)
        thread.join()
        assert _exists(name)
        assert _docker(proxy, "rmi", name).returncode == 0  # a removal after it does not wait for it
        assert not _exists(name)
    finally:
        _remove(name)


def test_a_build_lets_go_when_answered_though_its_client_keeps_the_connection(proxy: EngineProxy) -> None:
    """The engine closes a build's connection after its answer, and the hold ends then, not at the client's close."""
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, data in [("Dockerfile", b"FROM scratch\nCOPY a /a\n"), ("a", uuid.uuid4().hex.encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    body = context.getvalue()
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(120)
    image = ""
    try:
        client.connect(str(proxy.path))
        client.sendall(b"POST /v1.41/build?q=1 HTTP/1.1\r\nHost: docker\r\nContent-Type: application/x-tar\r\n"
                       + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = b""
        while data := client.recv(65536):  # ends only if the engine closes: the request asked it to
            answer += data
        assert answer.startswith(b"HTTP/1.1 200") and b"Connection: close" in answer, answer[:300]
        image = answer.split(b'"stream":"')[-1].split(b"\\n")[0].decode()
        assert image.startswith("sha256:"), answer[-300:]
        thread, done = _in_thread(lambda: Held(upstream_socket(), "remove").release())
        assert done.wait(60), "the build's hold outlived its answer"
        thread.join()
    finally:
        client.close()
        if image.startswith("sha256:"):
            _remove(image)


def test_a_removal_through_the_proxy_waits_for_a_build(proxy: EngineProxy, tmp_path: Path) -> None:
    """`docker rmi` through the proxy does not reach the engine while a build holds the lock."""
    with engine_lock("build"):
        built = subprocess.run(["docker", "build", "-q", str(_context(tmp_path))], capture_output=True, text=True)
    image = built.stdout.strip()
    assert built.returncode == 0 and image, built.stderr
    removal: list[subprocess.CompletedProcess[str]] = []
    try:
        hold = Held(upstream_socket(), "build")
        try:
            thread, done = _in_thread(lambda: removal.append(_docker(proxy, "rmi", image)))
            assert not done.wait(PATIENCE)
            assert _exists(image)
        finally:
            hold.release()
        assert done.wait(120)
        thread.join()
        assert removal[0].returncode == 0 and not _exists(image), removal[0].stderr
    finally:
        _remove(image)
