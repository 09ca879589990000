"""The world one scenario runs in: a registry, a local GitHub with the app and chart repos, and
workflow runs started by act whenever GitHub would start them.

Steps drive it the way a developer drives GitHub (push a branch, open and merge a pull request)
and observe what a team would see (git, registry, releases, comments, PRs, dispatches).
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import github

from testbed import bulkobjects, gitrepo
from testbed.actionstore import ActionStore
from testbed.decisions import DecisionLog
from testbed.dockerproxy import DockerApiRecorder, ImageBuild
from testbed.dockerwatch import DockerWatch
from testbed.errors import TestbedError
from testbed.events import run_requests
from testbed.github import Dispatch, Event, LocalGitHub
from testbed.github.records import WorkflowRun
from testbed.github.permissions import Permissions, repository_default
from testbed.jobimage import ensure_job_image, trusting_image
from testbed.ocimage import ImageStore
from testbed.registry import Registry
from testbed.registry_auth import RegistryAccess
from testbed.registry_events import RegistryEvent
from testbed.runner import ActRunner, Run, RunnerConfig, RunRequest, TokenSource
from testbed.runreport import workflow_runs
from testbed.scheduler import Scheduler
from testbed.secretforms import find_leaks
from testbed.tls import TLSFiles, machine_tls

SUITE_ROOT = Path(__file__).resolve().parent.parent
OWNER = "acme"
ACTION_REPOSITORY = "release-suite/release-pipeline@v1"
MERGE_METHODS = ("merge", "squash", "rebase")

APP_FILES = {
    "README.md": "# app\n\nA tiny application whose images the release pipeline builds.\n",
    "Dockerfile": "FROM scratch\nCOPY VERSION app.txt /app/\n",
    "worker.Dockerfile": "FROM scratch\nCOPY VERSION worker.txt /worker/\n",
    "app.txt": "app {nonce}\n",
    "worker.txt": "worker {nonce}\n",
}
CHART_FILES = {"README.md": "# helm-charts\n\nReceives release dispatches from acme/app.\n"}


@dataclass(frozen=True)
class WorldConfig:
    """What to run (workflow files) and how (act container or host mode, where actions come from)."""

    workflows: Path = SUITE_ROOT / "workflows"
    runner: str = "container"
    # the action store (`--actions DIR`, laid out like ../shared/actions); None: act downloads actions
    actions: Path | None = None
    # may act download what the store lacks from github.com? None: only without a store
    download_actions: bool | None = None
    # actions and reusable workflows served locally; None: the reference CLI's action (see bundle_action)
    local_repositories: Mapping[str, Path] | None = None
    images: str = "app=Dockerfile,worker=worker.Dockerfile"
    image: str | None = None  # act job image; built on demand when None
    plain_http: bool = False  # debugging only: GitHub and registry over http (the registry still wants tokens)
    action_source: Path = SUITE_ROOT  # the folder holding `reference/`, served as the reference CLI's action
    # the repository's "Workflow permissions" setting: GITHUB_TOKEN of a workflow without `permissions:`
    token_permissions: str = "restricted"  # restricted (GitHub's default for new repositories) | permissive
    # how the scenarios' merge button merges: merge (a merge commit), squash or rebase, as on GitHub
    merge_method: str = "merge"

    def __post_init__(self) -> None:
        if self.merge_method not in MERGE_METHODS:
            raise TestbedError(f"merge method {self.merge_method!r} is not one of {', '.join(MERGE_METHODS)}: "
                               "pass --merge-method merge|squash|rebase")


def bundle_action(target: Path, source: Path = SUITE_ROOT) -> Path:
    """A small copy of `source` (this repository, or another copy of it) holding only what
    `release-suite/release-pipeline/reference@v1` needs (act copies a mapped repository into every
    job container, so it is kept to the CLI)."""
    if not (source / "reference" / "action.yml").is_file():
        raise TestbedError(f"{source} holds no reference/action.yml: pass the folder that contains reference/")
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(source / "reference", target / "reference", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return target


@dataclass(frozen=True)
class Mark:
    """A point in the world's history; observers report what happened after it."""

    registry: int
    github: int
    docker: int
    runs: int


