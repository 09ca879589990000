"""What people see on GitHub: the commit comment, the releases, the pull request to main, the
outputs the runs expose."""

from __future__ import annotations

import re
from typing import Any

import github
from pytest_bdd import parsers, then

from steps.common import Scenario, repo, runs_summary
from steps.registry_steps import image_repos, staging_tags
from testbed.report.evidence import Evidence
from testbed.world import World


def releases_for(world: World, version: str) -> list[Any]:
    """Releases whose tag names this version (v1.3.0, v1.3.0-stg, 1.3.0-rc...)."""
    pattern = re.compile(rf"(?<![0-9.]){re.escape(version)}(?![0-9])")
    return [r for r in repo(world).get_releases() if pattern.search(r.tag_name)]


def tag_commit(world: World, tag: str) -> str:
    ref = repo(world).get_git_ref(f"tags/{tag}")
    return str(ref.object.sha)


@then("the bump commit has a comment listing both staging tags of every image")
def comment_lists_tags(world: World, scenario: Scenario) -> None:
    stage = scenario.last_staging
    version = (world.read_file(world.app_repo, stage.head_after, "VERSION") or "").strip()
    comments = [c.body for c in repo(world).get_commit(stage.head_after).get_comments()]
    assert comments, f"the bump commit {stage.head_after[:12]} has no comment"
    text = "\n".join(comments)
    for tag in staging_tags(stage, version):
        assert tag in text, f"the comments on the bump commit do not mention {tag}: {text!r}"
    for name, repository in image_repos(world).items():
        assert repository in text or name in text, f"the comments on the bump commit do not name image {name}"


@then("the staging run exposes both staging tags as outputs")
def tags_as_outputs(world: World, scenario: Scenario) -> None:
    stage = scenario.last_staging
    version = (world.read_file(world.app_repo, stage.head_after, "VERSION") or "").strip()
    wanted = staging_tags(stage, version)
    # one output holding both tags, or one per tag; bare tags or full references (which contain the tag)
    for run in stage.runs:
        for job in run.jobs.values():
            holding = {tag: [key for key, value in job.outputs.items() if tag in value] for tag in wanted}
            if all(holding.values()):
                scenario.notes["tags_output"] = f"{run.workflow} {job.name}: {holding}"
                return
    raise AssertionError(f"no job of the staging run has outputs holding both {wanted}: {runs_summary(stage.runs)}")


@then(parsers.parse("a pre-release of {version} links every staging image"))
def prerelease_links_images(world: World, scenario: Scenario, evidence: Evidence, version: str) -> None:
    found = releases_for(world, version)
    for release in found:
        evidence.release(release.tag_name, prerelease=release.prerelease, target=release.target_commitish,
                         body=release.body or "")
    pre = [r for r in found if r.prerelease]
    assert len(pre) == 1, f"expected one pre-release of {version}, found {[(r.tag_name, r.prerelease) for r in found]}"
    release = pre[0]
    assert not release.draft, f"the pre-release {release.tag_name} is a draft"
    stage = scenario.last_staging
    for name, repository in image_repos(world).items():
        digest = world.registry.digest(repository, f"stg-{version}")
        body = release.body or ""
        assert repository in body, f"pre-release {release.tag_name} does not link image {name} ({repository})"
        assert any(tag in body for tag in staging_tags(stage, version)), (
            f"pre-release {release.tag_name} does not name a staging tag of {name}")
        assert digest and digest in body, f"pre-release {release.tag_name} does not give the digest {digest} of {name}"


@then(parsers.parse("the pre-release of {version} is not the latest release and no full release of {version} exists"))
def prerelease_only(world: World, version: str) -> None:
    full = [r.tag_name for r in releases_for(world, version) if not r.prerelease]
    assert not full, f"a full release of {version} exists after staging only: {full}"
    try:
        latest = repo(world).get_latest_release().tag_name
    except github.UnknownObjectException:
        latest = None
    assert latest is None or version not in latest, f"the latest release is {latest}, a staging pre-release"


@then(parsers.parse("the pre-release of {version} is tagged at the bump commit"))
def prerelease_at_bump(world: World, scenario: Scenario, version: str) -> None:
    pre = [r for r in releases_for(world, version) if r.prerelease]
    assert pre, f"no pre-release of {version}"
    assert tag_commit(world, pre[0].tag_name) == scenario.last_staging.head_after, (
        f"the pre-release tag {pre[0].tag_name} is not at the bump commit {scenario.last_staging.head_after[:12]}")


