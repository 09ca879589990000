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
- a write holds only regular files and folders with relative names inside the mount, into a
  folder that exists (files replaced, not rewritten in place, modes and owners from the archive,
  as the engine unpacks).
Anything else is forwarded unchanged. `/_ping` and `/info` are answered from the engine's first
answer (act asks for them around every step; it reads the engine's version and OS from them).
"""

from __future__ import annotations

import base64
import http.client
import io
import json
import os
import re
import socket
import stat
import tarfile
import threading
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from testbed.engineproxy import EngineProxy, HeldRequest, upstream_socket

ARCHIVE = re.compile(r"^(?:/v\d+(?:\.\d+)?)?/containers/([^/]+)/archive$")
CACHED = re.compile(r"^(?:/v\d+(?:\.\d+)?)?/(_ping|info)$")


@dataclass(frozen=True)
class Mount:
    """One of a container's mounts: where it shows inside, where it is on the host."""

    destination: str
    source: str


class _Unix(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=30)
        self.unix_path = path

    def connect(self) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(30)
        self.sock.connect(self.unix_path)


def _response(status: str, headers: dict[str, str], body: bytes = b"") -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


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
        path = target.partition("?")[0]
        if method in ("GET", "PUT") and ARCHIVE.match(path):
            return True
        return method in ("GET", "HEAD") and bool(CACHED.match(path))

    def answer(self, request: HeldRequest) -> bytes | None:
        path, _, query = request.target.partition("?")
        try:
            if cached := CACHED.match(path):
                reply = self._engine_answer(cached.group(1), request.method, path)
            else:
                container = ARCHIVE.match(path).group(1)  # type: ignore[union-attr]
                where = urllib.parse.parse_qs(query).get("path", [""])[0]
                reply = (self._read(container, where) if request.method == "GET"
                         else self._write(container, where, query, request.body))
        except OSError:
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
        key = f"{method} {what}"
        with self._lock:
            known = self._cached.get(key)
        if known is None:
            connection = _Unix(self.upstream)
            try:
                connection.request(method, path)
                response = connection.getresponse()
                body = response.read()
            finally:
                connection.close()
            if response.status != 200:
                return None
            keep = {k: v for k, v in response.getheaders()
                    if k.lower() not in ("content-length", "transfer-encoding", "connection", "date")}
            known = (f"{response.status} {response.reason}", keep, body)
            with self._lock:
                self._cached[key] = known
        status, headers, body = known
        if method == "HEAD":
            return _response(status, headers).replace(b"Content-Length: 0", f"Content-Length: {len(body)}".encode())
        return _response(status, headers, body)

    # archives -------------------------------------------------------------
    def mounts(self, container: str) -> tuple[Mount, ...]:
        """The container's volume and bind mounts that this process can see, longest destination first."""
        with self._lock:
            known = self._mounts.get(container)
        if known is not None:
            return known
        connection = _Unix(self.upstream)
        try:
            connection.request("GET", f"/containers/{urllib.parse.quote(container)}/json")
            response = connection.getresponse()
            doc = json.loads(response.read() or b"{}") if response.status == 200 else {}
        finally:
            connection.close()
        found = tuple(sorted(
            (Mount(str(m["Destination"]).rstrip("/") or "/", str(m["Source"]))
             for m in doc.get("Mounts") or ()
             if (m.get("Type") == "bind" or (m.get("Type") == "volume" and m.get("Driver") == "local"))
             and m.get("Source") and os.path.isdir(str(m["Source"]))),
            key=lambda m: -len(m.destination)))
        if doc.get("State", {}).get("Running"):
            with self._lock:
                self._mounts[container] = found
        return found

    def host_path(self, container: str, inside: str) -> str | None:
        """Where `inside` (an absolute path in the container) is on the host, if it lies in a mount
        and no part of it below the mount is a symbolic link; None otherwise."""
        if not inside.startswith("/") or ".." in PurePosixPath(inside).parts:
            return None
        clean = str(PurePosixPath(inside))
        for mount in self.mounts(container):
            if clean == mount.destination or clean.startswith(mount.destination.rstrip("/") + "/"):
                rest = PurePosixPath(clean).relative_to(mount.destination).parts
                current = mount.source
                for part in rest:
                    current = os.path.join(current, part)
                    if os.path.islink(current):
                        return None
                return current
        return None

    def _read(self, container: str, inside: str) -> bytes | None:
        host = self.host_path(container, inside)
        if host is None or inside.endswith("/"):
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
        return _response("200 OK", headers, archive.getvalue())

    def _write(self, container: str, inside: str, query: str, body: bytes) -> bytes | None:
        params = urllib.parse.parse_qs(query)
        if params.get("copyUIDGID", ["0"])[0] not in ("", "0", "false"):
            return None
        root = self.host_path(container, inside)
        if root is None or not os.path.isdir(root) or os.path.islink(root):
            return None
        try:
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tar:
                entries = tar.getmembers()
        except tarfile.TarError:
            return None
        plan = []
        for entry in entries:
            parts = PurePosixPath(entry.name).parts
            if not parts or entry.name.startswith("/") or ".." in parts or not (entry.isreg() or entry.isdir()):
                return None
            target = os.path.join(root, *(p for p in parts if p != "."))
            if self.host_path(container, str(PurePosixPath(inside, *parts))) != target:
                return None  # a link on the way: the engine decides
            plan.append((entry, target))
        with tarfile.open(fileobj=io.BytesIO(body), mode="r:") as tar:
            for entry, target in plan:
                _unpack(tar, entry, target)
        return _response("200 OK", {"Content-Type": "text/plain"})


def _unpack(tar: tarfile.TarFile, entry: tarfile.TarInfo, target: str) -> None:
    """One entry as the engine unpacks it: parents made, a file replaced, mode, owner and time set."""
    os.makedirs(os.path.dirname(target), mode=0o755, exist_ok=True)
    if entry.isdir():
        if not os.path.isdir(target):
            if os.path.lexists(target):
                os.unlink(target)
            os.mkdir(target)
    else:
        if os.path.lexists(target):
            if os.path.isdir(target) and not os.path.islink(target):
                raise IsADirectoryError(target)
            os.unlink(target)
        source = tar.extractfile(entry)
        with open(target, "wb") as out:
            out.write(source.read() if source is not None else b"")
    os.lchown(target, entry.uid, entry.gid)
    os.chmod(target, entry.mode & 0o7777)
    os.utime(target, (entry.mtime, entry.mtime))


def act_engine_proxy() -> EngineProxy:
    """The engine socket act itself is given: archive reads and writes of mounted files, /_ping and
    /info answered here (RELSUITE_MOUNTED_FILES=0: a plain pass-through, to measure the difference)."""
    upstream = upstream_socket()
    wanted = os.environ.get("RELSUITE_MOUNTED_FILES", "1") != "0"
    return EngineProxy(upstream, shortcut=MountedFiles(upstream) if wanted else None, prefix="relsuite-act-")
