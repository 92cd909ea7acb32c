"""Docstrings, comments and docs name only modules, functions and settings that exist (issue #18).

Read from the text, nothing imported: every dotted ``tfhub.x.y`` in ``src/``,
``docs/`` and ``README.md`` must be a module of ``src/tfhub`` followed by names
defined in it (a function, class, assignment or import; one level into a class;
in a module with a lazy ``__getattr__``, any name its strings spell), or a
string of ``src/tfhub`` (a logger's name); and every ``TFHUB_*`` name must be one
some code reads: a string in ``src/tfhub`` (or, for the test suite's switches
such as ``TFHUB_TESTDATA``, in ``tests/``). ``TFHUB_HTTP_*`` (a family) is not a name.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

from tests.test_architecture import SRC, module_files

REPO = SRC.parent
DOTTED = re.compile(r"(?<![\w./-])tfhub(?:\.[A-Za-z_]\w*)+")
SETTING = re.compile(r"(?<![\w-])TFHUB_[A-Z0-9_]*[A-Z0-9](?![A-Z0-9_]*\*)")
# Names tfhub does not read but writes about on purpose.
KNOWN_ELSEWHERE = {
    "tfhub.dev",  # the site, not a module
}


def _texts(repo: Path) -> Iterator[Tuple[Path, str]]:
    paths = [*sorted((repo / "src" / "tfhub").rglob("*.py")), *sorted((repo / "docs").rglob("*.md")),
             repo / "README.md"]
    for path in paths:
        yield path, path.read_text(encoding="utf-8")


def _defined(tree: ast.AST) -> Dict[str, Set[str]]:
    """Top-level name -> the names defined one level inside it (for classes)."""
    names: Dict[str, Set[str]] = {}
    for node in getattr(tree, "body", []):
        for name, inner in _names_of(node):
            names.setdefault(name, set()).update(inner)
    if "__getattr__" in names:  # bound lazily: the names are in its strings
        for value in _strings(tree):
            if value.isidentifier():
                names.setdefault(value, set())
    return names


def _names_of(node: ast.AST) -> Iterator[Tuple[str, Set[str]]]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        yield node.name, set()
    elif isinstance(node, ast.ClassDef):
        yield node.name, {n for child in node.body for n, _ in _names_of(child)}
    elif isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for leaf in ast.walk(target):
                if isinstance(leaf, ast.Name):
                    yield leaf.id, set()
    elif isinstance(node, (ast.Import, ast.ImportFrom)):
        for alias in node.names:
            yield (alias.asname or alias.name).split(".")[0], set()
    elif isinstance(node, (ast.If, ast.Try)):  # names bound either way
        for child in [*node.body, *getattr(node, "orelse", []), *getattr(node, "finalbody", []),
                      *[s for h in getattr(node, "handlers", []) for s in h.body]]:
            yield from _names_of(child)


def stale_dotted(repo: Path) -> List[str]:
    """``file: tfhub.x.y`` for each dotted name that names nothing in ``src/tfhub``."""
    modules = module_files(repo / "src")
    trees = {name: ast.parse(path.read_text(encoding="utf-8")) for name, path in modules.items()}
    defined = {name: _defined(tree) for name, tree in trees.items()}
    spelled = {value for tree in trees.values() for value in _strings(tree)}
    stale = []
    for path, text in _texts(repo):
        for found in sorted(set(DOTTED.findall(text))):
            dotted = found.rstrip(".")
            if dotted in KNOWN_ELSEWHERE or dotted in spelled:
                continue
            parts = dotted.split(".")
            cut = max(i for i in range(1, len(parts) + 1) if ".".join(parts[:i]) in modules)
            module, rest = ".".join(parts[:cut]), parts[cut:]
            names = defined[module]
            ok = not rest or (rest[0] in names and (len(rest) == 1 or rest[1] in names[rest[0]]
                                                    or not names[rest[0]]))
            if not ok:
                stale.append(f"{path.relative_to(repo)}: {dotted}")
    return stale


def _strings(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.value


def stale_settings(repo: Path) -> List[str]:
    """``file: TFHUB_X`` for each setting no code reads."""
    read: Set[str] = set()
    for path in [*(repo / "src" / "tfhub").rglob("*.py"), *(repo / "tests").rglob("*.py")]:
        for value in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            if re.fullmatch(r"TFHUB_[A-Z0-9_]+", value):
                read.add(value)
    return [f"{path.relative_to(repo)}: {name}" for path, text in _texts(repo)
            for name in sorted(set(SETTING.findall(text))) if name not in read]


def test_dotted_names_in_docstrings_and_docs_exist():
    stale = stale_dotted(REPO)
    assert not stale, "names of modules or functions that do not exist:\n" + "\n".join(stale)


def test_settings_named_in_docstrings_and_docs_are_read():
    stale = stale_settings(REPO)
    assert not stale, "TFHUB_* settings nothing reads:\n" + "\n".join(stale)


def test_the_checks_see_a_stale_module_function_and_setting(tmp_path):
    (tmp_path / "src" / "tfhub").mkdir(parents=True)
    (tmp_path / "docs").mkdir()
    (tmp_path / "src" / "tfhub" / "__init__.py").write_text("")
    (tmp_path / "src" / "tfhub" / "config.py").write_text(
        '"""See tfhub.formats.saved_model_info and tfhub.config.gone."""\n'
        'CACHE = "TFHUB_CACHE_DIR"\n\ndef cache_dir():\n    return CACHE\n')
    (tmp_path / "docs" / "a.md").write_text("`tfhub.config.cache_dir`, TFHUB_CACHE_DIR, TFHUB_OLD_THING, TFHUB_C_*\n")
    (tmp_path / "README.md").write_text("tfhub.dev\n")
    assert stale_dotted(tmp_path) == ["src/tfhub/config.py: tfhub.config.gone",
                                      "src/tfhub/config.py: tfhub.formats.saved_model_info"]
    assert stale_settings(tmp_path) == ["docs/a.md: TFHUB_OLD_THING"]
