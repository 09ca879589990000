"""Which permission each operation of the local GitHub needs from a workflow's `GITHUB_TOKEN`:
one table, keyed by route family, so that a new endpoint under a known family is covered
without an annotation of its own.

Taken from GitHub's "Permissions required for GitHub Apps" and "...for fine-grained personal
access tokens" (the OpenAPI description carries no permissions: its `x-github` metadata has only
category and subcategory). A `GET`/`HEAD` needs `read`, any other method `write`, unless a rule
names the level. A rule listing several scopes is met by any one of them (issue comments: issues
or pull requests). A token without the permission gets GitHub's
403 `Resource not accessible by integration`; personal tokens (`permissions is None`) are not
limited by this table. GraphQL mutations map to the same scopes (`MUTATIONS`), and GraphQL reads to
the REST read of the same resource (`GRAPHQL_READS`), so both APIs answer a token alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from testbed.github.permissions import Permissions
from testbed.github.protocol import HTTPError

NOT_ACCESSIBLE = "Resource not accessible by integration"
REPO = r"^/repos/[^/]+/[^/]+"
READS = ("GET", "HEAD")


@dataclass(frozen=True)
class Rule:
    """Paths matching `pattern` (below `/api/v3`), for `methods` (empty: any), need one of `scopes`
    at `level` (empty: read for GET/HEAD, write otherwise). No scopes: open to every token;
    `scopes=("user",)`: a user's own resource, never granted to an installation token."""

    pattern: str
    scopes: tuple[str, ...]
    methods: tuple[str, ...] = ()
    level: str = ""

    def matches(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and re.search(self.pattern, path) is not None

    def needed(self, method: str) -> str:
        return self.level or ("read" if method in READS else "write")


# first match wins: specific rules before their family
RULES: tuple[Rule, ...] = (
    Rule(r"^/?$|^/(meta|versions|rate_limit|zen|octocat)$", ()),
    Rule(r"^/(orgs|users)/[^/]+/packages(/|$)|^/user/packages(/|$)", ("packages",)),
    Rule(r"^/user(/|$)", ("user",)),
    Rule(r"^/users/", (), methods=READS),  # public profiles
    Rule(REPO + r"/pulls/\d+/merge$", ("contents",), methods=("PUT",)),  # "Merge a pull request"
    Rule(REPO + r"/pulls/\d+/update-branch$", ("contents",)),
    Rule(REPO + r"/pulls(/|$)", ("pull-requests",)),
    Rule(REPO + r"/commits/[^/]+/pulls$", ("pull-requests",)),
    Rule(REPO + r"/issues/(\d+/)?comments(/|$)", ("issues", "pull-requests")),
    Rule(REPO + r"/issues(/|$)", ("issues",)),
    Rule(REPO + r"/labels(/|$)|" + REPO + r"/milestones(/|$)", ("issues", "pull-requests")),
    Rule(REPO + r"/statuses/|" + REPO + r"/commits/[^/]+/(status|statuses)$", ("statuses",)),
    Rule(REPO + r"/check-(runs|suites)(/|$)|" + REPO + r"/commits/[^/]+/check-(runs|suites)$", ("checks",)),
    Rule(REPO + r"/deployments(/|$)|" + REPO + r"/environments(/|$)", ("deployments",)),
    Rule(REPO + r"/actions(/|$)", ("actions",)),
    Rule(REPO + r"/pages(/|$)", ("pages",)),
    Rule(REPO + r"/dispatches$", ("contents",)),  # "Create a repository dispatch event": contents write
    Rule(REPO + r"/(branches|tags|languages|topics|contributors|teams)(/|$)", ("metadata",), methods=READS),
    Rule(REPO + r"/branches(/|$)", ("administration",)),  # rename, protection
    Rule(REPO + r"/(git|commits|compare|contents|releases|merges|merge-upstream|comments|readme|tarball|zipball)"
         r"(/|$)", ("contents",)),
    Rule(REPO + r"$", ("metadata",), methods=READS),
    Rule(REPO + r"$", ("administration",)),
    Rule(r"^/graphql$", ()),  # each field and mutation is checked on its own (below)
    Rule(r"^/[^/]+/[^/]+/releases/download/", ("contents",), methods=READS),  # browser_download_url, web host
)

# GraphQL: a mutation needs what its REST counterpart needs; queries need read of what they read
MUTATIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "createPullRequest": (("pull-requests",), "write"),
    "updatePullRequest": (("pull-requests",), "write"),
    "closePullRequest": (("pull-requests",), "write"),
    "reopenPullRequest": (("pull-requests",), "write"),
    "mergePullRequest": (("contents",), "write"),
    "addComment": (("issues", "pull-requests"), "write"),
    "createRef": (("contents",), "write"),
    "updateRef": (("contents",), "write"),
    "deleteRef": (("contents",), "write"),
    "createCommitOnBranch": (("contents",), "write"),
    "createIssue": (("issues",), "write"),
}

