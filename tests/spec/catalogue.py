"""The mutation catalogue: plausible mistakes applied to the reference (workflows/ and the CLI under
reference/), each breaking one sentence of the contract (`tests/spec/sentences.py`).

Data only: `tests/spec/mutation.py` applies a mutant and runs the spec's scenarios for its
sentence; `python3 -m tests.spec.mutate` runs the catalogue. `keyword` narrows the scenarios to the
cheapest that show the mistake (a pytest -k expression, on top of -m with the sentence's claims).
An `equivalent` mutant meets the contract (its argument says why); it is not counted in the score.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.spec.sentences import BY_ID


@dataclass(frozen=True)
class Edit:
    """Replace `old` by `new` in one file of the reference (workflows/X.yml or reference/X.py)."""

    file: str
    old: str
    new: str
    count: int = 1  # occurrences replaced (0 = all)


@dataclass(frozen=True)
class Mutant:
    """One plausible mistake: which contract sentence it breaks, how, and which scenarios show it."""

    id: str
    sentence: str
    operator: str  # the kind of mistake: value, condition, wiring, removal, range, ...
    mistake: str  # what a careless author did
    edits: tuple[Edit, ...]
    keyword: str = ""  # pytest -k on top of the sentence's claims
    equivalent: str = ""  # why the mutant meets the contract ("" = it must be killed)
    fast: bool = False  # in the fixed subset CI runs (tests/spec/test_broken_variants.py)


def wf(name: str, old: str, new: str, count: int = 1) -> Edit:
    return Edit(f"workflows/{name}", old, new, count)


def cli(name: str, old: str, new: str, count: int = 1) -> Edit:
    return Edit(f"reference/{name}", old, new, count)


BUMP_RUN = "--rules 'feat/=minor,fix/=patch'"
TAGS = "--tags 'stg-{short},stg-{version}'"
COMMENT_RUN = "        run: release-cli comment"
VB_FEAT, VB_FIX, VB_123, VB_AFTER = "feat/search", "typo", "1.2.3", "export-name"
TAGS_SCENARIO, DIGITS = "stgshorthash", "digits"
PRE, STG_PAYLOAD, PULL = "prerelease_linking", "receives_the_staging", "opens_the_pull_request"
PROMOTE, MOVED, PLATFORMS = "tested_staging_image", "moved_on_before", "multiplatform"
RELEASE, TITLES, PROD_PAYLOAD = "links_the_promoted", "commit_messages", "receives_the_production"

# promotion through the engine: pull, tag, push (loses every platform but the engine's own)
PULL_TAG_PUSH = cli("images.py", "            client.put_manifest(repo, target_tag, manifest)\n",
                    '            source, target = f"{registry}/{repo}:{source_tag}", f"{registry}/{repo}:{target_tag}"\n'
                    '            _docker("pull", "--quiet", source, context=f"pulling {source}")\n'
                    '            _docker("tag", source, target, context=f"tagging {target}")\n'
                    '            _docker("push", "--quiet", target, context=f"pushing {target}")\n')

# the comment works out both tags itself (so a mutant of the outputs leaves the comment right)
COMMENT_OWN_TAGS = cli("cli.py", 'for tag in image.get("tags", [image["tag"]]))',
                       'for tag in tags.staging_tags(args.sha, args.version))')

BUILD_BLOCK = """            args = ["build", "--quiet", "--file", str(dockerfile)]
            for name in names:
                args += ["--tag", name]
            _docker(*args, str(workdir), context=f"building image {spec.name}")
            for name in names:
                _docker("push", "--quiet", name, context=f"pushing {name}")
            pushed = {client.digest(repo, tag) for tag in tags}
            if len(pushed) != 1 or None in pushed:
                raise ReleaseError(f"{registry}/{repo}: after the push the tags {tags} do not share one digest")
            digest = str(pushed.pop())
