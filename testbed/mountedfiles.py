"""Archive requests for files inside a container's mounts, answered from the host side of the mount.

act reads each step's env, output, state, path and summary files out of the job container
(`GET /containers/{id}/archive`, five a step) and writes them back before the next step
(`PUT /containers/{id}/archive`). Those files live in a volume act mounts at /var/run/act. The
engine answers each such request by re-executing itself into the container's filesystem (about
50 ms here); the same bytes are on the host, in the volume's folder. This answers a request from
there when, and only when, the answer is certain to be the engine's:
- the path lies inside a `volume` (local driver) or `bind` mount of the container whose host
  folder this process can see (the engine runs on this machine), no symbolic link on the way;
- a read names a regular file (a folder, a link or a missing file goes to the engine, which
  answers as it always does, errors included);
- a write goes into a folder of a writable mount and holds only regular files and folders with
  relative names, nothing in their way (testbed/engineunpack.py), and the engine maps no user ids
  (no userns-remap, not rootless);
- the path is written as the engine would find it (no `.`, `..` or doubled slashes), and no
  other mount (tmpfs, a file bound over a file, another volume) covers it.
Anything else is forwarded unchanged. `/_ping` and `/info` are answered from the engine's first
answer (act asks for them around every step; it reads the engine's version and OS from them).
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import os
import posixpath
import re
import socket
import stat
import tarfile
import threading
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from testbed.enginelock import upstream_socket
from testbed.engineproxy import EngineProxy, HeldRequest, http_answer
from testbed.engineunpack import plan, unpack

ARCHIVE = re.compile(r"^(?:/v\d+(?:\.\d+)?)?/containers/([^/]+)/archive$")
CACHED = re.compile(r"^(?:/v\d+(?:\.\d+)?)?/(_ping|info)$")


@dataclass(frozen=True)
class Mount:
    """One of a container's mounts: where it shows inside, where it is on the host (when this process
    can use it: a bind or local volume whose folder exists here; "" otherwise), whether it is writable."""

    destination: str
    source: str
    writable: bool


class _Unix(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=30)
        self.unix_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.unix_path)


@dataclass(frozen=True)
class EngineAnswer:
    """One answer of the engine, read whole."""

    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes


def engine_request(socket_path: str, method: str, path: str) -> EngineAnswer:
    """One request over the engine's unix socket (or a proxy's), on a connection of its own."""
    connection = _Unix(socket_path)
    try:
        connection.request(method, path)
        response = connection.getresponse()
        return EngineAnswer(response.status, response.reason, response.getheaders(), response.read())
    finally:
        connection.close()


def _path_stat(name: str, info: os.stat_result) -> str:
    """The X-Docker-Container-Path-Stat header: the engine's JSON, base64."""
    mtime = datetime.fromtimestamp(info.st_mtime, UTC).isoformat().replace("+00:00", "Z")
    doc = {"name": name, "size": info.st_size, "mode": stat.S_IMODE(info.st_mode), "mtime": mtime, "linkTarget": ""}
    return base64.b64encode(json.dumps(doc, separators=(",", ":")).encode()).decode()


