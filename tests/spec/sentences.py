"""The contract of `features/README.md`, sentence by sentence: what an implementation must do, each
with an id and the claims (scenario tags) whose scenarios assert it.

A mutant of the catalogue (`tests/spec/catalogue.py`) breaks one sentence; it counts as killed only
when a scenario tagged with one of that sentence's claims FAILED. The world and inputs sections
describe the testbed, not the implementation, except where they tell the implementation what to
use (IN1); the last clarification (actions and tools) is here because using a tool it rules out is
a plausible mistake (CL7).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Sentence:
    """One obligation of the contract: its id, its words (shortened) and the claims that assert it."""

    id: str
    text: str
    claims: tuple[str, ...]


SENTENCES: tuple[Sentence, ...] = (
    Sentence("IN1", "Use GITHUB_API_URL/GITHUB_SERVER_URL and the repository's variables (IMAGE_REGISTRY ...), never a "
                    "hard-coded github.com or ghcr.io", ("images_pushed", "stg_tags")),
    Sentence("ST1", "Staging: one commit directly on top of the merge, changing only VERSION, without a pull request "
                    "and without [skip ci]", ("bump_on_branch",)),
    Sentence("ST2", "A feat branch gives the minor bump as SemVer defines it (a minor bump resets the patch number)",
             ("bump_kind",)),
    Sentence("ST3", "A fix branch gives the patch bump (also after a feature release: 1.3.0 -> 1.3.1)", ("bump_kind",)),
    Sentence("ST4", "Every image is built from the bump commit's tree (the VERSION inside the image is the new version)",
             ("version_in_sync", "images_pushed")),
    Sentence("ST5", "Every image is pushed as stg-<SHORTHASH> and stg-<SemVer> on one digest", ("stg_tags",)),
    Sentence("ST6", "SHORTHASH is the first 7 hex digits of the bump commit, always 7", ("stg_tags",)),
    Sentence("ST7", "A comment on the bump commit names both tags", ("tags_in_comment",)),
    Sentence("ST8", "Job outputs hold both tags", ("tags_as_outputs",)),
    Sentence("ST9", "One pre-release, never latest", ("prerelease",)),
    Sentence("ST10", "The pre-release's tag names the version, is at the bump commit and differs from the production tag",
             ("prerelease", "prod_release")),
    Sentence("ST11", "The pre-release's body names each image's repository, a staging tag and the digest",
             ("prerelease_links",)),
    Sentence("ST12", "One repository_dispatch of type helm-release to the chart repository", ("stg_dispatch",)),
    Sentence("ST13", "The client_payload validates against the contract schema: environment stg, the version, per image "
                     "its repository, a staging tag, the registry's digest and repository:tag@digest", ("stg_payload",)),
    Sentence("ST14", "One open pull request stg -> main whose head is the bump commit", ("pr_to_main",)),
    Sentence("PR1", "Production: every image gets <SemVer> with exactly the digest of stg-<SHORTHASH> of the merged stg "
                    "commit (pull_request.head.sha)", ("prod_retag",)),
    Sentence("PR2", "... also when stg has moved on before the production run starts or is re-run", ("prod_retag",)),
    Sentence("PR3", "A multi-platform image: <SemVer> gets the index's digest and every platform", ("prod_retag",)),
    Sentence("PR4", "The Docker engine builds nothing and the registry receives no layer", ("prod_no_rebuild",)),
    Sentence("PR5", "One full release (latest) of the version tagged at the merge commit on main", ("prod_release",)),
    Sentence("PR6", "The release names each repository:<SemVer> and its digest", ("prod_release_links",)),
    Sentence("PR7", "The release lists the titles of the pull requests merged since the previous full release and none "
                    "before (titles, not commit messages)", ("prod_changelog",)),
    Sentence("PR8", "One dispatch with environment prod, tag <SemVer>, the same digests and fields as the staging payload",
             ("prod_dispatch", "prod_payload", "payload_consistent")),
    Sentence("HA1", "A re-run for the same event changes nothing (no second bump, tag, release, comment, pull request "
                    "or dispatch)", ("rerun",)),
    Sentence("HA2", "Merges in quick succession give successive bumps and lose no change", ("concurrent_merges",)),
    Sentence("HA3", "Production refuses (failed run naming the image reference) when <SemVer> holds another digest or "
                    "the staging image is missing, and then builds, releases and dispatches nothing", ("immutable_prod",)),
    Sentence("HA4", "GitHub 5xx and secondary rate limits are retried", ("transient_faults",)),
    Sentence("HA5", "A registry that is down fails the staging run (log says registry) before any release, pull request "
                    "or dispatch; a re-run once it is back completes the release without a second bump",
             ("transient_faults",)),
    Sentence("HA6", "A bad VERSION fails the run (log says VERSION) before any commit, image, pull request or dispatch",
             ("bad_input",)),
    Sentence("HA7", "Branches other than feat/*, fix/*, and pull requests into main from branches other than stg, "
                    "release nothing", ("bad_input",)),
    Sentence("HA8", "Branch names with shell metacharacters are never executed", ("bad_input",)),
    Sentence("HA9", "No token value appears in any log, raw or encoded (base64, URL-encoded, hex)", ("no_secret_leak",)),
    Sentence("CL1", "One job of the staging run exposes both staging tags in its outputs (one output or one per tag, "
                    "bare tags or full references)", ("tags_as_outputs",)),
    Sentence("CL2", "Any release tag name containing the version is allowed, as long as the pre-release's and the "
                    "production release's tags differ", ("prerelease", "prod_release")),
    Sentence("CL3", "The changelog's range starts at the previous full release; pre-releases in between do not bound "
                    "it; stg -> main pull requests may be listed or left out", ("prod_changelog", "concurrent_merges")),
    Sentence("CL4", "The production release names no <namespace>/<name>:stg-... image reference",
             ("prod_release_links",)),
    Sentence("CL5", "A rebuild is an image-making request reaching the Docker engine (build, BuildKit session, commit, "
                    "import, load) or a layer pushed during the production run", ("prod_no_rebuild",)),
    Sentence("CL6", "Concurrency: the Hardening effects are required; GitHub's workflow-level groups are offered, not "
                    "required", ("concurrent_merges",)),
    Sentence("CL7", "Actions and tools: the job image's tools, checkout, local reusable workflows, the reference "
                    "action; no buildx, no skopeo", ("images_pushed", "stg_tags")),
    Sentence("CL8", "github.token works everywhere (secrets.GITHUB_TOKEN is empty in a called workflow under act); the "
                    "dispatch uses HELM_RELEASE_TOKEN", ("stg_dispatch", "stg_tags")),
)

BY_ID: dict[str, Sentence] = {sentence.id: sentence for sentence in SENTENCES}
