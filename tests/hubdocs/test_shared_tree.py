"""The real tfhub.dev documentation tree: it loads whole, and search and validation
agree with what a plain scan of the files finds (no use of our parser here)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Dict, List, Tuple

import pytest

pytest.importorskip("yaml", reason="PyYAML (the serve extra) is not installed")

from tfhub.hubdocs import DocTree, load_tree, validate_tree
from tests.conftest import shared_testdata_path

_COMMENT = re.compile(r"<!--\s*([\w-]+)\s*:\s*(.*?)\s*-->")
_KIND_FORMAT = {"Placeholder": "placeholder", "Tfjs": "tfjs", "Lite": "lite", "Coral": "coral"}


@pytest.fixture(scope="module")
def root() -> Path:
    path = shared_testdata_path() / "tfhub_dev_docs"
    if not path.is_dir():
        pytest.skip(f"the tfhub.dev documentation tree is not at {path} (set TFHUB_TESTDATA to use it)")
    return path


@pytest.fixture(scope="module")
def tree(root: Path) -> DocTree:
    return load_tree(root)


class Scan:
    """The tree read with globs and a regex: the model directories (each directory of
    N.md files under a publisher is one model) and their latest files' metadata."""

    def __init__(self, docs: Path):
        files = sorted(docs.rglob("*.md"))
        rel = [f.relative_to(docs) for f in files]
        self.publishers = [r for r in rel if len(r.parts) == 2 and r.stem == r.parts[0]]
        self.collections = {r.parent for r in rel if len(r.parts) > 2 and r.parts[1] == "collections"}
        self.model_files = [r for r in rel if r not in self.publishers and r.parent not in self.collections]
        by_dir: Dict[Path, List[Path]] = {}
        for r in self.model_files:
            by_dir.setdefault(r.parent, []).append(r)
        self.latest: Dict[Path, Tuple[str, Dict[str, List[str]]]] = {}
        for directory, versions in by_dir.items():
            newest = max(versions, key=lambda r: int(r.stem))
            self.latest[directory] = self._read(docs / newest)

    @staticmethod
    def _read(path: Path) -> Tuple[str, Dict[str, List[str]]]:
        """The title's first word and the metadata comments before the first heading."""
        lines = path.read_text(encoding="utf-8").split("\n")
        kind = lines[0].split()[1]
        metadata: Dict[str, List[str]] = {}
        for line in lines[1:]:
            if line.startswith("#"):
                break
            match = _COMMENT.fullmatch(line.strip())
            if match:
                metadata.setdefault(match[1], []).append(match[2])
        return kind, metadata

    def format_of(self, directory: Path) -> str:
        kind, metadata = self.latest[directory]
        return metadata["format"][0] if kind == "Module" else _KIND_FORMAT[kind]


@pytest.fixture(scope="module")
def scan(root: Path) -> Scan:
    return Scan(root / "assets" / "docs")


def test_the_whole_tree_loads(tree, scan):
    assert len(tree.publishers) == len(scan.publishers) == 27
    assert len(tree.collections) == len(scan.collections) == 47
    assert len(tree.models) == len(scan.latest) == 1776
    assert sum(len(m.versions) for m in tree.models.values()) == len(scan.model_files) == 2473
    assert len(tree.vocabularies["task"]) == (tree.root / "tags" / "task.yaml").read_text().count("- id:")


def test_versions_ascend_and_latest_is_the_highest_file(tree, root):
    model = tree.models["google/imagenet/mobilenet_v2_075_224/feature_vector"]
    on_disk = sorted(int(p.stem) for p in (root / "assets/docs/google/models/imagenet/mobilenet_v2_075_224/"
                                                       "feature_vector").glob("*.md"))
    assert [v.number for v in model.versions] == on_disk and model.latest.number == on_disk[-1]
    assert model.latest.metadata["task"] == ("image-feature-vector",)
    tfjs = "google/tfjs-model/imagenet/mobilenet_v2_075_224/feature_vector/3/default"
    assert tfjs in model.variants and tree.models[tfjs].variant_of == model.handle


def test_filters_count_what_the_files_say(tree, scan):
    google_hub = [d for d in scan.latest if d.parts[0] == "google" and scan.format_of(d) == "hub"]
    result = tree.search(filters={"publisher": ["google"], "format": ["hub"]}, limit=10_000)
    assert result.total == len(result.models) == len(google_hub) > 100
    assert all(m.publisher == "google" and m.format == "hub" for m in result.models)


def test_a_facets_counts_ignore_its_own_filter(tree, scan):
    google = [d for d in scan.latest if d.parts[0] == "google"]
    expected = Counter(scan.format_of(d) for d in google)
    for chosen in ([], ["hub"], ["hub", "tfjs"]):
        result = tree.search(filters={"publisher": ["google"], "format": chosen})
        assert {c.value: c.count for c in result.facets["format"]} == expected
        assert result.total == (sum(expected[v] for v in chosen) if chosen else len(google))


def test_multi_valued_facets_count_each_value(tree, scan):
    tf2 = [d for d in scan.latest if scan.format_of(d) == "saved_model_2"]
    expected = Counter(task for d in tf2 for task in dict.fromkeys(scan.latest[d][1].get("task", [])))
    result = tree.search(filters={"format": ["saved_model_2"]})
    assert {c.value: c.count for c in result.facets["task"]} == expected
    assert result.facets["task"][0].display_name == tree.vocabularies["task"][result.facets["task"][0].value]


def test_full_text_finds_every_model_named_so_and_only_models_that_say_it(tree, scan, root):
    result = tree.search("efficientnet", limit=10_000)
    named = {d for d in scan.latest if "efficientnet" in d.as_posix().lower()}
    found = {m.latest.path.relative_to(root / "assets" / "docs").parent for m in result.models}
    assert named <= found and len(named) > 20
    assert all("efficientnet" in m.latest.path.read_text(encoding="utf-8").lower() for m in result.models)


def test_pages_split_the_result(tree):
    whole = tree.search("bert", limit=10_000).models
    pages = [tree.search("bert", offset=o, limit=7).models for o in range(0, len(whole), 7)]
    assert [m.handle for page in pages for m in page] == [m.handle for m in whole]


def test_validation_flags_only_the_trees_real_defects(root, scan):
    docs = root / "assets" / "docs"
    problems = validate_tree(root)
    assert Counter(p.rule for p in problems) == {"asset-path": 24, "parent-model": 23}  # docs/hub_docs.md
    # parent-model: the parent named has no file, in either layout
    missing_parent = set()
    for r in scan.model_files:
        for line in (docs / r).read_text(encoding="utf-8").split("\n"):
            match = _COMMENT.fullmatch(line.strip())
            if match and match[1] == "parent-model":
                publisher, _, rest = match[2].partition("/")
                if not any((docs / publisher / sub / f"{rest}.md").is_file() for sub in ("models", ".")):
                    missing_parent.add(docs / r)
    assert {p.path for p in problems if p.rule == "parent-model"} == missing_parent
    suffix = {"Module": ".tar.gz", "Tfjs": ".tar.gz", "Lite": ".tflite", "Coral": ".tflite"}
    for problem in problems:
        if problem.rule == "asset-path":
            lines = problem.path.read_text(encoding="utf-8").split("\n")
            value = _COMMENT.fullmatch(lines[problem.line - 1].strip())[2]
            is_url = value.startswith(("https://", "http://", "gs://"))
            assert not is_url or not value.endswith(suffix[lines[0].split()[1]]), problem
