"""Turn a word-embedding text file (word2vec or GloVe text format) into a TF1 Hub module.

The module has one signature, ``default``: string sentences ``[batch]`` ->
float32 ``[batch, dim]``. Each sentence is lower-cased and split on whitespace;
each token is looked up in the vocabulary (words not in it fall into one of
``--num_oov_buckets`` hashed buckets, whose vectors start at zero and can be
fine-tuned); the token vectors of a sentence are combined with ``sqrtn``
(sum / sqrt(#tokens)). The vocabulary is an asset, the vectors a variable, so
the module is relocatable and fine-tunable (``hub.Module(..., trainable=True)``).

Usage:
    python export_text_embedding.py EMBEDDINGS.txt EXPORT_DIR [--num_oov_buckets N]
"""

import argparse
import os
import tempfile
from typing import List, Tuple

import numpy as np
import tensorflow as tf

import tfhub as hub

v1 = tf.compat.v1


def read_embeddings(path: str) -> Tuple[List[str], np.ndarray]:
    """Reads 'word v1 v2 ...' lines; a word2vec 'count dim' header line is skipped."""
    words, vectors = [], []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f):
            parts = line.rstrip().split(" ")
            if number == 0 and len(parts) == 2 and all(p.isdigit() for p in parts):
                continue  # word2vec header
            if len(parts) < 2:
                continue
            words.append(parts[0])
            vectors.append([float(v) for v in parts[1:]])
    if not words or len({len(v) for v in vectors}) != 1:
        raise ValueError(f"{path}: expected lines 'word v1 ... vD' with one D for all words.")
    return words, np.asarray(vectors, np.float32)


def make_module_fn(vocab_file: str, vocab_size: int, dim: int, num_oov_buckets: int):
    """The module_fn of a text-embedding module over ``vocab_file``."""

    def module_fn():
        sentences = v1.placeholder(tf.string, [None], name="sentences")
        tokens = tf.compat.v1.string_split(tf.strings.lower(sentences), sep=" ")
        table = v1.lookup.StaticVocabularyTable(
            v1.lookup.TextFileInitializer(vocab_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                          tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
            num_oov_buckets)
        ids = tf.SparseTensor(tokens.indices, table.lookup(tokens.values), tokens.dense_shape)
        embeddings = v1.get_variable("embeddings", [vocab_size + num_oov_buckets, dim],
                                     initializer=v1.zeros_initializer())
        combined = tf.nn.embedding_lookup_sparse(embeddings, ids, None, combiner="sqrtn")
        # Sentences without tokens get a zero vector and keep the batch size.
        padded = tf.zeros([tf.shape(sentences)[0], dim]) + tf.pad(
            combined, [[0, tf.shape(sentences)[0] - tf.shape(combined)[0]], [0, 0]])
        hub.add_signature(inputs=sentences, outputs=tf.ensure_shape(padded, [None, dim]))

    return module_fn


def export(embeddings_file: str, export_dir: str, num_oov_buckets: int = 1) -> None:
    """Writes the module to ``export_dir`` (which must not exist)."""
    words, vectors = read_embeddings(embeddings_file)
    workdir = tempfile.mkdtemp()
    vocab_file = os.path.join(workdir, "tokens.txt")
    with open(vocab_file, "w", encoding="utf-8") as f:
        f.write("".join(word + "\n" for word in words))
    spec = hub.create_module_spec(
        make_module_fn(vocab_file, len(words), vectors.shape[1], num_oov_buckets))
    with tf.Graph().as_default():
        module = hub.Module(spec)
        table = module.variable_map["embeddings"]
        values = v1.placeholder(tf.float32, table.shape)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            oov = np.zeros([num_oov_buckets, vectors.shape[1]], np.float32)
            session.run(table.assign(values), {values: np.concatenate([vectors, oov])})
            module.export(export_dir, session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("embeddings_file")
    parser.add_argument("export_dir")
    parser.add_argument("--num_oov_buckets", type=int, default=1)
    args = parser.parse_args()
    export(args.embeddings_file, args.export_dir, args.num_oov_buckets)
    print(f"Exported a text-embedding module to {args.export_dir}")


if __name__ == "__main__":
    main()
