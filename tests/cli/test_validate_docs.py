"""`tfhub validate-docs DIR` as a real subprocess: file:line: message lines, exit 1 when
anything is flagged, 0 when clean; a missing extra or directory is one clear line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.hubdocs.handmade import write_tree

TFHUB = str(Path(sys.executable).with_name("tfhub"))


def _run(*args: str, prelude: str = "") -> subprocess.CompletedProcess:
    if prelude:  # a Python start-up that hides a package, then the same entry point
        command = [sys.executable, "-c", prelude + "import sys; from tfhub.cli.main import main; "
                                                   "sys.exit(main(sys.argv[1:]))", *args]
    else:
        command = [TFHUB, *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=300)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    pytest.importorskip("yaml", reason="PyYAML (the serve extra) is not installed")
    return write_tree(tmp_path / "tree")


def test_a_clean_tree_exits_0(tree):
    done = _run("validate-docs", str(tree))
    assert (done.returncode, done.stdout) == (0, "")
    assert done.stderr == "tfhub validate-docs: 10 document(s) checked, no problems\n"


def test_problems_are_file_line_message_and_exit_1(tree):
    doc = tree / "assets" / "docs" / "oddbits" / "word-hasher" / "1.md"
    doc.write_bytes(doc.read_bytes().replace(b"<!-- license: custom -->", b"<!-- license: wtfpl -->"))
    (tree / "assets" / "docs" / "oddbits" / "oddbits.md").unlink()
    done = _run("validate-docs", str(tree / "assets" / "docs"))
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == f"{doc}:1: publisher 'oddbits' has no page; add {doc.parents[1] / 'oddbits.md'} [publisher-page]"
    assert lines[1].startswith(f"{doc}:11: 'license' value 'wtfpl' is not in the vocabulary") and len(lines) == 2
    assert done.stderr == "tfhub validate-docs: 2 problem(s) in 1 of 9 document(s)\n"


def test_a_missing_directory_is_one_line(tmp_path):
    done = _run("validate-docs", str(tmp_path / "nowhere"))
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == (f"tfhub: error: {tmp_path / 'nowhere'} is not a directory; give the "
                                          "documentation tree's root (holding assets/docs/ and tags/) or its "
                                          "docs directory.")


def test_without_pyyaml_the_install_command_is_named(tmp_path):
    write_tree(tmp_path / "tree")
    done = _run("validate-docs", str(tmp_path / "tree"), prelude="import sys; sys.modules['yaml'] = None; ")
    assert done.returncode == 1
    assert done.stderr.splitlines()[0] == ("tfhub: error: Reading the documentation's tag vocabularies needs "
                                          'PyYAML, which is not installed: pip install "tfhub[serve]"')


def test_the_shared_tfhub_dev_tree_lists_its_47_defects():
    from tests.conftest import shared_testdata_path
    root = shared_testdata_path() / "tfhub_dev_docs"
    if not root.is_dir():
        pytest.skip(f"the tfhub.dev documentation tree is not at {root} (set TFHUB_TESTDATA to use it)")
    pytest.importorskip("yaml", reason="PyYAML (the serve extra) is not installed")
    done = _run("validate-docs", str(root))
    assert done.returncode == 1
    assert done.stderr == "tfhub validate-docs: 47 problem(s) in 47 of 2547 document(s)\n"  # docs/hub_docs.md
    assert all(line.startswith(f"{root / 'assets' / 'docs'}/") for line in done.stdout.splitlines())
