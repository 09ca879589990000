"""What people see on GitHub: the commit comment, the releases, the pull request to main, the
outputs the runs expose."""

from __future__ import annotations

import re

from github.GitRelease import GitRelease
from pytest_bdd import parsers, then

from steps.drive import change_path
from steps.state import Scenario
from testbed.observer import Observer, runs_summary, staging_tags
from testbed.report.evidence import Evidence

QUOTED = re.compile(r'"([^"]+)"')


def show_releases(evidence: Evidence, releases: list[GitRelease]) -> None:
    for release in releases:
        evidence.release(release.tag_name, prerelease=release.prerelease, target=release.target_commitish,
                         body=release.body or "")


def full_release(observe: Observer, version: str) -> GitRelease:
    found = observe.full_releases_for(version)
    assert len(found) == 1, f"expected one full release of {version}, found {[r.tag_name for r in found]}"
    return found[0]


def assert_changelog(observe: Observer, scenario: Scenario, version: str, wanted: list[str]) -> None:
    release = full_release(observe, version)
    body = release.body or ""
    for title in wanted:
        assert title in body, f"the changelog of {release.tag_name} does not list {title!r}:\n{body}"
    others = [t for t in [*scenario.titles.values(), *scenario.history_titles] if t not in wanted]
    listed = [t for t in others if t in body]
    assert not listed, f"the changelog of {release.tag_name} lists changes from before the previous release: {listed}"


@then("the bump commit has a comment listing both staging tags of every image")
def comment_lists_tags(observe: Observer, scenario: Scenario) -> None:
    bump = scenario.last_staging.head_after
    comments = [c.body for c in observe.repo().get_commit(bump).get_comments()]
    assert comments, f"the bump commit {bump[:12]} has no comment"
    text = "\n".join(comments)
    for tag in staging_tags(bump, observe.version(bump)):
        assert tag in text, f"the comments on the bump commit do not mention {tag}: {text!r}"
    for name, repository in observe.image_repos().items():
        assert repository in text or name in text, f"the comments on the bump commit do not name image {name}"


@then("the staging run exposes both staging tags as outputs")
def tags_as_outputs(observe: Observer, scenario: Scenario, evidence: Evidence) -> None:
    stage = scenario.last_staging
    wanted = staging_tags(stage.head_after, observe.version(stage.head_after))
    # one output holding both tags, or one per tag; bare tags or full references (which contain the tag)
    for run in stage.runs:
        for job in run.jobs.values():
            holding = {tag: [key for key, value in job.outputs.items() if tag in value] for tag in wanted}
            if all(holding.values()):
                evidence.add("outputs holding the staging tags", {"workflow": run.workflow, "job": job.name, **holding})
                return
    raise AssertionError(f"no job of the staging run has outputs holding both {wanted}: {runs_summary(stage.runs)}")


@then(parsers.parse("a pre-release of {version} links every staging image"))
def prerelease_links_images(observe: Observer, scenario: Scenario, evidence: Evidence, version: str) -> None:
    found = observe.releases_for(version)
    show_releases(evidence, found)
    pre = [r for r in found if r.prerelease]
    assert len(pre) == 1, f"expected one pre-release of {version}, found {[(r.tag_name, r.prerelease) for r in found]}"
    release, body = pre[0], pre[0].body or ""
    assert not release.draft, f"the pre-release {release.tag_name} is a draft"
    tags = staging_tags(scenario.last_staging.head_after, version)
    for name, repository in observe.image_repos().items():
        digest = observe.digest(repository, f"stg-{version}")
        assert repository in body, f"pre-release {release.tag_name} does not link image {name} ({repository})"
        assert any(tag in body for tag in tags), f"pre-release {release.tag_name} does not name a staging tag of {name}"
        assert digest and digest in body, f"pre-release {release.tag_name} does not give the digest {digest} of {name}"


@then(parsers.parse("the pre-release of {version} is tagged at the bump commit"))
def prerelease_at_bump(observe: Observer, scenario: Scenario, version: str) -> None:
    pre = observe.prereleases_for(version)
    assert pre, f"no pre-release of {version}: releases {[r.tag_name for r in observe.releases_for(version)]}"
    bump = scenario.last_staging.head_after
    assert observe.tag_commit(pre[0].tag_name) == bump, (
        f"the pre-release tag {pre[0].tag_name} is not at the bump commit {bump[:12]}")


