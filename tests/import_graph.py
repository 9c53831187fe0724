"""Who imports whom, read from the source with ``ast``: every import statement counts, at
module level or inside a function (a late import still runs, only later), and so does a
``python -m <module>`` written into a command. Imports under ``if TYPE_CHECKING:`` count
too: a loop that only the type checker sees is still two modules that need each other.
"""

import ast
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Import:
    """``source`` imports ``target`` at ``where`` (path:line)."""

    source: str
    target: str
    where: str


def modules_under(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of ``packages`` (folders under ``root``), by dotted name."""
    found = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imports_of(modules: dict[str, Path], root: Path) -> list[Import]:
    """The imports between ``modules``: a target outside them is left out."""
    found = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        for line, target in _imported_names(tree, name, is_package=path.name == "__init__.py"):
            resolved = _known_module(target, modules)
            if resolved is not None and resolved != name:
                found.append(Import(name, resolved, f"{path.relative_to(root)}:{line}"))
    return found


def cycles(imports: list[Import], unit: Callable[[str], str] = lambda name: name) -> list[str]:
    """One loop per group of units that import each other around a loop, written out as
    ``a -> b (path:line) -> a (path:line)``; ``unit`` maps a module to what is compared
    (itself, or its package)."""
    edges: dict[str, dict[str, str]] = {}
    for imported in imports:
        source, target = unit(imported.source), unit(imported.target)
        if source != target:
            edges.setdefault(source, {}).setdefault(target, imported.where)
    return [_loop_through(group, edges) for group in _strongly_connected(edges)]


def _imported_names(tree: ast.Module, module: str, *, is_package: bool) -> list[tuple[int, str]]:
    """(line, dotted name) of everything ``module`` imports or runs with ``-m``."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, module, is_package=is_package)
            # ``from a import b`` imports the module a.b if there is one, else a name from a
            # (``_known_module`` then settles on a).
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
        elif isinstance(node, ast.List | ast.Tuple):
            items = node.elts
            for flag, value in itertools.pairwise(items):
                if _constant(flag) == "-m" and isinstance(_constant(value), str):
                    found.append((node.lineno, _constant(value)))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _constant(node: ast.expr) -> object:
    return node.value if isinstance(node, ast.Constant) else None


def _absolute(node: ast.ImportFrom, module: str, *, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, node.module] if node.module else base)


def _known_module(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` if it is one of ``modules``, else its nearest package that is."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _strongly_connected(edges: dict[str, dict[str, str]]) -> list[list[str]]:
    """Groups of more than one unit in which each reaches every other (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def _loop_through(group: list[str], edges: dict[str, dict[str, str]]) -> str:
    """The shortest loop from the group's first unit back to itself, written out."""
    start = group[0]
    members = set(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(edges.get(node, {})):
            if target == start:
                steps = [*paths[node], start]
                return steps[0] + "".join(
                    f" -> {b} ({edges[a][b]})" for a, b in itertools.pairwise(steps)
                )
            if target in members and target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no loop through {group}")  # a strongly connected group has one
