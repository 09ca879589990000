"""Unit tests of the reference CLI's pure logic, and of the VERSION bump against a local bare repo."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from reference import ReleaseError, changelog, gitops, images, payload, tags, version

SHA = "0123456789abcdef0123456789abcdef01234567"
DIGEST = "sha256:" + "a" * 64


# --- version -------------------------------------------------------------------------------------

@pytest.mark.parametrize("branch, kind", [
    ("feat/login", "minor"), ("fix/typo", "patch"), ("feat/a/b", "minor"),
    ("feat/", None), ("fix/", None), ("docs/x", None), ("feature/x", None), ("chore/x", None),
    ("stg", None), ("Feat/x", None), ("hotfix/x", None),
])
def test_bump_kind(branch: str, kind: str | None) -> None:
    """Only feat/<name> bumps the minor and fix/<name> the patch; other names, cases or empty names bump nothing."""
    assert version.bump_kind(branch) == kind


def test_parse_rules_and_custom_rules() -> None:
    """Custom prefix=kind rules decide the bump; empty, kindless, unknown-kind or prefixless rules are refused."""
    rules = version.parse_rules("feat/=minor, fix/=patch,break/=major")
    assert rules == {"feat/": "minor", "fix/": "patch", "break/": "major"}
    assert version.bump_kind("break/api", rules) == "major"
    for bad in ("", "feat/", "feat/=huge", "=minor"):
        with pytest.raises(ReleaseError):
            version.parse_rules(bad)


@pytest.mark.parametrize("text, words", [
    (None, "missing"),
    ("one", "not a SemVer"),
    ("1.2", "not a SemVer"),
    ("v1.2.3", "not a SemVer"),
    ("1.2.3-rc.1", "plain MAJOR.MINOR.PATCH"),
    ("1.2.3+build.5", "plain MAJOR.MINOR.PATCH"),
])
def test_parse_rejects(text: str | None, words: str) -> None:
    """A missing, non-SemVer, v-prefixed, pre-release or build VERSION is refused with an error naming VERSION."""
    with pytest.raises(ReleaseError, match=words) as raised:
        version.parse(text)
    assert "VERSION" in str(raised.value)


def test_parse_and_bump() -> None:
    """Whitespace around VERSION is ignored; minor, patch, major reset the lower fields; an unknown kind is refused."""
    current = version.parse(" 1.2.3\n")
    assert str(version.bump(current, "minor")) == "1.3.0"
    assert str(version.bump(current, "patch")) == "1.2.4"
    assert str(version.bump(current, "major")) == "2.0.0"
    with pytest.raises(ReleaseError, match="unknown bump kind"):
        version.bump(current, "huge")


# --- tags ----------------------------------------------------------------------------------------

def test_shorthash() -> None:
    """The short hash of a commit is the first seven hex characters of its SHA."""
    short = tags.shorthash(SHA)
    assert short == "0123456" and len(short) == 7


@pytest.mark.parametrize("sha", [SHA[:39], SHA[:7], SHA.upper(), "g" * 40, SHA + "0", ""])
def test_shorthash_rejects(sha: str) -> None:
    """Anything but a full 40-character lowercase hex SHA is refused as not a full commit SHA."""
    with pytest.raises(ReleaseError, match="not a full commit SHA"):
        tags.shorthash(sha)


def test_staging_tags_default() -> None:
    """By default a staging image is tagged stg-<short sha> and stg-<version>."""
    assert tags.staging_tags(SHA, "1.3.0") == ["stg-0123456", "stg-1.3.0"]


@pytest.mark.parametrize("template", ["stg-{sha}", "stg-{0}", "stg-{short", "", " , ", "stg {short}", "-{short}"])
def test_staging_tags_bad_template(template: str) -> None:
    """An empty, malformed or unknown-placeholder template, or one making a bad tag, is refused naming the template."""
    with pytest.raises(ReleaseError, match="template"):
        tags.staging_tags(SHA, "1.3.0", template)


def test_release_tag() -> None:
    """A pre-release is tagged v<version>-stg, a production release v<version>."""
    assert tags.release_tag("1.2.0", prerelease=True) == "v1.2.0-stg"
    assert tags.release_tag("1.2.0", prerelease=False) == "v1.2.0"


# --- payload -------------------------------------------------------------------------------------

def _image(tag: str = "stg-1.3.0") -> dict:
    return {**images.reference("ghcr.io", "Acme", "app", tag, DIGEST), "tags": ["stg-0123456", tag], "extra": 1}


def test_payload_build_valid() -> None:
    """The payload holds environment, source, pinned lowercase image references and only schema keys; it validates."""
    built = payload.build(environment="stg", version="1.3.0", repository="acme/app", sha=SHA, ref="refs/heads/stg",
                          images={"app": _image()})
    assert built["environment"] == "stg"
    assert built["source"] == {"repository": "acme/app", "sha": SHA, "ref": "refs/heads/stg"}
    assert built["images"]["app"]["reference"] == f"ghcr.io/acme/app:stg-1.3.0@{DIGEST}"
    assert "extra" not in built["images"]["app"]  # only the schema's keys are copied
    payload.check(built)


def test_payload_rejects_unknown_environment() -> None:
    """A payload for an environment other than stg or prod is refused."""
    with pytest.raises(ReleaseError, match="environment"):
        payload.build(environment="dev", version="1.3.0", repository="acme/app", sha=SHA, ref="refs/heads/stg",
                      images={"app": _image()})


@pytest.mark.parametrize("change", [
    {"version": "1.3.0-rc.1"}, {"images": {}}, {"source": {"repository": "acme/app", "sha": "abc", "ref": "x"}},
])
def test_payload_rejects_bad_fields(change: dict) -> None:
    """A pre-release version, no images or a short source SHA fails the check against payload.schema.json."""
    good = payload.build(environment="prod", version="1.3.0", repository="acme/app", sha=SHA, ref="refs/heads/main",
                         images={"app": _image("1.3.0")})
    with pytest.raises(ReleaseError, match=r"payload\.schema\.json"):
        payload.check({**good, **change})


def test_payload_rejects_more_than_ten_properties() -> None:
    """A payload with 11 top-level properties is refused (repository_dispatch allows at most 10)."""
    good = payload.build(environment="prod", version="1.3.0", repository="acme/app", sha=SHA, ref="refs/heads/main",
                         images={"app": _image("1.3.0")})
    big = {**good, **{f"extra{i}": i for i in range(7)}}
    assert len(big) == 11
    with pytest.raises(ReleaseError):
        payload.check(big)


def test_payload_schema_limits() -> None:
    """The payload schema allows at most 10 properties and only the stg and prod environments."""
    schema = payload.schema()
    assert schema["maxProperties"] == payload.MAX_PROPERTIES == 10
    assert schema["properties"]["environment"]["enum"] == ["stg", "prod"]


# --- images --------------------------------------------------------------------------------------

def test_parse_specs() -> None:
    """name=Dockerfile image specs parse in their order, with surrounding whitespace ignored."""
    specs = images.parse_specs("app=Dockerfile,worker=worker.Dockerfile", default_name="app")
    assert [(s.name, s.dockerfile) for s in specs] == [("app", "Dockerfile"), ("worker", "worker.Dockerfile")]
    spaced = images.parse_specs(" app = docker/Dockerfile \n", default_name="x")
    assert spaced[0] == images.ImageSpec("app", "docker/Dockerfile")


def test_parse_specs_empty_means_repo_name() -> None:
    """An empty image spec means one image named after the repository, lowercased, built from Dockerfile."""
    assert images.parse_specs("  ", default_name="My-App") == [images.ImageSpec("my-app", "Dockerfile")]


@pytest.mark.parametrize("text, words", [
    ("app=../x", "bad image spec"), ("app=docker/../../x", "bad image spec"), ("app=/etc/Dockerfile", "bad image spec"),
    ("App=Dockerfile", "bad image spec"), ("app", "bad image spec"), ("app=", "bad image spec"),
    ("app=Dockerfile,app=other.Dockerfile", "repeat"),
])
def test_parse_specs_rejects(text: str, words: str) -> None:
    """A spec with an escaping or absolute path, a bad or missing name or file, or a repeated name is refused."""
    with pytest.raises(ReleaseError, match=words):
        images.parse_specs(text, default_name="app")


def test_image_reference_lowercases_namespace() -> None:
    """An image reference lowercases the namespace and pins the tag and digest: registry/namespace/name:tag@digest."""
    ref = images.reference("ghcr.io", "Acme", "app", "1.3.0", DIGEST)
    assert ref == {"repository": "ghcr.io/acme/app", "tag": "1.3.0", "digest": DIGEST,
                   "reference": f"ghcr.io/acme/app:1.3.0@{DIGEST}"}


# --- changelog -----------------------------------------------------------------------------------

def _commit(sha: str, message: str, pulls: tuple[SimpleNamespace, ...] = ()) -> SimpleNamespace:
    return SimpleNamespace(sha=sha, commit=SimpleNamespace(message=message), get_pulls=lambda: list(pulls))


def _pull(number: int, branch: str, title: str, *, merged: bool = True, merge_commit_sha: str = "",
          head_sha: str = "", base: str = "stg") -> SimpleNamespace:
    return SimpleNamespace(number=number, title=title, merged=merged, merge_commit_sha=merge_commit_sha,
                           head=SimpleNamespace(ref=branch, sha=head_sha), base=SimpleNamespace(ref=base))


class FakeRepo:
    """The few attributes of a PyGithub Repository that changelog.py reads. History is linear: `order`;
    `main` holds commits of main that are not on that line (release commits), with their pull requests."""

    def __init__(self, commits: list[SimpleNamespace], tag_refs: dict[str, str], others: set[str] = frozenset(),
                 main: dict[str, SimpleNamespace] | None = None) -> None:
        self.commits = commits  # oldest first
        self.order = [c.sha for c in commits]
        self.tag_refs = tag_refs  # tag name -> sha
        self.others = others  # shas on another line of history (not ancestors of anything here)
        self.main = main or {}
        self.compared: list[tuple[str, str]] = []

    def _sha(self, rev: str) -> str:
        return self.tag_refs.get(rev, rev)

    def compare(self, base: str, head: str) -> SimpleNamespace:
        self.compared.append((base, head))
        base, head = self._sha(base), self._sha(head)
        if base in self.others:
            return SimpleNamespace(status="diverged", commits=[])
        b, h = self.order.index(base), self.order.index(head)
        status = "identical" if b == h else "ahead" if b < h else "behind"
        return SimpleNamespace(status=status, commits=self.commits[b + 1:h + 1] if b < h else [])

    def get_commit(self, rev: str) -> SimpleNamespace:
        sha = self._sha(rev)
        return self.main.get(sha) or self.commits[self.order.index(sha)]

    def get_commits(self, sha: str) -> list[SimpleNamespace]:
        return list(reversed(self.commits[: self.order.index(sha) + 1]))  # newest first, like the API

    def get_git_matching_refs(self, prefix: str) -> list[SimpleNamespace]:
        assert prefix == "tags/v"
        return [SimpleNamespace(ref=f"refs/tags/{name}", object=SimpleNamespace(sha=sha))
                for name, sha in self.tag_refs.items()]


LOGIN = _pull(1, "feat/login", "Add login")
TYPO = _pull(2, "fix/typo", "Fix a typo")
OPEN = _pull(5, "feat/wip", "Work in progress", merged=False)
RELEASE = _pull(4, "stg", "Release 1.1.1", merge_commit_sha="m1", head_sha="c6", base="main")
FIRST_RELEASE = _pull(3, "stg", "Release 1.1.0", merge_commit_sha="m0", head_sha="c2", base="main")
# the staging line as any merge method leaves it: the pull requests are found by commit, never by message
HISTORY = [
    _commit("c0", "initial commit"),
    _commit("c1", "Add login (#1)", (LOGIN, FIRST_RELEASE, RELEASE)),  # squash commit of #1
    _commit("c2", "chore(release): 1.1.0\n\nRelease-Merge: c1", (FIRST_RELEASE, RELEASE)),
    _commit("c3", "fix a typo directly", (RELEASE,)),  # pushed, no pull request of its own
    _commit("c4", "Fix a typo, part 1", (TYPO, RELEASE)),  # rebase-merged #2: two replayed commits
    _commit("c5", "Fix a typo, part 2", (TYPO, RELEASE, OPEN)),
    _commit("c6", "chore(release): 1.1.1", (RELEASE,)),
]
MAIN = {"m0": _commit("m0", "Release 1.1.0 (#3)", (FIRST_RELEASE,)),
        "m1": _commit("m1", "Release 1.1.1 (#4)", (RELEASE,))}


def test_changes_lists_merged_pull_requests_of_the_staging_commits_oldest_first() -> None:
    """Pull requests come from the commits' associations, once each, without release or open ones."""
    repo = FakeRepo(HISTORY, {}, main=MAIN)
    found = changelog.changes(repo, None, "m1")
    assert found == [changelog.Change(1, "feat/login", "Add login"), changelog.Change(2, "fix/typo", "Fix a typo")]
    assert found[0].line() == "- Add login (#1, `feat/login`)"


