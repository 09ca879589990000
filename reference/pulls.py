"""The pull request that carries staging to production."""

from __future__ import annotations

from typing import Any

import github


def ensure(repo: Any, *, head: str, base: str, version: str, images_text: str) -> tuple[Any, bool]:
    """Open the PR head -> base, or update the one already open. Returns (pull, created)."""
    owner = repo.full_name.split("/")[0]
    title = f"Release {version} to production"
    text = (f"Promotes the staging release {version} to production.\n\n"
            f"Merging this pull request retags the tested staging images as `{version}` (no rebuild), "
            f"creates the release `v{version}` and dispatches the production payload.\n\n{images_text}\n")
    for pull in repo.get_pulls(state="open", head=f"{owner}:{head}", base=base):
        if pull.title != title or pull.body != text:
            pull.edit(title=title, body=text)
        return pull, False
    try:
        return repo.create_pull(base=base, head=head, title=title, body=text), True
    except github.GithubException as error:
        if error.status == 422 and "already exists" in str(error.data):
            pulls = list(repo.get_pulls(state="open", head=f"{owner}:{head}", base=base))
            if pulls:
                return pulls[0], False
        raise
