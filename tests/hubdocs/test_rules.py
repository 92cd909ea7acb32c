"""One test per validation rule: the hand-written tree is clean, and each document
broken on purpose gives exactly that rule's problem, at the right file and line."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

pytest.importorskip("yaml", reason="PyYAML (the serve extra) is not installed")

from tfhub import errors  # noqa: E402
from tfhub.hubdocs import Problem, validate_tree  # noqa: E402
from tests.hubdocs.handmade import write_tree  # noqa: E402

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


def test_title_line(tree):
    _edit(tree, LITE, "# Lite acme-vision", "# TFLite acme-vision")
    assert _only(validate_tree(tree)).rule == "title-line"


def test_title_must_match_the_path(tree):
    _edit(tree, "oddbits/word-hasher/1.md", "word-hasher/1", "word-hasher/3")
    problem = _only(validate_tree(tree))
    assert problem.rule == "title-path" and "oddbits/models/word-hasher/3.md" in problem.message


def test_variant_title_must_match_its_kind_directory(tree):
    _edit(tree, LITE, "# Lite", "# Coral")
    assert _only(validate_tree(tree)).rule == "title-path"


def test_publisher_directory(tree):
    _edit(tree, "oddbits/word-hasher/1.md", "# Module oddbits/", "# Module acme-vision/")
    assert _only(validate_tree(tree)).rule == "publisher-dir"


def test_publisher_page_must_exist(tree):
    (_docs(tree) / "oddbits" / "oddbits.md").unlink()
    assert _only(validate_tree(tree)).rule == "publisher-page"


def test_description(tree):
    _edit(tree, MODULE, "A tiny YOLO detector, now as a TF2 SavedModel.\n", "")
    problem = _only(validate_tree(tree))
    assert (problem.rule, problem.line) == ("description", 2)


def test_metadata_block_takes_only_comments(tree):
    _edit(tree, MODULE, "<!-- license: mit -->", "<!-- license: mit -->\nSome prose too early.")
    problem = _only(validate_tree(tree))
    assert (problem.rule, problem.line) == ("metadata-block", 8)


def test_one_document_per_file(tree):
    _edit(tree, MODULE, "| image | boxes  |", "| image | boxes  |\n\n# Module acme-vision/detectors/other/1")
    assert _only(validate_tree(tree)).rule == "one-document"


def test_required_metadata(tree):
    _edit(tree, MODULE, "<!-- format: saved_model_2 -->\n", "")
    problem = _only(validate_tree(tree))
    assert problem.rule == "required-metadata" and "format" in problem.message


def test_variant_needs_a_parent(tree):
    _edit(tree, LITE, "<!-- parent-model: acme-vision/detectors/tiny-yolo/2 -->\n", "")
    assert _only(validate_tree(tree)).rule == "required-metadata"


def test_unsupported_metadata(tree):
    _edit(tree, LITE, "<!-- parent-model:", "<!-- format: saved_model_2 -->\n<!-- parent-model:")
    assert _only(validate_tree(tree)).rule == "unsupported-metadata"


def test_duplicate_single_valued_metadata(tree):
    _edit(tree, MODULE, "<!-- license: mit -->", "<!-- license: mit -->\n<!-- license: custom -->")
    assert _only(validate_tree(tree)).rule == "duplicate-metadata"


def test_repeatable_metadata_may_repeat(tree):
    _edit(tree, MODULE, "<!-- dataset: coco-2017 -->", "<!-- dataset: coco-2017 -->\n<!-- dataset: europarl -->")
    assert validate_tree(tree) == []


def test_tag_value_from_the_vocabulary(tree):
    _edit(tree, MODULE, "<!-- network-architecture: yolo-v2 -->", "<!-- network-architecture: yolo-v9 -->")
    problem = _only(validate_tree(tree))
    assert problem.rule == "tag-value" and "network_architecture.yaml" in problem.message


def test_url_tag_on_its_required_domain(tree):
    _edit(tree, MODULE, "https://colab.research.google.com/drive/", "https://evil.example/")
    problem = _only(validate_tree(tree))
    assert problem.rule == "tag-value" and "colab.research.google.com" in problem.message


def test_module_format(tree):
    _edit(tree, MODULE, "<!-- format: saved_model_2 -->", "<!-- format: tfjs -->")
    assert _only(validate_tree(tree)).rule == "format"


@pytest.mark.parametrize("value, why", [
    ("models.acme.example/tiny-yolo/2.tar.gz", "URL"),
    ("https://models.acme.example/tiny-yolo/2.zip", ".tar.gz"),
    ("https://github.com/acme/yolo/releases/download/v2/m.tar.gz", "robots.txt"),
])
def test_asset_path_shape(tree, value, why):
    _edit(tree, MODULE, "gs://acme-models/tiny-yolo/2.tar.gz", value)
    problem = _only(validate_tree(tree))
    assert problem.rule == "asset-path" and why in problem.message


def test_lite_asset_path_is_a_tflite_file(tree):
    _edit(tree, LITE, "tiny-yolo-int8.tflite", "tiny-yolo-int8.tar.gz")
    assert _only(validate_tree(tree)).rule == "asset-path"


def test_parent_model_must_exist(tree):
    _edit(tree, LITE, "parent-model: acme-vision/detectors/tiny-yolo/2", "parent-model: acme-vision/detectors/tiny-yolo/7")
    assert _only(validate_tree(tree)).rule == "parent-model"


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
