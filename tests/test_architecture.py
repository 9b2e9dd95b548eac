"""The shape of the house: domain packages over one kernel and a sealed store, with imports in one direction.

Built from the source with ``ast`` (no import is run): the import graph of ``analytics/`` and
``ui/`` has no cycle, the store and the kernel import no domain, nothing outside the store
touches DuckDB, every ``db`` is typed, and modules stay small and say what they own.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 300
TOP_LEVEL_MODULES = {"__init__.py", "__main__.py", "domains.py"}
SHARED_PACKAGES = {"kernel", "store", "cli"}  # not domains: what every domain uses, and the entry


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def sources() -> dict[str, Path]:
    files = [*(ROOT / "analytics").rglob("*.py"), *(ROOT / "ui").rglob("*.py")]
    return {module_name(p): p for p in sorted(files)}


def runtime_imports(tree: ast.Module) -> list[ast.stmt]:
    """Every import statement, except those under ``if TYPE_CHECKING:`` (types only, never run)."""
    found, todo = [], list(tree.body)
    while todo:
        node = todo.pop()
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        todo.extend(child for child in ast.iter_child_nodes(node) if isinstance(child, ast.stmt))
    return found


def imported_modules(path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules ``path`` imports at run time (a name imported from a package counts as its module)."""
    deps = set()
    for node in runtime_imports(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                deps.add(candidate if candidate in known else node.module)
        elif isinstance(node, ast.Import):
            deps.update(alias.name for alias in node.names)
    return {d for d in deps if d in known}


def import_graph() -> dict[str, set[str]]:
    known = sources()
    return {name: imported_modules(path, known) - {name} for name, path in known.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in graph:
        if node not in index:
            visit(node)
    return found


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if parts[0] == "analytics" and len(parts) > 2 else ""


def test_the_cycle_finder_finds_a_cycle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_analytics_or_ui():
    assert cycles(import_graph()) == []


@pytest.mark.parametrize("package, allowed", [("store", {"store", "kernel"}), ("kernel", {"kernel"})])
def test_the_store_and_the_kernel_import_no_domain(package, allowed):
    wrong = {module: sorted(d for d in deps if package_of(d) not in allowed)
             for module, deps in import_graph().items() if package_of(module) == package}
    assert {m: d for m, d in wrong.items() if d} == {}


def test_analytics_never_imports_streamlit():
    offenders = [name for name, path in sources().items() if name.startswith("analytics")
                 and any((isinstance(n, ast.Import) and any(a.name.split(".")[0] == "streamlit" for a in n.names))
                         or (isinstance(n, ast.ImportFrom) and (n.module or "").split(".")[0] == "streamlit")
                         for n in ast.walk(ast.parse(path.read_text())))]
    assert offenders == []


def test_nothing_outside_the_store_touches_duckdb_or_the_connection():
    offenders = []
    for name, path in sources().items():
        if package_of(name) == "store":
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name == "duckdb" for a in node.names):
                offenders.append(f"{name} imports duckdb")
            if isinstance(node, ast.Attribute) and node.attr == "_con":
                offenders.append(f"{name} uses ._con")
    assert offenders == []


def test_every_db_parameter_is_typed_as_the_store():
    untyped = []
    for name, path in sources().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                untyped += [f"{name}.{node.name}" for a in args
                            if a.arg in ("db", "_db") and ast.unparse(a.annotation or ast.Constant("")) != "Database"]
    assert untyped == []


def test_analytics_keeps_few_modules_at_its_top_and_domains_in_packages():
    top = {p.name for p in (ROOT / "analytics").glob("*.py")}
    assert top <= TOP_LEVEL_MODULES
    packages = [p for p in (ROOT / "analytics").iterdir() if p.is_dir() and (p / "__init__.py").exists()]
    for package in packages:
        if package.name not in SHARED_PACKAGES and package.name != "access":
            assert (package / "domain.py").exists(), f"{package.name} has no domain.py declaration"


@pytest.mark.parametrize("folder", ["analytics", "ui", "pages"])
def test_modules_are_small_and_say_what_they_own(folder):
    too_long, undocumented = [], []
    for path in sorted((ROOT / folder).rglob("*.py")):
        text = path.read_text()
        if len(text.splitlines()) > MAX_LINES:
            too_long.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
        if not ast.get_docstring(ast.parse(text)):
            undocumented.append(str(path.relative_to(ROOT)))
    assert too_long == []
    assert undocumented == []


def test_every_domain_package_is_declared_in_analytics_domains():
    declared = {node.module.split(".")[1] for node in ast.walk(ast.parse((ROOT / "analytics" / "domains.py").read_text()))
                if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(".domain")}
    on_disk = {p.parent.name for p in (ROOT / "analytics").glob("*/domain.py")}
    assert declared == on_disk
