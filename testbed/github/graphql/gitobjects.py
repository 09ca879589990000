"""Git as GraphQL shows it: `Ref` (branches and tags), `Commit`, annotated `Tag`, and the commit
statuses rolled up (`StatusCheckRollup`, `StatusContext`). Read from the bare repository."""

from __future__ import annotations

import subprocess
from typing import Any

from testbed.github import gitdata, shapes
from testbed.github.graphql.base import Served, pull_state
from testbed.github.graphql.connections import Connection, connection
from testbed.github.graphql.context import Context
from testbed.github.graphql.users import actor
from testbed.github.records import Repo, Status

# how GitHub rolls statuses up: the worst state of the latest status per context
ROLLUP_ORDER = ("ERROR", "FAILURE", "PENDING", "SUCCESS")


class GitActor(Served):
    def __init__(self, ctx: Context, name: str, email: str, date: str) -> None:
        super().__init__(ctx)
        self.name, self.email, self.date = name, email, date
        self.avatar_url = f"{ctx.site.url}/avatars/{name}"

    def user(self) -> Any:
        return actor(self._ctx, self.name) if self.name in self._ctx.logins() else None


class Commit(Served):
    typename = "Commit"

    def __init__(self, ctx: Context, repo: Repo, found: gitdata.Commit) -> None:
        super().__init__(ctx)
        self._repo, self._commit = repo, found
        self.oid = found.sha
        self.abbreviated_oid = found.sha[:7]
        self.id = shapes.node_id("C", shapes.numeric_id(found.sha))
        self.message = found.message
        self.message_headline, _, rest = found.message.partition("\n")
        self.message_body = rest.strip("\n")
        self.committed_date = found.committer_date
        self.authored_date = found.author_date
        self.pushed_date = found.committer_date
        self.url = f"{ctx.site.repo_web(repo.full_name)}/commit/{found.sha}"
        self.commit_url = self.url
        self.resource_path = f"/{repo.full_name}/commit/{found.sha}"
        self.author = GitActor(ctx, found.author_name, found.author_email, found.author_date)
        self.committer = GitActor(ctx, found.committer_name, found.committer_email, found.committer_date)

    def repository(self) -> Any:
        return self._ctx.repository(self._repo)

    def tree(self) -> Tree:
        return Tree(self._ctx, self._repo, self._commit.tree)

    def parents(self, first: int | None = None, last: int | None = None, after: str | None = None,
                before: str | None = None) -> Connection:
        parents = [c for c in (gitdata.commit(self._repo.bare, p) for p in self._commit.parents) if c]
        return connection([Commit(self._ctx, self._repo, p) for p in parents], first=first, last=last, after=after,
                          before=before, connection_name="parents")

    def history(self, first: int | None = None, last: int | None = None, after: str | None = None,
                before: str | None = None, path: str | None = None, since: str | None = None,
                until: str | None = None) -> Connection:
        """The commits reachable from this one, newest first (`git log`), as release tools page them."""
        found = [c for c in gitdata.log(self._repo.bare, self.oid, path=path)
                 if (since is None or c.committer_date >= since) and (until is None or c.committer_date <= until)]
        return connection([Commit(self._ctx, self._repo, c) for c in found], first=first, last=last, after=after,
                          before=before, connection_name="history")

    def authors(self, first: int | None = None, last: int | None = None, after: str | None = None,
                before: str | None = None) -> Connection:
        return connection([self.author], first=first, last=last, after=after, before=before,
                          connection_name="authors")

    def comments(self, first: int | None = None, last: int | None = None, after: str | None = None,
                 before: str | None = None) -> Connection:
        found = [self._ctx.make("CommitComment", self._repo, c) for c in self._repo.commit_comments
                 if c.commit_id == self.oid]
        return connection(found, first=first, last=last, after=after, before=before, connection_name="comments")

    def associated_pull_requests(self, first: int | None = None, last: int | None = None, after: str | None = None,
                                 before: str | None = None) -> Connection:
        """The pull requests this commit came in with or is on, as `GET /commits/{sha}/pulls` finds them."""
        found = self._ctx.pulls_of_commit(self._repo, self.oid)
        return connection([self._ctx.make("PullRequest", self._repo, p) for p in found], first=first, last=last,
                          after=after, before=before, connection_name="associatedPullRequests")

    def _statuses(self) -> list[Status]:
        latest: dict[str, Status] = {}
        for status in self._repo.statuses:
            if status.sha == self.oid:
                latest[status.context] = status
        return list(latest.values())

    def status_check_rollup(self) -> StatusCheckRollup | None:
        statuses = self._statuses()
        return StatusCheckRollup(self._ctx, self._repo, self.oid, statuses) if statuses else None

    def status(self) -> StatusCheckRollup | None:
        return self.status_check_rollup()


class StatusContext(Served):
    typename = "StatusContext"

    def __init__(self, ctx: Context, found: Status) -> None:
        super().__init__(ctx)
        self.id = shapes.node_id("SC", found.id)
        self.context = found.context
        self.state = found.state.upper()
        self.description = found.description
        self.target_url = found.target_url
        self.created_at = found.created_at
        self.is_required = False
        self.creator = actor(ctx, found.creator)


