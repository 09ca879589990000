"""The real distribution registry: tags, digests and the push records from its notifications."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from testbed.enginelock import engine_lock
from testbed.registry import Registry


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    with Registry(tmp_path / "registry") as started:
        yield started


def _build_and_push(registry: Registry, tmp_path: Path, tag: str, content: str) -> None:
    context = tmp_path / "context"
    context.mkdir(exist_ok=True)
    (context / "Dockerfile").write_text("FROM scratch\nCOPY f /f\n")
    (context / "f").write_text(content)
    reference = f"{registry.address}/acme/app:{tag}"
    with engine_lock("build"):
        subprocess.run(["docker", "build", "-q", "-t", reference, str(context)], check=True, capture_output=True)
    subprocess.run(["docker", "push", "-q", reference], check=True, capture_output=True)
    with engine_lock("remove"):
        subprocess.run(["docker", "rmi", reference], check=True, capture_output=True)


def test_push_is_recorded_with_blobs_and_manifest(registry: Registry, tmp_path: Path) -> None:
    """A docker push shows as blob pushes and one tagged manifest push whose digest the registry serves."""
    mark = registry.seq
    _build_and_push(registry, tmp_path, "one", "first")
    pushes = registry.pushes(since=mark)
    manifests = [event for event in pushes if event.is_manifest]
    blobs = [event for event in pushes if not event.is_manifest]
    assert len(manifests) == 1 and manifests[0].tag == "one"
    assert len(blobs) >= 2  # config and layer
    assert registry.digest("acme/app", "one") == manifests[0].digest
    assert registry.tags("acme/app") == ["one"]


def test_nothing_recorded_when_nothing_pushed(registry: Registry, tmp_path: Path) -> None:
    """Queries do not count as pushes, and a missing tag has no digest."""
    _build_and_push(registry, tmp_path, "one", "first")
    mark = registry.seq
    assert registry.digest("acme/app", "nope") is None
    assert registry.tags("acme/other") == []
    assert registry.pushes(since=mark) == []


def test_stop_frees_the_port(tmp_path: Path) -> None:
    """A stopped registry no longer answers."""
    registry = Registry(tmp_path / "r").start()
    registry.stop()
    assert not registry.running


def test_read_only_registry_refuses_pushes_and_keeps_content(registry: Registry, tmp_path: Path) -> None:
    """A read-only registry keeps serving what it has and refuses a push; writable again, it accepts."""
    _build_and_push(registry, tmp_path, "one", "first")
    digest = registry.digest("acme/app", "one")
    registry.set_read_only(True)
    assert registry.digest("acme/app", "one") == digest
    with pytest.raises(subprocess.CalledProcessError):
        _build_and_push(registry, tmp_path, "two", "second")
    registry.set_read_only(False)
    _build_and_push(registry, tmp_path, "two", "second")
    assert registry.tags("acme/app") == ["one", "two"]


def test_halted_registry_does_not_answer(registry: Registry) -> None:
    """A halted registry refuses connections; resumed, it answers on the same address."""
    address = registry.address
    registry.halt()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"http://{address}/v2/", timeout=2)
    registry.resume()
    assert requests.get(f"http://{address}/v2/", timeout=2).status_code == 200