def test_changes_since_previous_release_start_at_its_staging_commit() -> None:
    """The previous release commit on main leads to its stg head; only later staging commits count."""
    repo = FakeRepo(HISTORY, {"v1.1.0": "m0"}, main=MAIN)
    assert [c.number for c in changelog.changes(repo, "v1.1.0", "m1")] == [2]
    assert ("c2", "c6") in repo.compared


def test_changes_of_a_release_made_on_main_directly() -> None:
    """Without a pull request behind the release commit, the commit itself ends the range."""
    repo = FakeRepo(HISTORY, {"v1.0.0": "c0"})
    assert [c.number for c in changelog.changes(repo, "v1.0.0", "c5")] == [1, 2]


def test_previous_release_tag() -> None:
    """The previous release is the highest vX.Y.Z tag below the version that is an ancestor, tried highest first."""
    repo = FakeRepo([*HISTORY, _commit("x1", "elsewhere")], {
        "v0.9.0": "c0", "v1.0.0": "c2",  # ancestors
        "v1.0.5": "x1",  # higher, but not an ancestor
        "v1.1.0-stg": "c5", "v1.1.0rc": "c5",  # not release tags
        "v1.1.0": "c6", "v2.0.0": "c6",  # not lower than the version released
    }, others={"x1"})
    assert changelog.previous_release_tag(repo, "1.1.0", "c6") == "v1.0.0"
    assert [base for base, _ in repo.compared] == ["x1", "c2"]  # highest first, stops at the first ancestor


