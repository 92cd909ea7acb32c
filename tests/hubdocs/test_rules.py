"""One test per validation rule: the hand-written tree is clean, and each document
broken on purpose gives exactly that rule's problem, at the right file and line."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

pytest.importorskip("yaml", reason="PyYAML (the serve extra) is not installed")

from tfhub import errors
from tfhub.hubdocs import Problem, validate_tree
from tests.hubdocs.handmade import write_tree

MODULE = "acme-vision/models/detectors/tiny-yolo/2.md"
LITE = "acme-vision/models/detectors/tiny-yolo/2/int8/lite/1.md"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "tree")


def _docs(tree: Path) -> Path:
    return tree / "assets" / "docs"


def _edit(tree: Path, name: str, old: str, new: str) -> Path:
    path = _docs(tree) / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def _only(problems: List[Problem]) -> Problem:
    assert len(problems) == 1, "\n".join(map(str, problems))
    return problems[0]


def test_the_handmade_tree_is_clean(tree):
    assert validate_tree(tree) == []
    assert validate_tree(_docs(tree)) == []  # the docs directory itself finds ../../tags


def test_a_problem_reads_as_file_line_message(tree):
    path = _edit(tree, MODULE, "<!-- fine-tunable: true -->", "<!-- fine-tunable: yes -->")
    problem = _only(validate_tree(tree))
    assert (problem.path, problem.line, problem.rule) == (path, 8, "fine-tunable")
    assert str(problem) == f"{path}:8: 'fine-tunable' must be true or false; found 'yes'"


# One row per rule (and per shape of a rule): the file, the text replaced, its
# replacement, the rule expected, a fragment of its message, the line it is reported at.
CASES = [
    ("title-line", LITE, "# Lite acme-vision", "# TFLite acme-vision", "the first line must be", 1),
    ("title-path", "oddbits/word-hasher/1.md", "word-hasher/1", "word-hasher/3", "oddbits/models/word-hasher/3.md", 1),
    ("title-path", LITE, "# Lite", "# Coral", "int8/coral/1.md", 1),  # a variant's kind directory
    ("publisher-dir", "oddbits/word-hasher/1.md", "# Module oddbits/", "# Module acme-vision/", "own directory", 1),
    ("description", MODULE, "A tiny YOLO detector, now as a TF2 SavedModel.\n", "", "short description", 2),
    ("metadata-block", MODULE, "<!-- license: mit -->", "<!-- license: mit -->\nSome prose too early.",
     "'Some prose too early.'", 8),
    ("one-document", MODULE, "| image | boxes  |", "| image | boxes  |\n\n# Module acme-vision/detectors/other/1",
     "one model version", 20),
    ("required-metadata", MODULE, "<!-- format: saved_model_2 -->\n", "", "needs metadata format", 1),
    ("required-metadata", LITE, "<!-- parent-model: acme-vision/detectors/tiny-yolo/2 -->\n", "",
     "needs metadata parent-model", 1),
    ("unsupported-metadata", LITE, "<!-- parent-model:", "<!-- format: saved_model_2 -->\n<!-- parent-model:",
     "'format' is not metadata a Lite document takes", 4),
    ("duplicate-metadata", MODULE, "<!-- license: mit -->", "<!-- license: mit -->\n<!-- license: custom -->",
     "'license' is given more than once", 8),
    ("tag-value", MODULE, "<!-- network-architecture: yolo-v2 -->", "<!-- network-architecture: yolo-v9 -->",
     "(tags/network_architecture.yaml)", 5),
    ("tag-value", MODULE, "https://colab.research.google.com/drive/", "https://evil.example/",
     "a URL on colab.research.google.com", 10),
    ("format", MODULE, "<!-- format: saved_model_2 -->", "<!-- format: tfjs -->", "found 'tfjs'", 9),
    ("fine-tunable", MODULE, "<!-- fine-tunable: true -->", "<!-- fine-tunable: yes -->", "true or false", 8),
    ("asset-path", MODULE, "gs://acme-models/tiny-yolo/2.tar.gz", "models.acme.example/tiny-yolo/2.tar.gz", "URL", 3),
    ("asset-path", MODULE, "gs://acme-models/tiny-yolo/2.tar.gz", "https://models.acme.example/2.zip", "end in .tar.gz", 3),
    ("asset-path", MODULE, "gs://acme-models/tiny-yolo/2.tar.gz",
     "https://github.com/acme/yolo/releases/download/v2/m.tar.gz", "robots.txt", 3),
    ("asset-path", LITE, "tiny-yolo-int8.tflite", "tiny-yolo-int8.tar.gz", "end in .tflite", 5),
    ("parent-model", LITE, "parent-model: acme-vision/detectors/tiny-yolo/2", "parent-model: acme-vision/detectors/tiny-yolo/7",
     "no model version of this tree", 4),
]


def _case_id(case) -> str:
    return f"{case[0]}:{case[4][:24]}"


@pytest.mark.parametrize("rule, name, old, new, says, line", CASES, ids=[_case_id(c) for c in CASES])
def test_rule(tree, rule, name, old, new, says, line):
    path = _edit(tree, name, old, new)
    problem = _only(validate_tree(tree))
    assert (problem.path, problem.line, problem.rule) == (path, line, rule)
    assert says in problem.message, problem


def test_a_variant_title_may_name_its_kind_directory(tree):
    """The contribution guide's own example titles a TF.js model ``.../default/tfjs/1``."""
    path = _docs(tree) / "acme-vision" / "models" / "seg-net" / "1" / "web" / "tfjs" / "1.md"
    path.parent.mkdir(parents=True)
    path.write_text("# Tfjs acme-vision/seg-net/1/web/tfjs/1\nSidewalks in the browser.\n"
                    "<!-- parent-model: acme-vision/seg-net/1 -->\n"
                    "<!-- asset-path: https://models.acme.example/seg-net-js.tar.gz -->\n", encoding="utf-8")
    assert validate_tree(tree) == []