"""

MUTANTS: tuple[Mutant, ...] = (
    # --- inputs
    Mutant("registry-hard-coded", "IN1", "constant", "the registry is written into the workflow as ghcr.io",
           (wf("build-image.yml", "IMAGE_REGISTRY: ${{ vars.IMAGE_REGISTRY || 'ghcr.io' }}", "IMAGE_REGISTRY: ghcr.io"),),
           TAGS_SCENARIO),
    # --- staging: the bump
    Mutant("bump-commit-touches-another-file", "ST1", "extra effect", "the bump also writes a CHANGELOG.md entry",
           (cli("gitops.py", '        git("add", "VERSION")\n',
                '        (workdir / "CHANGELOG.md").write_text(f"## {new}\\n")\n        git("add", "VERSION", "CHANGELOG.md")\n'),),
           ""),
    Mutant("bump-commit-skips-ci", "ST1", "value", "the bump commit's message carries [skip ci] to avoid a loop",
           (cli("gitops.py", 'message = (f"chore(release): {new}\\n', 'message = (f"chore(release): {new} [skip ci]\\n'),),
           ""),
    Mutant("feat-bumps-patch", "ST2", "value", "the rules give feat/ a patch bump",
           (wf("build-image.yml", BUMP_RUN, "--rules 'feat/=patch,fix/=patch'"),), VB_FEAT),
    Mutant("minor-bump-keeps-patch", "ST2", "arithmetic", "the minor bump adds one to the minor and keeps the patch",
           (cli("version.py", "return current.bump_minor()", "return current.replace(minor=current.minor + 1)"),), VB_123),
    Mutant("feat-bumps-major", "ST2", "value", "the rules give feat/ a major bump",
           (wf("build-image.yml", BUMP_RUN, "--rules 'feat/=major,fix/=patch'"),), VB_FEAT),
    Mutant("fix-bumps-minor", "ST3", "value", "the rules give fix/ a minor bump",
           (wf("build-image.yml", BUMP_RUN, "--rules 'feat/=minor,fix/=minor'"),), VB_FIX, fast=True),
    Mutant("fix-prefix-misspelled", "ST3", "value", "the fix rule is spelled fixes/, so fix/* releases nothing",
           (wf("build-image.yml", BUMP_RUN, "--rules 'feat/=minor,fixes/=patch'"),), VB_AFTER),
    # --- staging: images and tags
    Mutant("images-built-from-the-merge-commit", "ST4", "wrong commit",
           "the images are built from the event's commit (the merge), not the bump commit",
           (cli("cli.py", """    gitops.checkout(Path.cwd(), args.sha)
    found = str(version.parse((Path.cwd() / "VERSION").read_text() if (Path.cwd() / "VERSION").exists() else None))""",
                """    gitops.checkout(Path.cwd(), os.environ.get("GITHUB_SHA") or args.sha)  # the event's commit
    found = str(version.parse(args.version, source="--version"))"""),), "featsearch"),
    Mutant("build-step-given-the-merge-sha", "ST4", "wiring", "the build step is given the merge commit instead of the bump",
           (wf("build-image.yml", "          SHA: ${{ steps.bump.outputs.sha }}\n        run: release-cli build",
               "          SHA: ${{ inputs.merge-sha }}\n        run: release-cli build"),), "featsearch"),
    Mutant("stg-semver-tag-missing", "ST5", "removal", "only stg-<SHORTHASH> is pushed",
           (wf("build-image.yml", TAGS, "--tags 'stg-{short}'"),), TAGS_SCENARIO),
    Mutant("stg-semver-tag-with-v", "ST5", "value", "the version tag is written stg-v<SemVer>",
           (wf("build-image.yml", TAGS, "--tags 'stg-{short},stg-v{version}'"),), TAGS_SCENARIO, fast=True),
    Mutant("one-build-per-tag", "ST5", "duplication", "each tag gets its own fresh build, so the tags hold two digests",
           (cli("images.py", BUILD_BLOCK, """            for name in names:  # a clean build for each tag
                _docker("build", "--quiet", "--no-cache", "--file", str(dockerfile), "--tag", name, str(workdir),
                        context=f"building image {spec.name}")
                _docker("push", "--quiet", name, context=f"pushing {name}")
            digest = str(client.digest(repo, tags[-1]))
