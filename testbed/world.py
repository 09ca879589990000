"""The world one scenario runs in: a registry, a local GitHub with the app and chart repos, and
workflow runs started by act whenever GitHub would start them.

Steps drive it the way a developer drives GitHub (push a branch, open and merge a pull request)
and observe what a team would see (git, registry, releases, comments, PRs, dispatches).
"""

from __future__ import annotations

import contextlib
import dataclasses
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import github

from testbed import gitrepo
from testbed.actions.decisions import DecisionLog
from testbed.actions.events import run_requests
from testbed.actions.execute import execute
from testbed.actions.hold import RunHold
from testbed.actions.invocation import RunnerConfig
from testbed.actions.record import Run
from testbed.actions.runner import ActRunner, TokenSource
from testbed.actions.scheduler import Scheduler
from testbed.actions.store import ActionStore
from testbed.dockerproxy import DockerApiRecorder, ImageBuild
from testbed.dockerwatch import DockerWatch
from testbed.errors import TestbedError
from testbed.github import Dispatch, Event, LocalGitHub
from testbed.github.permissions import Permissions, repository_default
from testbed.github.records import WorkflowRun
from testbed.history import RepoHistory, seed_repositories
from testbed.jobimage import ensure_job_image, trusting_image
from testbed.laps import Laps
from testbed.mountedfiles import act_engine_proxy
from testbed.ocimage import ImageStore
from testbed.packages import package_access
from testbed.registry import Registry
from testbed.registry_events import RegistryEvent
from testbed.runreport import workflow_runs
from testbed.secretforms import find_leaks
from testbed.settings import load_settings
from testbed.tls import TLSFiles, machine_tls
from testbed.worldconfig import (
    ACTION_REPOSITORY,
    MERGE_METHODS,
    SUITE_ROOT,
    Mark,
    WorldConfig,
    bundle_action,
    reference_action,
)

__all__ = ["MERGE_METHODS", "SUITE_ROOT", "Mark", "World", "WorldConfig", "bundle_action", "reference_action"]

