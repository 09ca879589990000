"""Images read and written through the registry API: an index of platforms, and the files an image carries."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from testbed.enginelock import engine_lock
from testbed.ocimage import ImageStore
from testbed.registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(tmp_path / "registry") as started:
        yield started


def test_index_of_two_platforms_reads_back(registry: Registry) -> None:
    """push_index stores one index under every tag; each platform's files read back from the layers."""
    store = ImageStore(registry.url)
    digest = store.push_index("acme/app", ["stg-1", "stg-1.3.0"], {
        "linux/amd64": {"app/VERSION": "1.3.0\n"}, "linux/arm64": {"app/VERSION": "1.3.0\n", "app/arm": "yes\n"}})
    image = store.image("acme/app", "stg-1.3.0")
    assert image is not None and image.digest == digest == registry.digest("acme/app", "stg-1")
    assert image.is_index and sorted(p.name for p in image.platforms) == ["linux/amd64", "linux/arm64"]
    assert store.missing_platforms(image) == []
    assert store.file_per_platform("acme/app", "stg-1", "VERSION") == {"linux/amd64": ["1.3.0\n"],
                                                                       "linux/arm64": ["1.3.0\n"]}


def test_engine_built_image_files_and_a_missing_platform(registry: Registry, tmp_path: Path) -> None:
    """A docker-built image is one unnamed platform whose files read back; a deleted child manifest is reported."""
    (tmp_path / "Dockerfile").write_text("FROM scratch\nCOPY VERSION /app/\n")
    (tmp_path / "VERSION").write_text("2.0.0\n")
    reference = f"{registry.address}/acme/app:built"
    with engine_lock("build"):
        subprocess.run(["docker", "build", "-q", "-t", reference, str(tmp_path)], check=True, capture_output=True)
    subprocess.run(["docker", "push", "-q", reference], check=True, capture_output=True)
    with engine_lock("remove"):
        subprocess.run(["docker", "rmi", reference], check=True, capture_output=True)
    store = ImageStore(registry.url)
    assert store.file_per_platform("acme/app", "built", "VERSION") == {"single": ["2.0.0\n"]}
    store.push_index("acme/app", ["multi"], {"linux/amd64": {"a": "1"}, "linux/arm64": {"a": "2"}})
    image = store.image("acme/app", "multi")
    assert image is not None
    gone = image.platforms[1].digest
    requests.delete(f"{registry.url}/v2/acme/app/manifests/{gone}", timeout=10).raise_for_status()
    assert store.missing_platforms(image) == ["linux/arm64"]