class StatusCheckRollup(Served):
    """The combined status of a commit (GitHub also rolls check runs in; the testbed has none)."""

    typename = "StatusCheckRollup"

    def __init__(self, ctx: Context, repo: Repo, sha: str, statuses: list[Status]) -> None:
        super().__init__(ctx)
        self._statuses = statuses
        self.id = shapes.node_id("SCR", shapes.numeric_id(f"{repo.full_name}:{sha}"))
        states = {s.state.upper() for s in statuses}
        worst = next(s for s in ROLLUP_ORDER if s in states)
        self.state = "FAILURE" if worst == "ERROR" else worst

    def contexts(self, first: int | None = None, last: int | None = None, after: str | None = None,
                 before: str | None = None) -> Connection:
        return connection([StatusContext(self._ctx, s) for s in self._statuses], first=first, last=last, after=after,
                          before=before, connection_name="contexts")


class Tag(Served):
    """An annotated tag object."""

    typename = "Tag"

    def __init__(self, ctx: Context, repo: Repo, sha: str) -> None:
        super().__init__(ctx)
        self._repo = repo
        self.oid = sha
        self.abbreviated_oid = sha[:7]
        self.id = shapes.node_id("TAG", shapes.numeric_id(sha))
        text = gitdata.git(repo.bare, "cat-file", "tag", sha)
        header, _, self.message = text.partition("\n\n")
        fields = dict(line.split(" ", 1) for line in header.splitlines() if " " in line)
        self.name = fields.get("tag", "")
        self._target = fields.get("object", "")

    def target(self) -> Any:
        return git_object(self._ctx, self._repo, self._target)


class Blob(Served):
    """A file's contents; `text` is null for binary files, as on GitHub."""

    typename = "Blob"

    def __init__(self, ctx: Context, repo: Repo, sha: str) -> None:
        super().__init__(ctx)
        self._repo = repo
        self.oid, self.abbreviated_oid = sha, sha[:7]
        self.id = shapes.node_id("BL", shapes.numeric_id(sha))
        data = subprocess.run(["git", "cat-file", "blob", sha], cwd=repo.bare, capture_output=True,
                              check=True).stdout
        self.byte_size = len(data)
        self.is_binary = b"\0" in data
        self.is_truncated = False
        self.text = None if self.is_binary else data.decode("utf-8", errors="replace")


class Tree(Served):
    typename = "Tree"

    def __init__(self, ctx: Context, repo: Repo, sha: str, path: str = "") -> None:
        super().__init__(ctx)
        self._repo, self._path = repo, path
        self.oid, self.abbreviated_oid = sha, sha[:7]
        self.id = shapes.node_id("TR", shapes.numeric_id(sha))

    def entries(self) -> list[dict[str, Any]]:
        out = gitdata.git(self._repo.bare, "ls-tree", "-l", self.oid)
        found = []
        for line in out.splitlines():
            meta, _, name = line.partition("\t")
            mode, kind, oid, size = meta.split()
            path = f"{self._path}/{name}" if self._path else name
            found.append({"name": name, "path": path, "mode": int(mode, 8), "type": kind, "oid": oid,
                          "size": int(size) if size.isdigit() else 0, "isGenerated": False,
                          "extension": "." + name.rsplit(".", 1)[1] if "." in name else None,
                          "object": Tree(self._ctx, self._repo, oid, path) if kind == "tree"
                          else Blob(self._ctx, self._repo, oid) if kind == "blob" else None,
                          "repository": self._ctx.repository(self._repo)})
        return found


def git_object(ctx: Context, repo: Repo, sha: str) -> Commit | Tag | Blob | Tree | None:
    """The git object `sha` names, as its GraphQL type (None if there is no such object)."""
    kind = gitdata.object_type(repo.bare, sha)
    if kind == "tag":
        return Tag(ctx, repo, sha)
    if kind == "blob":
        return Blob(ctx, repo, sha)
    if kind == "tree":
        return Tree(ctx, repo, sha)
    found = gitdata.commit(repo.bare, sha) if kind == "commit" else None
    return Commit(ctx, repo, found) if found else None


class Ref(Served):
    """A branch or tag; `name` is short (`main`), `prefix` the namespace (`refs/heads/`)."""

    typename = "Ref"

    def __init__(self, ctx: Context, repo: Repo, refname: str, sha: str) -> None:
        super().__init__(ctx)
        self._repo, self._sha = repo, sha
        head, _, rest = refname.partition("/")
        kind, _, self.name = rest.partition("/")
        self.prefix = f"{head}/{kind}/"
        self.id = shapes.node_id("REF", shapes.numeric_id(f"{repo.full_name}:{refname}"))

    def target(self) -> Any:
        return git_object(self._ctx, self._repo, self._sha)

    def repository(self) -> Any:
        return self._ctx.repository(self._repo)

    def associated_pull_requests(self, states: list[str] | None = None, first: int | None = None,
                                 last: int | None = None, after: str | None = None,
                                 before: str | None = None) -> Connection:
        found = [p for p in self._repo.pulls if self.prefix == "refs/heads/" and p.head == self.name
                 and (not states or pull_state(p) in states)]
        pulls = [self._ctx.make("PullRequest", self._repo, p) for p in found]
        return connection(pulls, first=first, last=last, after=after,
                          before=before, connection_name="associatedPullRequests")


def ref(ctx: Context, repo: Repo, qualified: str) -> Ref | None:
    """The ref a name qualifies (`refs/heads/main`, or a short `main`/`v1` tried as branch, then tag)."""
    candidates = [qualified] if qualified.startswith("refs/") else [f"refs/heads/{qualified}", f"refs/tags/{qualified}"]
    for refname in candidates:
        sha = gitdata.refs(repo.bare, refname).get(refname)
        if sha:
            return Ref(ctx, repo, refname, sha)
    return None
