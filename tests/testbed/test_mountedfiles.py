"""Archive requests for files in a container's mounts are answered from the host exactly as the engine
answers them, and everything else still reaches the engine."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import subprocess
import tarfile
import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from testbed.enginelock import upstream_socket
from testbed.engineproxy import EngineProxy
from testbed.jobimage import ensure_job_image
from testbed.mountedfiles import EngineAnswer, MountedFiles, engine_request


@pytest.fixture
def proxied() -> Iterator[tuple[EngineProxy, MountedFiles]]:
    files = MountedFiles(upstream_socket())
    proxy = EngineProxy(shortcut=files)
    proxy.start()
    try:
        yield proxy, files
    finally:
        proxy.stop()


@pytest.fixture
def container() -> Iterator[str]:
    """A running job-image container with a fresh volume at /var/run/act (as act mounts one)."""
    name = f"relsuite-mounted-{uuid.uuid4().hex[:8]}"
    subprocess.run(["docker", "volume", "create", name], check=True, capture_output=True)
    started = subprocess.run(["docker", "run", "-d", "--name", name, "-v", f"{name}:/var/run/act",
                              "-v", f"{name}-ro:/ro:ro", "--tmpfs", "/var/run/act/tmp",
                              ensure_job_image(), "sleep", "300"], check=True, capture_output=True, text=True)
    try:
        yield started.stdout.strip()
    finally:
        subprocess.run(["docker", "rm", "-f", name], capture_output=True)
        subprocess.run(["docker", "volume", "rm", name, f"{name}-ro"], capture_output=True)


def docker(proxy: EngineProxy, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "DOCKER_HOST": proxy.uri}
    return subprocess.run(["docker", *args], env=env, input=stdin, capture_output=True, check=False, timeout=120)


def in_container(container: str, script: str) -> str:
    done = subprocess.run(["docker", "exec", container, "sh", "-c", script], capture_output=True, text=True, check=True)
    return done.stdout


def test_a_mounted_file_is_read_from_the_host_as_the_engine_reads_it(proxied: tuple[EngineProxy, MountedFiles],
                                                                     container: str) -> None:
    """Same bytes, mode and path-stat header as the engine's own answer; the engine never saw the read."""
    proxy, files = proxied
    in_container(container, "mkdir -p /var/run/act/workflow && printf 'A=1\\nB=2\\n' > /var/run/act/workflow/envs.txt"
                            " && chmod 640 /var/run/act/workflow/envs.txt")
    path = f"/containers/{container}/archive?path=/var/run/act/workflow/envs.txt"
    engine = engine_request(upstream_socket(), "GET", path)
    before = files.answered
    ours = engine_request(str(proxy.path), "GET", path)
    assert files.answered == before + 1
    assert ours.status == engine.status == 200

    def entry(body: bytes) -> tuple[str, int, bytes]:
        with tarfile.open(fileobj=io.BytesIO(body)) as tar:
            member = tar.getmembers()[0]
            content = tar.extractfile(member)
            # the engine's (Go's) tar header also carries the file-type bits in its mode field; a reader
            # takes the type from the entry's type flag, as act does
            assert member.isreg()
            return member.name, member.mode & 0o7777, content.read() if content else b""

    assert entry(ours.body) == entry(engine.body) == ("envs.txt", 0o640, b"A=1\nB=2\n")

    def stat(header: str) -> dict[str, object]:
        doc: dict[str, object] = json.loads(base64.b64decode(header))
        doc["mtime"] = datetime.fromisoformat(str(doc["mtime"]).replace("Z", "+00:00")[:26] + "+00:00")
        return doc

    def path_stat(answer: EngineAnswer) -> str:
        return {k.lower(): v for k, v in answer.headers}["x-docker-container-path-stat"]

    ours_stat = stat(path_stat(ours))
    engine_stat = stat(path_stat(engine))
    ours_time, engine_time = ours_stat.pop("mtime"), engine_stat.pop("mtime")
    assert ours_stat == engine_stat
    assert abs((ours_time - engine_time).total_seconds()) < 1e-5  # type: ignore[operator]


def test_what_the_host_cannot_answer_goes_to_the_engine(proxied: tuple[EngineProxy, MountedFiles],
                                                         container: str) -> None:
    """A file outside any mount, a folder, a link and a missing file are the engine's to answer."""
    proxy, files = proxied
    in_container(container, "mkdir -p /var/run/act/d && echo x > /var/run/act/d/f && ln -s d/f /var/run/act/link"
                            " && echo outside > /tmp/outside")
    before = files.answered
    assert docker(proxy, "cp", f"{container}:/tmp/outside", "-").returncode == 0
    assert docker(proxy, "cp", f"{container}:/var/run/act/d", "-").returncode == 0
    assert docker(proxy, "cp", f"{container}:/var/run/act/link", "-").returncode == 0
    missing = docker(proxy, "cp", f"{container}:/var/run/act/missing", "-")
    assert missing.returncode != 0 and b"Could not find the file" in missing.stderr
    assert files.answered == before