def test_previous_release_tag_none() -> None:
    """With no plain vX.Y.Z tag (only a -stg one) there is no previous release and nothing is compared."""
    repo = FakeRepo(HISTORY, {"v1.1.0-stg": "c5"})
    assert changelog.previous_release_tag(repo, "1.1.0", "c6") is None
    assert repo.compared == []


def test_render() -> None:
    """Notes name the version, previous tag and one line per change; with none they say so since the first commit."""
    text = changelog.render("1.1.0", "v1.0.0", [changelog.Change(4, "feat/search", "Add search")])
    assert text == "## Changes in 1.1.0 (since v1.0.0)\n\n- Add search (#4, `feat/search`)"
    assert "no pull requests merged" in changelog.render("1.1.0", None, [])
    assert "since the first commit" in changelog.render("1.1.0", None, [])


# --- gitops against a local bare repository ------------------------------------------------------

ENV = {**os.environ, "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.com",
       "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.com", "GIT_CONFIG_NOSYSTEM": "1"}


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "init.defaultBranch=stg", "-c", "commit.gpgsign=false", *args], cwd=cwd,
                          env=ENV, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def remote(tmp_path: Path) -> SimpleNamespace:
    """A bare repo whose stg holds VERSION 1.0.0 and the merge of feat/x; a clone to run the bump in."""
    bare, seed, work = tmp_path / "app.git", tmp_path / "seed", tmp_path / "work"
    git(tmp_path, "init", "--quiet", "--bare", str(bare))
    git(tmp_path, "init", "--quiet", str(seed))
    (seed / "VERSION").write_text("1.0.0\n")
    git(seed, "add", "VERSION")
    git(seed, "commit", "--quiet", "-m", "initial")
    git(seed, "checkout", "--quiet", "-b", "feat/x")
    (seed / "login.txt").write_text("login\n")
    git(seed, "add", "login.txt")
    git(seed, "commit", "--quiet", "-m", "add login")
    git(seed, "checkout", "--quiet", "stg")
    git(seed, "merge", "--quiet", "--no-ff", "feat/x", "-m", "Merge pull request #1 from acme/feat/x\n\nAdd login")
    merge = git(seed, "rev-parse", "HEAD")
    git(seed, "push", "--quiet", str(bare), "stg")
    git(tmp_path, "clone", "--quiet", str(bare), str(work))
    return SimpleNamespace(bare=bare, seed=seed, work=work, merge=merge, url=f"file://{bare}")