"""),), TAGS_SCENARIO),
    Mutant("shorthash-by-git-abbreviation", "ST6", "tool default", "SHORTHASH from git rev-parse --short",
           (wf("build-image.yml", TAGS, '--tags "stg-$(git rev-parse --short "$SHA"),stg-{version}"'),), DIGITS),
    Mutant("shorthash-eight-digits", "ST6", "off by one", "SHORTHASH is the first 8 hex digits",
           (cli("tags.py", "return sha[:7]", "return sha[:8]"),), TAGS_SCENARIO),
    Mutant("no-commit-comment", "ST7", "removal", "the comment step only echoes the tags",
           (wf("build-image.yml", 'run: release-cli comment --sha "$SHA" --version "$VERSION" --images "$IMAGES_JSON"',
               'run: echo "the tags are $IMAGES_JSON"'),), "comment_names_both"),
    Mutant("comment-on-the-merge-commit", "ST7", "wrong commit", "the comment goes on the merge commit",
           (wf("build-image.yml", "          SHA: ${{ steps.bump.outputs.sha }}\n          IMAGES_JSON",
               "          SHA: ${{ inputs.merge-sha }}\n          IMAGES_JSON"),), "comment_names_both"),
    Mutant("comment-names-one-tag", "ST7", "removal", "the comment names each image's last tag only",
           (cli("cli.py", 'for tag in image.get("tags", [image["tag"]]))', 'for tag in [image["tag"]])'),), "comment_names_both"),
    Mutant("outputs-hold-the-version-tag-only", "ST8", "removal", "the outputs report only the stg-<SemVer> tag (what "
           "the later jobs use); the comment works its tags out itself",
           (cli("cli.py", 'return {"version": found, "tags": image_tags,', 'return {"version": found, "tags": image_tags[-1:],'),
            cli("images.py", '"tags": list(tags)}', '"tags": list(tags)[-1:]}'), COMMENT_OWN_TAGS), "outputs_hold_both"),
    Mutant("tags-exposed-by-no-output", "CL1", "wiring", "the job outputs map the tags from a misspelled step output and "
           "the images JSON keeps only the version tag; the comment works its tags out itself",
           (wf("build-image.yml", "      tags: ${{ steps.build.outputs.tags }}\n      images",
               "      tags: ${{ steps.build.outputs.tag }}\n      images"),
            cli("images.py", '"tags": list(tags)}', '"tags": list(tags)[-1:]}'), COMMENT_OWN_TAGS), "outputs_hold_both"),
    Mutant("build-with-buildx", "CL7", "unavailable tool", "the images are built with docker buildx build --load",
           (cli("images.py", 'args = ["build", "--quiet"', 'args = ["buildx", "build", "--load", "--quiet"'),), TAGS_SCENARIO),
    # --- staging: pre-release
    Mutant("prerelease-is-full-release", "ST9", "flag", "the staging release is a full release",
           (wf("build-stg-image.yml", "      prerelease: true", "      prerelease: false"),), "prerelease_of_its_version", fast=True),
    Mutant("prerelease-without-contents-write", "ST9", "permission",
           "the job that makes the pre-release asks for contents: read (on GitHub its token cannot create a release)",
           (wf("build-stg-image.yml",
               "    permissions:\n      contents: write\n    uses: ./.github/workflows/create-release.yml",
               "    permissions:\n      contents: read\n    uses: ./.github/workflows/create-release.yml"),), "prerelease_of_its_version"),
    Mutant("prerelease-made-latest", "ST9", "flag", "make_latest is true for the pre-release too",
           (cli("releases.py", 'make_latest="false" if prerelease else "true"', 'make_latest="true"'),), "prerelease_of_its_version",
           equivalent="GitHub never makes a pre-release the latest release (make_latest applies to full releases); "
                      "the local GitHub does the same, so the effect is that of the reference"),
    Mutant("prerelease-as-draft", "ST9", "flag", "the pre-release is left a draft until production",
           (cli("releases.py", "prerelease=prerelease, target_commitish=target,",
                "prerelease=prerelease, draft=prerelease, target_commitish=target,"),), "prerelease_of_its_version"),
    Mutant("prerelease-at-the-merge-commit", "ST10", "wrong commit", "the pre-release is tagged at the merge commit",
           (wf("build-stg-image.yml", "      target: ${{ needs.build.outputs.sha }}",
               "      target: ${{ github.event.pull_request.merge_commit_sha }}"),), "prerelease_of_its_version"),
    Mutant("prerelease-tag-is-the-production-tag", "CL2", "value", "both releases are tagged v<SemVer>",
           (cli("tags.py", 'return f"v{version}-stg" if prerelease else f"v{version}"', 'return f"v{version}"'),), "prerelease_of_its_version or publishes_the_full_release"),
    Mutant("prerelease-tag-without-version", "ST10", "value", "one rolling pre-release tagged `staging`",
           (cli("tags.py", 'return f"v{version}-stg" if prerelease else f"v{version}"',
                'return "staging" if prerelease else f"v{version}"'),), "prerelease_of_its_version"),
    Mutant("pre-release-without-images", "ST11", "removal", "the pre-release is given no images",
           (wf("build-stg-image.yml", "      target: ${{ needs.build.outputs.sha }}\n      images: ${{ needs.build.outputs.images }}",
               "      target: ${{ needs.build.outputs.sha }}\n      images: '{}'"),), PRE),
    Mutant("image-lines-without-digest", "ST11", "removal", "release bodies list repository:tag without the digest",
           (cli("releases.py", """else f"`{image['reference']}`\"""", """else f"`{image['repository']}:{image['tag']}`\""""),),
           PRE),
    # --- staging: dispatch and payload
    Mutant("dispatch-to-the-app-repository", "ST12", "wrong target", "the staging payload goes to the app repository",
           (wf("build-stg-image.yml", "chart-repository: ${{ vars.HELM_CHART_REPOSITORY }}",
               "chart-repository: ${{ github.repository }}"),), "dispatches_once", fast=True),
    Mutant("dispatch-event-type-wrong", "ST12", "value", "the event type is written helm_release",
           (wf("build-stg-image.yml", "event-type: ${{ vars.HELM_RELEASE_EVENT_TYPE || 'helm-release' }}",
               "event-type: helm_release"),), "dispatches_once"),
    Mutant("dispatch-once-per-image", "ST12", "duplication", "one dispatch per image instead of one per release",
           (cli("cli.py", "        target.create_repository_dispatch(args.event_type, body)\n",
                "        for name in body[\"images\"]:\n"
                "            target.create_repository_dispatch(args.event_type, {**body, \"images\": {name: body[\"images\"][name]}})\n"),),
           "dispatches_once"),
    Mutant("staging-payload-without-images", "ST13", "removal", "the staging dispatch is given no images",
           (wf("build-stg-image.yml", "      ref: refs/heads/stg\n      images: ${{ needs.build.outputs.images }}",
               "      ref: refs/heads/stg\n      images: '{}'"),), STG_PAYLOAD),
    Mutant("payload-field-renamed", "ST13", "rename", "the payload's `version` is renamed `semver` (CLI schema too)",
           (cli("payload.py", '"version": version,', '"semver": version,'),
            cli("payload.schema.json", '"required": ["environment", "version",', '"required": ["environment", "semver",'),
            cli("payload.schema.json", '"version": {"type": "string"', '"semver": {"type": "string"')),
           STG_PAYLOAD),
    Mutant("digest-is-the-local-image-id", "ST13", "wrong value", "the digest reported is the engine's image ID",
           (cli("images.py", "            digest = str(pushed.pop())\n",
                '            digest = subprocess.run(["docker", "image", "inspect", "--format", "{{.Id}}", names[0]],\n'
                "                                    capture_output=True, text=True, check=True).stdout.strip()\n"),),
           STG_PAYLOAD),
    Mutant("reference-without-tag", "ST13", "format", "image references are written repository@digest",
           (cli("images.py", '"reference": f"{repo}:{tag}@{digest}"', '"reference": f"{repo}@{digest}"'),), STG_PAYLOAD),
    Mutant("dispatch-with-the-run-token", "CL8", "wrong secret", "the dispatch uses the run's own token",
           (wf("trigger-helm-release.yml", "HELM_RELEASE_TOKEN: ${{ secrets.HELM_RELEASE_TOKEN }}",
               "HELM_RELEASE_TOKEN: ${{ github.token }}"),), "dispatches_once"),
    Mutant("reusable-reads-secrets-github-token", "CL8", "wrong secret",
           "the called workflow reads secrets.GITHUB_TOKEN (empty there under act)",
           (wf("build-image.yml", "GITHUB_TOKEN: ${{ github.token }}", "GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}", 0),),
           TAGS_SCENARIO, equivalent="on GitHub secrets.GITHUB_TOKEN holds the run's token in a called workflow too, "
           "and in the testbed the spec passed it (2026-11-27): every effect holds; CL8's remark on act is advice"),
    # --- staging: pull request
    Mutant("no-pull-request-to-main", "ST14", "removal", "the pull request to main is left to a person",
           (wf("build-stg-image.yml", 'run: release-cli pr --head stg --base main --version "$VERSION" --images "$IMAGES_JSON"',
               'run: echo "the pull request to main is left to a person, $VERSION"'),), PULL),
    Mutant("pull-request-from-the-merged-branch", "ST14", "wrong value", "the pull request to main is opened from the merged branch",
           (wf("build-stg-image.yml", "          IMAGES_JSON: ${{ needs.build.outputs.images }}\n        run: release-cli pr --head stg",
               "          IMAGES_JSON: ${{ needs.build.outputs.images }}\n"
               "          HEAD_REF: ${{ github.event.pull_request.head.ref }}\n"
               '        run: release-cli pr --head "$HEAD_REF"'),), PULL),
    # --- production: promotion
    Mutant("promote-from-the-merge-commit", "PR1", "wrong commit", "promotion looks up the staging image of the merge commit",
           (wf("build-prod-image.yml", "STG_SHA: ${{ github.event.pull_request.head.sha }}",
               "STG_SHA: ${{ github.event.pull_request.merge_commit_sha }}"),), PROMOTE),
    Mutant("promote-only-the-first-image", "PR1", "off by one", "promotion handles the first image only",
           (cli("images.py", "    for spec in specs:\n        repo = repository(namespace, spec.name)\n        manifest",
                "    for spec in specs[:1]:\n        repo = repository(namespace, spec.name)\n        manifest"),), PROMOTE,
           fast=True),
    Mutant("promotes-what-stg-is-now", "PR2", "wrong commit", "promotion takes the commit stg holds at run time",
           (cli("cli.py", '    git = gitops.Git(Path.cwd(), "", "")\n',
                '    args.stg_sha = ctx.repo().get_branch("stg").commit.sha  # what staging holds\n'
                '    git = gitops.Git(Path.cwd(), "", "")\n'),), MOVED),
    Mutant("promotion-by-pull-tag-push", "PR3", "mechanism", "promotion pulls, tags and pushes through the engine",
           (PULL_TAG_PUSH,), PLATFORMS),
    Mutant("promotion-accepts-no-index", "PR3", "removal", "the registry client asks for single manifests only",
           (cli("registry.py", '    "application/vnd.oci.image.index.v1+json",\n', ""),
            cli("registry.py", '    "application/vnd.docker.distribution.manifest.list.v2+json",\n', "")), PLATFORMS),
    Mutant("production-rebuilds", "PR4", "mechanism", "production builds the staging commit again",
           (wf("build-prod-image.yml", 'run: release-cli promote --stg-sha "$STG_SHA"',
               """run: release-cli build --sha "$STG_SHA" --tags '{version}'"""),), PROMOTE),
    Mutant("promotion-through-save-and-load", "CL5", "mechanism", "promotion pulls, saves and loads the image, then pushes",
           (cli("images.py", "            client.put_manifest(repo, target_tag, manifest)\n",
                '            source, target = f"{registry}/{repo}:{source_tag}", f"{registry}/{repo}:{target_tag}"\n'
                '            _docker("pull", "--quiet", source, context=f"pulling {source}")\n'
                '            subprocess.run(f"docker save {source} | docker load", shell=True, check=True)\n'
                '            _docker("tag", source, target, context=f"tagging {target}")\n'
                '            _docker("push", "--quiet", target, context=f"pushing {target}")\n'),), PROMOTE),
    # --- production: release
    Mutant("production-release-is-prerelease", "PR5", "flag", "the production release is a pre-release",
           (wf("build-prod-image.yml", "      prerelease: false\n      changelog: true",
               "      prerelease: true\n      changelog: true"),), "publishes_the_full_release"),
    Mutant("production-release-at-the-stg-commit", "PR5", "wrong commit", "the release is tagged at the merged stg commit",
           (wf("build-prod-image.yml", "target: ${{ github.event.pull_request.merge_commit_sha }}",
               "target: ${{ github.event.pull_request.head.sha }}"),), "publishes_the_full_release"),
    Mutant("production-release-not-latest", "PR5", "flag", "make_latest is false for every release",
           (cli("releases.py", 'make_latest="false" if prerelease else "true"', 'make_latest="false"'),), "publishes_the_full_release"),
    Mutant("production-body-without-digest", "PR6", "removal", "the release body lists repository:tag only",
           (cli("releases.py", 'f"### {heading}", "", *image_lines(images)]',
                """f"### {heading}", "", *(f"- {n}: `{i['repository']}:{i['tag']}`" for n, i in sorted(images.items()))]"""),),
           RELEASE),
    Mutant("production-release-links-staging-images", "CL4", "wiring", "the release is given the staging references",
           (wf("build-prod-image.yml", "      images: ${{ steps.promote.outputs.images }}\n",
               "      images: ${{ steps.promote.outputs.images }}\n"
               "      staging-images: ${{ steps.promote.outputs.staging-images }}\n"),
            wf("build-prod-image.yml", "      images: ${{ needs.promote.outputs.images }}\n      prerelease: false",
               "      images: ${{ needs.promote.outputs.staging-images }}\n      prerelease: false")), RELEASE),
    Mutant("changelog-left-out", "PR7", "flag", "the production release has no changelog",
           (wf("build-prod-image.yml", "      changelog: true", "      changelog: false"),), "pull_request_titles"),
    Mutant("changelog-of-commit-subjects", "PR7", "wrong value", "the changelog lists commit subjects",
           (cli("changelog.py", "            found.append(Change(pull.number, pull.head.ref, pull.title))",
                "            found.append(Change(pull.number, pull.head.ref, commit.commit.message.splitlines()[0]))"),),
           TITLES),
    Mutant("changelog-range-one-release-too-far", "PR7", "off by one", "the range starts one release too early",
           (cli("changelog.py", "in sorted(candidates, reverse=True):", "in sorted(candidates, reverse=True)[1:]:"),),
           "pull_request_titles", fast=True),
    Mutant("changelog-range-bounded-by-pre-release", "CL3", "pattern", "release tags are matched by prefix, so a "
           "pre-release tag (v1.3.0-stg) bounds the range",
           (cli("changelog.py", "match = RELEASE_TAG.fullmatch(name)", "match = RELEASE_TAG.match(name)"),),
           "three_features"),
    Mutant("changelog-lists-release-pull-requests", "CL3", "removal", "the stg -> main pull requests are listed too",
           (cli("changelog.py", "pull.number in seen or pull.head.ref == staging:", "pull.number in seen:"),), "pull_request_titles",
           equivalent="CL3: the stg -> main pull requests may be listed or left out"),
    # --- production: payload
    Mutant("production-payload-carries-staging-tag", "PR8", "wiring", "the production payload names the staging tags",
           (wf("build-prod-image.yml", "images: ${{ steps.promote.outputs.images }}",
               "images: ${{ steps.promote.outputs.staging-images }}"),), PROD_PAYLOAD),
    Mutant("production-dispatch-missing", "PR8", "condition", "the production dispatch job is switched off",
           (wf("build-prod-image.yml", "  trigger-release:\n    needs: [promote, release]",
               "  trigger-release:\n    if: false\n    needs: [promote, release]"),), PROD_PAYLOAD),
    # --- hardening
    Mutant("rerun-bumps-again", "HA1", "pattern", "the re-run looks for its bump by the short merge SHA",
           (cli("gitops.py", 'f"--grep=^{TRAILER}: {merge_sha}$"', 'f"--grep=^{TRAILER}: {merge_sha[:7]}$"'),),
           "rerunning_the_staging"),
    Mutant("rerun-dispatches-again", "HA1", "wrong value", "the once-per-commit marker is looked up by the wrong name",
           (cli("cli.py", "status.context == marker and", "status.context == args.environment and"),),
           "rerunning_the_staging"),
    Mutant("rerun-comments-again", "HA1", "comparison", "an existing comment is compared stripped, so never found",
           (cli("cli.py", "if c.body == text]", "if c.body.strip() == text]"),), "rerunning_the_staging"),
    Mutant("rerun-refuses-its-own-tag", "HA1", "condition", "promotion refuses any existing <SemVer> tag, even its own",
           (cli("images.py", "if current is not None and current != manifest.digest:", "if current is not None:"),),
           "rerunning_the_production"),
    Mutant("staging-cancels-in-progress", "HA2", "flag", "the staging group cancels the run in progress",
           (wf("build-stg-image.yml", "  cancel-in-progress: false", "  cancel-in-progress: true"),), "back_to_back"),
    Mutant("bump-from-the-merge-commit-version", "HA2", "wrong commit", "the next version is computed from VERSION at "
           "the merge commit, not at the head of stg",
           (cli("gitops.py", 'current = version.parse(git.show(head, "VERSION")',
                'current = version.parse(git.show(merge_sha, "VERSION")'),), "back_to_back"),
    Mutant("parallel-runs-without-bump-retry", "CL6", "retry removed", "staging runs in parallel (one group per pull "
           "request) and the bump push is not retried when stg moved",
           (wf("build-stg-image.yml", "  group: release-stg\n",
               "  group: release-stg-${{ github.event.pull_request.number }}\n"),
            cli("gitops.py", "attempts: int = 5", "attempts: int = 1")), "back_to_back"),
    Mutant("promotion-overwrites-production-tag", "HA3", "comparison", "the existing <SemVer> digest is compared with "
           "itself, so promotion never refuses",
           (cli("images.py", "if current is not None and current != manifest.digest:",
                "if current is not None and current != client.digest(repo, target_tag):"),), "overwrite", fast=True),
    Mutant("promote-from-the-version-tag", "HA3", "wrong tag", "promotion copies stg-<SemVer> instead of stg-<SHORTHASH>",
           (cli("cli.py", 'source = f"stg-{tags.shorthash(args.stg_sha)}"', 'source = f"stg-{semver_text}"'),),
           "no_staging_image"),
    Mutant("refusal-names-no-image", "HA3", "message", "the refusal does not name the image reference",
           (cli("images.py", 'raise ReleaseError(f"{registry}/{repo}:{target_tag} already exists',
                'raise ReleaseError(f"the production tag already exists'),), "overwrite"),
    Mutant("github-retry-removed", "HA4", "retry removed", "PyGithub is built without retries",
           (cli("context.py", "retry=retry,", "retry=None,"),), "secondary_rate"),
    Mutant("secondary-rate-limit-not-retried", "HA4", "wrong class", "a plain urllib3 Retry, blind to secondary rate limits",
           (cli("context.py", "retry = github.GithubRetry(", 'retry = __import__("urllib3").util.Retry('),),
           "secondary_rate"),
    Mutant("rerun-finds-bump-and-stops", "HA5", "condition", "a re-run that finds its bump releases nothing",
           (cli("gitops.py", "            return Bump(kind, str(before), str(made), existing, created=False)\n",
                "            return None  # already released\n"),), "registry_that_is_down"),
    Mutant("version-without-patch-accepted", "HA6", "validation", "VERSION 1.2 is read as 1.2.0",
           (cli("version.py", "semver.Version.parse(value)", "semver.Version.parse(value, optional_minor_and_patch=True)"),),
           "plain_semver and not banana and not rc"),
    Mutant("prerelease-version-accepted", "HA6", "validation", "a VERSION with a pre-release part is accepted",
           (cli("version.py", "if version.prerelease or version.build:", "if version.build:"),), "rc"),
    Mutant("missing-version-is-zero", "HA6", "default", "a missing VERSION starts from 0.0.0",
           (cli("version.py", "    if text is None:\n        raise",
                '    if text is None:\n        text = "0.0.0"  # a new repository\n    if not text:\n        raise'),),
           "missing_version"),
    Mutant("branch-prefix-without-slash", "HA7", "pattern", "the rules match feat and fix without the slash",
           (wf("build-image.yml", BUMP_RUN, "--rules 'feat=minor,fix=patch'"),), "feature/x"),
    Mutant("other-branches-bump-patch", "HA7", "default", "any other branch is treated as a fix",
           (cli("version.py", "            return kind\n    return None", '            return kind\n    return "patch"'),),
           "docs/readme"),
    Mutant("production-if-ignores-head-branch", "HA7", "condition", "production runs for any pull request merged into main",
           (wf("build-prod-image.yml", " && github.event.pull_request.head.ref == 'stg'", ""),), "other_than_stg"),
    Mutant("branch-name-interpolated-into-script", "HA8", "injection", "the branch name is written into the script",
           (wf("build-image.yml", 'release-cli bump --branch "$HEAD_REF"', 'release-cli bump --branch "${{ inputs.head-ref }}"'),),
           "metacharacters"),
    Mutant("token-in-a-verbose-curl", "HA9", "leak", "a debugging curl -v prints Authorization: Basic base64(token)",
           (wf("build-image.yml", COMMENT_RUN,
               """        run: curl -sv -u "x-access-token:$GITHUB_TOKEN" "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY" -o /dev/null; release-cli comment"""),),
           "encoding", fast=True),
    Mutant("token-printed-as-hex", "HA9", "leak", "the token is dumped as hex",
           (wf("build-image.yml", COMMENT_RUN,
               """        run: printf '%s' "$GITHUB_TOKEN" | od -An -tx1 | tr -d ' \\n'; echo; release-cli comment"""),), "encoding"),
    Mutant("token-percent-encoded", "HA9", "leak", "the token is put into a URL, percent-encoded",
           (wf("build-image.yml", COMMENT_RUN,
               """        run: echo "next=$(printf '%s' "$GITHUB_TOKEN" | od -An -tx1 | tr -d '\\n' | tr ' ' '%')"; release-cli comment"""),),
           "encoding"),
)

