"""What promoting an image costs: registry-side copy of the manifest by digest, against a rebuild.

Images are `FROM scratch` with one file of random bytes of the given size, so a rebuild has real
content to build and push; each rebuild writes new bytes, as a build that is not bit-reproducible does.
Bytes and manifests pushed come from the registry's own notifications.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.figure import Figure
from reference.images import ImageSpec, promote
from reference.registry import RegistryClient
from testbed.enginelock import engine_lock
from testbed.registry import Registry

SIZES = {"1 MiB": 1 << 20, "512 MiB": 512 << 20}


def _build(context: Path, reference: str, *, no_cache: bool = False) -> None:
    command = ["docker", "build", "-q", "-t", reference, str(context)]
    if no_cache:
        command.insert(2, "--no-cache")
    with engine_lock("build"):
        subprocess.run(command, check=True, capture_output=True)


def _fill(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        remaining = size
        while remaining:
            chunk = min(remaining, 1 << 24)
            handle.write(os.urandom(chunk))
            remaining -= chunk


def _push(reference: str) -> None:
    subprocess.run(["docker", "push", "-q", reference], check=True, capture_output=True)


def copy_by_digest(registry: Registry, repository: str, source: str, target: str) -> str:
    """The reference's own promotion (`release-cli promote`): the manifest copied by digest."""
    namespace, name = repository.split("/")
    promoted = promote(registry=registry.address, namespace=namespace, specs=[ImageSpec(name, "Dockerfile")],
                       source_tag=source, target_tag=target, client=RegistryClient(registry.address))
    return str(promoted[name]["digest"])


def _measure(size: int, repeat: int, registry: Registry, workdir: Path) -> dict[str, list[float]]:
    context = workdir / f"ctx-{size}"
    context.mkdir()
    _fill(context / "payload.bin", size)
    (context / "Dockerfile").write_text("FROM scratch\nCOPY payload.bin /payload.bin\n")
    repository = f"bench/img{size}"
    staging = f"{registry.address}/{repository}:stg-0000000"
    _build(context, staging)
    _push(staging)
    results: dict[str, list[float]] = {key: [] for key in ("copy_s", "copy_bytes", "copy_manifests", "rebuild_s",
                                                          "rebuild_bytes", "rebuild_manifests", "rebuild_same_digest")}
    for attempt in range(repeat):
        mark = registry.seq
        start = time.perf_counter()
        digest = copy_by_digest(registry, repository, "stg-0000000", f"1.0.{attempt}")
        results["copy_s"].append(time.perf_counter() - start)
        pushes = registry.pushes(since=mark)
        assert digest == registry.digest(repository, "stg-0000000")
        results["copy_bytes"].append(sum(event.size for event in pushes if not event.is_manifest))
        results["copy_manifests"].append(sum(1 for event in pushes if event.is_manifest))

        # a rebuild is a new build: its output differs from the tested image (a build that embeds
        # a timestamp, a newer dependency), so its layer is new to the registry
        _fill(context / "payload.bin", size)
        mark = registry.seq
        rebuilt = f"{registry.address}/{repository}:rebuilt-{attempt}"
        start = time.perf_counter()
        _build(context, rebuilt, no_cache=True)
        _push(rebuilt)
        results["rebuild_s"].append(time.perf_counter() - start)
        pushes = registry.pushes(since=mark)
        results["rebuild_bytes"].append(sum(event.size for event in pushes if not event.is_manifest))
        results["rebuild_manifests"].append(sum(1 for event in pushes if event.is_manifest))
        results["rebuild_same_digest"].append(float(registry.digest(repository, f"rebuilt-{attempt}") == digest))
        with engine_lock("remove"):
            subprocess.run(["docker", "rmi", rebuilt], capture_output=True, check=False)
    with engine_lock("remove"):
        subprocess.run(["docker", "rmi", staging], capture_output=True, check=False)
    return results


def figures(repeat: int) -> list[Figure]:

    out: list[Figure] = []
    medians: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp, Registry(Path(tmp) / "registry") as registry:
        for label, size in SIZES.items():
            results = _measure(size, repeat, registry, Path(tmp))
            medians[label] = statistics.median(results["copy_s"])
            copy_bytes = statistics.median(results["copy_bytes"])
            out += [
                Figure(f"promotion {label}: time", results["copy_s"], "s", "-",
                       "reference.images.promote (manifest copied by digest)"),
                Figure(f"promotion {label}: blob bytes pushed", results["copy_bytes"], "B", "0",
                       "registry notifications", copy_bytes == 0),
                Figure(f"promotion {label}: manifests pushed", results["copy_manifests"], "", "1",
                       "registry notifications", statistics.median(results["copy_manifests"]) == 1),
                Figure(f"rebuild {label}: time", results["rebuild_s"], "s", "(comparison)",
                       "docker build --no-cache + docker push"),
                Figure(f"rebuild {label}: blob bytes pushed", results["rebuild_bytes"], "B", "(comparison)",
                       "registry notifications"),
                Figure(f"rebuild {label}: runs whose digest equals the tested image's",
                       [sum(results["rebuild_same_digest"])], "", "(comparison)", "registry digests"),
            ]
    ratio = medians["512 MiB"] / medians["1 MiB"]
    out.append(Figure("promotion time ratio 512 MiB / 1 MiB", [ratio], "", "<= 1.2", "ratio of the medians above",
                      ratio <= 1.2))
    return out