class World:
    """A registry, a local GitHub and act, wired together for one scenario."""

    app_repo = f"{OWNER}/app"
    chart_repo = f"{OWNER}/helm-charts"

    def __init__(self, root: Path, config: WorldConfig, docker_watch: DockerWatch) -> None:
        self.root = root
        self.config = config
        self.docker_watch = docker_watch
        self.token_permissions = repository_default(config.token_permissions)
        self.tls: TLSFiles | None = None if config.plain_http else machine_tls()
        self.registry = Registry(root / "registry", tls=self.tls, access=self._package_access)
        self.engine_requests = DockerApiRecorder()  # the engine socket every job is given
        self.github = LocalGitHub(root / "github", on_event=self._on_event, tls=self.tls)
        self.decisions = DecisionLog()  # why each workflow did or did not start, what concurrency did
        self.scheduler = Scheduler(execute=self._execute, on_decision=self.decisions.record)
        self._runner: ActRunner | None = None
        self.release_token = ""
        self.secret_values: list[str] = []
        self._bares: dict[str, Path] = {}
        self._held_branches: set[str] = set()
        self._held: list[RunRequest] = []

    # lifecycle -------------------------------------------------------------
    @classmethod
    @contextlib.contextmanager
    def started(cls, root: Path, config: WorldConfig, docker_watch: DockerWatch | None = None) -> Iterator[World]:
        with contextlib.ExitStack() as stack:
            watch = docker_watch or stack.enter_context(DockerWatch())
            world = cls(root, config, watch)
            stack.callback(world.stop)
            world.start()
            yield world

    def start(self) -> None:
        workflows = sorted(self.config.workflows.glob("*.y*ml")) if self.config.workflows.is_dir() else []
        if not workflows:
            raise TestbedError(f"no workflow files (*.yml) in {self.config.workflows}: pass --workflows DIR")
        image = self.config.image or ensure_job_image()
        if self.tls is not None and self.config.runner == "container":
            image = trusting_image(image, self.tls)
        local = self.config.local_repositories
        if local is None:
            local = {ACTION_REPOSITORY: bundle_action(self.root / "action-repo", self.config.action_source)}
        store = ActionStore.load(self.config.actions) if self.config.actions is not None else None
        downloads = self.config.download_actions if self.config.download_actions is not None else store is None
        self._runner = ActRunner(
            RunnerConfig(image=image, mode=self.config.runner, local_repositories=local, tls=self.tls,
                         action_store=store, action_downloads=downloads, docker_socket=self.engine_requests.uri),
            self.root / "act",
        )
        self.engine_requests.start()
        self.registry.start()
        self.github.start()
        self.github.report_runs(self._workflow_runs)
        for repo in (self.app_repo, self.chart_repo):
            self._bares[repo] = self.github.create_repo(repo, default_branch="main")
        self.release_token = self.github.create_token("release-bot", repos={self.app_repo, self.chart_repo})
        self.secret_values = [self.github.admin_token, self.release_token]
        nonce = uuid.uuid4().hex[:12]
        app_files = {path: text.format(nonce=nonce) for path, text in APP_FILES.items()}
        app_files.update({f".github/workflows/{path.name}": path.read_text() for path in workflows})
        app_files["VERSION"] = "1.0.0\n"
        sha = gitrepo.commit_files(self._bare(self.app_repo), "main", app_files, "Initial commit", root=self.root)
        gitrepo.set_ref(self._bare(self.app_repo), "refs/heads/stg", sha)
        gitrepo.commit_files(self._bare(self.chart_repo), "main", CHART_FILES, "Initial commit", root=self.root)

    def stop(self) -> None:
        with contextlib.suppress(TestbedError):
            self.scheduler.wait_idle(timeout=600)
        self.scheduler.join()
        self.github.stop()
        self.registry.stop()
        self.engine_requests.stop()

    # settings a real repository would have -----------------------------------
    def variables(self) -> dict[str, str]:
        return {
            "IMAGE_REGISTRY": self.registry.address,
            "IMAGE_NAMESPACE": OWNER,
            "HELM_CHART_REPOSITORY": self.chart_repo,
            "HELM_RELEASE_EVENT_TYPE": "helm-release",
            "IMAGES": self.config.images,
        }

    def registry_credentials(self) -> dict[str, str]:
        """What a developer gives `docker login` for the registry: a user name and a GitHub token (GHCR's way)."""
        return {"username": "octocat", "password": self.github.admin_token}

    def job_env(self) -> dict[str, str]:
        return {
            "GITHUB_API_URL": self.github.api_url,
            "GITHUB_SERVER_URL": self.github.url,
            "GITHUB_GRAPHQL_URL": f"{self.github.url}/api/graphql",  # GitHub Enterprise Server's layout
            "GITHUB_REPOSITORY": self.app_repo,
        }

    # driving, as a developer would ------------------------------------------
    def api(self) -> github.Github:
        # the world's own clients reach only local servers: they trust the CA alone (loading the
        # system's roots too costs about 100 ms per connection or git process on a busy machine)
        # an observer of a local server: no retries, and none of PyGithub's pauses between requests
        return github.Github(base_url=self.github.api_url, auth=github.Auth.Token(self.github.admin_token), retry=None,
                             seconds_between_requests=None, seconds_between_writes=None,
                             verify=str(self.tls.ca_cert) if self.tls is not None else True)

    def set_version(self, version: str, *, released: bool = True) -> str:
        """Make `version` the current state of main and stg (history, so no workflow runs).

        With `released`, the tag `v<version>` and its release exist too, as after a real release.
        """
        bare = self._bare(self.app_repo)
        sha = gitrepo.commit_files(bare, "main", {"VERSION": f"{version}\n"}, f"Release {version}", root=self.root)
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        if released:
            gitrepo.set_ref(bare, f"refs/tags/v{version}", sha)
            repo = self.api().get_repo(self.app_repo)
            repo.create_git_release(f"v{version}", f"v{version}", f"Release {version}", target_commitish=sha)
        return sha

    def remove_file(self, path: str) -> str:
        """Delete `path` on main and stg (history, no runs)."""
        bare = self._bare(self.app_repo)
        sha = gitrepo.commit_files(bare, "main", {}, f"Remove {path}", root=self.root, remove=(path,))
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        return sha

    def merge_in_history(self, branch: str, title: str) -> str:
        """A pull request from `branch` merged into main (and stg) in the past, with the configured
        merge method: a real pull request on the local GitHub, but no workflow runs."""
        bare = self._bare(self.app_repo)
        slug = branch.replace("/", "-")
        main = gitrepo.read_ref(bare, "refs/heads/main")
        gitrepo.set_ref(bare, f"refs/heads/{branch}", main)
        gitrepo.commit_files(bare, branch, {f"changes/{slug}.txt": f"{title}\n"}, title, root=self.root)
        # events caused by an installation token start no workflow run: that is what "in the past" needs
        quiet = self.github.create_token("octocat", actions=True)
        try:
            api = github.Github(base_url=self.github.api_url, auth=github.Auth.Token(quiet), retry=None,
                                seconds_between_requests=None, seconds_between_writes=None,
                                verify=str(self.tls.ca_cert) if self.tls is not None else True)
            repo = api.get_repo(self.app_repo)
            pull = repo.create_pull(base="main", head=branch, title=title, body="")
            sha = str(pull.merge(merge_method=self.config.merge_method).sha)
        finally:
            self.github.revoke_token(quiet)
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        gitrepo.delete_ref(bare, f"refs/heads/{branch}")  # the branch was deleted after its merge
        return sha

    def grow_objects(self, count: int = 17000) -> int:
        """Give the app repository `count` more objects (a branch `bulk-assets` of tiny files, history only)
        so that git abbreviates its commit hashes to more than 7 digits; return that length."""
        bare = self._bare(self.app_repo)
        bulkobjects.fast_import_files(bare, "refs/heads/bulk-assets", count)
        length = bulkobjects.abbreviation_length(bare, "refs/heads/stg")
        if length <= 7:
            raise TestbedError(f"{self.app_repo} holds {count} more objects but git still abbreviates to {length} digits: "
                               "grow it more")
        return length

    @property
    def image_names(self) -> list[str]:
        """The images the app repo declares (repository variable IMAGES)."""
        return [item.split("=", 1)[0].strip() for item in self.config.images.split(",") if item.strip()]

    def push_branch(self, name: str, *, base: str = "stg", files: Mapping[str, str], message: str) -> str:
        """Create branch `name` from `base` with one commit, pushed over HTTP as the admin user."""
        return gitrepo.push_branch(
            url=f"{self.github.url}/{self.app_repo}.git",
            token=self.github.admin_token,
            workdir=self.root / "work" / uuid.uuid4().hex[:8],
            base=base,
            branch=name,
            files=files,
            message=message,
            ca_bundle=self.tls.ca_cert if self.tls is not None else None,
        )

    def push_commit(self, branch: str, *, files: Mapping[str, str], message: str) -> str:
        """Push one commit straight onto an existing `branch` over HTTP as the admin user."""
        return gitrepo.push_commit(
            url=f"{self.github.url}/{self.app_repo}.git", token=self.github.admin_token,
            workdir=self.root / "work" / uuid.uuid4().hex[:8], branch=branch, files=files, message=message,
            ca_bundle=self.tls.ca_cert if self.tls is not None else None,
        )

    def open_pr(self, head: str, base: str, title: str, body: str = "") -> int:
        pull = self.api().get_repo(self.app_repo).create_pull(base=base, head=head, title=title, body=body)
        self.wait_idle()
        return int(pull.number)

    def merge_pr(self, number: int) -> list[Run]:
        """Press the merge button, then wait for every run the merge started (and their effects)."""
        mark = self.mark()
        self.api().get_repo(self.app_repo).get_pull(number).merge(merge_method=self.config.merge_method)
        self.wait_idle()
        return self.runs[mark.runs :]

    def merge_prs(self, numbers: list[int]) -> list[Run]:
        """Press the merge button on each PR in turn without waiting in between, then wait for all runs."""
        mark = self.mark()
        repo = self.api().get_repo(self.app_repo)
        for number in numbers:
            repo.get_pull(number).merge(merge_method=self.config.merge_method)
        self.wait_idle()
        return self.runs[mark.runs :]

    def rerun(self, runs: list[Run]) -> list[Run]:
        """Re-run these workflow runs for the same event and commit (the "Re-run all jobs" button)."""
        mark = self.mark()
        for run in runs:
            token = self._mint(self.token_permissions)
            secrets = {**run.request.secrets, "GITHUB_TOKEN": token}
            self.scheduler.submit(dataclasses.replace(run.request, secrets=secrets))
        self.wait_idle()
        return self.runs[mark.runs :]

    def hold_runs(self, branch: str) -> None:
        """From now on, runs started by a pull request into `branch` (or a push to it) wait for a runner
        until `start_held_runs()`; the events themselves, and their payloads, are as GitHub sent them."""
        self._held_branches.add(branch)

    def start_held_runs(self) -> list[Run]:
        """A runner frees up: start every held run, wait for them and return them; holding stops."""
        mark = self.mark()
        self._held_branches.clear()
        held, self._held = self._held, []
        for request in held:
            self.scheduler.submit(request)
        self.wait_idle()
        return self.runs[mark.runs :]

    def _holds(self, event: Event) -> bool:
        pull = event.payload.get("pull_request") or {}
        branch = str(pull.get("base", {}).get("ref", "")) if pull else str(event.payload.get("ref", "")).removeprefix(
            "refs/heads/")
        return branch in self._held_branches

    def wait_idle(self) -> list[Run]:
        self.scheduler.wait_idle()
        return list(self.runs)

    # observing, as a team would ----------------------------------------------
    @property
    def runs(self) -> list[Run]:
        return list(self.scheduler.runs)

    def mark(self) -> Mark:
        return Mark(self.registry.seq, len(self.github.events), self.engine_requests.seq, len(self.scheduler.runs))

    def image_builds(self, since: Mark | None = None) -> list[ImageBuild]:
        """Requests that made an image (build, BuildKit session, commit, import, load) which this world's
        jobs sent to the Docker engine after `since`; pulling, tagging and pushing are not builds."""
        return self.engine_requests.builds(since.docker if since else 0)

    def registry_pushes(self, since: Mark | None = None) -> list[RegistryEvent]:
        return self.registry.pushes(since.registry if since else 0)

    def dispatches(self, repo: str, since: Mark | None = None) -> list[Dispatch]:
        floor = since.github if since else 0
        return [dispatch for dispatch in self.github.dispatches(repo) if dispatch.seq > floor]

    def suppressed_events(self, since: Mark | None = None) -> list[Event]:
        floor = since.github if since else 0
        return [event for event in self.github.events[floor:] if event.suppressed]

    def image_store(self) -> ImageStore:
        """The registry as a puller sees it (manifests, platforms, the files an image carries)."""
        return ImageStore(self.registry.url, self.registry.session)

    def read_file(self, repo: str, ref: str, path: str) -> str | None:
        return gitrepo.read_file(self._bare(repo), ref, path)

    def leaked_secrets(self) -> list[str]:
        """Which secrets (shown by their first 4 characters and the form) appear in any run's log,
        raw or encoded (base64, URL-encoded, hex)."""
        return [str(leak) for leak in find_leaks(self.log_text(), self.secret_values)]

    def log_text(self) -> str:
        return "\n\n".join(f"== {run.summary()}\n{run.log}" for run in self.runs)

    # wiring ------------------------------------------------------------------
    def _package_access(self, token: str, owner: str) -> RegistryAccess | None:
        """What a GitHub token may do with `owner`'s images (asked by the registry's token service).

        As GHCR for a repository's packages: a token that reaches a repository of the owner reads
        and writes them, a workflow's GITHUB_TOKEN only as its `packages:` permission allows
        (read to pull, write to push).
        """
        info = self.github.token_info(token)
        if info is None:
            return None
        reaches = info.repos is None or any(repo.split("/")[0] == owner for repo in info.repos)
        if info.permissions is None:
            return RegistryAccess(read=reaches, write=reaches)
        return RegistryAccess(read=reaches and info.permissions.allows("packages", "read"),
                              write=reaches and info.permissions.allows("packages", "write"))

    def _mint(self, permissions: Permissions) -> str:
        """A workflow GITHUB_TOKEN for the app repository with `permissions`; the secret scan knows it."""
        token = self.github.create_token("github-actions[bot]", repos={self.app_repo}, actions=True,
                                         permissions=permissions)
        self.secret_values.append(token)
        return token

    def _bare(self, repo: str) -> Path:
        return self._bares[repo]

    def _on_event(self, event: Event) -> None:
        if event.repo != self.app_repo:
            return
        bare = self._bare(event.repo)
        for request in run_requests(
            event,
            bare=bare,
            secrets=lambda: {"GITHUB_TOKEN": self._mint(self.token_permissions),
                             "HELM_RELEASE_TOKEN": self.release_token},
            variables=self.variables(),
            env=self.job_env(),
            on_decision=self.decisions.record,
        ):
            if self._holds(event):
                self._held.append(request)
            else:
                self.scheduler.submit(request)

    def _workflow_runs(self) -> list[WorkflowRun]:
        """The scheduler's runs as the local GitHub lists them (`GET /actions/runs`)."""
        return workflow_runs(self.runs)

    def _execute(self, run: Run) -> None:
        assert self._runner is not None
        checkout = self.root / "checkouts" / f"run-{run.id}"
        gitrepo.checkout(self._bare(run.request.repo), run.request.sha, checkout, origin=f"{self.github.url}/{run.request.repo}.git")
        minted: list[str] = []

        def mint(permissions: Permissions) -> str:
            minted.append(self._mint(permissions))
            return minted[-1]
        try:
            self._runner.run(run, checkout, TokenSource(self.token_permissions, mint))
        finally:
            for token in [run.request.secrets["GITHUB_TOKEN"], *minted]:
                self.github.revoke_token(token)
            shutil.rmtree(checkout, ignore_errors=True)
            logs = self.root / "logs"
            logs.mkdir(exist_ok=True)
            (logs / f"run-{run.id}-{run.workflow}.log").write_text(run.log)