# correct implementations that make other legal choices: the spec must pass them (no scenario fails or errors)
MUST_PASS: tuple[Mutant, ...] = (
    Mutant("staging-runs-not-serialised", "CL6", "legal choice", "every merge into stg gets a release of its own, in "
           "order (1.3.0, 1.4.0, 1.5.0): no run waits or is cancelled",
           (wf("build-stg-image.yml", "  group: release-stg\n",
               "  group: release-stg-${{ github.event.pull_request.number }}\n"),), "three_features",
           equivalent="CL6: how runs are serialised is the implementation's choice"),
    Mutant("one-platform-promotion-by-pull-tag-push", "CL5", "legal choice", "promotion pulls, tags and pushes a "
           "one-platform image through the engine", (PULL_TAG_PUSH,), PROMOTE,
           equivalent="CL5: pulling, tagging and pushing an existing image is not a build; one platform keeps its digest"),
)

BY_MUTANT: dict[str, Mutant] = {mutant.id: mutant for mutant in MUTANTS}


def check() -> None:
    """The catalogue is consistent: unique ids, known sentences, every sentence has a mutant."""
    assert len(BY_MUTANT) == len(MUTANTS), "mutant ids repeat"
    unknown = {m.sentence for m in MUTANTS} - set(BY_ID)
    assert not unknown, f"mutants name unknown sentences: {unknown}"
    uncovered = set(BY_ID) - {m.sentence for m in MUTANTS}
    assert not uncovered, f"contract sentences without a mutant: {sorted(uncovered)}"