# GraphQL reads: a field that returns one of these types (or a connection of them) needs what the REST read
# of the same resource needs (the path below /repos/{owner}/{repo}, looked up in RULES); `Type.field` names
# a field that reads less than its type does (a branch's name is metadata, as GET /branches is). GitHub
# answers a field the token may not read with a FORBIDDEN error and null, as for installation tokens.
GRAPHQL_READS: dict[str, str] = {
    "Repository": "",
    "Repository.defaultBranchRef": "/branches/main",
    "PullRequest": "/pulls",
    "PullRequest.headRef": "/pulls/1", "PullRequest.baseRef": "/pulls/1", "PullRequest.mergeCommit": "/pulls/1",
    "PullRequestCommit": "/pulls/1/commits", "PullRequestCommit.commit": "/pulls/1/commits",
    "PullRequestChangedFile": "/pulls/1/files",
    "Ref": "/git/refs", "GitObject": "/git/commits/0", "Commit": "/commits", "CommitHistory": "/commits",
    "Tree": "/git/trees/0", "TreeEntry": "/git/trees/0", "Blob": "/git/blobs/0", "Tag": "/git/tags/0",
    "Release": "/releases", "ReleaseAsset": "/releases/assets/1", "CommitComment": "/comments",
    "Issue": "/issues", "IssueComment": "/issues/comments", "Label": "/labels", "Milestone": "/milestones",
    "Status": "/commits/0/status", "StatusContext": "/commits/0/statuses",
    "CheckRun": "/check-runs", "CheckSuite": "/check-suites",
    "Deployment": "/deployments", "Environment": "/environments",
}
SOME_REPO = "/repos/owner/repo"


class MissingRuleError(Exception):
    """An operation of the local GitHub that no rule covers: a gap in this table, not a client error."""


def rule_for(method: str, path: str) -> Rule:
    """The rule for `method` on `path` (below `/api/v3`; the upload host's `/uploads` prefix is dropped)."""
    path = path.removeprefix("/uploads")
    method = "GET" if method == "HEAD" else method
    for rule in RULES:
        if rule.matches(method, path):
            return rule
    raise MissingRuleError(f"no permission rule for {method} {path}: add its route family to RULES in {__name__}")


def granted(permissions: Permissions, scopes: tuple[str, ...], level: str) -> bool:
    return not scopes or any(permissions.allows(scope, level) for scope in scopes)


def check(permissions: Permissions | None, method: str, path: str) -> None:
    """Raise GitHub's 403 when a token with `permissions` (None: a personal token) may not do this."""
    if permissions is None:
        return
    rule = rule_for(method, path)
    if not granted(permissions, rule.scopes, rule.needed(method)):
        raise HTTPError(403, NOT_ACCESSIBLE)


def check_mutation(permissions: Permissions | None, name: str) -> None:
    """The same for a GraphQL mutation (GitHub answers a FORBIDDEN error naming the same message)."""
    if permissions is None:
        return
    scopes, level = MUTATIONS.get(name, (("contents",), "write"))
    if not granted(permissions, scopes, level):
        raise HTTPError(403, NOT_ACCESSIBLE)


@lru_cache(maxsize=4096)
def graphql_read_scopes(parent: str, field: str, typename: str) -> tuple[str, ...] | None:
    """The scopes (any one, at read) that field `field` of GraphQL type `parent`, returning `typename` (a
    connection's item type), needs; None when the table names neither (metadata, users: no check)."""
    suffix = GRAPHQL_READS.get(f"{parent}.{field}", GRAPHQL_READS.get(typename))
    return None if suffix is None else rule_for("GET", SOME_REPO + suffix).scopes


def check_graphql_read(permissions: Permissions | None, scopes: tuple[str, ...] | None) -> None:
    """GitHub's refusal of a GraphQL read a token with `permissions` may not make (a FORBIDDEN error)."""
    if permissions is not None and scopes is not None and not granted(permissions, scopes, "read"):
        raise HTTPError(403, NOT_ACCESSIBLE)
