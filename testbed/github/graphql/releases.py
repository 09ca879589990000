"""Releases and their assets as GraphQL shows them (`Release`, `ReleaseAsset`); ids and URLs are
the REST API's, so a release's `node_id` resolves through `node(id:)`."""

from __future__ import annotations

from typing import Any

from testbed.github import gitdata, shapes
from testbed.github.graphql.base import Served
from testbed.github.graphql.connections import Connection, connection
from testbed.github.graphql.context import Context
from testbed.github.graphql.gitobjects import Commit, Ref, ref
from testbed.github.graphql.users import actor
from testbed.github.records import Asset, Repo
from testbed.github.records import Release as ReleaseRecord


class ReleaseAsset(Served):
    typename = "ReleaseAsset"

    def __init__(self, ctx: Context, repo: Repo, release: ReleaseRecord, found: Asset) -> None:
        super().__init__(ctx)
        self.id = shapes.node_id("RA", found.id)
        self.database_id = found.id
        self.name = found.name
        self.content_type = found.content_type
        self.size = len(found.data)
        self.download_count = 0
        self.created_at = self.updated_at = found.created_at
        self.uploaded_by = actor(ctx, found.uploader)
        self.download_url = f"{ctx.site.repo_web(repo.full_name)}/releases/download/{release.tag_name}/{found.name}"
        self.url = self.download_url
        self._release = (repo, release)

    def release(self) -> Release:
        return Release(self._ctx, *self._release)


class Release(Served):
    typename = "Release"

    def __init__(self, ctx: Context, repo: Repo, found: ReleaseRecord) -> None:
        super().__init__(ctx)
        self._repo, self._release = repo, found
        self.id = shapes.node_id("RE", found.id)
        self.database_id = found.id
        self.name = found.name or None
        self.tag_name = found.tag_name
        self.description = found.body or None
        self.is_draft = found.draft
        self.is_prerelease = found.prerelease
        self.created_at = found.created_at
        self.published_at = None if found.draft else found.published_at
        self.updated_at = found.updated_at
        self.author = actor(ctx, found.author)
        self.url = f"{ctx.site.repo_web(repo.full_name)}/releases/tag/{found.tag_name}"
        self.resource_path = self.url.removeprefix(ctx.site.url)
        self.is_immutable = False

    def is_latest(self) -> bool:
        return self._repo.latest_release() is self._release

    def tag(self) -> Ref | None:
        return ref(self._ctx, self._repo, f"refs/tags/{self._release.tag_name}")

    def tag_commit(self) -> Commit | None:
        sha = gitdata.resolve(self._repo.bare, f"refs/tags/{self._release.tag_name}")
        found = gitdata.commit(self._repo.bare, sha) if sha else None
        return Commit(self._ctx, self._repo, found) if found else None

    def repository(self) -> Any:
        return self._ctx.repository(self._repo)

    def release_assets(self, first: int | None = None, last: int | None = None, after: str | None = None,
                       before: str | None = None, name: str | None = None) -> Connection:
        found = [a for a in self._release.assets if name is None or a.name == name]
        return connection([ReleaseAsset(self._ctx, self._repo, self._release, a) for a in found], first=first,
                          last=last, after=after, before=before, connection_name="releaseAssets")
