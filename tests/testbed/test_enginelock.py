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

import testbed.enginelock
from testbed.dockerproxy import DockerApiRecorder
from testbed.enginelock import Held, Mode, engine_lock, guarded, lock_files, lock_path
from testbed.engineproxy import EngineProxy

PATIENCE = 1.0  # how long a blocked hold is watched not to happen (never long enough to pass by luck)
DEADLINE = 300.0  # how long a hold may take once free: other workers' builds on the machine may hold it meanwhile


class Holds:
    """Holds taken by a test, in its thread or others; all released when the test ends, even a late one."""

    def __init__(self) -> None:
        self._held: list[Held] = []
        self._lock = threading.Lock()
        self._over = False

    def keep(self, hold: Held) -> Held:
        with self._lock:
            if self._over:
                hold.release()  # taken after the test ended (it failed while this waited)
            else:
                self._held.append(hold)
        return hold

    def take_in_thread(self, upstream: str, mode: Mode) -> threading.Event:
        """An event set once a thread holds the lock in this mode."""
        taken = threading.Event()

        def take() -> None:
            self.keep(Held(upstream, mode))
            taken.set()

        threading.Thread(target=take, daemon=True).start()
        return taken

    def release_all(self) -> None:
        with self._lock:
            self._over = True
            held, self._held = self._held, []
        for hold in held:
            hold.release()


@pytest.fixture
def holds() -> Iterator[Holds]:
    kept = Holds()
    try:
        yield kept
    finally:
        kept.release_all()


@pytest.fixture
def private_lock(tmp_path: Path) -> Iterator[str]:
    """An upstream socket path of this test's own: its lock files, in /tmp like every other, go with the test."""
    upstream = str(tmp_path / "engine.sock")
    try:
        yield upstream
    finally:
        for path in lock_files(upstream):
            path.unlink(missing_ok=True)


class ProxyUnderTest:
    """An engine proxy under test in front of a recorder that sees what it sends on to the engine. Its lock
    is keyed by the recorder's socket, so holds of other tests on the machine never touch this one."""

    def __init__(self, recorder: DockerApiRecorder) -> None:
        self.recorder = recorder
        self.upstream = str(recorder.path)
        self.proxy = EngineProxy(self.upstream)


@pytest.fixture
def tested() -> Iterator[ProxyUnderTest]:
    with DockerApiRecorder() as recorder:
        under_test = ProxyUnderTest(recorder)
        under_test.proxy.start()
        try:
            yield under_test
        finally:
            under_test.proxy.stop()
            for path in lock_files(under_test.upstream):
                path.unlink(missing_ok=True)


def _in_thread(work: object) -> threading.Event:
    done = threading.Event()

    def run() -> None:
        work()  # type: ignore[operator]
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done


