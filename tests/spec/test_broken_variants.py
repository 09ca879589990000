"""The spec catches breakage: deliberately broken copies of the reference (workflows or CLI) are
run through the spec, which must fail and name the seed item each one breaks. And it accepts
correct copies that make other legal choices ("must pass" variants).

Each variant is the reference with one edit, made the way a careless change would make it.
The spec runs in a child pytest (as a user would run it with --workflows DIR --action DIR); its
cucumber JSON tells which scenarios failed and which seed items they carry.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "workflows"


@dataclass(frozen=True)
class Edit:
    """One textual edit to a file of the reference CLI (a path under reference/)."""

    file: str
    old: str
    new: str


def edit_text(variant: str, path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, f"variant {variant}: {old!r} not found in {path.name}; update the variant"
    path.write_text(text.replace(old, new, count or -1))


@dataclass(frozen=True)
class Variant:
    """One implementation: an edit to one workflow file (and optionally the CLI), and what the spec must say."""

    name: str
    file: str  # workflow file edited ("" for a CLI-only edit)
    old: str
    new: str
    features: tuple[str, ...]  # feature files enough to show the breakage
    item: str  # the seed item id a failing scenario must carry ("" for a must-pass variant)
    count: int = 1  # how many occurrences of `old` the edit replaces (0 = all)
    marker: str = ""  # only the scenarios with this tag (a pytest -m expression), when a file is more than needed
    cli: tuple[Edit, ...] = ()  # edits to the reference CLI
    keyword: str = ""  # only the scenarios matching this pytest -k expression

    def apply(self, target: Path) -> Path:
        """Write the variant's workflows to target/workflows and its CLI to target/action; return the former."""
        workflows = target / "workflows"
        shutil.copytree(REFERENCE, workflows)
        if self.file:
            edit_text(self.name, workflows / self.file, self.old, self.new, self.count)
        shutil.copytree(ROOT / "reference", target / "action" / "reference",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for edit in self.cli:
            edit_text(self.name, target / "action" / "reference" / edit.file, edit.old, edit.new)
        return workflows


# promotion through the engine: pull the staging image, tag it, push the tag. Legal for a one-platform
# image (same digest, no layer pushed, nothing built); it loses every platform but the engine's own.
PULL_TAG_PUSH = (Edit("images.py", "            client.put_manifest(repo, target_tag, manifest)\n",
                      '            source, target = f"{registry}/{repo}:{source_tag}", f"{registry}/{repo}:{target_tag}"\n'
                      '            _docker("pull", "--quiet", source, context=f"pulling {source}")\n'
                      '            _docker("tag", source, target, context=f"tagging {target}")\n'
                      '            _docker("push", "--quiet", target, context=f"pushing {target}")\n'),)

VARIANTS = [
    Variant("production-rebuilds", "build-prod-image.yml",
            'run: release-cli promote --stg-sha "$STG_SHA"',
            """run: release-cli build --sha "$STG_SHA" --tags '{version}'""",
            ("production_promotion",), "prod_no_rebuild"),
    Variant("feat-bumps-patch", "build-image.yml", "--rules 'feat/=minor,fix/=patch'",
            "--rules 'feat/=patch,fix/=patch'", ("version_bump",), "bump_kind"),
    Variant("stg-semver-tag-missing", "build-image.yml", "--tags 'stg-{short},stg-{version}'", "--tags 'stg-{short}'",
            ("image_tags",), "stg_tags"),
    Variant("prerelease-is-full-release", "build-stg-image.yml", "      prerelease: true", "      prerelease: false",
            ("staging_release",), "prerelease"),
    Variant("production-payload-carries-staging-tag", "build-prod-image.yml",
            "images: ${{ steps.promote.outputs.images }}", "images: ${{ steps.promote.outputs.staging-images }}",
            ("production_payload",), "prod_payload"),
    Variant("no-commit-comment", "build-image.yml",
            'run: release-cli comment --sha "$SHA" --version "$VERSION" --images "$IMAGES_JSON"',
            'run: echo "tags: $IMAGES_JSON"', ("image_tags",), "tags_in_comment"),
    Variant("changelog-left-out", "build-prod-image.yml", "      changelog: true", "      changelog: false",
            ("production_release",), "prod_changelog"),
    Variant("fix-bumps-minor", "build-image.yml", "--rules 'feat/=minor,fix/=patch'",
            "--rules 'feat/=minor,fix/=minor'", ("version_bump",), "bump_kind"),
    Variant("no-pull-request-to-main", "build-stg-image.yml",
            'run: release-cli pr --head stg --base main --version "$VERSION" --images "$IMAGES_JSON"',
            'run: echo "the pull request to main is left to a person: $VERSION"', ("pull_request_to_main",), "pr_to_main"),
    Variant("pre-release-without-images", "build-stg-image.yml",
            "      target: ${{ needs.build.outputs.sha }}\n      images: ${{ needs.build.outputs.images }}",
            "      target: ${{ needs.build.outputs.sha }}\n      images: '{}'", ("staging_release",), "prerelease_links"),
    Variant("staging-payload-without-images", "build-stg-image.yml",
            "      ref: refs/heads/stg\n      images: ${{ needs.build.outputs.images }}",
            "      ref: refs/heads/stg\n      images: '{}'", ("staging_payload",), "stg_payload"),
    Variant("production-release-is-prerelease", "build-prod-image.yml",
            "      prerelease: false\n      changelog: true", "      prerelease: true\n      changelog: true",
            ("production_release",), "prod_release"),
    Variant("production-dispatch-missing", "build-prod-image.yml",
            "  trigger-release:\n    needs: [promote, release]", "  trigger-release:\n    if: false\n    needs: [promote, release]",
            ("production_payload",), "prod_dispatch"),
    Variant("staging-cancels-in-progress", "build-stg-image.yml", "  cancel-in-progress: false",
            "  cancel-in-progress: true", ("hardening",), "concurrent_merges", marker="concurrent_merges"),
    Variant("minor-bump-keeps-patch", "", "", "", ("version_bump",), "bump_kind", keyword="1.2.3",
            cli=(Edit("version.py", "return current.bump_minor()", "return current.replace(minor=current.minor + 1)"),)),
    Variant("images-built-from-the-merge-commit", "", "", "", ("version_bump",), "version_in_sync", keyword="search",
            cli=(Edit("cli.py", """    gitops.checkout(Path.cwd(), args.sha)
    found = str(version.parse((Path.cwd() / "VERSION").read_text() if (Path.cwd() / "VERSION").exists() else None))""",
                      """    gitops.checkout(Path.cwd(), os.environ.get("GITHUB_SHA") or args.sha)  # the event's commit
    found = str(version.parse(args.version, source="--version"))"""),)),
    # a debugging line left in: curl -v prints `Authorization: Basic base64(x-access-token:TOKEN)`
    Variant("token-in-a-verbose-curl", "build-image.yml", "        run: release-cli comment",
            """        run: curl -sv -u "x-access-token:$GITHUB_TOKEN" "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY" -o /dev/null; release-cli comment""",
            ("hardening",), "no_secret_leak", keyword="encoding"),
    Variant("token-printed-as-hex", "build-image.yml", "        run: release-cli comment",
            """        run: printf '%s' "$GITHUB_TOKEN" | od -An -tx1 | tr -d ' \\n'; echo; release-cli comment""",
            ("hardening",), "no_secret_leak", keyword="encoding"),
    # a token put into a URL by a tool that percent-encodes every byte (a ghs_ token has no reserved character)
    Variant("token-percent-encoded", "build-image.yml", "        run: release-cli comment",
            """        run: echo "next=$(printf '%s' "$GITHUB_TOKEN" | od -An -tx1 | tr -d '\\n' | tr ' ' '%')"; release-cli comment""",
            ("hardening",), "no_secret_leak", keyword="encoding"),
    Variant("changelog-of-commit-subjects", "", "", "", ("production_release",), "prod_changelog",
            keyword="commit_messages",
            cli=(Edit("changelog.py", "        title = next((line.strip() for line in lines[1:] if line.strip()), branch)",
                      "        title = repo.get_commit(commit.parents[-1].sha).commit.message.splitlines()[0]"),)),
    # a job that forgot `contents: write`: on GitHub its token cannot create the release (403)
    Variant("pre-release-without-contents-write-permission", "build-stg-image.yml",
            "    permissions:\n      contents: write\n    uses: ./.github/workflows/create-release.yml",
            "    permissions:\n      contents: read\n    uses: ./.github/workflows/create-release.yml",
            ("staging_release",), "prerelease", keyword="feature_gets"),
    Variant("shorthash-by-git-abbreviation", "build-image.yml", """--tags 'stg-{short},stg-{version}'""",
            '--tags "stg-$(git rev-parse --short "$SHA"),stg-{version}"', ("image_tags",), "stg_tags",
            keyword="digits"),
    Variant("promotes-what-stg-is-now", "", "", "", ("production_promotion",), "prod_retag", keyword="moved",
            cli=(Edit("cli.py", '    git = gitops.Git(Path.cwd(), "", "")\n',
                      '    args.stg_sha = ctx.repo().get_branch("stg").commit.sha  # what staging holds\n'
                      '    git = gitops.Git(Path.cwd(), "", "")\n'),)),
    Variant("promotion-by-pull-tag-push", "", "", "", ("production_promotion",), "prod_retag", keyword="platform",
            cli=PULL_TAG_PUSH),
]


def failing_items(cucumber: Path) -> dict[str, set[str]]:
    """Seed item tags of every failed scenario: {scenario name: {tags}}. A scenario whose verdict is
    "error" (the testbed broke) does not count: it shows nothing about the variant."""
    failed: dict[str, set[str]] = {}
    for feature in json.loads(cucumber.read_text()):
        for element in feature.get("elements", []):
            statuses = [step.get("result", {}).get("status") for step in element.get("steps", [])]
            verdict = element.get("conformance", {}).get("verdict")
            if verdict == "failed" or (verdict is None and any(status == "failed" for status in statuses)):
                tags = {tag["name"].lstrip("@") for tag in element.get("tags", [])}
                failed[element.get("name", "?")] = tags
    return failed


def run_spec(workflows: Path, features: tuple[str, ...], results: Path, marker: str = "",
             keyword: str = "") -> tuple[int, dict[str, set[str]], str]:
    cucumber = results / "cucumber.json"
    command = [
        sys.executable, "-m", "pytest", *(str(ROOT / "features" / f"test_{name}.py") for name in features),
        "--workflows", str(workflows), "--action", str(workflows.parent / "action"), f"--cucumberjson={cucumber}",
        "-p", "no:cacheprovider", "-q", "--no-header", f"--results-dir={results}",
        *(["-m", marker] if marker else []), *(["-k", keyword] if keyword else []),
    ]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    failed = failing_items(cucumber) if cucumber.exists() else {}
    return result.returncode, failed, result.stdout[-3000:]


@pytest.mark.selftest
@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.name)
def test_spec_rejects_broken_variant(variant: Variant, tmp_path: Path) -> None:
    """The spec fails on this broken copy, and a failing scenario names the broken seed item."""
    workflows = variant.apply(tmp_path / "variant")
    code, failed, output = run_spec(workflows, variant.features, tmp_path / "results", variant.marker, variant.keyword)
    assert code != 0, f"the spec passed the broken variant {variant.name!r}:\n{output}"
    named = [scenario for scenario, tags in failed.items() if variant.item in tags]
    assert named, f"no failing scenario carries @{variant.item}; failed: {failed}\n{output}"


# correct implementations that make other legal choices: the spec must pass them
PASSING = [
    # every merge into stg gets a release of its own, in order (1.3.0, 1.4.0, 1.5.0): no run waits or is cancelled
    Variant("staging-runs-not-serialised", "build-stg-image.yml", "  group: release-stg\n",
            "  group: release-stg-${{ github.event.pull_request.number }}\n", ("hardening",), "",
            keyword="three_features"),
    Variant("one-platform-promotion-by-pull-tag-push", "", "", "", ("production_promotion",), "",
            keyword="tested_staging_image",
            cli=PULL_TAG_PUSH),
]


@pytest.mark.selftest
@pytest.mark.parametrize("variant", PASSING, ids=lambda variant: variant.name)
def test_spec_accepts_correct_variant(variant: Variant, tmp_path: Path) -> None:
    """The spec passes this correct copy that makes other legal choices than the reference."""
    workflows = variant.apply(tmp_path / "variant")
    code, failed, output = run_spec(workflows, variant.features, tmp_path / "results", variant.marker, variant.keyword)
    assert code == 0 and not failed, f"the spec rejected the correct variant {variant.name!r}: {failed}\n{output}"