class MountedFiles:
    """The engine-proxy shortcut: see the module's description."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self._mounts: dict[str, tuple[Mount, ...]] = {}
        self._cached: dict[str, tuple[str, dict[str, str], bytes]] = {}
        self._lock = threading.Lock()
        self.answered = 0  # archive requests answered without the engine (for tests and benchmarks)
        self.replayed = 0  # /_ping and /info answered from the engine's first answer

    # the Shortcut protocol ---------------------------------------------------
    def wants(self, method: str, target: str) -> bool:
        """GET archive (no body to hold), PUT archive into a plain mount (its body is held), ping, info."""
        path, _, query = target.partition("?")
        if (archive := ARCHIVE.match(path)) and method in ("GET", "PUT"):
            if method == "GET":
                return True
            where = urllib.parse.parse_qs(query).get("path", [""])[0]
            try:
                return self.host_path(archive.group(1), where, write=True) is not None
            except Exception:
                return False
        return method in ("GET", "HEAD") and bool(CACHED.match(path))

    def answer(self, request: HeldRequest) -> bytes | None:
        """The answer, or None to forward; anything unexpected forwards too (the engine then answers)."""
        path, _, query = request.target.partition("?")
        cached = CACHED.match(path)
        try:
            if cached:
                reply = self._engine_answer(cached.group(1), request.method, path)
            else:
                container = ARCHIVE.match(path).group(1)  # type: ignore[union-attr]
                where = urllib.parse.parse_qs(query).get("path", [""])[0]
                reply = (self._read(container, where) if request.method == "GET"
                         else self._write(container, where, query, request.body))
        except Exception:
            return None
        if reply is not None:
            with self._lock:
                if cached:
                    self.replayed += 1
                else:
                    self.answered += 1
        return reply

    # /_ping and /info -------------------------------------------------------
    def _engine_answer(self, what: str, method: str, path: str) -> bytes | None:
        status, headers, body = self._first_answer(what, method, path)
        if not status.startswith("200"):
            return None
        return http_answer(status, headers) if method == "HEAD" else http_answer(status, headers, body)

    def _first_answer(self, what: str, method: str, path: str) -> tuple[str, dict[str, str], bytes]:
        key = f"{method} {what}"
        with self._lock:
            known = self._cached.get(key)
        if known is not None:
            return known
        answer = engine_request(self.upstream, method, path)
        keep = {k: v for k, v in answer.headers
                if k.lower() not in ("content-length", "transfer-encoding", "connection", "date")}
        known = (f"{answer.status} {answer.reason}", keep, answer.body)
        if answer.status == 200:
            with self._lock:
                self._cached[key] = known
        return known

    def ids_mapped(self) -> bool:
        """Whether the engine maps user ids (userns-remap, rootless): then owners differ from the archive's."""
        status, _, body = self._first_answer("info", "GET", "/info")
        options = (json.loads(body).get("SecurityOptions") or []) if status.startswith("200") else ["unknown"]
        return any("name=userns" in str(o) or "name=rootless" in str(o) or o == "unknown" for o in options)

    # archives -------------------------------------------------------------
    def mounts(self, container: str) -> tuple[Mount, ...]:
        """Every mount of the container (tmpfs ones too), longest destination first."""
        with self._lock:
            known = self._mounts.get(container)
        if known is not None:
            return known
        answer = engine_request(self.upstream, "GET", f"/containers/{urllib.parse.quote(container)}/json")
        doc = json.loads(answer.body or b"{}") if answer.status == 200 else {}
        found = [Mount(str(m.get("Destination", "")).rstrip("/") or "/", _usable(m), bool(m.get("RW")))
                 for m in doc.get("Mounts") or ()]
        tmpfs = (doc.get("HostConfig") or {}).get("Tmpfs") or {}
        found += [Mount(str(dest).rstrip("/") or "/", "", True) for dest in tmpfs]
        ordered = tuple(sorted(found, key=lambda m: -len(m.destination)))
        if (doc.get("State") or {}).get("Running"):
            with self._lock:
                self._mounts[container] = ordered
        return ordered

    def host_path(self, container: str, inside: str, write: bool = False) -> str | None:
        """Where `inside` (an absolute path in the container) is on the host: None unless it is written
        plainly, lies in a usable mount that no other mount covers (writable, for a write), and no part
        of it below the mount is a symbolic link."""
        plain = posixpath.normpath(inside) if inside.startswith("/") else ""
        if not plain or (inside.rstrip("/") if write else inside) != plain or inside.startswith("//"):
            return None
        for mount in self.mounts(container):  # longest destination first: the one that covers the path
            if plain == mount.destination or plain.startswith(mount.destination.rstrip("/") + "/"):
                if not mount.source or (write and not mount.writable):
                    return None
                current = mount.source
                for part in PurePosixPath(plain).relative_to(mount.destination).parts:
                    current = os.path.join(current, part)
                    if os.path.islink(current):
                        return None
                return current
        return None

    def _read(self, container: str, inside: str) -> bytes | None:
        host = self.host_path(container, inside)
        if host is None:
            return None
        info = os.lstat(host)
        if not stat.S_ISREG(info.st_mode) or stat.S_IMODE(info.st_mode) & 0o7000:
            return None
        name = PurePosixPath(inside).name
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w", format=tarfile.PAX_FORMAT) as tar:
            entry = tar.gettarinfo(host, arcname=name)
            with open(host, "rb") as content:
                tar.addfile(entry, content)
        headers = {"Content-Type": "application/x-tar", "X-Docker-Container-Path-Stat": _path_stat(name, info)}
        return http_answer("200 OK", headers, archive.getvalue())

    def _write(self, container: str, inside: str, query: str, body: bytes) -> bytes | None:
        params = urllib.parse.parse_qs(query)
        if params.get("copyUIDGID", ["0"])[0] not in ("", "0", "false") or self.ids_mapped():
            return None
        root = self.host_path(container, inside, write=True)
        if root is None or not os.path.isdir(root):
            return None
        placed = plan(body, root, posixpath.normpath(inside),
                      lambda path: self.host_path(container, path, write=True))
        if placed is None:
            return None
        unpack(body, root, placed)
        return http_answer("200 OK", {"Content-Type": "text/plain"})


def _usable(mount: dict[str, object]) -> str:
    """The host folder of a bind or local volume mount when this process sees it, else ""."""
    source = str(mount.get("Source") or "")
    kind, driver = mount.get("Type"), mount.get("Driver")
    if (kind == "bind" or (kind == "volume" and driver == "local")) and source and os.path.isdir(source):
        return source
    return ""


def act_engine_proxy() -> EngineProxy:
    """The engine socket act itself is given: archive reads and writes of mounted files, /_ping and
    /info answered here (RELSUITE_MOUNTED_FILES=0: a plain pass-through, to measure the difference)."""
    upstream = upstream_socket()
    wanted = os.environ.get("RELSUITE_MOUNTED_FILES", "1") != "0"
    return EngineProxy(upstream, shortcut=MountedFiles(upstream) if wanted else None, prefix="relsuite-act-")
