"""`release-cli`: the steps of the release pipeline, one subcommand each.

Every subcommand reads the standard Actions environment (GITHUB_API_URL, GITHUB_SERVER_URL,
GITHUB_REPOSITORY, GITHUB_TOKEN), writes its results to $GITHUB_OUTPUT when set, and on failure
exits 1 with one line saying what went wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import github

from reference import ReleaseError, backmerge, changelog, gitops, images, payload, pulls, releases, tags, version
from reference.context import Context, write_outputs
from reference.registry import RegistryClient


def _images_arg(text: str) -> dict[str, dict[str, Any]]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise ReleaseError(f"--images is not JSON: {error}") from None
    entries_ok = isinstance(value, dict) and all(isinstance(v, dict) and "reference" in v for v in value.values())
    if not isinstance(value, dict) or not value or not entries_ok:
        raise ReleaseError("--images must be a JSON object of image name -> {repository, tag, digest, reference}")
    return value


def _settings(args: argparse.Namespace, ctx_repository: str) -> tuple[str, str, list[images.ImageSpec]]:
    registry = (args.registry or os.environ.get("IMAGE_REGISTRY") or "ghcr.io").strip().rstrip("/")
    namespace = (args.namespace or os.environ.get("IMAGE_NAMESPACE") or ctx_repository.split("/")[0]).strip()
    specs = images.parse_specs(args.images_spec if args.images_spec is not None else os.environ.get("IMAGES", ""),
                               default_name=ctx_repository.split("/")[1])
    return registry, namespace, specs


def _login(registry: str) -> None:
    """docker login to the registry (GHCR) with REGISTRY_USERNAME/REGISTRY_PASSWORD, when a password is given."""
    password = os.environ.get("REGISTRY_PASSWORD", "")
    if not password:
        return
    username = os.environ.get("REGISTRY_USERNAME") or os.environ.get("GITHUB_ACTOR", "")
    result = subprocess.run(["docker", "login", registry, "--username", username, "--password-stdin"],
                            input=password, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        reason = (result.stderr.strip().splitlines() or ["no output"])[-1]
        raise ReleaseError(f"logging in to the registry {registry} failed (docker login): {reason}")


def cmd_bump(args: argparse.Namespace) -> dict[str, Any]:
    ctx = Context.from_env()
    made = gitops.bump_and_push(
        workdir=Path.cwd(), remote_url=f"{ctx.server_url}/{ctx.repository}.git", token=ctx.token,
        branch=args.target_branch, head_ref=args.branch, merge_sha=args.merge_sha,
        rules=version.parse_rules(args.rules),
    )
    if made is None:
        print(f"release-cli: {args.branch!r} is neither feat/* nor fix/*: no version bump, no release", file=sys.stderr)
        return {"kind": "none", "version": "", "previous": "", "sha": "", "short": "", "created": "false"}
    return {"kind": made.kind, "version": made.version, "previous": made.previous, "sha": made.sha,
            "short": tags.shorthash(made.sha), "created": str(made.created).lower()}


def cmd_build(args: argparse.Namespace) -> dict[str, Any]:
    ctx = Context.from_env()
    registry, namespace, specs = _settings(args, ctx.repository)
    gitops.checkout(Path.cwd(), args.sha)
    found = str(version.parse((Path.cwd() / "VERSION").read_text() if (Path.cwd() / "VERSION").exists() else None))
    if args.version and found != str(version.parse(args.version, source="--version")):
        raise ReleaseError(f"VERSION at {args.sha[:12]} is {found}, not {args.version}: build the bump commit")
    _login(registry)
    image_tags = tags.staging_tags(args.sha, found, args.tags)
    built = images.build_and_push(workdir=Path.cwd(), registry=registry, namespace=namespace, specs=specs,
                                  tags=image_tags, client=RegistryClient(registry))
    return {"version": found, "tags": image_tags, "images": built, "short": tags.shorthash(args.sha)}


def cmd_comment(args: argparse.Namespace) -> dict[str, Any]:
    ctx = Context.from_env()
    built = _images_arg(args.images)
    lines = [f"Staging images for {args.version} built from this commit:", ""]
    for name, image in sorted(built.items()):
        refs = ", ".join(f"`{image['repository']}:{tag}`" for tag in image.get("tags", [image["tag"]]))
        lines.append(f"- **{name}**: {refs} (`{image['digest']}`)")
    text = "\n".join(lines) + "\n"
    commit = ctx.repo().get_commit(args.sha)
    existing = [c for c in commit.get_comments() if c.body == text]
    if existing:
        return {"comment-url": existing[0].html_url, "created": "false"}
    made = commit.create_comment(text)
    return {"comment-url": made.html_url, "created": "true"}


def cmd_release(args: argparse.Namespace) -> dict[str, Any]:
    ctx = Context.from_env()
    version.parse(args.version, source="--version")
    built = _images_arg(args.images)
    repo = ctx.repo()
    prerelease = args.prerelease
    tag = tags.release_tag(args.version, prerelease=prerelease)
    notes = ""
    if args.changelog:
        previous = changelog.previous_release_tag(repo, args.version, args.target)
        notes = changelog.render(args.version, previous, changelog.changes(repo, previous, args.target))
    text = releases.body(version=args.version, prerelease=prerelease, images=built, changelog=notes)
    title = f"{args.version} (staging)" if prerelease else args.version
    release, created = releases.upsert(repo, tag=tag, target=args.target, name=title, text=text, prerelease=prerelease)
    return {"tag": tag, "release-url": release.html_url, "release-id": str(release.id), "created": str(created).lower()}


def cmd_dispatch(args: argparse.Namespace) -> dict[str, Any]:
    ctx = Context.from_env()
    chart_token = os.environ.get(args.token_env, "")
    if not chart_token:
        raise ReleaseError(f"{args.token_env} is not set: a token with access to {args.repository} is needed "
                           "(the workflow's own GITHUB_TOKEN cannot dispatch to another repository)")
    body = payload.build(environment=args.environment, version=args.version, repository=ctx.repository, sha=args.sha,
                         ref=args.ref, images=_images_arg(args.images))
    marker = f"helm-release/{args.environment}"
    app = ctx.repo()
    commit = app.get_commit(args.sha)
    if any(status.context == marker and status.state == "success" for status in commit.get_statuses()):
        print(f"release-cli: {args.environment} payload for {args.version} was already dispatched ({marker} is set)")
        return {"payload": body, "dispatched": "false"}
    try:
        target = ctx.repo(args.repository, token=chart_token)
        target.create_repository_dispatch(args.event_type, body)
    except github.GithubException as error:
        raise ReleaseError(f"repository_dispatch to {args.repository} failed: HTTP {error.status} "
                           f"{(error.data or {}).get('message', '') if isinstance(error.data, dict) else ''}") from None
    commit.create_status("success", description=f"{args.event_type} {args.version} sent to {args.repository}",
                         context=marker)
    return {"payload": body, "dispatched": "true"}


def cmd_pr(args: argparse.Namespace) -> dict[str, Any]:
    ctx = Context.from_env()
    built = _images_arg(args.images)
    text = "\n".join(releases.image_lines(built))
    pull, created = pulls.ensure(ctx.repo(), head=args.head, base=args.base, version=args.version, images_text=text)
    return {"number": str(pull.number), "pr-url": pull.html_url, "created": str(created).lower()}


def cmd_promote(args: argparse.Namespace) -> dict[str, Any]:
    ctx = Context.from_env()
    registry, namespace, specs = _settings(args, ctx.repository)
    git = gitops.Git(Path.cwd(), "", "")
    if git("cat-file", "-e", f"{args.stg_sha}^{{commit}}", check=False).returncode != 0:
        raise ReleaseError(f"staging commit {args.stg_sha[:12]} is not in this checkout (fetch-depth: 0 is needed)")
    semver_text = str(version.parse(git.show(args.stg_sha, "VERSION"), source=f"VERSION at {args.stg_sha[:12]}"))
    _login(registry)
    source = f"stg-{tags.shorthash(args.stg_sha)}"
    promoted = images.promote(registry=registry, namespace=namespace, specs=specs, source_tag=source,
                              target_tag=tags.production_tag(semver_text), client=RegistryClient(registry))
    staging = {name: {**images.reference(registry, namespace, name, source, image["digest"]), "tags": [source]}
               for name, image in promoted.items()}
    return {"version": semver_text, "source-tag": source, "images": promoted, "staging-images": staging}


def cmd_sync(args: argparse.Namespace) -> dict[str, Any]:
    ctx = Context.from_env()
    version.parse(args.version, source="--version")
    git = gitops.Git(Path.cwd(), f"{ctx.server_url}/{ctx.repository}.git", ctx.token)
    done = backmerge.sync_back(ctx.repo(), git, branch=args.branch, staged_sha=args.stg_sha,
                               released_sha=args.target, version=args.version)
    print(f"release-cli sync: {done.reason}", file=sys.stderr)
    return {"merged": str(done.merged).lower(), "sha": done.sha}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="release-cli", description=__doc__.split("\n\n")[0])
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def images_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--registry", help="image registry host (default: $IMAGE_REGISTRY or ghcr.io)")
        p.add_argument("--namespace", help="registry namespace (default: $IMAGE_NAMESPACE or the repository owner)")
        p.add_argument("--images-spec", help="name=Dockerfile,... (default: $IMAGES or <repo>=Dockerfile)")

    p = sub.add_parser("bump", help="bump VERSION for a merged branch and push the commit onto the target branch")
    p.add_argument("--branch", required=True, help="the merged (head) branch: feat/* -> minor, fix/* -> patch")
    p.add_argument("--target-branch", required=True, help="the branch the bump commit goes onto (stg)")
    p.add_argument("--merge-sha", required=True, help="the merge commit; a re-run for it finds the bump it made")
    p.add_argument("--rules", default="feat/=minor,fix/=patch", help="branch prefix -> bump (default: %(default)s)")
    p.set_defaults(run=cmd_bump)

    p = sub.add_parser("build", help="build and push every image tagged stg-<SHORTHASH> and stg-<SemVer>")
    p.add_argument("--version", help="the version expected in VERSION at --sha (default: whatever it holds)")
    p.add_argument("--tags", default=tags.STAGING_TAGS, help="tag templates with {short} and {version} "
                   "(default: %(default)s)")
    p.add_argument("--sha", required=True, help="the commit whose tree is built (the bump commit)")
    images_options(p)
    p.set_defaults(run=cmd_build)

    p = sub.add_parser("comment", help="comment on a commit with its image tags")
    p.add_argument("--sha", required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--images", required=True, help="JSON output of `build`")
    p.set_defaults(run=cmd_comment)

    p = sub.add_parser("release", help="create or update the pre-release (v<SemVer>-stg) or release (v<SemVer>)")
    p.add_argument("--prerelease", action="store_true", help="the staging pre-release, tagged v<SemVer>-stg")
    p.add_argument("--version", required=True)
    p.add_argument("--target", required=True, help="commit the release tag points at")
    p.add_argument("--images", required=True)
    p.add_argument("--changelog", action="store_true", help="add the changes since the previous release tag")
    p.set_defaults(run=cmd_release)

    p = sub.add_parser("dispatch", help="send the release payload to the Helm chart repository (once per commit)")
    p.add_argument("--repository", required=True, help="owner/name of the chart repository")
    p.add_argument("--event-type", default="helm-release")
    p.add_argument("--environment", choices=("stg", "prod"), required=True)
    p.add_argument("--version", required=True)
    p.add_argument("--sha", required=True, help="the released commit (payload source.sha)")
    p.add_argument("--ref", required=True, help="the released branch ref (payload source.ref)")
    p.add_argument("--images", required=True)
    p.add_argument("--token-env", default="HELM_RELEASE_TOKEN", help="environment variable holding the chart token")
    p.set_defaults(run=cmd_dispatch)

    p = sub.add_parser("pr", help="open the pull request head -> base, or update the open one")
    p.add_argument("--head", default="stg")
    p.add_argument("--base", default="main")
    p.add_argument("--version", required=True)
    p.add_argument("--images", required=True)
    p.set_defaults(run=cmd_pr)

    p = sub.add_parser("promote", help="retag the stg-<SHORTHASH> images of a staging commit as <SemVer>, by digest")
    p.add_argument("--stg-sha", required=True, help="the staging commit that was merged (head of the stg -> main PR)")
    images_options(p)
    p.set_defaults(run=cmd_promote)

    p = sub.add_parser("sync", help="merge the release commit on main back into stg when main does not hold stg's "
                       "history (squash or rebase merges)")
    p.add_argument("--branch", default="stg", help="the staging branch (default: %(default)s)")
    p.add_argument("--stg-sha", required=True, help="the staging commit that was merged (head of the stg -> main PR)")
    p.add_argument("--target", required=True, help="the release commit on main (the PR's merge_commit_sha)")
    p.add_argument("--version", required=True)
    p.set_defaults(run=cmd_sync)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        write_outputs(args.run(args))
    except ReleaseError as error:
        print(f"release-cli {args.command}: error: {error}", file=sys.stderr)
        return 1
    except github.GithubException as error:
        message = error.data.get("message", "") if isinstance(error.data, dict) else str(error.data)
        print(f"release-cli {args.command}: error: GitHub API answered {error.status}: {message}", file=sys.stderr)
        return 1
    except Exception as error:
        if os.environ.get("RELEASE_CLI_DEBUG"):
            raise
        print(f"release-cli {args.command}: error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    return 0
