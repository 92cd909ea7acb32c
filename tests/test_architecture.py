"""The house rules of docs/architecture.md, checked on the source (issue #18).

The import graph of ``src/tfhub`` is read with :mod:`ast` (nothing is imported),
counting module-level and function-level imports alike, since a lazy import
still ties two modules together (imports under ``if TYPE_CHECKING:`` do not:
they never run). ``importlib.import_module("tfhub.x")`` counts too; with an
f-string (``f"tfhub.keras.{name}"``) it counts as an import of every module its
constant prefix can name. Two rules:

* no import cycles between modules;
* each package belongs to a layer, and a module imports only its own layer and
  the layers below it; the faces (``cli``, ``server``) never import each other,
  but for the one door :data:`FACE_DOORS` names.

The layers, lowest first:

* foundation: ``errors``, ``config``, ``absl_flags``, ``units``, ``version``, ``records``,
  ``files``, ``_tf``, ``logs`` (settings, errors, file primitives; no model, no network);
* core: ``resolving`` (handle → directory, knows no model format),
  ``formats`` (what a directory holds, speaks no HTTP; neither imports the other)
  and ``hubdocs`` (a tfhub.dev documentation tree);
* loaders: ``tf1``, ``tf2``, ``keras``, ``convert`` (may use each other);
* faces: ``cli``, ``server``;
* the package itself (``tfhub/__init__.py``, ``__main__.py``), which may bind anything.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Set

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

LAYERS: Dict[str, int] = {
    "errors": 0, "config": 0, "absl_flags": 0, "units": 0, "version": 0, "files": 0, "_tf": 0, "logs": 0,
    "records": 0,
    "resolving": 1, "formats": 1, "hubdocs": 1,
    "tf1": 2, "tf2": 2, "keras": 2, "convert": 2,
    "cli": 3, "server": 3,
    "": 4, "__main__": 4,
}
FACES = {"cli", "server"}
# A face may reach another face only here: `tfhub serve` starts the server.
FACE_DOORS = {("cli.serve_commands", "server.app"), ("cli.serve_commands", "server.runner")}
# The one import cycle by design: ``hub.KerasLayer`` (keras.layer, through
# keras.flavour.flavour_module) makes instances of its own subclasses, the Keras 3
# and Keras 2 flavours, which derive from it; each flavour module imports its Keras
# (keras or tf_keras), so it is imported by name only when that flavour is chosen.
# These late-bound edges are left out of the cycle check, and no other may be added.
LATE_BOUND = {("tfhub.keras.flavour", "tfhub.keras.keras3"), ("tfhub.keras.flavour", "tfhub.keras.keras2")}
# Packages of one layer that must not import each other.
APART = {frozenset({"resolving", "formats"})}


def module_files(src: Path, package: str = "tfhub") -> Dict[str, Path]:
    """Dotted module name -> file, for every module of ``package`` under ``src``."""
    found = {}
    for path in sorted((src / package).rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node but those under ``if TYPE_CHECKING:`` (type hints tie no modules together at run time)."""
    pending = [tree]
    while pending:
        node = pending.pop()
        yield node
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            pending.extend(node.orelse)
        else:
            pending.extend(ast.iter_child_nodes(node))