def _bump(r: SimpleNamespace, head_ref: str = "feat/x", **kw) -> gitops.Bump | None:
    return gitops.bump_and_push(workdir=r.work, remote_url=r.url, token="not-a-token", branch="stg",
                                head_ref=head_ref, merge_sha=r.merge, **kw)


def _remote(r: SimpleNamespace, *args: str) -> str:
    return git(r.bare, *args)


def test_bump_feat_merge(remote: SimpleNamespace) -> None:
    """A feat merge gets one bot commit on top of it on stg, setting VERSION to the next minor and citing the merge."""
    bump = _bump(remote)
    assert bump == gitops.Bump("minor", "1.0.0", "1.1.0", bump.sha, created=True)
    assert _remote(remote, "rev-parse", "stg") == bump.sha
    assert _remote(remote, "rev-parse", "stg^") == remote.merge  # exactly one commit on top of the merge
    assert _remote(remote, "show", "stg:VERSION") == "1.1.0"
    message = _remote(remote, "log", "-1", "--format=%B", "stg")
    assert message.startswith("chore(release): 1.1.0")
    assert f"Release-Merge: {remote.merge}" in message
    assert _remote(remote, "log", "-1", "--format=%an", "stg") == "github-actions[bot]"


def test_bump_fix_merge_is_patch(remote: SimpleNamespace) -> None:
    """A fix branch merged into stg bumps the patch, not the minor version."""
    bump = _bump(remote, "fix/typo")
    assert (bump.kind, bump.previous, bump.version) == ("patch", "1.0.0", "1.0.1")


