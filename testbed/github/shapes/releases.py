"""Releases and release assets as GitHub's REST API and `release` webhooks shape them."""

from __future__ import annotations

from typing import Any

from testbed.github.records import Asset, Release, Repo
from testbed.github.shapes.common import node_id, user_of
from testbed.github.site import Site


def release(site: Site, repo: Repo, found: Release, *, webhook: bool = False) -> dict[str, Any]:
    """A release as the REST API answers it, or (`webhook`) as a `release` event carries it."""
    base = site.repo_api(repo.full_name)
    rid = found.id
    body = {
        "url": f"{base}/releases/{rid}",
        "html_url": f"{site.repo_web(repo.full_name)}/releases/tag/{found.tag_name}",
        "assets_url": f"{base}/releases/{rid}/assets",
        "upload_url": f"{site.uploads}/repos/{repo.full_name}/releases/{rid}/assets{{?name,label}}",
        "tarball_url": f"{base}/tarball/{found.tag_name}",
        "zipball_url": f"{base}/zipball/{found.tag_name}",
        "id": rid,
        "node_id": node_id("RE", rid),
        "tag_name": found.tag_name,
        "target_commitish": found.target_commitish,
        "name": found.name,
        "body": found.body,
        "draft": found.draft,
        "prerelease": found.prerelease,
        "immutable": False,
        "created_at": found.created_at,
        "published_at": None if found.draft else found.published_at,
        "updated_at": found.updated_at,
        "author": user_of(site, found.author, webhook=webhook),
        "assets": [asset(site, repo, found, a, webhook=webhook) for a in found.assets],
    }
    if webhook:  # the webhook schema has neither
        del body["immutable"], body["updated_at"]
    return body


def asset(site: Site, repo: Repo, owner: Release, found: Asset, *, webhook: bool = False) -> dict[str, Any]:
    return {
        "url": f"{site.repo_api(repo.full_name)}/releases/assets/{found.id}",
        "browser_download_url": f"{site.repo_web(repo.full_name)}/releases/download/{owner.tag_name}/{found.name}",
        "id": found.id,
        "node_id": node_id("RA", found.id),
        "name": found.name,
        "label": found.label,
        "state": "uploaded",
        "content_type": found.content_type,
        "size": len(found.data),
        "digest": None,
        "download_count": 0,
        "created_at": found.created_at,
        "updated_at": found.created_at,
        "uploader": user_of(site, found.uploader, webhook=webhook),
    }