def _imported_by_name(node: ast.Call, files: Dict[str, Path]) -> Set[str]:
    """The modules ``importlib.import_module(...)`` (or ``import_module(...)``) may import."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    if name != "import_module" or not node.args:
        return set()
    return _named_modules(node.args[0], files)


def _named_modules(arg: ast.expr, files: Dict[str, Path]) -> Set[str]:
    """The module names an argument of ``import_module`` can hold, as far as its text says."""
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.IfExp):  # "a" if ... else "b"
        return _named_modules(arg.body, files) | _named_modules(arg.orelse, files)
    if isinstance(arg, ast.JoinedStr):
        head = arg.values[0] if arg.values else None
        prefix = head.value if isinstance(head, ast.Constant) and isinstance(head.value, str) else ""
        return {m for m in files if prefix and m.startswith(prefix) and "." not in m[len(prefix):]}
    return set()  # a name from a table (tfhub/__init__.py's, the package itself, may bind anything)


def import_graph(src: Path, package: str = "tfhub") -> Dict[str, Set[str]]:
    """Module -> the modules of ``package`` it imports anywhere in its text."""
    files = module_files(src, package)
    graph: Dict[str, Set[str]] = {}
    for name, path in files.items():
        here = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: Set[str] = set()
        for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                # `from a import b` imports the module a.b when there is one, else a.
                targets.update(f"{base}.{alias.name}" if f"{base}.{alias.name}" in files else base
                               for alias in node.names)
            elif isinstance(node, ast.Call):
                targets.update(_imported_by_name(node, files))
        graph[name] = {t for t in targets if t in files and t != name}
    return graph


def find_cycle(graph: Dict[str, Set[str]]) -> Optional[List[str]]:
    """One import cycle (its modules, the first repeated at the end), or None."""
    state: Dict[str, int] = {}  # 1: on the current path, 2: done
    path: List[str] = []

    def visit(node: str) -> Optional[List[str]]:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            cycle = visit(start)
            if cycle:
                return cycle
    return None


def _package(module: str) -> str:
    """``tfhub.resolving.cache`` -> ``resolving``; ``tfhub`` -> ``""``."""
    return module.split(".")[1] if "." in module else ""


def _local(module: str) -> str:
    return module.partition(".")[2]


def broken_rules(graph: Dict[str, Set[str]]) -> List[str]:
    """Every import that breaks the layer rules, as ``a -> b: why``."""
    broken = []
    for source, targets in sorted(graph.items()):
        mine = _package(source)
        for target in sorted(targets):
            theirs = _package(target)
            if mine == theirs:
                continue
            if mine not in LAYERS or theirs not in LAYERS:
                broken.append(f"{source} -> {target}: package not placed in a layer (add it to LAYERS)")
            elif LAYERS[theirs] > LAYERS[mine]:
                broken.append(f"{source} -> {target}: imports a higher layer")
            elif mine in FACES and theirs in FACES and (_local(source), _local(target)) not in FACE_DOORS:
                broken.append(f"{source} -> {target}: a face imports another face")
            elif frozenset({mine, theirs}) in APART:
                broken.append(f"{source} -> {target}: {mine} and {theirs} stay apart")
    return broken


def _without_late_bound(graph: Dict[str, Set[str]]) -> Dict[str, Set[str]]:
    return {m: {t for t in targets if (m, t) not in LATE_BOUND} for m, targets in graph.items()}


def test_tfhub_has_no_import_cycle():
    graph = import_graph(SRC)
    assert all(target in graph[source] for source, target in LATE_BOUND), "LATE_BOUND names an import that is gone"
    cycle = find_cycle(_without_late_bound(graph))
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_tfhub_imports_follow_the_layers():
    broken = broken_rules(import_graph(SRC))
    assert not broken, "imports against docs/architecture.md:\n" + "\n".join(broken)


@pytest.fixture
def tiny_tree(tmp_path: Path) -> Path:
    """A package shaped like tfhub, with a lazy cycle and two faces importing each other."""
    files = {
        "tfhub/__init__.py": "",
        "tfhub/errors.py": "",
        "tfhub/resolving/__init__.py": "",
        "tfhub/resolving/cache.py": "from tfhub import errors\nfrom . import locks\n",
        "tfhub/resolving/locks.py": "def f():\n    from tfhub.resolving.cache import Entry\n",
        "tfhub/resolving/layout.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import cache\n",
        "tfhub/formats/__init__.py": "",
        "tfhub/formats/detect.py": "import importlib\ndef f(n):\n    return importlib.import_module(f'tfhub.formats.{n}')\n",
        "tfhub/formats/one.py": "from tfhub import errors\n",
        "tfhub/cli/__init__.py": "",
        "tfhub/cli/output.py": "import tfhub.errors\n",
        "tfhub/server/__init__.py": "",
        "tfhub/server/pages.py": "from tfhub.cli.output import size\nfrom ..resolving import cache\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_the_checks_see_a_lazy_cycle_an_import_by_name_and_a_face_importing_a_face(tiny_tree):
    graph = import_graph(tiny_tree)
    assert graph["tfhub.server.pages"] == {"tfhub.cli.output", "tfhub.resolving.cache"}
    assert graph["tfhub.resolving.layout"] == set()  # a type hint only
    assert graph["tfhub.formats.detect"] == {"tfhub.formats.one"}  # imported by name
    assert find_cycle(graph) == ["tfhub.resolving.cache", "tfhub.resolving.locks", "tfhub.resolving.cache"]
    assert broken_rules(graph) == ["tfhub.server.pages -> tfhub.cli.output: a face imports another face"]
