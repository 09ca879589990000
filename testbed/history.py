"""The app repository's past: the state a scenario starts from (a released version, an earlier merge,
a missing file, a large object store), written straight into the hosted repository or through an
installation token, so that none of it starts a workflow run."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

import github

from testbed import bulkobjects, gitrepo
from testbed.errors import TestbedError
from testbed.github import LocalGitHub
from testbed.settings import ContractSettings
from testbed.worldconfig import app_files


def seed_repositories(*, app: Path, chart: Path, settings: ContractSettings, workflows: Sequence[Path],
                      root: Path) -> None:
    """The first commit of each repository: the app (its Dockerfiles, the workflows under test,
    VERSION 1.0.0) on main and stg, the chart repository's README on main."""
    files = app_files(settings, uuid.uuid4().hex[:12])
    files.update({f".github/workflows/{path.name}": path.read_text() for path in workflows})
    files["VERSION"] = "1.0.0\n"
    sha = gitrepo.commit_files(app, "main", files, "Initial commit", root=root)
    gitrepo.set_ref(app, "refs/heads/stg", sha)
    readme = {"README.md": f"# {settings.chart_repository}\n\n"
                           f"Receives release dispatches from {settings.app_repository}.\n"}
    gitrepo.commit_files(chart, "main", readme, "Initial commit", root=root)


class RepoHistory:
    """Writes history into `app_repo` (whose bare repository is `bare`) on the local GitHub."""

    def __init__(self, *, github_server: LocalGitHub, app_repo: str, bare: Path, root: Path, merge_method: str,
                 api: Callable[[str | None], github.Github]) -> None:
        self.github = github_server
        self.app_repo = app_repo
        self._bare = bare
        self.root = root
        self._merge_method = merge_method
        self._api = api  # PyGithub as the admin user (None) or as the given token, trusting the local CA

    def set_version(self, version: str, *, released: bool = True) -> str:
        """Make `version` the current state of main and stg (history, so no workflow runs).

        With `released`, the tag `v<version>` and its release exist too, as after a real release.
        """
        bare = self._bare
        sha = gitrepo.commit_files(bare, "main", {"VERSION": f"{version}\n"}, f"Release {version}", root=self.root)
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        if released:
            gitrepo.set_ref(bare, f"refs/tags/v{version}", sha)
            repo = self._api(None).get_repo(self.app_repo)
            repo.create_git_release(f"v{version}", f"v{version}", f"Release {version}", target_commitish=sha)
        return sha

    def remove_file(self, path: str) -> str:
        """Delete `path` on main and stg (history, no runs)."""
        bare = self._bare
        sha = gitrepo.commit_files(bare, "main", {}, f"Remove {path}", root=self.root, remove=(path,))
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        return sha

    def merge_in_history(self, branch: str, title: str) -> str:
        """A pull request from `branch` merged into main (and stg) in the past, with the configured
        merge method: a real pull request on the local GitHub, but no workflow runs."""
        bare = self._bare
        slug = branch.replace("/", "-")
        main = gitrepo.read_ref(bare, "refs/heads/main")
        gitrepo.set_ref(bare, f"refs/heads/{branch}", main)
        gitrepo.commit_files(bare, branch, {f"changes/{slug}.txt": f"{title}\n"}, title, root=self.root)
        # events caused by an installation token start no workflow run: that is what "in the past" needs
        quiet = self.github.create_token("octocat", actions=True)
        try:
            repo = self._api(quiet).get_repo(self.app_repo)
            pull = repo.create_pull(base="main", head=branch, title=title, body="")
            sha = str(pull.merge(merge_method=self._merge_method).sha)
        finally:
            self.github.revoke_token(quiet)
        gitrepo.set_ref(bare, "refs/heads/stg", sha)
        gitrepo.delete_ref(bare, f"refs/heads/{branch}")  # the branch was deleted after its merge
        return sha

    def grow_objects(self, count: int = 17000) -> int:
        """Give the app repository `count` more objects (a branch `bulk-assets` of tiny files, history only)
        so that git abbreviates its commit hashes to more than 7 digits; return that length."""
        bare = self._bare
        bulkobjects.fast_import_files(bare, "refs/heads/bulk-assets", count)
        length = bulkobjects.abbreviation_length(bare, "refs/heads/stg")
        if length <= 7:
            raise TestbedError(f"{self.app_repo} holds {count} more objects but git still abbreviates to "
                               f"{length} digits: grow it more")
        return length
