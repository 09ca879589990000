"""Images as the registry holds them, read and written through the distribution API only.

Reads what an image carries (manifest or index -> platform manifests -> layer blobs -> files),
never asking the Docker engine, so a Then sees what a puller would get. Writes multi-platform
images (an OCI image index of several platform manifests) the way a multi-platform builder
publishes them, which the engine here (no buildx) cannot do.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests

from testbed.errors import TestbedError

INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")
MANIFEST_TYPES = (
    *INDEX_TYPES,
    "application/vnd.oci.image.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v2+json",
)
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


@dataclass(frozen=True)
class Platform:
    """One platform of an image: `linux/amd64` and the digest of its image manifest."""

    name: str
    digest: str


@dataclass(frozen=True)
class StoredImage:
    """What a tag names in the registry: its digest, whether it is an index, and its platforms."""

    repository: str
    reference: str
    digest: str
    media_type: str
    platforms: tuple[Platform, ...]  # one entry, named "", for a single-platform image

    @property
    def is_index(self) -> bool:
        return self.media_type in INDEX_TYPES


class ImageStore:
    """The registry at `url` (`http://127.0.0.1:PORT`), seen as a puller sees it."""

    def __init__(self, url: str, session: requests.Session | None = None) -> None:
        self.url = url.rstrip("/")
        # the registry's own authenticated, CA-trusting session (token auth and TLS, as GHCR)
        self._session = session or requests.Session()

    # reading ---------------------------------------------------------------
    def _manifest(self, repository: str, reference: str) -> tuple[dict[str, Any], str, str] | None:
        response = self._session.get(f"{self.url}/v2/{repository}/manifests/{reference}",
                                headers={"Accept": ", ".join(MANIFEST_TYPES)}, timeout=30)
        if response.status_code == 404:
            return None
        response.raise_for_status()
        body = response.json()
        media_type = str(body.get("mediaType") or response.headers.get("Content-Type", ""))
        digest = "sha256:" + hashlib.sha256(response.content).hexdigest()
        return body, media_type, digest

    def image(self, repository: str, reference: str) -> StoredImage | None:
        """The image a tag or digest names, with its platforms; None when it does not exist."""
        found = self._manifest(repository, reference)
        if found is None:
            return None
        body, media_type, digest = found
        if media_type in INDEX_TYPES:
            platforms = tuple(
                Platform(f"{m.get('platform', {}).get('os', '?')}/{m.get('platform', {}).get('architecture', '?')}",
                         str(m["digest"]))
                for m in body.get("manifests", []))
        else:
            platforms = (Platform("", digest),)
        return StoredImage(repository, reference, digest, media_type, platforms)

    def missing_platforms(self, image: StoredImage) -> list[str]:
        """Platforms whose image manifest or layers the repository cannot serve."""
        missing = []
        for platform in image.platforms:
            found = self._manifest(image.repository, platform.digest)
            if found is None:
                missing.append(platform.name or platform.digest)
                continue
            for layer in [found[0].get("config", {}), *found[0].get("layers", [])]:
                head = self._session.head(f"{self.url}/v2/{image.repository}/blobs/{layer['digest']}", timeout=30)
                if head.status_code != 200:
                    missing.append(f"{platform.name or platform.digest} (blob {layer['digest'][:19]})")
        return missing

    def files(self, repository: str, manifest_digest: str) -> dict[str, bytes]:
        """Every regular file of one platform's image (layers applied in order), by path without `/`."""
        found = self._manifest(repository, manifest_digest)
        if found is None:
            raise TestbedError(f"{repository}@{manifest_digest} is not in the registry")
        files: dict[str, bytes] = {}
        for layer in found[0].get("layers", []):
            blob = self._session.get(f"{self.url}/v2/{repository}/blobs/{layer['digest']}", timeout=60)
            blob.raise_for_status()
            with tarfile.open(fileobj=io.BytesIO(blob.content), mode="r:*") as tar:
                for member in tar.getmembers():
                    path = member.name.lstrip("./")
                    base = path.rsplit("/", 1)[-1]
                    if base.startswith(".wh."):
                        files.pop(path.rsplit("/", 1)[0] + "/" + base[4:] if "/" in path else base[4:], None)
                    elif member.isfile():
                        extracted = tar.extractfile(member)
                        files[path] = extracted.read() if extracted else b""
        return files

    def file_per_platform(self, repository: str, reference: str, name: str) -> dict[str, list[str]]:
        """Platform -> the text of every file called `name` (any folder) in the image `reference`."""
        image = self.image(repository, reference)
        if image is None:
            raise TestbedError(f"{repository}:{reference} is not in the registry")
        return {
            platform.name or "single": [data.decode(errors="replace") for path, data in
                                        sorted(self.files(repository, platform.digest).items())
                                        if path.rsplit("/", 1)[-1] == name]
            for platform in image.platforms
        }

    # writing ---------------------------------------------------------------
    def push_blob(self, repository: str, data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        if self._session.head(f"{self.url}/v2/{repository}/blobs/{digest}", timeout=30).status_code == 200:
            return digest
        start = self._session.post(f"{self.url}/v2/{repository}/blobs/uploads/", timeout=30)
        start.raise_for_status()
        location = start.headers["Location"]
        location = location if location.startswith("http") else f"{self.url}{location}"
        separator = "&" if "?" in location else "?"
        self._session.put(f"{location}{separator}digest={digest}", data=data,
                     headers={"Content-Type": "application/octet-stream"}, timeout=60).raise_for_status()
        return digest

    def push_manifest(self, repository: str, reference: str, body: Mapping[str, Any], media_type: str) -> str:
        data = json.dumps(body, separators=(",", ":")).encode()
        response = self._session.put(f"{self.url}/v2/{repository}/manifests/{reference}", data=data,
                                headers={"Content-Type": media_type}, timeout=30)
        if response.status_code not in (200, 201):
            raise TestbedError(f"pushing a manifest to {repository}:{reference} failed: "
                               f"HTTP {response.status_code} {response.text[:200]}")
        return "sha256:" + hashlib.sha256(data).hexdigest()

    def push_platform_image(self, repository: str, platform: str, files: Mapping[str, str]) -> dict[str, Any]:
        """Push one platform's image (one layer holding `files`); return its index entry."""
        os_name, architecture = platform.split("/", 1)
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w") as tar:
            for path, text in sorted(files.items()):
                data = text.encode()
                info = tarfile.TarInfo(path)
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
        layer = gzip.compress(raw.getvalue(), mtime=0)
        diff_id = "sha256:" + hashlib.sha256(raw.getvalue()).hexdigest()
        config = json.dumps({"architecture": architecture, "os": os_name, "config": {},
                             "rootfs": {"type": "layers", "diff_ids": [diff_id]}}).encode()
        manifest = {
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": OCI_CONFIG, "digest": self.push_blob(repository, config), "size": len(config)},
            "layers": [{"mediaType": OCI_LAYER, "digest": self.push_blob(repository, layer), "size": len(layer)}],
        }
        data = json.dumps(manifest, separators=(",", ":")).encode()
        digest = self.push_manifest(repository, "sha256:" + hashlib.sha256(data).hexdigest(), manifest, OCI_MANIFEST)
        return {"mediaType": OCI_MANIFEST, "digest": digest, "size": len(data),
                "platform": {"architecture": architecture, "os": os_name}}

    def push_index(self, repository: str, tags: list[str], platforms: Mapping[str, Mapping[str, str]]) -> str:
        """Publish one image for several platforms (platform -> files) as an OCI index under every tag."""
        index = {"schemaVersion": 2, "mediaType": OCI_INDEX,
                 "manifests": [self.push_platform_image(repository, platform, files)
                               for platform, files in platforms.items()]}
        digests = {self.push_manifest(repository, tag, index, OCI_INDEX) for tag in tags}
        if len(digests) != 1:
            raise TestbedError(f"{repository}: the index was stored under different digests {digests}")
        return digests.pop()
