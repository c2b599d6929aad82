"""The import graph of `companion/`, every import statement counted (function-level ones too).

Prints the edges between packages (`companion.X`, and `companion.ui.X` for the UI's
sub-packages; a top-level module such as `companion.cli` is its own node), then every cycle,
between packages or between modules. Exits with 1 when there is a cycle, else 0.

    python scripts/import_graph.py            # package edges and cycles
    python scripts/import_graph.py --modules  # the module edges as well
    python scripts/import_graph.py --collapse companion.ui
                                               # companion.ui as one node: cycles through
                                               # it count, cycles inside it are not looked for

Imports under `if TYPE_CHECKING:` count as well: what a module names is a dependency, whether
or not it is executed. An import of a name from a package counts as an import of the package's
`__init__` unless the name is a sub-module.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "companion"


def module_names(root: Path) -> dict[str, Path]:
    """Every module of the package, by dotted name (a package by its `__init__`)."""
    modules = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imported_modules(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project's modules that one module imports, anywhere in its body."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _longest_known(alias.name, modules)
                if target:
                    found.add(target)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node, name, is_package)
            if not base or not (base == PACKAGE or base.startswith(PACKAGE + ".")):
                continue
            for alias in node.names:
                child = f"{base}.{alias.name}"
                target = child if child in modules else _longest_known(base, modules)
                if target:
                    found.add(target)
    found.discard(name)
    return found


def _absolute(node: ast.ImportFrom, name: str, is_package: bool) -> str | None:
    if not node.level:
        return node.module
    parts = name.split(".")
    if not is_package:
        parts.pop()
    if node.level > 1:
        parts = parts[: len(parts) - (node.level - 1)]
    return ".".join(parts + ([node.module] if node.module else []))


def _longest_known(dotted: str, modules: dict[str, Path]) -> str | None:
    parts = dotted.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def package_of(module: str, modules: dict[str, Path]) -> str:
    """`companion.X`, or `companion.ui.X` when that is a package (a top-level module is its own)."""
    parts = module.split(".")
    if parts[:2] == [PACKAGE, "ui"] and len(parts) >= 3:
        head = ".".join(parts[:3])
        if modules.get(head, Path()).name == "__init__.py":
            return head
    return ".".join(parts[:2])


def module_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module's imports of the project's modules."""
    modules = module_names(root)
    return {name: imported_modules(name, path, modules) for name, path in modules.items()}


def package_graph(modules_graph: dict[str, set[str]], root: Path = ROOT) -> dict[str, set[str]]:
    """The module graph aggregated to packages (no edge from a package to itself)."""
    modules = module_names(root)
    graph: dict[str, set[str]] = defaultdict(set)
    for source, targets in modules_graph.items():
        graph[package_of(source, modules)]
        for target in targets:
            a, b = package_of(source, modules), package_of(target, modules)
            if a != b:
                graph[a].add(b)
    return dict(graph)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan's, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
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
    return sorted(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--modules", action="store_true", help="print the module edges too")
    parser.add_argument(
        "--collapse",
        action="append",
        default=[],
        metavar="PACKAGE",
        help="count this package as one node: no cycle looked for inside it, only through it",
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the folder holding companion/")
    args = parser.parse_args(argv)
    modules = module_names(args.root)
    by_module = module_graph(args.root)
    by_package = package_graph(by_module, args.root)

    print("Package edges:")
    for source in sorted(by_package):
        for target in sorted(by_package[source]):
            print(f"  {source} -> {target}")
    if args.modules:
        print("Module edges:")
        for source in sorted(by_module):
            for target in sorted(by_module[source]):
                print(f"  {source} -> {target}")

    def node(name: str) -> str:
        return next((c for c in args.collapse if name == c or name.startswith(c + ".")), name)

    checked_modules = _collapsed(by_module, node)
    checked_packages = _collapsed(by_package, node)
    found = False
    for component in cycles(checked_packages):
        found = True
        print(f"Package cycle: {' <-> '.join(component)}")
        for source in component:
            for target in sorted(checked_packages[source] & set(component)):
                through = [
                    f"{a} -> {b}"
                    for a, targets in sorted(by_module.items())
                    for b in sorted(targets)
                    if node(package_of(a, modules)) == source
                    and node(package_of(b, modules)) == target
                ]
                print(f"    {source} -> {target}  ({'; '.join(through)})")
    for component in cycles(checked_modules):
        found = True
        print(f"Module cycle: {' <-> '.join(component)}")
        for source in component:
            for target in sorted(checked_modules[source] & set(component)):
                print(f"    {source} -> {target}")
    if found:
        return 1
    inside = f" (nor looked for inside {', '.join(args.collapse)})" if args.collapse else ""
    print(f"No cycle{inside}.")
    return 0


def _collapsed(graph: dict[str, set[str]], node: Callable[[str], str]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = defaultdict(set)
    for source, targets in graph.items():
        merged[node(source)] |= {node(target) for target in targets}
    for name, targets in merged.items():
        targets.discard(name)
    return dict(merged)


if __name__ == "__main__":
    sys.exit(main())