def test_publisher_page_must_exist(tree):
    (_docs(tree) / "oddbits" / "oddbits.md").unlink()
    assert _only(validate_tree(tree)).rule == "publisher-page"


def test_repeatable_metadata_may_repeat(tree):
    _edit(tree, MODULE, "<!-- dataset: coco-2017 -->", "<!-- dataset: coco-2017 -->\n<!-- dataset: europarl -->")
    assert validate_tree(tree) == []


def test_duplicate_handle(tree):
    copy = _docs(tree) / "acme-vision" / "detectors" / "tiny-yolo" / "2.md"  # the flat layout, same handle
    copy.parent.mkdir(parents=True)
    copy.write_bytes((_docs(tree) / MODULE).read_bytes())
    problem = _only(validate_tree(tree))
    assert problem.rule == "duplicate-handle"
    assert {str(problem.path), problem.message.split(" is also documented in ")[1].split(";")[0]} == {
        str(copy), str(_docs(tree) / MODULE)}


def test_files_that_are_not_markdown(tree):
    (_docs(tree) / "oddbits" / "notes.txt").write_text("hello")
    assert _only(validate_tree(tree)).rule == "file-name"


def test_files_that_are_not_utf8(tree):
    (_docs(tree) / "oddbits" / "word-hasher" / "2.md").write_bytes(b"# Module oddbits/word-hasher/2\n\xff\xfe\n")
    assert _only(validate_tree(tree)).rule == "unreadable"


def test_a_tree_without_vocabularies_says_values_were_not_checked(tree):
    for path in (tree / "tags").iterdir():
        path.unlink()
    (tree / "tags").rmdir()
    assert _only(validate_tree(tree)).rule == "vocabularies"


def test_a_broken_vocabulary_is_one_clear_error(tree):
    (tree / "tags" / "task.yaml").write_text("values: [unclosed\n")
    with pytest.raises(errors.DocsError, match="task.yaml: cannot be read as YAML"):
        validate_tree(tree)


def test_a_missing_directory_is_one_clear_error(tmp_path):
    with pytest.raises(errors.DocsNotFoundError, match="is not a directory"):
        validate_tree(tmp_path / "nowhere")
