"""A repository grown by fast-import makes git abbreviate hashes to more than 7 digits, also in a clone."""

from __future__ import annotations

import subprocess
from pathlib import Path

from testbed.bulkobjects import abbreviation_length, fast_import_files


def test_many_objects_lengthen_the_abbreviation(tmp_path: Path) -> None:
    """17000 tiny files give more than 2^14 objects: `rev-parse --short` gives 8 digits, here and in a clone."""
    bare = tmp_path / "app.git"
    subprocess.run(["git", "init", "--quiet", "--bare", str(bare)], check=True)
    fast_import_files(bare, "refs/heads/bulk-assets", 100)
    assert abbreviation_length(bare, "refs/heads/bulk-assets") == 7
    fast_import_files(bare, "refs/heads/bulk-assets", 17000)
    assert abbreviation_length(bare, "refs/heads/bulk-assets") > 7
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(bare), str(clone)], check=True)
    assert abbreviation_length(clone, "origin/bulk-assets") > 7
