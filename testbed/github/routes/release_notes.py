"""Release notes as GitHub generates them (`POST /releases/generate-notes`, and
`generate_release_notes: true` when a release is created): the pull requests merged between the
previous release and the release's commit, in GitHub's format:

    ## What's Changed
    * <title> by @<user> in <pull request URL>

    **Full Changelog**: <compare URL>
"""

from __future__ import annotations

from dataclasses import dataclass

from testbed.github import gitdata
from testbed.github.protocol import Call, Endpoint, Reply, required, string, unprocessable
from testbed.github.records import PullRequest, Repo
from testbed.github.routes.common import REPO, associated_pulls
from testbed.github.site import Site


@dataclass(frozen=True)
class Notes:
    name: str
    body: str


def _previous_tag(repo: Repo, tag_name: str, target_sha: str) -> str | None:
    """The newest published full release other than `tag_name` whose tag is an ancestor of the target."""
    for release in reversed(repo.releases):
        if release.draft or release.prerelease or release.tag_name == tag_name:
            continue
        sha = gitdata.resolve(repo.bare, f"refs/tags/{release.tag_name}")
        if sha and gitdata.is_ancestor(repo.bare, sha, target_sha):
            return release.tag_name
    return None


def generate(site: Site, repo: Repo, *, tag_name: str, target: str | None, previous: str | None) -> Notes:
    """The notes of a release of `tag_name` (an existing tag, else `target` or the default branch)."""
    target_sha = gitdata.resolve(repo.bare, f"refs/tags/{tag_name}") or gitdata.resolve(
        repo.bare, target or repo.default_branch)
    if target_sha is None:
        raise unprocessable("Validation Failed", resource="Release", code="invalid", field_name="target_commitish")
    if previous is not None and gitdata.resolve(repo.bare, f"refs/tags/{previous}") is None:
        raise unprocessable("Validation Failed", resource="Release", code="invalid", field_name="previous_tag_name")
    previous = previous or _previous_tag(repo, tag_name, target_sha)
    since = gitdata.resolve(repo.bare, f"refs/tags/{previous}") if previous else None
    merged: list[PullRequest] = []
    for commit in reversed(gitdata.log(repo.bare, target_sha, exclude=since)):
        for pull in associated_pulls(repo, commit.sha):
            if pull.merged and pull not in merged:
                merged.append(pull)
    web = site.repo_web(repo.full_name)
    lines = ["## What's Changed", *(f"* {p.title} by @{p.user} in {web}/pull/{p.number}" for p in merged), ""]
    if not merged:
        lines = []
    full = f"{web}/compare/{previous}...{tag_name}" if previous else f"{web}/commits/{tag_name}"
    return Notes(tag_name, "\n".join([*lines, f"**Full Changelog**: {full}"]))


def generate_notes(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    required(data, "tag_name")
    notes = generate(call.site, repo, tag_name=string(data, "tag_name") or "",
                     target=string(data, "target_commitish"), previous=string(data, "previous_tag_name"))
    return Reply(200, {"name": notes.name, "body": notes.body})


ROUTES = [Endpoint("POST", REPO + "/releases/generate-notes", generate_notes)]
