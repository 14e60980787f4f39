"""No module of the tandem package imports, even indirectly, one that imports it back.

Every import counts: at the top, inside a function, and under `if TYPE_CHECKING:` (a circle
drawn only in type hints still ties the two modules into one room for a reader).
"""

import ast
import unittest
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parents[1] / "tandem"


def module_files() -> dict[str, Path]:
    """Dotted module name → file, for every module of the package."""
    modules = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package
                for _ in range(node.level - 1):
                    base = base.rpartition(".")[0]
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                # `from . import x` with x a module imports x; otherwise a name from base.
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.add(submodule)
                elif base in modules:
                    found.add(base)
    found.discard(name)
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One path round each circle (Tarjan's strongly connected components, then a walk)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
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
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [_circle(graph, set(component)) for component in components]


def _circle(graph: dict[str, set[str]], members: set[str]) -> list[str]:
    """A path from the component's first member back to it, inside the component."""
    start = min(members)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for nxt in sorted(graph[node] & members):
            if nxt == start:
                return paths[node] + [start]
            if nxt not in paths:
                paths[nxt] = paths[node] + [nxt]
                frontier.append(nxt)
    return sorted(members)


class ImportCyclesTest(unittest.TestCase):
    def test_the_package_has_no_import_circle(self) -> None:
        modules = module_files()
        graph = {name: imports_of(name, path, modules) for name, path in modules.items()}
        found = cycles(graph)
        self.assertEqual(
            found,
            [],
            "import circles (each import counts, TYPE_CHECKING and in-function ones too): "
            + "; ".join(" -> ".join(c) for c in found),
        )

    def test_the_walk_sees_type_checking_and_function_level_imports(self) -> None:
        # Guards the test itself: a circle drawn only in hints must be found.
        graph = {"a": {"b"}, "b": {"a"}, "c": set()}
        self.assertEqual(cycles(graph), [["a", "b", "a"]])
        modules = module_files()
        # context.py imports models only under TYPE_CHECKING; tools imports registry at the top.
        context = imports_of("tandem.context", modules["tandem.context"], modules)
        self.assertIn("tandem.models", context)
        self.assertIn("tandem.registry", imports_of("tandem.tools", modules["tandem.tools"], modules))


if __name__ == "__main__":
    unittest.main()