class World:
    """A registry, a local GitHub and act, wired together for one scenario."""

    def __init__(self, root: Path, config: WorldConfig, docker_watch: DockerWatch) -> None:
        self.root = root
        self.config = config
        self.settings = config.settings or load_settings()
        self.app_repo = self.settings.app_repository
        self.chart_repo = self.settings.chart_repository
        self.docker_watch = docker_watch
        self.token_permissions = repository_default(config.token_permissions)
        self.tls: TLSFiles | None = None if config.plain_http else machine_tls()
        self.registry = Registry(root / "registry", tls=self.tls,
                                 access=lambda token, owner: package_access(self.github, token, owner))
        self.engine_requests = DockerApiRecorder()  # the engine socket every job is given
        self.act_engine = act_engine_proxy()  # the one act itself talks to
        self.github = LocalGitHub(root / "github", on_event=self._on_event, tls=self.tls)
        self.decisions = DecisionLog()  # why each workflow did or did not start, what concurrency did
        self.scheduler = Scheduler(execute=self._execute, on_decision=self.decisions.record)
        self._runner: ActRunner | None = None
        self.release_token = ""
        self.secret_values: list[str] = []
        self._bares: dict[str, Path] = {}
        self._hold = RunHold()
        self.start_laps = Laps()  # where start() spent its time (benchmarks/breakdown.py)

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
        laps = self.start_laps = Laps()
        workflows = sorted(self.config.workflows.glob("*.y*ml")) if self.config.workflows.is_dir() else []
        if not workflows:
            raise TestbedError(f"no workflow files (*.yml) in {self.config.workflows}: pass --workflows DIR")
        image = self.config.image or ensure_job_image()
        if self.tls is not None and self.config.runner == "container":
            image = trusting_image(image, self.tls)
        laps.lap("job image")
        local = self.config.local_repositories
        if local is None:
            source = reference_action(self.config.action_source, self.config.workflows)
            local = {} if source is None else {ACTION_REPOSITORY: bundle_action(self.root / "action-repo", source)}
        store = ActionStore.load(self.config.actions) if self.config.actions is not None else None
        downloads = self.config.download_actions if self.config.download_actions is not None else store is None
        self._runner = ActRunner(
            RunnerConfig(image=image, mode=self.config.runner, local_repositories=local, tls=self.tls,
                         action_store=store, action_downloads=downloads, docker_socket=self.engine_requests.uri,
                         engine_socket=self.act_engine.uri),
            self.root / "act",
        )
        laps.lap("actions and act's settings")
        self.engine_requests.start()
        self.act_engine.start()
        self.registry.start()
        laps.lap("registry and Docker API recorder")
        self.github.start()
        self.github.report_runs(self._workflow_runs)
        laps.lap("local GitHub")
        for repo in (self.app_repo, self.chart_repo):
            self._bares[repo] = self.github.create_repo(repo, default_branch="main")
        self.release_token = self.github.create_token("release-bot", repos={self.app_repo, self.chart_repo})
        self.secret_values = [self.github.admin_token, self.release_token]
        seed_repositories(app=self._bare(self.app_repo), chart=self._bare(self.chart_repo), settings=self.settings,
                          workflows=workflows, root=self.root)
        laps.lap("repositories created and seeded")

    def stop(self) -> None:
        with contextlib.suppress(TestbedError):
            self.scheduler.wait_idle(timeout=600)
        self.scheduler.join()
        self.github.stop()
        self.registry.stop()
        self.engine_requests.stop()
        self.act_engine.stop()

    # settings a real repository would have -----------------------------------
    def variables(self) -> dict[str, str]:
        """The repository variables, as features/contract/settings.yaml names them."""
        return self.settings.variables(self.registry.address)

    def job_env(self) -> dict[str, str]:
        return {"GITHUB_API_URL": self.github.api_url, "GITHUB_SERVER_URL": self.github.url,
                "GITHUB_GRAPHQL_URL": f"{self.github.url}/api/graphql",  # GitHub Enterprise Server's layout
                "GITHUB_REPOSITORY": self.app_repo}

    # driving, as a developer would ------------------------------------------
    def api(self, token: str | None = None) -> github.Github:
        """PyGithub as the admin user (or as `token`)."""
        # local servers only: the CA alone (system roots cost ~100 ms a connection); no retries or pauses
        return github.Github(base_url=self.github.api_url, auth=github.Auth.Token(token or self.github.admin_token),
                             retry=None, seconds_between_requests=None, seconds_between_writes=None,
                             verify=str(self.tls.ca_cert) if self.tls is not None else True)

    @property
    def history(self) -> RepoHistory:
        """The app repository's past (released versions, earlier merges), written without starting runs."""
        return RepoHistory(github_server=self.github, app_repo=self.app_repo, bare=self._bare(self.app_repo),
                           root=self.root, merge_method=self.config.merge_method, api=self.api)

    def push_branch(self, name: str, *, base: str = "stg", files: Mapping[str, str], message: str) -> str:
        """Create branch `name` from `base` with one commit, pushed over HTTP as the admin user."""
        return gitrepo.push_branch(**self._pusher(), base=base, branch=name, files=files, message=message)

    def push_commit(self, branch: str, *, files: Mapping[str, str], message: str) -> str:
        """Push one commit straight onto an existing `branch` over HTTP as the admin user."""
        return gitrepo.push_commit(**self._pusher(), branch=branch, files=files, message=message)

    def _pusher(self) -> gitrepo.Pusher:
        return gitrepo.Pusher(url=f"{self.github.url}/{self.app_repo}.git", token=self.github.admin_token,
                              workdir=self.root / "work" / uuid.uuid4().hex[:8],
                              ca_bundle=self.tls.ca_cert if self.tls is not None else None)

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
        self._hold.branches.add(branch)

    def start_held_runs(self) -> list[Run]:
        """A runner frees up: start every held run, wait for them and return them; holding stops."""
        mark = self.mark()
        for request in self._hold.release():
            self.scheduler.submit(request)
        self.wait_idle()
        return self.runs[mark.runs :]

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
                             self.settings.release_token_secret: self.release_token},
            variables=self.variables(),
            env=self.job_env(),
            on_decision=self.decisions.record,
        ):
            if not self._hold.keep(event, request):
                self.scheduler.submit(request)

    def _workflow_runs(self) -> list[WorkflowRun]:
        """The scheduler's runs as the local GitHub lists them (`GET /actions/runs`)."""
        return workflow_runs(self.runs)

    def _execute(self, run: Run) -> None:
        assert self._runner is not None
        execute(run, runner=self._runner, bare=self._bare(run.request.repo), origin=self.github.url,
                workdir=self.root, tokens=TokenSource(self.token_permissions, self._mint),
                revoke=self.github.revoke_token)