def test_a_write_into_a_mount_is_unpacked_on_the_host_as_the_engine_unpacks_it(
        proxied: tuple[EngineProxy, MountedFiles], container: str, tmp_path: Path) -> None:
    """Parents made, an existing file replaced, mode and owner from the archive; seen inside the container."""
    proxy, files = proxied
    in_container(container, "mkdir -p /var/run/act/workflow && echo old > /var/run/act/workflow/outputs.txt")
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for name, mode, data in (("workflow/outputs.txt", 0o666, b""), ("new/deep/state.txt", 0o600, b"S=1\n")):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.uid, info.gid = len(data), mode, 1000, 1000
            tar.addfile(info, io.BytesIO(data))
    before = files.answered
    written = docker(proxy, "cp", "-", f"{container}:/var/run/act", stdin=archive.getvalue())
    assert written.returncode == 0, written.stderr
    assert files.answered == before + 1
    seen = in_container(container, "stat -c '%n %a %u %s' /var/run/act/workflow/outputs.txt"
                                   " /var/run/act/new/deep/state.txt /var/run/act/new/deep;"
                                   " cat /var/run/act/new/deep/state.txt")
    assert seen.splitlines() == ["/var/run/act/workflow/outputs.txt 666 1000 0",
                                 "/var/run/act/new/deep/state.txt 600 1000 4",
                                 "/var/run/act/new/deep 755 0 4096", "S=1"]


def test_a_write_with_a_link_or_outside_mounts_goes_to_the_engine(proxied: tuple[EngineProxy, MountedFiles],
                                                                    container: str) -> None:
    """An archive holding a symbolic link, or one written outside any mount, is unpacked by the engine."""
    proxy, files = proxied
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        link = tarfile.TarInfo("l")
        link.type, link.linkname = tarfile.SYMTYPE, "target"
        tar.addfile(link)
    before = files.answered
    assert docker(proxy, "cp", "-", f"{container}:/var/run/act", stdin=archive.getvalue()).returncode == 0
    assert docker(proxy, "cp", "-", f"{container}:/tmp", stdin=archive.getvalue()).returncode == 0
    assert files.answered == before
    assert in_container(container, "readlink /var/run/act/l /tmp/l").split() == ["target", "target"]


def test_ping_and_info_are_the_engines_first_answers(proxied: tuple[EngineProxy, MountedFiles]) -> None:
    """`docker version` and `docker info` work through the proxy; the second asking never reaches the engine."""
    proxy, files = proxied
    first = docker(proxy, "info", "--format", "{{.OSType}} {{.ServerVersion}}")
    assert first.returncode == 0, first.stderr
    before = files.replayed
    second = docker(proxy, "info", "--format", "{{.OSType}} {{.ServerVersion}}")
    assert second.stdout == first.stdout and second.stdout.startswith(b"linux ")
    assert files.replayed >= before + 2  # /_ping and /info


def _tar(*entries: tuple[str, bytes | None]) -> bytes:
    """An archive of files (bytes) and folders (None)."""
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        for name, data in entries:
            info = tarfile.TarInfo(name)
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    return archive.getvalue()


def test_what_the_engine_refuses_or_hides_is_left_to_it(proxied: tuple[EngineProxy, MountedFiles],
                                                         container: str) -> None:
    """Writes into a read-only mount or of a folder over a file, and reads under a tmpfs, are the engine's."""
    proxy, files = proxied
    in_container(container, "echo file > /var/run/act/clash && echo in-tmpfs > /var/run/act/tmp/f")
    before = files.answered
    readonly = docker(proxy, "cp", "-", f"{container}:/ro", stdin=_tar(("x", b"1")))
    assert readonly.returncode != 0 and b"read-only" in readonly.stderr
    clash = docker(proxy, "cp", "-", f"{container}:/var/run/act", stdin=_tar(("clash", None)))
    assert clash.returncode != 0 and b"cannot overwrite non-directory" in clash.stderr
    hidden = docker(proxy, "cp", f"{container}:/var/run/act/tmp/f", "-")
    engine = subprocess.run(["docker", "cp", f"{container}:/var/run/act/tmp/f", "-"], capture_output=True, check=False)
    assert (hidden.returncode, hidden.stdout) == (engine.returncode, engine.stdout)  # Docker 20.10: "Could not find"
    assert files.answered == before
    assert in_container(container, "cat /var/run/act/clash /var/run/act/tmp/f") == "file\nin-tmpfs\n"


def test_a_large_write_outside_mounts_streams_to_the_engine_whole(proxied: tuple[EngineProxy, MountedFiles],
                                                                    container: str) -> None:
    """A 24 MB chunked archive for a folder in no mount (act's copy of the working tree) reaches the engine intact."""
    proxy, files = proxied
    data = os.urandom(24 * 1024 * 1024)
    assert docker(proxy, "cp", "-", f"{container}:/tmp", stdin=_tar(("big", data))).returncode == 0
    assert files.answered == 0
    digest = in_container(container, "sha256sum /tmp/big").split()[0]
    assert digest == hashlib.sha256(data).hexdigest()


def test_the_engine_still_answers_after_the_client_half_closes(proxied: tuple[EngineProxy, MountedFiles],
                                                                 container: str) -> None:
    """`docker exec -i` whose stdin ends gets all the output that follows (the proxy keeps the client's socket)."""
    proxy, _ = proxied
    done = docker(proxy, "exec", "-i", container, "sh", "-c", "cat; sleep 1; echo after", stdin=b"hello\n")
    assert done.returncode == 0 and done.stdout == b"hello\nafter\n"


def test_writes_are_the_engines_when_it_maps_user_ids() -> None:
    """Under userns-remap or rootless Docker the owners would differ from the archive's: no write is answered."""

    class Engine(MountedFiles):
        options: tuple[str, ...] = ()

        def _first_answer(self, what: str, method: str, path: str) -> tuple[str, dict[str, str], bytes]:
            return "200 OK", {}, json.dumps({"SecurityOptions": list(self.options)}).encode()

    engine = Engine(upstream_socket())
    engine.options = ("name=seccomp,profile=default",)
    assert not engine.ids_mapped()
    for mapped in ("name=userns", "name=rootless"):
        engine.options = ("name=seccomp,profile=default", mapped)
        assert engine.ids_mapped()
        assert engine._write("any", "/var/run/act", "", _tar(("x", b"1"))) is None
