"""Images: what the registry holds (tags, digests, platforms, the files inside), what was pushed,
what the Docker engine built."""

from __future__ import annotations

from pytest_bdd import given, parsers, then

from steps.state import ForeignImages, Scenario
from testbed.observer import Observer, short, staging_tags
from testbed.report.evidence import Evidence
from testbed.world import World


def platform_list(text: str) -> list[str]:
    return [item.strip() for item in text.replace(" and ", ",").split(",") if item.strip()]


@given(parsers.parse("the staging images of {version} were published for {platforms}"))
def multi_platform_staging(world: World, observe: Observer, scenario: Scenario, version: str, platforms: str) -> None:
    store = world.image_store()
    for name, repository in observe.image_repos().items():
        store.push_index(repository, staging_tags(scenario.last_staging.head_after, version),
                         {platform: {f"{name}/VERSION": f"{version}\n", f"{name}/platform.txt": f"{platform}\n"}
                          for platform in platform_list(platforms)})


@given(parsers.parse('the registry already holds a different image tagged "{tag}" for every image'),
       target_fixture="foreign_images")
def foreign_image(world: World, observe: Observer, tag: str) -> ForeignImages:
    store = world.image_store()
    for name, repository in observe.image_repos().items():
        store.push_platform_image(repository, "linux/amd64", {f"{name}/other.txt": "not the tested image\n"},
                                  tags=(tag,))
    digests = {name: observe.digest(repository, tag) for name, repository in observe.image_repos().items()}
    assert all(digests.values()), f"the foreign images did not land in the registry: {digests}"
    return ForeignImages(tag, {name: str(digest) for name, digest in digests.items()})


@then(parsers.parse('every image is in the registry as "stg-<SHORTHASH>" and "stg-{version}", one digest for both'))
def staging_images_tagged(observe: Observer, scenario: Scenario, evidence: Evidence, version: str) -> None:
    bump = scenario.last_staging.head_after
    for name, repository in observe.image_repos().items():
        digests = {tag: observe.digest(repository, tag) for tag in staging_tags(bump, version)}
        evidence.image(name, digests)
        missing = [tag for tag, digest in digests.items() if digest is None]
        assert not missing, (f"image {name}: {', '.join(missing)} missing in the registry "
                             f"(SHORTHASH = first 7 of the bump commit {bump[:12]}); "
                             f"tags present: {observe.world.registry.tags(repository)}")
        assert len(set(digests.values())) == 1, f"image {name}: the staging tags point at different images: {digests}"


@then(parsers.parse('every staging image carries the VERSION "{version}"'))
def staging_images_carry_version(world: World, observe: Observer, scenario: Scenario, version: str) -> None:
    store = world.image_store()
    tag = f"stg-{short(scenario.last_staging.head_after)}"
    for name, repository in observe.image_repos().items():
        for platform, texts in store.file_per_platform(repository, tag, "VERSION").items():
            assert texts, f"image {name} ({repository}:{tag}, {platform}) holds no VERSION file"
            assert all(text.strip() == version for text in texts), (
                f"image {name} ({repository}:{tag}, {platform}) carries VERSION {[t.strip() for t in texts]}, "
                f"expected {version!r}: the image must be built from the bump commit's tree")


@then(parsers.parse('every image tagged "{tag}" is available for {platforms}'))
def image_platforms(world: World, observe: Observer, tag: str, platforms: str) -> None:
    wanted = sorted(platform_list(platforms))
    store = world.image_store()
    for name, repository in observe.image_repos().items():
        image = store.image(repository, tag)
        assert image is not None, f"image {name}: no tag {tag}"
        found = sorted(platform.name for platform in image.platforms)
        assert image.is_index and found == wanted, (
            f"image {name}: {repository}:{tag} is {image.media_type} with platforms {found or ['(one, unnamed)']}, "
            f"expected an index of {wanted}: promotion must copy the whole image, not the platform one engine pulled")
        missing = store.missing_platforms(image)
        assert not missing, f"image {name}: {repository}:{tag} lists platforms the registry cannot serve: {missing}"


@then("every image was built and pushed during the staging run")
def images_built_and_pushed(world: World, observe: Observer, scenario: Scenario) -> None:
    stage = scenario.last_staging
    assert world.image_builds(since=stage.mark), "no build request reached the Docker engine during the staging run"
    pushes = world.registry_pushes(since=stage.mark)
    for name, repository in observe.image_repos().items():
        manifests = [p for p in pushes if p.repository == repository and p.is_manifest]
        assert manifests, f"image {name}: no manifest was pushed to {repository} during the staging run"


@then(parsers.parse('every image has the tag "{version}" with the digest of its "stg-<SHORTHASH>" image of the merged stg commit'))
def production_tag_same_digest(observe: Observer, scenario: Scenario, evidence: Evidence, version: str) -> None:
    staged_tag = f"stg-{short(observe.pull_head(scenario.last_production.pull))}"
    for name, repository in observe.image_repos().items():
        staged, promoted = observe.digest(repository, staged_tag), observe.digest(repository, version)
        evidence.image(name, {staged_tag: staged, version: promoted})
        assert staged is not None, f"image {name}: {staged_tag} (the merged stg commit) is not in the registry"
        assert promoted is not None, (f"image {name}: no tag {version} in the registry; "
                                      f"tags: {observe.world.registry.tags(repository)}")
        assert promoted == staged, (f"image {name}: {version} is {promoted}, but the tested staging image "
                                    f"{staged_tag} is {staged}: production must promote, not rebuild")


@then(parsers.parse('the tag "{tag}" still has the other image\'s digest'))
def foreign_kept(observe: Observer, foreign_images: ForeignImages, tag: str) -> None:
    for name, repository in observe.image_repos().items():
        found = observe.digest(repository, tag)
        assert found == foreign_images.digests[name], (
            f"image {name}: the production tag {tag} was overwritten: {found}, was {foreign_images.digests[name]}")


@then("no image was built during the production run")
def no_build_in_production(world: World, scenario: Scenario) -> None:
    builds = world.image_builds(since=scenario.last_production.mark)
    assert not builds, f"the Docker engine built images during the production run: {[b.tag for b in builds]}"


@then("no image layer was pushed during the production run")
def no_blob_push_in_production(world: World, scenario: Scenario) -> None:
    blobs = [p for p in world.registry_pushes(since=scenario.last_production.mark) if not p.is_manifest]
    assert not blobs, (f"{len(blobs)} layer(s) pushed during the production run "
                       f"({sum(p.size for p in blobs)} bytes): production must reuse the staging image")


@then(parsers.parse('no image tag "{tag}" exists'))
def no_such_tag(observe: Observer, tag: str) -> None:
    for name, repository in observe.image_repos().items():
        assert observe.digest(repository, tag) is None, f"image {name}: tag {tag} exists"


@then("no image was built")
def nothing_built(world: World, scenario: Scenario) -> None:
    builds = world.image_builds(since=scenario.latest.mark)
    assert not builds, f"the Docker engine built images: {[b.tag for b in builds]}"


@then("the registry received no push")
def nothing_pushed(world: World, scenario: Scenario) -> None:
    pushes = world.registry_pushes(since=scenario.latest.mark)
    assert not pushes, f"the registry received pushes: {[(p.repository, p.tag or p.digest[:19]) for p in pushes]}"
