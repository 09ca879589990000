"""The project's own bar: ruff and mypy --strict pass, modules stay small, the packages import no cycle,
every test says in its docstring what it proves.

Import cycles are found statically: every `.py` file under the checked packages is parsed with `ast`
and each `import` / `from ... import ...` anywhere in it (top level, inside functions, under
`TYPE_CHECKING`: a cycle hidden behind a lazy import is still a cycle) becomes an edge to the project
module it names. `from pkg import name` points at the module `pkg.name` when that is a module of the
project, else at `pkg` itself (its `__init__`), so a package's re-exports count: importing a name
through `pkg/__init__.py` depends on what that `__init__` imports. Relative imports are resolved
against the importing module. The cycles are the strongly connected components of that graph with
more than one module.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("testbed", "reference", "steps", "benchmarks")  # the code held to the bar (mypy's `files`)
MAX_LINES = 300
TEST_DIRS = ("tests", "features")  # pytest's testpaths


def _tool(name: str) -> str:
    found = shutil.which(name)
    assert found, f"{name} is not installed: pip install -e '.[lint]' (scripts/setup.sh does)"
    return found


def _modules() -> dict[str, Path]:
    """Every module of the checked packages by dotted name (`pkg/__init__.py` is `pkg`)."""
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _imported(module: str, path: Path, modules: dict[str, Path]) -> Iterator[str]:
    """The project modules that `module` (at `path`) imports."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:  # `import a.b.c` of a name inside a module: that module
                target = target.rpartition(".")[0]
            if target and target != module:
                yield target


def _undocumented_tests(path: Path) -> Iterator[str]:
    """`path:line name` for each test function in the file (methods too) without a one-line docstring."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test_"):
            docstring = ast.get_docstring(node) or ""
            if not docstring or "\n" in docstring.strip():
                yield f"{path.relative_to(ROOT)}:{node.lineno} {node.name}"


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(graph[nxt]))))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_ruff_passes() -> None:
    """`ruff check .` reports nothing under the rules pyproject.toml selects."""
    result = subprocess.run([_tool("ruff"), "check", "--no-cache", "--output-format", "concise", "."],
                            cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_passes() -> None:
    """mypy --strict finds no error in testbed/, reference/, steps/ and benchmarks/."""
    result = subprocess.run([_tool("mypy"), "--strict", *PACKAGES], cwd=ROOT, capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_is_over_300_lines() -> None:
    """Every module under the checked packages has at most 300 lines."""
    long = {str(path.relative_to(ROOT)): n for path in _modules().values()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert not long, f"modules over {MAX_LINES} lines (split them along their seams): {long}"


def test_the_packages_import_no_cycle() -> None:
    """The import graph of the project's modules (see the module docstring) has no cycle."""
    modules = _modules()
    graph = {name: set(_imported(name, path, modules)) for name, path in modules.items()}
    assert not _cycles(graph), f"import cycles: {_cycles(graph)}"


def test_the_cycle_finder_sees_a_cycle_through_a_package_reexport() -> None:
    """A cycle that runs through a package `__init__` re-export is found, an acyclic graph is not."""
    assert _cycles({"p": {"p.a"}, "p.a": {"p.b"}, "p.b": {"p"}, "q": set()}) == [["p", "p.a", "p.b"]]
    assert _cycles({"p": {"p.a"}, "p.a": {"p.b"}, "p.b": set()}) == []


def test_every_test_says_what_it_proves() -> None:
    """Every test function in a test_*.py file under tests/ or features/ has a one-line docstring."""
    files = sorted(path for folder in TEST_DIRS for path in (ROOT / folder).rglob("test_*.py"))
    assert files, f"no test files found under {TEST_DIRS}"
    missing = [found for path in files for found in _undocumented_tests(path)]
    assert not missing, ("test functions without a one-line docstring (write one line saying what the test proves): "
                         + ", ".join(missing))
