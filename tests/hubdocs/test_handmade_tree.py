"""A tree written by other publishers than tfhub.dev's (tests/hubdocs/handmade.py):
nothing in loading or search is fitted to the shared tree's shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("yaml", reason="PyYAML (the serve extra) is not installed")

from tfhub import errors
from tfhub.hubdocs import load_tree
from tests.hubdocs.handmade import write_tree


@pytest.fixture
def tree(tmp_path: Path):
    return load_tree(write_tree(tmp_path / "tree"))


def test_models_versions_and_variants(tree):
    assert sorted(tree.models) == [
        "acme-vision/coral-model/seg-net/1/edgetpu",
        "acme-vision/detectors/tiny-yolo",
        "acme-vision/lite-model/detectors/tiny-yolo/2/int8",
        "acme-vision/seg-net",
        "acme-vision/tfjs-model/detectors/tiny-yolo/2/browser",
        "oddbits/word-hasher",
    ]
    yolo = tree.models["acme-vision/detectors/tiny-yolo"]
    assert [v.number for v in yolo.versions] == [1, 2] and yolo.latest.format == "saved_model_2"
    assert yolo.versions[0].format == "hub" and yolo.summary == "A tiny YOLO detector, now as a TF2 SavedModel."
    assert yolo.versions[0].summary == "A tiny YOLO detector for 80 classes."  # two lines, after a blank one
    assert set(yolo.variants) == {"acme-vision/lite-model/detectors/tiny-yolo/2/int8",
                                  "acme-vision/tfjs-model/detectors/tiny-yolo/2/browser"}
    coral = tree.models["acme-vision/coral-model/seg-net/1/edgetpu"]
    assert coral.variant_of == "acme-vision/seg-net" and coral.format == "coral"
    assert tree.models["acme-vision/seg-net"].format == "placeholder"


def test_windows_line_endings_and_repeated_tags(tree):
    hasher = tree.models["oddbits/word-hasher"]
    assert hasher.latest.metadata["language"] == ("fr", "de")
    assert hasher.summary == "Hashes French and German words into vectors."


def test_publishers_and_collections(tree):
    acme = tree.publishers["acme-vision"]
    assert (acme.title, acme.icon_url) == ("Acme Vision Lab", "https://acme.example/icon.png")
    assert "acme-vision/detectors/tiny-yolo" in acme.models and "oddbits/word-hasher" not in acme.models
    suite = tree.collections["acme-vision/detection-suite"]
    # the links under "Models" that name models of the tree; the overview's link is not a member
    assert suite.models == ("acme-vision/detectors/tiny-yolo", "acme-vision/lite-model/detectors/tiny-yolo/2/int8")
    assert tree.models["acme-vision/detectors/tiny-yolo"].collections == ("acme-vision/detection-suite",)


def test_variants_are_found_by_their_parents_tags(tree):
    result = tree.search(filters={"task": ["image-object-detection"]})
    assert {m.handle for m in result.models} == {
        "acme-vision/detectors/tiny-yolo", "acme-vision/lite-model/detectors/tiny-yolo/2/int8",
        "acme-vision/tfjs-model/detectors/tiny-yolo/2/browser"}
    assert {(c.value, c.display_name, c.count) for c in result.facets["format"]} == {
        ("saved_model_2", "TF2 SavedModel", 1), ("lite", "TFLite", 1), ("tfjs", "TF.js", 1)}


def test_full_text_ranks_and_matches_prefixes(tree):
    assert [m.handle for m in tree.search("quokka").models] == ["oddbits/word-hasher",
                                                                 "acme-vision/detectors/tiny-yolo"]
    assert tree.search("tiny yo").total == 3 and tree.search("tiny zebra").total == 0
    assert tree.search("HASHER").models[0].handle == "oddbits/word-hasher"


def test_facet_display_names_come_from_the_trees_own_vocabularies(tree):
    facets = tree.search().facets
    assert ("yolo-v2", "YOLO v2", 3) in facets["network-architecture"]
    assert ("oddbits", "Odd Bits Collective", 1) in facets["publisher"]
    assert ("fr", "French", 1) in facets["language"]


def test_bad_search_arguments_are_clear_errors(tree):
    with pytest.raises(errors.SearchQueryError, match="unknown search facet 'colour'"):
        tree.search(filters={"colour": ["red"]})
    with pytest.raises(errors.SearchQueryError, match="offset"):
        tree.search(offset=-1)


def test_versions_ascend_by_number_not_by_file_name(tmp_path):
    root = write_tree(tmp_path / "tree")
    model_dir = root / "assets" / "docs" / "oddbits" / "word-hasher"
    first = (model_dir / "1.md").read_text(encoding="utf-8")
    for number in (9, 10):  # "10.md" sorts before "9.md"
        (model_dir / f"{number}.md").write_text(first.replace("word-hasher/1", f"word-hasher/{number}"),
                                                encoding="utf-8")
    model = load_tree(root).models["oddbits/word-hasher"]
    assert [v.number for v in model.versions] == [1, 9, 10] and model.latest.path == model_dir / "10.md"


def test_of_two_files_for_one_version_the_first_in_path_order_is_used(tmp_path):
    root = write_tree(tmp_path / "tree")
    docs = root / "assets" / "docs" / "acme-vision"
    flat = docs / "detectors" / "tiny-yolo" / "2.md"  # "detectors/" sorts before "models/"
    flat.parent.mkdir(parents=True)
    flat.write_text((docs / "models" / "detectors" / "tiny-yolo" / "2.md").read_text(encoding="utf-8")
                    .replace("now as a TF2 SavedModel", "the flat copy"), encoding="utf-8")
    model = load_tree(root).models["acme-vision/detectors/tiny-yolo"]
    assert model.latest.path == flat and model.summary == "A tiny YOLO detector, the flat copy."


def test_deprecation_is_read_from_the_description_or_a_heading(tmp_path):
    root = write_tree(tmp_path / "tree")
    yolo = root / "assets" / "docs" / "acme-vision" / "models" / "detectors" / "tiny-yolo"
    one = yolo / "1.md"
    one.write_text(one.read_text(encoding="utf-8").replace("## Usage", "## DEPRECATED: use version 2"),
                   encoding="utf-8")
    tree = load_tree(root)
    first, second = tree.models["acme-vision/detectors/tiny-yolo"].versions
    assert (first.deprecated, second.deprecated) == ("DEPRECATED: use version 2", None)
    assert tree.models["oddbits/word-hasher"].latest.deprecated is None


def test_lookup_by_url_path(tree):
    yolo = tree.models["acme-vision/detectors/tiny-yolo"]
    assert tree.lookup("acme-vision/detectors/tiny-yolo/1") == (yolo, yolo.versions[0])
    assert tree.lookup("/acme-vision/detectors/tiny-yolo/") == (yolo, yolo.latest)
    lite = tree.models["acme-vision/lite-model/detectors/tiny-yolo/2/int8"]
    assert tree.lookup("acme-vision/lite-model/detectors/tiny-yolo/2/int8/1") == (lite, lite.latest)
    assert tree.lookup("acme-vision/detectors/tiny-yolo/3") is None
    assert tree.lookup("acme-vision/nothing") is None