@then(parsers.parse("the pre-release of {version} is not the latest release"))
def prerelease_not_latest(observe: Observer, version: str) -> None:
    latest = observe.latest_release()
    assert latest is None or latest not in {r.tag_name for r in observe.prereleases_for(version)}, (
        f"the latest release is {latest}, a staging pre-release")


@then(parsers.parse("a full release of {version} exists at the merge commit on main"))
def full_release_at_merge(observe: Observer, scenario: Scenario, evidence: Evidence, version: str) -> None:
    show_releases(evidence, observe.releases_for(version))
    release = full_release(observe, version)
    merge, tagged = scenario.last_production.merge_sha, observe.tag_commit(release.tag_name)
    assert tagged == merge, f"release {release.tag_name} points at {tagged[:12]}, not the merge {merge[:12]}"


@then(parsers.parse("the release of {version} is the latest release"))
def release_is_latest(observe: Observer, version: str) -> None:
    release, latest = full_release(observe, version), observe.latest_release()
    assert latest == release.tag_name, f"the latest release is {latest}, not the production release {release.tag_name}"


@then(parsers.parse("the release of {version} links every promoted image"))
def release_links_promoted(observe: Observer, version: str) -> None:
    release = full_release(observe, version)
    body = release.body or ""
    for name, repository in observe.image_repos().items():
        digest = observe.digest(repository, version)
        assert f"{repository}:{version}" in body, f"release {release.tag_name} does not link {repository}:{version}"
        assert digest and digest in body, f"release {release.tag_name} does not give the digest of {name}"
        assert f"{repository}:stg-" not in body, f"release {release.tag_name} links a staging tag of {name}"


@then(parsers.re(r'the release of (?P<version>\d[\w.+-]*) lists exactly the changes "(?P<titles>.+)"'))
def changelog_lists(observe: Observer, scenario: Scenario, version: str, titles: str) -> None:
    assert_changelog(observe, scenario, version, [t.strip() for t in titles.split('", "')])


@then(parsers.parse("the release of the version on main lists exactly the changes {titles}"))
def main_release_lists(observe: Observer, scenario: Scenario, titles: str) -> None:
    assert_changelog(observe, scenario, observe.version("main"), QUOTED.findall(titles))


@then(parsers.parse('the release of {version} does not list the commit message "{message}"'))
def changelog_without_commit_message(observe: Observer, version: str, message: str) -> None:
    release = full_release(observe, version)
    assert message not in (release.body or ""), (
        f"the changelog of {release.tag_name} lists the commit message {message!r}; "
        f"it lists pull request titles:\n{release.body}")


@then(parsers.parse("no full release of {version} exists"))
def no_full_release(observe: Observer, version: str) -> None:
    full = [r.tag_name for r in observe.releases_for(version) if not r.prerelease]  # a draft counts too
    assert not full, f"a full release of {version} exists: {full}"


@then(parsers.parse("no release of {version} exists"))
def no_release(observe: Observer, version: str) -> None:
    found = [r.tag_name for r in observe.releases_for(version)]
    assert not found, f"releases of {version} exist: {found}"


@then("one pull request from stg to main is open, its head the bump commit")
def pull_to_main(observe: Observer, scenario: Scenario, evidence: Evidence) -> None:
    pulls = observe.release_pulls()
    for pull in pulls:
        evidence.pull_request(pull.number, head=f"{pull.head.ref} @ {pull.head.sha[:12]}", base=pull.base.ref,
                              title=pull.title, state=pull.state)
    assert len(pulls) == 1, f"expected one open pull request stg -> main, found {[p.number for p in pulls]}"
    bump = scenario.last_staging.head_after
    assert pulls[0].head.sha == bump, f"the pull request's head is {pulls[0].head.sha[:12]}, not the bump commit {bump[:12]}"


@then("no pull request from stg to main is open")
def no_pull_to_main(observe: Observer) -> None:
    pulls = [p.number for p in observe.release_pulls()]
    assert not pulls, f"pull requests stg -> main are open: {pulls}"


@then(parsers.parse("the pull request from stg to main carries the changes of {branches}"))
def pull_carries(observe: Observer, scenario: Scenario, branches: str) -> None:
    pulls = observe.release_pulls()
    assert len(pulls) == 1, f"expected one open pull request stg -> main, found {[p.number for p in pulls]}"
    for name in QUOTED.findall(branches):
        path = change_path(scenario.titles[name])
        assert observe.file(pulls[0].head.sha, path) is not None, f"the change of {name} is not in the pull request"