def _docker(socket_uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DOCKER_HOST": socket_uri}
    return subprocess.run(["docker", *args], env=env, capture_output=True, text=True, check=False, timeout=600)


def _exists(image: str) -> bool:
    return subprocess.run(["docker", "image", "inspect", image], capture_output=True).returncode == 0


def _remove(image: str) -> None:
    with engine_lock("remove"):
        subprocess.run(["docker", "rmi", image], capture_output=True, check=False)


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


def test_a_removal_waits_for_builds_and_builds_share(holds: Holds, private_lock: str) -> None:
    """Two builds hold the lock at once; a removal gets it only when both have let go, and a build waits for it."""
    upstream = private_lock
    first, second = holds.keep(Held(upstream, "build")), holds.keep(Held(upstream, "build"))  # shared: no wait
    removal = holds.take_in_thread(upstream, "remove")
    assert not removal.wait(PATIENCE)
    first.release()
    assert not removal.wait(PATIENCE)
    second.release()
    assert removal.wait(DEADLINE)
    build = holds.take_in_thread(upstream, "build")
    assert not build.wait(PATIENCE)
    holds.release_all()  # the removal's hold among them
    assert build.wait(DEADLINE)
    assert lock_path(upstream).exists()


def test_a_waiting_removal_goes_before_builds_that_come_after_it(holds: Holds, private_lock: str) -> None:
    """Builds that keep coming do not keep a removal waiting: a build that asks after a waiting removal waits too."""
    upstream = private_lock
    running = holds.keep(Held(upstream, "build"))
    removal = holds.take_in_thread(upstream, "remove")
    assert not removal.wait(PATIENCE)
    later = holds.take_in_thread(upstream, "build")
    assert not later.wait(PATIENCE)  # flock alone would grant it beside the running build
    running.release()
    assert removal.wait(DEADLINE)
    assert not later.wait(PATIENCE)
    holds.release_all()
    assert later.wait(DEADLINE)


def test_a_build_through_the_proxy_reaches_the_engine_only_when_no_removal_runs(
        tested: ProxyUnderTest, holds: Holds, tmp_path: Path) -> None:
    """A proxied `docker build` is not sent on while a removal holds the lock, and is once it lets go."""
    name = f"relsuite-lock-{uuid.uuid4().hex[:8]}"
    try:
        removal = holds.keep(Held(tested.upstream, "remove"))
        built: list[subprocess.CompletedProcess[str]] = []
        context = str(_context(tmp_path))
        done = _in_thread(lambda: built.append(_docker(tested.proxy.uri, "build", "-q", "-t", name, context)))
        assert not done.wait(PATIENCE)
        assert tested.recorder.builds() == []
        removal.release()
        assert done.wait(DEADLINE)
        assert built[0].returncode == 0, built[0].stderr
        assert [build.tags for build in tested.recorder.builds()] == [(name,)]
    finally:
        _remove(name)


def test_a_build_lets_go_when_answered_though_its_client_keeps_the_connection(tested: ProxyUnderTest) -> None:
    """The engine closes a build's kept-alive connection after its answer, and the hold ends then."""
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for name, data in [("Dockerfile", b"FROM scratch\nCOPY a /a\n"), ("a", uuid.uuid4().hex.encode())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    body = context.getvalue()
    client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    client.settimeout(DEADLINE)
    image = ""
    try:
        client.connect(str(tested.proxy.path))
        client.sendall(b"POST /v1.41/build?q=1 HTTP/1.1\r\nHost: docker\r\nConnection: keep-alive\r\n"
                       b"Content-Type: application/x-tar\r\n" + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = b""
        while data := client.recv(65536):  # ends only if the engine closes: the proxy asked it to
            answer += data
        assert answer.startswith(b"HTTP/1.1 200") and b"Connection: close" in answer, answer[:300]
        image = answer.split(b'"stream":"')[-1].split(b"\\n")[0].decode()
        assert image.startswith("sha256:"), answer[-300:]
        removal = _in_thread(lambda: Held(tested.upstream, "remove").release())
        assert removal.wait(DEADLINE), "the build's hold outlived its answer"
    finally:
        client.close()
        if image.startswith("sha256:"):
            _remove(image)


def test_a_removal_through_the_proxy_waits_for_a_build(tested: ProxyUnderTest, holds: Holds, tmp_path: Path) -> None:
    """`docker rmi` through the proxy does not reach the engine while a build holds the lock."""
    with engine_lock("build"):
        built = subprocess.run(["docker", "build", "-q", str(_context(tmp_path))], capture_output=True, text=True)
    image = built.stdout.strip()
    assert built.returncode == 0 and image, built.stderr
    removal: list[subprocess.CompletedProcess[str]] = []
    try:
        hold = holds.keep(Held(tested.upstream, "build"))
        done = _in_thread(lambda: removal.append(_docker(tested.proxy.uri, "rmi", image)))
        assert not done.wait(PATIENCE)
        assert not [r for r in tested.recorder.requests() if r.method == "DELETE"] and _exists(image)
        hold.release()
        assert done.wait(DEADLINE)
        assert removal[0].returncode == 0 and not _exists(image), removal[0].stderr
    finally:
        _remove(image)


def test_a_lock_that_cannot_be_taken_is_an_answer_naming_it(tested: ProxyUnderTest, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """When the lock file cannot be opened, a proxied build gets an error that names the engine lock, not a cut line."""
    monkeypatch.setattr(testbed.enginelock, "LOCK_DIR", tmp_path / "missing")
    built = _docker(tested.proxy.uri, "build", "-q", str(_context(tmp_path)))
    assert built.returncode != 0 and "could not take the engine lock" in built.stderr, built.stderr
