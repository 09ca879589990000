"""The repository's images: which Dockerfiles, their names in the registry, building and pushing
the staging tags, and promoting a staging image to its production tag by digest."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reference import ReleaseError
from reference.registry import RegistryClient

NAME = re.compile(r"[a-z0-9]+(?:[._-][a-z0-9]+)*")


@dataclass(frozen=True)
class ImageSpec:
    name: str
    dockerfile: str


def parse_specs(text: str, *, default_name: str) -> list[ImageSpec]:
    """`app=Dockerfile,worker=worker.Dockerfile`; empty means one image named after the repo."""
    text = text.strip()
    if not text:
        return [ImageSpec(default_name.lower(), "Dockerfile")]
    specs = []
    for item in re.split(r"[,\n]", text):
        item = item.strip()
        if not item:
            continue
        name, sep, dockerfile = item.partition("=")
        name, dockerfile = name.strip(), dockerfile.strip()
        relative = dockerfile and not dockerfile.startswith(("/", "-")) and ".." not in dockerfile
        if not sep or not NAME.fullmatch(name) or not relative:
            raise ReleaseError(f"bad image spec {item!r}: expected name=path/to/Dockerfile"
                               " (lower-case name, relative path)")
        specs.append(ImageSpec(name, dockerfile))
    if len({spec.name for spec in specs}) != len(specs):
        raise ReleaseError(f"image names repeat in {text!r}")
    return specs


def repository(namespace: str, name: str) -> str:
    return f"{namespace.lower()}/{name}"


def reference(registry: str, namespace: str, name: str, tag: str, digest: str) -> dict[str, Any]:
    repo = f"{registry}/{repository(namespace, name)}"
    return {"repository": repo, "tag": tag, "digest": digest, "reference": f"{repo}:{tag}@{digest}"}


def _docker(*args: str, context: str) -> None:
    result = subprocess.run(["docker", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise ReleaseError(f"{context} failed: {detail[-1] if detail else 'docker gave no output'}")


def build_and_push(*, workdir: Path, registry: str, namespace: str, specs: list[ImageSpec], tags: list[str],
                   client: RegistryClient) -> dict[str, dict[str, Any]]:
    """Build each image once and push it under every tag; reuse what an earlier run already pushed."""
    images = {}
    for spec in specs:
        repo = repository(namespace, spec.name)
        existing = {tag: client.digest(repo, tag) for tag in tags}
        digests = {d for d in existing.values() if d}
        if all(existing.values()) and len(digests) == 1:
            digest = digests.pop()  # this commit's image is already there: a re-run builds nothing
        else:
            if len(digests) > 1:
                raise ReleaseError(f"{registry}/{repo}: tags {', '.join(tags)} point at different images")
            dockerfile = workdir / spec.dockerfile
            if not dockerfile.is_file():
                raise ReleaseError(f"image {spec.name}: {spec.dockerfile} does not exist in the repository")
            names = [f"{registry}/{repo}:{tag}" for tag in tags]
            args = ["build", "--quiet", "--file", str(dockerfile)]
            for name in names:
                args += ["--tag", name]
            _docker(*args, str(workdir), context=f"building image {spec.name}")
            for name in names:
                _docker("push", "--quiet", name, context=f"pushing {name}")
            pushed = {client.digest(repo, tag) for tag in tags}
            if len(pushed) != 1 or None in pushed:
                raise ReleaseError(f"{registry}/{repo}: after the push the tags {tags} do not share one digest")
            digest = str(pushed.pop())
        images[spec.name] = {**reference(registry, namespace, spec.name, tags[-1], digest), "tags": list(tags)}
    return images


def promote(*, registry: str, namespace: str, specs: list[ImageSpec], source_tag: str, target_tag: str,
            client: RegistryClient) -> dict[str, dict[str, Any]]:
    """Copy each image's manifest from `source_tag` to `target_tag` by digest, building nothing.

    Checks every image before writing any tag, so a refusal leaves the registry as it was.
    """
    plan = []
    for spec in specs:
        repo = repository(namespace, spec.name)
        manifest = client.manifest(repo, source_tag)
        if manifest is None:
            raise ReleaseError(f"staging image {registry}/{repo}:{source_tag} does not exist: "
                               "nothing to promote (production never rebuilds)")
        current = client.digest(repo, target_tag)
        if current is not None and current != manifest.digest:
            raise ReleaseError(f"{registry}/{repo}:{target_tag} already exists with digest {current}, not the staging "
                               f"image {manifest.digest}: refusing to overwrite a production tag")
        plan.append((spec, repo, manifest, current))
    images = {}
    for spec, repo, manifest, current in plan:
        if current is None:
            client.put_manifest(repo, target_tag, manifest)
        images[spec.name] = {**reference(registry, namespace, spec.name, target_tag, manifest.digest),
                             "tags": [target_tag]}
    return images
