"""The layout holds: no import cycle among the app's modules, each package imports only what
docs/architecture.md allows, and no module grows past 400 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in APP.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(name: str) -> set[str]:
    """The app modules `name` imports anywhere (functions included; `if TYPE_CHECKING` excluded)."""
    path = MODULES[name]
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                target = f"{base}.{alias.name}"
                found.add(target if target in MODULES else base)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return {target for target in found if target in MODULES and target != name}


GRAPH = {name: imports_of(name) for name in MODULES}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def test_the_import_graph_sees_the_known_edges():
    assert "app.letters.write_lock" in GRAPH["app.letters.revisions"]
    assert "app.letters.events" in GRAPH["app.drafting.broadcast"]
    assert "app.drafting.sockets" in GRAPH["app.features"]  # a function-level import


def test_cycles_are_detected():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle():
    assert cycles(GRAPH) == []


# What each package may import from the app (besides itself); see docs/architecture.md.
ALLOWED = {
    "app.sync": set(),
    "app.shared": set(),
    "app.config": set(),
    "app.version": set(),
    "app.extensions": {"app.shared"},
    "app.mail": {"app.extensions", "app.shared"},
    "app.audit": {"app.extensions", "app.shared", "app.accounts"},
    "app.accounts": {"app.extensions", "app.shared", "app.audit", "app.mail", "app.web"},
    "app.letters": {"app.extensions", "app.shared", "app.sync", "app.audit", "app.accounts", "app.web"},
    "app.review": {
        "app.extensions",
        "app.shared",
        "app.sync",
        "app.audit",
        "app.mail",
        "app.accounts",
        "app.letters",
        "app.web",
    },
    "app.drafting": {"app.extensions", "app.shared", "app.accounts", "app.letters", "app.review", "app.web"},
    "app.signing": {
        "app.extensions",
        "app.shared",
        "app.audit",
        "app.mail",
        "app.accounts",
        "app.letters",
        "app.review",
        "app.web",
        "app.version",
    },
    "app.web": {"app.extensions", "app.shared", "app.accounts"},
}


def package_of(name: str) -> str:
    parts = name.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else name


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_each_package_imports_only_what_it_may(package):
    wrong = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if package_of(name) == package
        for target in targets
        if package_of(target) != package and package_of(target) not in ALLOWED[package]
    )
    assert wrong == []


def test_only_the_drafting_package_touches_the_socket_layer():
    socket_layer = {"app.drafting.sockets", "app.drafting.broadcast", "app.drafting.presence"}
    wrong = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        for target in targets & socket_layer
        if package_of(name) != "app.drafting" and name != "app.features"
    )
    assert wrong == []


def test_no_module_is_over_400_lines():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
