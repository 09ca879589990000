// A few REST calls with @octokit/rest, the client inside actions/github-script and most
// release actions. It sends its header names in lower case (`authorization`).
// Environment: OCTOKIT_MODULES (node_modules with @octokit/rest), GH_API, GH_TOKEN, GH_REPO.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(process.env.OCTOKIT_MODULES + "/");
const { Octokit } = await import(pathToFileURL(require.resolve("@octokit/rest")).href);

const [owner, repo] = process.env.GH_REPO.split("/");
const octokit = new Octokit({ auth: process.env.GH_TOKEN, baseUrl: process.env.GH_API });

const user = await octokit.rest.users.getAuthenticated();
const got = await octokit.rest.repos.get({ owner, repo });
const main = await octokit.rest.git.getRef({ owner, repo, ref: "heads/main" });
const release = await octokit.rest.repos.createRelease({
  owner, repo, tag_name: "v9.9.9", name: "9.9.9", body: "from octokit", target_commitish: "main",
});
const asset = await octokit.request({
  method: "POST", url: release.data.upload_url, name: "notes.txt", data: "hello",
  headers: { "content-type": "text/plain" },
});
const releases = await octokit.paginate(octokit.rest.repos.listReleases, { owner, repo, per_page: 1 });
await octokit.rest.repos.createDispatchEvent({ owner, repo, event_type: "from-octokit", client_payload: { n: 1 } });
let missing = 0;
try {
  await octokit.rest.repos.get({ owner, repo: "does-not-exist" });
} catch (error) {
  missing = error.status;
}

console.log(JSON.stringify({
  login: user.data.login,
  full_name: got.data.full_name,
  main_sha: main.data.object.sha,
  release_tag: release.data.tag_name,
  release_status: release.status,
  asset: [asset.status, asset.data.name, asset.data.size],
  releases: releases.map((r) => r.tag_name),
  ratelimit_remaining: got.headers["x-ratelimit-remaining"],
  missing,
}));
