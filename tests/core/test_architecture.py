"""The shape rules of the house style, checked by reading the source of ``indirect_work``.

These keep the feature packages small and layered: a module a reader can hold in their head, a function
that fits on a screen, no import circle (so every package can be imported on its own and the layering is
real), ``core`` knowing nothing of the features built on it, and one commit point
(``indirect_work/core/transactions.py``) so that no view or service decides on its own when work is kept.

Nothing here imports the application: each rule parses the files with ``ast``, so a broken import shows up
as the import test it breaks, not as a failure of every rule. Every failure names the offending module
(and function, or line) so that the message alone says what to fix.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PACKAGE = "indirect_work"
PACKAGE_DIR = Path(__file__).resolve().parents[2] / PACKAGE

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60

# The feature packages; core is the layer under them and must not reach up into any of them.
FEATURE_PACKAGES = (
    "mail",
    "jobs",
    "auth",
    "audit",
    "capture",
    "impact",
    "reports",
    "reminders",
    "admin",
    "api",
    "org",
    "taxonomy",
    "demo",
    "ops",
)
CORE_PACKAGE = f"{PACKAGE}.core"

# The one module allowed to end a unit of work.
COMMIT_POINT = f"{PACKAGE}.core.transactions"
TRANSACTION_ENDS = ("commit", "rollback")


@dataclass(frozen=True)
class Module:
    """One source file of the package, parsed once."""

    name: str
    path: Path
    is_package: bool
    text: str
    tree: ast.Module

    @property
    def relpath(self) -> str:
        return self.path.relative_to(PACKAGE_DIR.parent).as_posix()


@dataclass(frozen=True)
class Import:
    """One import statement's target, resolved to a dotted name, with where it was written."""

    target: str
    lineno: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Module]:
    """Every ``.py`` file under the package, by dotted module name."""
    found: dict[str, Module] = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        name = _module_name(path)
        found[name] = Module(
            name, path, path.name == "__init__.py", text, ast.parse(text, filename=str(path))
        )
    return found


def _resolve_from(module: Module, node: ast.ImportFrom) -> str:
    """The absolute name of the module a ``from ... import`` statement reads from."""
    if node.level == 0:
        return node.module or ""
    # A package's own name is the base of its relative imports; a plain module's base is its package.
    base = module.name.split(".")
    if not module.is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def imports_of(module: Module) -> list[Import]:
    """Every import in the module, at any depth (inside functions and ``if`` blocks too).

    ``from pkg import name`` counts as an import of ``pkg.name`` when that is a module of ours, and of
    ``pkg`` otherwise, because that is the code the statement runs.
    """
    known = modules()
    found: list[Import] = []
    for node in sorted(ast.walk(module.tree), key=lambda node: getattr(node, "lineno", 0)):
        if isinstance(node, ast.Import):
            found.extend(Import(alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            source = _resolve_from(module, node)
            for alias in node.names:
                submodule = f"{source}.{alias.name}"
                found.append(Import(submodule if submodule in known else source, node.lineno))
    return found


def _is_ours(name: str) -> bool:
    return name == PACKAGE or name.startswith(f"{PACKAGE}.")


def import_graph() -> dict[str, set[str]]:
    """Module -> the modules of ours it imports."""
    known = modules()
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, module in known.items():
        for imported in imports_of(module):
            target = imported.target
            # ``import indirect_work.a.b.Name``-style targets are not possible, but a name we do not know
            # as a module (a typo, a deleted module) is left to the import tests to report.
            if _is_ours(target) and target in known and target != name:
                graph[name].add(target)
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the groups of modules that can reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph[child]))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def cycle_in(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """One concrete circle through the first module of a strongly connected group (breadth-first)."""
    members = set(group)
    start = group[0]
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [start, *reversed(path[:-1]), start] if node != start else [start, start]
                if child not in came_from:
                    came_from[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"{group} is not a circle")


def functions_of(module: Module) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    """Every function and method, with its qualified name (``Class.method``, ``outer.inner``)."""

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qualname = f"{prefix}{child.name}"
                yield qualname, child
                yield from visit(child, f"{qualname}.")
            elif isinstance(child, ast.ClassDef):
                yield from visit(child, f"{prefix}{child.name}.")
            else:
                yield from visit(child, prefix)

    yield from visit(module.tree, "")


def _enclosing_function(module: Module, lineno: int) -> str:
    """The innermost function around a line, or ``<module>``."""
    best = "<module>"
    best_start = 0
    for qualname, node in functions_of(module):
        end = node.end_lineno or node.lineno
        if node.lineno <= lineno <= end and node.lineno >= best_start:
            best, best_start = qualname, node.lineno
    return best


def test_the_package_is_found() -> None:
    """The rules below would pass vacuously if the source were not where they look."""
    assert f"{PACKAGE}.core.transactions" in modules()
    assert len(modules()) > 20


def test_no_module_is_over_400_lines() -> None:
    too_long = [
        f"{module.relpath}: {len(module.text.splitlines())} lines"
        for module in modules().values()
        if len(module.text.splitlines()) > MAX_MODULE_LINES
    ]
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines (split them by what they do):\n" + "\n".join(
        too_long
    )


def test_no_function_is_over_60_lines() -> None:
    too_long = []
    for module in modules().values():
        for qualname, node in functions_of(module):
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                too_long.append(f"{module.name}.{qualname} ({module.relpath}:{node.lineno}): {length} lines")
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines (def line to last line):\n" + "\n".join(
        too_long
    )


def test_no_import_circle() -> None:
    graph = import_graph()
    circles = [
        " -> ".join(cycle_in(group, graph))
        for group in strongly_connected(graph)
        if len(group) > 1 or group[0] in graph[group[0]]
    ]
    assert not circles, (
        "import circles among indirect_work modules (imports at any depth count):\n" + "\n".join(circles)
    )


def test_core_imports_no_feature_package() -> None:
    features = tuple(f"{PACKAGE}.{feature}" for feature in FEATURE_PACKAGES)
    reaching_up = []
    for module in modules().values():
        if module.name != CORE_PACKAGE and not module.name.startswith(f"{CORE_PACKAGE}."):
            continue
        for imported in imports_of(module):
            if any(
                imported.target == feature or imported.target.startswith(f"{feature}.")
                for feature in features
            ):
                reaching_up.append(
                    f"{module.name} ({module.relpath}:{imported.lineno}) imports {imported.target}"
                )
    assert not reaching_up, "indirect_work.core must not import a feature package:\n" + "\n".join(reaching_up)


def test_only_the_commit_point_commits_or_rolls_back() -> None:
    calls = []
    for module in modules().values():
        if module.name == COMMIT_POINT:
            continue
        for node in sorted(ast.walk(module.tree), key=lambda node: getattr(node, "lineno", 0)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in TRANSACTION_ENDS
            ):
                where = _enclosing_function(module, node.lineno)
                calls.append(
                    f"{module.name}.{where} ({module.relpath}:{node.lineno}) calls .{node.func.attr}()"
                )
    assert not calls, (
        f"only {COMMIT_POINT} may commit or roll back "
        "(use attempt, abandon, unit_of_work or keep_despite_refusal there):\n" + "\n".join(calls)
    )
