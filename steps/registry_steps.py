"""Images: what the registry holds (tags, digests), what was pushed, what the Docker engine built."""

from __future__ import annotations

from pytest_bdd import given, parsers, then

from steps.common import Scenario, Stage
from testbed.report.evidence import Evidence
from testbed.world import OWNER, World


def image_repos(world: World) -> dict[str, str]:
    """Image name -> registry repository (namespace/name), as the repository variables declare them."""
    return {name: f"{OWNER}/{name}" for name in world.image_names}


def short(sha: str) -> str:
    return sha[:7]


def staging_tags(stage: Stage, version: str) -> list[str]:
    return [f"stg-{short(stage.head_after)}", f"stg-{version}"]


@then(parsers.parse('every image is in the registry as "stg-<SHORTHASH>" and "stg-{version}", one digest for both'))
def staging_images_tagged(world: World, scenario: Scenario, evidence: Evidence, version: str) -> None:
    stage = scenario.last_staging
    for name, repository in image_repos(world).items():
        tags = staging_tags(stage, version)
        digests = {tag: world.registry.digest(repository, tag) for tag in tags}
        evidence.image(name, digests)
        missing = [tag for tag, digest in digests.items() if digest is None]
        assert not missing, (f"image {name}: {', '.join(missing)} missing in the registry "
                             f"(SHORTHASH = first 7 of the bump commit {stage.head_after[:12]}); "
                             f"tags present: {world.registry.tags(repository)}")
        assert len(set(digests.values())) == 1, f"image {name}: the staging tags point at different images: {digests}"
    scenario.notes["staging_digests"] = {
        name: world.registry.digest(repository, f"stg-{version}") for name, repository in image_repos(world).items()}


@then(parsers.parse('every staging image carries the VERSION "{version}"'))
def staging_images_carry_version(world: World, scenario: Scenario, version: str) -> None:
    store = world.image_store()
    for name, repository in image_repos(world).items():
        tag = f"stg-{short(scenario.last_staging.head_after)}"
        found = store.file_per_platform(repository, tag, "VERSION")
        for platform, texts in found.items():
            assert texts, f"image {name} ({repository}:{tag}, {platform}) holds no VERSION file"
            assert all(text.strip() == version for text in texts), (
                f"image {name} ({repository}:{tag}, {platform}) carries VERSION {[t.strip() for t in texts]}, "
                f"expected {version!r}: the image must be built from the bump commit's tree")


@given(parsers.parse("the staging images of {version} were published for {platforms}"))
def multi_platform_staging(world: World, scenario: Scenario, version: str, platforms: str) -> None:
    wanted = [item.strip() for item in platforms.replace(" and ", ",").split(",") if item.strip()]
    store = world.image_store()
    for name, repository in image_repos(world).items():
        store.push_index(repository, staging_tags(scenario.last_staging, version),
                         {platform: {f"{name}/VERSION": f"{version}\n", f"{name}/platform.txt": f"{platform}\n"}
                          for platform in wanted})


@then(parsers.parse('every image tagged "{tag}" is available for {platforms}'))
def image_platforms(world: World, tag: str, platforms: str) -> None:
    wanted = sorted(item.strip() for item in platforms.replace(" and ", ",").split(",") if item.strip())
    store = world.image_store()
    for name, repository in image_repos(world).items():
        image = store.image(repository, tag)
        assert image is not None, f"image {name}: no tag {tag}"
        found = sorted(platform.name for platform in image.platforms)
        assert image.is_index and found == wanted, (
            f"image {name}: {repository}:{tag} is {image.media_type} with platforms {found or ['(one, unnamed)']}, "
            f"expected an index of {wanted}: promotion must copy the whole image, not the platform one engine pulled")
        missing = store.missing_platforms(image)
        assert not missing, f"image {name}: {repository}:{tag} lists platforms the registry cannot serve: {missing}"


@then("every image was built and pushed during the staging run")
def images_built_and_pushed(world: World, scenario: Scenario) -> None:
    stage = scenario.last_staging
    builds = world.image_builds(since=stage.mark)
    pushes = world.registry_pushes(since=stage.mark)
    assert builds, "no build request reached the Docker engine during the staging run"
    for name, repository in image_repos(world).items():
        manifests = [p for p in pushes if p.repository == repository and p.is_manifest]
        assert manifests, f"image {name}: no manifest was pushed to {repository} during the staging run"


@then(parsers.parse('every image has the tag "{version}" with the digest of its "stg-<SHORTHASH>" image of the merged stg commit'))
def production_tag_same_digest(world: World, scenario: Scenario, evidence: Evidence, version: str) -> None:
    production = scenario.last_production
    stg_head = world.api().get_repo(world.app_repo).get_pull(production.pull).head.sha
    for name, repository in image_repos(world).items():
        staged = world.registry.digest(repository, f"stg-{short(stg_head)}")
        promoted = world.registry.digest(repository, version)
        evidence.image(name, {f"stg-{short(stg_head)}": staged, version: promoted})
        assert staged is not None, f"image {name}: stg-{short(stg_head)} (the merged stg commit) is not in the registry"
        assert promoted is not None, (f"image {name}: no tag {version} in the registry; "
                                      f"tags: {world.registry.tags(repository)}")
        assert promoted == staged, (f"image {name}: {version} is {promoted}, but the tested staging image "
                                    f"stg-{short(stg_head)} is {staged}: production must promote, not rebuild")


@then("no image was built during the production run")
def no_build_in_production(world: World, scenario: Scenario) -> None:
    builds = world.image_builds(since=scenario.last_production.mark)
    assert not builds, f"the Docker engine built images during the production run: {[b.tag for b in builds]}"


@then("no image layer was pushed during the production run")
def no_blob_push_in_production(world: World, scenario: Scenario) -> None:
    pushes = world.registry_pushes(since=scenario.last_production.mark)
    blobs = [p for p in pushes if not p.is_manifest]
    assert not blobs, (f"{len(blobs)} layer(s) pushed during the production run "
                       f"({sum(p.size for p in blobs)} bytes): production must reuse the staging image")


@then(parsers.parse('no image tag "{tag}" exists'))
def no_such_tag(world: World, tag: str) -> None:
    for name, repository in image_repos(world).items():
        assert world.registry.digest(repository, tag) is None, f"image {name}: tag {tag} exists"


@then("no image was built or pushed")
def nothing_built_or_pushed(world: World, scenario: Scenario) -> None:
    stage = (scenario.production or scenario.staging)[-1]
    builds = world.image_builds(since=stage.mark)
    pushes = world.registry_pushes(since=stage.mark)
    assert not builds, f"images were built: {[b.tag for b in builds]}"
    assert not pushes, f"the registry received pushes: {[(p.repository, p.tag or p.digest[:19]) for p in pushes]}"