def test_bump_twice_finds_the_first(remote: SimpleNamespace) -> None:
    """Bumping again for the same merge finds the first bump commit and pushes nothing new."""
    first = _bump(remote)
    second = _bump(remote)
    assert second == gitops.Bump("minor", "1.0.0", "1.1.0", first.sha, created=False)
    assert _remote(remote, "rev-parse", "stg") == first.sha
    assert _remote(remote, "rev-list", "--count", "stg") == "4"  # initial, feat commit, merge, one bump


def test_bump_found_again_after_the_branch_moved_on(remote: SimpleNamespace) -> None:
    """A merge's bump commit is still found after later commits landed on stg, so VERSION is bumped only once."""
    first = _bump(remote)
    git(remote.seed, "pull", "--quiet", "--ff-only", str(remote.bare), "stg")
    (remote.seed / "other.txt").write_text("later\n")
    git(remote.seed, "add", "other.txt")
    git(remote.seed, "commit", "--quiet", "-m", "a later commit")
    git(remote.seed, "push", "--quiet", str(remote.bare), "stg")
    again = _bump(remote)
    assert again is not None and again.sha == first.sha and not again.created
    assert _remote(remote, "show", "stg:VERSION") == "1.1.0"


def test_other_branch_is_a_noop(remote: SimpleNamespace) -> None:
    """A merge from a branch that asks for no release (docs/x, feat/) leaves stg untouched."""
    before = _remote(remote, "rev-parse", "stg")
    assert _bump(remote, "docs/x") is None
    assert _bump(remote, "feat/") is None
    assert _remote(remote, "rev-parse", "stg") == before


