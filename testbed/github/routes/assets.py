"""Release assets read, renamed, downloaded and deleted (uploads are on the upload host, `releases`).

`GET /releases/assets/{id}` answers the asset's JSON, or its bytes with `Accept: application/octet-stream`
(GitHub redirects to a storage URL; the bytes are answered here directly, which is what a client
that follows the redirect receives). `browser_download_url` (`/<owner>/<repo>/releases/download/<tag>/<name>`)
serves the bytes too; the repositories are private, so it needs a token like every request.
"""

from __future__ import annotations

from testbed.github.protocol import Call, Endpoint, Reply, not_found, string, unprocessable
from testbed.github.records import Asset, Release, Repo
from testbed.github.routes.common import REPO
from testbed.github.shapes.releases import asset as asset_json

OCTET_STREAM = "application/octet-stream"


def _asset_or_404(repo: Repo, asset_id: int) -> tuple[Release, Asset]:
    found = repo.asset(asset_id)
    if found is None:
        raise not_found()
    return found


def _bytes(asset: Asset) -> Reply:
    return Reply(200, raw=asset.data, headers={
        "Content-Type": OCTET_STREAM, "Content-Disposition": f'attachment; filename="{asset.name}"'})


def get_asset(call: Call) -> Reply:
    repo = call.repo()
    release, asset = _asset_or_404(repo, call.params["asset_id"])
    if OCTET_STREAM in call.headers.get("Accept", ""):
        return _bytes(asset)
    return Reply(200, asset_json(call.site, repo, release, asset))


def update_asset(call: Call) -> Reply:
    repo = call.repo()
    data = call.json()
    with repo.lock:
        release, asset = _asset_or_404(repo, call.params["asset_id"])
        name = string(data, "name")
        if name and name != asset.name and any(a.name == name for a in release.assets):
            raise unprocessable("Validation Failed", resource="ReleaseAsset", code="already_exists", field_name="name")
        asset.name = name or asset.name
        if "label" in data:
            asset.label = string(data, "label") or ""
    return Reply(200, asset_json(call.site, repo, release, asset))


def delete_asset(call: Call) -> Reply:
    repo = call.repo()
    with repo.lock:
        release, asset = _asset_or_404(repo, call.params["asset_id"])
        release.assets.remove(asset)
    return Reply(204)


def browser_download(call: Call) -> Reply:
    repo = call.repo()
    tag, _, name = str(call.params["rest"]).rpartition("/")
    release = repo.release_by_tag(tag)
    if release is None or release.draft:
        raise not_found()
    for asset in release.assets:
        if asset.name == name:
            return _bytes(asset)
    raise not_found()


ROUTES = [
    Endpoint("GET", REPO + "/releases/assets/{asset_id:int}", get_asset),
    Endpoint("PATCH", REPO + "/releases/assets/{asset_id:int}", update_asset),
    Endpoint("DELETE", REPO + "/releases/assets/{asset_id:int}", delete_asset),
]

# on the web host, as `browser_download_url` names it
WEB_ROUTES = [Endpoint("GET", "/{owner}/{repo}/releases/download/{rest:path}", browser_download)]
