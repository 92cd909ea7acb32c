"""examples/text_embeddings: a word2vec/GloVe text file -> a text-embedding module."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import tfhub as hub
from tests.support.examples import run_example
from tests.tf1.conftest import run

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "text_embeddings" / "export_text_embedding.py"


def test_glove_file_becomes_a_text_embedding_module(tmp_path, graph):
    source = tmp_path / "vectors.txt"
    source.write_text("3 2\ncat 1.0 0.0\ndog 0.0 2.0\nfish 3.0 3.0\n")  # word2vec header
    module_dir = tmp_path / "module"
    run_example(SCRIPT, str(source), str(module_dir), "--num_oov_buckets", "2")
    source.unlink()  # the module must not need the source file (vocabulary is an asset)
    module = hub.Module(str(module_dir))
    embeddings = module(["Cat dog", "fish", "unknownword", ""])
    column = hub.text_embedding_column("text", str(module_dir))
    assert column.variable_shape == [2]
    values = run(embeddings)[0]
    np.testing.assert_allclose(values[0], np.array([1.0, 2.0]) / np.sqrt(2), rtol=1e-6)
    np.testing.assert_allclose(values[1:], [[3.0, 3.0], [0.0, 0.0], [0.0, 0.0]])
    assert (module_dir / "assets" / "tokens.txt").read_text().split() == ["cat", "dog", "fish"]