@then(parsers.parse("a full release of {version} exists at the merge commit on main, as the latest release"))
def full_release(world: World, scenario: Scenario, evidence: Evidence, version: str) -> None:
    found = releases_for(world, version)
    for release in found:
        evidence.release(release.tag_name, prerelease=release.prerelease, target=release.target_commitish,
                         body=release.body or "")
    full = [r for r in found if not r.prerelease and not r.draft]
    assert len(full) == 1, f"expected one full release of {version}, found {[(r.tag_name, r.prerelease) for r in found]}"
    release = full[0]
    merge = scenario.last_production.merge_sha
    assert tag_commit(world, release.tag_name) == merge, (
        f"release {release.tag_name} points at {tag_commit(world, release.tag_name)[:12]}, not the merge {merge[:12]}")
    assert repo(world).get_latest_release().tag_name == release.tag_name, "the production release is not the latest"
    pre_tags = {r.tag_name for r in found if r.prerelease}
    assert release.tag_name not in pre_tags


@then(parsers.parse("the release of {version} links every promoted image"))
def release_links_promoted(world: World, version: str) -> None:
    release = [r for r in releases_for(world, version) if not r.prerelease][0]
    body = release.body or ""
    for name, repository in image_repos(world).items():
        digest = world.registry.digest(repository, version)
        assert f"{repository}:{version}" in body, f"release {release.tag_name} does not link {repository}:{version}"
        assert digest and digest in body, f"release {release.tag_name} does not give the digest of {name}"
        assert f"{repository}:stg-" not in body, f"release {release.tag_name} links a staging tag of {name}"


@then(parsers.parse('the release of {version} lists exactly the changes "{titles}"'))
def changelog_lists(world: World, scenario: Scenario, version: str, titles: str) -> None:
    release = [r for r in releases_for(world, version) if not r.prerelease][0]
    body = release.body or ""
    wanted = [t.strip() for t in titles.split('", "')]
    for title in wanted:
        assert title in body, f"the changelog of {release.tag_name} does not list {title!r}:\n{body}"
    others = [t for t in [*scenario.titles.values(), *scenario.history_titles] if t not in wanted]
    listed = [t for t in others if t in body]
    assert not listed, f"the changelog of {release.tag_name} lists changes from before the previous release: {listed}"


@then(parsers.parse('the release of {version} does not list the commit message "{message}"'))
def changelog_without_commit_message(world: World, version: str, message: str) -> None:
    release = [r for r in releases_for(world, version) if not r.prerelease][0]
    body = release.body or ""
    assert message not in body, (f"the changelog of {release.tag_name} lists the commit message {message!r}; "
                                 f"it lists pull request titles:\n{body}")


@then("one pull request from stg to main is open, its head the bump commit")
def pull_to_main(world: World, scenario: Scenario, evidence: Evidence) -> None:
    pulls = [p for p in repo(world).get_pulls(state="open", base="main") if p.head.ref == "stg"]
    for pull in pulls:
        evidence.pull_request(pull.number, head=f"{pull.head.ref} @ {pull.head.sha[:12]}", base=pull.base.ref,
                              title=pull.title, state=pull.state)
    assert len(pulls) == 1, f"expected one open pull request stg -> main, found {[p.number for p in pulls]}"
    assert pulls[0].head.sha == scenario.last_staging.head_after, (
        f"the pull request's head is {pulls[0].head.sha[:12]}, not the bump commit {scenario.last_staging.head_after[:12]}")
    scenario.notes["release_pull"] = pulls[0].number


@then("no pull request from stg to main is open")
def no_pull_to_main(world: World) -> None:
    pulls = [p.number for p in repo(world).get_pulls(state="open", base="main") if p.head.ref == "stg"]
    assert not pulls, f"pull requests stg -> main are open: {pulls}"


@then(parsers.parse("no release of {version} exists"))
def no_release(world: World, version: str) -> None:
    found = [r.tag_name for r in releases_for(world, version)]
    assert not found, f"releases of {version} exist: {found}"


@then("no release was created")
def no_new_release(world: World, scenario: Scenario) -> None:
    known = scenario.notes.get("releases_before", set())
    now = {r.tag_name for r in repo(world).get_releases()}
    assert now <= known, f"new releases: {sorted(now - known)}"
