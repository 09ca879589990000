"""Command line of the testbed: build the job image, or start the whole world by hand.

    python -m testbed image   build (or find) the act job image and print its name
    python -m testbed up      start registry + local GitHub with the app and chart repos,
                              print how to reach them, stay up until interrupted
                              (https with the machine's CA; --plain-http for debugging)
    python -m testbed store   print the project's action store (shared/actions beside the repo)
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import tempfile
from pathlib import Path

from testbed.errors import TestbedError


def _image(_: argparse.Namespace) -> int:
    from testbed.jobimage import ensure_job_image

    print(ensure_job_image())
    return 0


def _store(_: argparse.Namespace) -> int:
    from testbed.actionstore import project_store

    root = Path(__file__).resolve().parent.parent
    store = project_store(root)
    if store is None:
        raise TestbedError(f"no action store beside {root}: expected {root.parent / 'shared' / 'actions'}/MANIFEST.json")
    print(store)
    return 0


def _up(args: argparse.Namespace) -> int:
    from testbed.world import World, WorldConfig

    # trigger and concurrency decisions (testbed.triggers, testbed.concurrency) show as they happen
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="relsuite-up-") as tmp:
        config = WorldConfig(
            workflows=Path(args.workflows).resolve(), runner=args.runner,
            actions=Path(args.actions).resolve() if args.actions else None,
            download_actions=None if args.download_actions is None else args.download_actions == "yes",
            plain_http=args.plain_http,
            merge_method=args.merge_method,
            token_permissions=args.token_permissions,
        )
        with World.started(Path(tmp), config) as world:
            print(f"GitHub (git + web): {world.github.url}")
            print(f"GitHub API:         {world.github.api_url}")
            print(f"admin token:        {world.github.admin_token}")
            print(f"registry:           {world.registry.address} (docker login with any user and a GitHub token)")
            if world.tls is not None:
                print(f"trust this CA:      {world.tls.ca_cert} (or the bundle {world.tls.bundle})")
            print(f"merge method:       {config.merge_method}")
            print(f"repositories:       {world.app_repo} (clone {world.github.url}/{world.app_repo}.git), {world.chart_repo}")
            print("Ctrl-C stops everything.", flush=True)
            signal.sigwait({signal.SIGINT, signal.SIGTERM})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m testbed", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("image", help="build or find the act job image").set_defaults(func=_image)
    commands.add_parser("store", help="print the project's action store").set_defaults(func=_store)
    up = commands.add_parser("up", help="start the whole testbed and stay up")
    up.add_argument("--workflows", default="workflows", help="workflow files to install in the app repo")
    up.add_argument("--runner", choices=("container", "host"), default="container")
    up.add_argument("--plain-http", action="store_true",
                    help="debugging only: serve the local GitHub and the registry over http, not https")
    up.add_argument("--token-permissions", choices=("restricted", "permissive"), default="restricted",
                    help="default GITHUB_TOKEN permissions of jobs without `permissions:` (GitHub's default: restricted)")
    up.add_argument("--actions", metavar="DIR", help="action store serving `uses:` offline (layout: ../shared/actions)")
    up.add_argument("--download-actions", choices=("yes", "no"),
                    help="download actions the store lacks from github.com (default: no with --actions, yes without)")
    up.add_argument("--merge-method", choices=("merge", "squash", "rebase"), default="merge",
                    help="how pull requests merged by the testbed's merge button are merged (default: merge)")
    up.set_defaults(func=_up)
    args = parser.parse_args(argv)
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if args.command == "up" else None
    try:
        return int(args.func(args))
    except TestbedError as error:
        print(f"testbed: error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