def test_bump_lands_on_top_of_a_moved_branch(remote: SimpleNamespace) -> None:
    """Another commit reached stg after the clone was made: the bump goes on top of it."""
    (remote.seed / "hotfix.txt").write_text("x\n")
    git(remote.seed, "add", "hotfix.txt")
    git(remote.seed, "commit", "--quiet", "-m", "landed meanwhile")
    moved = git(remote.seed, "rev-parse", "HEAD")
    git(remote.seed, "push", "--quiet", str(remote.bare), "stg")
    bump = _bump(remote)
    assert bump.created and _remote(remote, "rev-parse", "stg^") == moved
    assert _remote(remote, "show", "stg:hotfix.txt") == "x"


def test_bump_retries_when_the_push_is_rejected(remote: SimpleNamespace, monkeypatch: pytest.MonkeyPatch) -> None:
    """The branch moves between the fetch and the push: the push is rejected, the bump is redone on top."""
    real = gitops.Git.__call__
    state = {"raced": False}

    def racing(self, *args, **kw):
        if args[0] == "push" and not state["raced"]:
            state["raced"] = True
            (remote.seed / "race.txt").write_text("race\n")
            git(remote.seed, "add", "race.txt")
            git(remote.seed, "commit", "--quiet", "-m", "pushed during the run")
            git(remote.seed, "push", "--quiet", str(remote.bare), "stg")
        return real(self, *args, **kw)

    monkeypatch.setattr(gitops.Git, "__call__", racing)
    bump = _bump(remote)
    assert state["raced"] and bump.created and bump.version == "1.1.0"
    assert _remote(remote, "rev-parse", "stg") == bump.sha
    assert _remote(remote, "log", "-1", "--format=%s", "stg^") == "pushed during the run"
    assert _remote(remote, "rev-list", "--count", "--grep=^chore(release)", "stg") == "1"


def test_bump_refuses_a_merge_not_on_the_branch(remote: SimpleNamespace) -> None:
    """A merge SHA that is not on stg is refused with an error saying so."""
    with pytest.raises(ReleaseError, match="not on stg"):
        gitops.bump_and_push(workdir=remote.work, remote_url=remote.url, token="t", branch="stg",
                             head_ref="feat/x", merge_sha="f" * 40)


def test_bump_rejects_a_bad_version_file(remote: SimpleNamespace) -> None:
    """A pre-release VERSION on stg stops the bump with an error asking for a plain version."""
    (remote.seed / "VERSION").write_text("1.1.0-rc.1\n")
    git(remote.seed, "commit", "--quiet", "-am", "prerelease version")
    git(remote.seed, "push", "--quiet", str(remote.bare), "stg")
    with pytest.raises(ReleaseError, match="VERSION on stg must be a plain"):
        _bump(remote)
