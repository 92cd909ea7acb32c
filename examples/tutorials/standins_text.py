"""Stand-ins for the text models of the TF Hub tutorials, written with TensorFlow's own APIs.

Each writes a TF2 SavedModel with what the tutorial relies on of the real model: the
call signature, dtypes and output structure, trainable and non-trainable variables
(the Reusable SavedModel attributes), regularization losses, the ``training``
argument, and for the BERT preprocessor its ``tokenize`` and ``bert_pack_inputs``
functions returning RaggedTensors. The numbers are not the real models' (words are
hashed, not looked up in a pre-trained vocabulary); the shapes and the code paths are.
"""

from __future__ import annotations

import os

import tensorflow as tf

# BERT's vocabulary size and its special tokens' ids (uncased English vocabulary).
BERT_VOCAB_SIZE = 30522
PAD_ID, UNK_ID, CLS_ID, SEP_ID = 0, 100, 101, 102
_FIRST_WORDPIECE_ID = 1000  # ids below are special tokens and unused entries
_HASHED_ROWS = 1024  # embedding rows actually stored: ids are folded onto them


def _words(texts: tf.Tensor) -> tf.RaggedTensor:
    """Lower-cased words of each text, punctuation dropped: [batch, (words)]."""
    cleaned = tf.strings.regex_replace(tf.strings.lower(texts), r"[^a-z0-9' ]", " ")
    return tf.strings.split(cleaned)


def reusable_root(call: tf.types.experimental.GenericFunction, variables: list,
                   trainable: list, losses: list) -> tf.train.Checkpoint:
    """A SavedModel root following the Reusable SavedModel convention."""
    root = tf.train.Checkpoint()
    root.__call__ = call
    root.variables = variables
    root.trainable_variables = trainable
    root.regularization_losses = losses
    return root


def text_embedding(path: str, dim: int = 50, normalize: bool = False,
                   oov_buckets: int = 64) -> None:
    """An nnlm-en-dim50-like text embedding: [batch] strings -> [batch, dim] float32.

    Words are looked up in a vocabulary asset (with OOV buckets, as nnlm does) and
    combined with sqrtn; ``normalize`` L2-normalises the result (as the Universal
    Sentence Encoder's outputs are). The embedding table is the one trainable variable.
    """
    os.makedirs(path, exist_ok=True)
    vocab_file = os.path.join(path, "..", os.path.basename(path) + "-tokens.txt")
    vocabulary = ["the", "a", "movie", "film", "good", "bad", "great", "i", "is", "it", "was",
                  "elephant", "sentence", "embedding", "cat", "dog", "weather", "today"]
    with open(vocab_file, "w") as f:
        f.write("\n".join(vocabulary) + "\n")
    table = tf.lookup.StaticVocabularyTable(
        tf.lookup.TextFileInitializer(vocab_file, tf.string, tf.lookup.TextFileIndex.WHOLE_LINE,
                                      tf.int64, tf.lookup.TextFileIndex.LINE_NUMBER),
        num_oov_buckets=oov_buckets)
    rows = len(vocabulary) + oov_buckets
    embeddings = tf.Variable(tf.random.stateless_normal([rows, dim], seed=[1, dim]) * 0.1,
                             name="embeddings")

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def call(sentences: tf.Tensor) -> tf.Tensor:
        ids = tf.ragged.map_flat_values(table.lookup, _words(sentences))
        vectors = tf.ragged.map_flat_values(tf.nn.embedding_lookup, embeddings, ids)
        count = tf.cast(tf.expand_dims(ids.row_lengths(), 1), tf.float32)
        combined = tf.reduce_sum(vectors, axis=1) / tf.sqrt(tf.maximum(count, 1.0))
        return tf.math.l2_normalize(combined, axis=1) if normalize else combined

    root = reusable_root(call, [embeddings], [embeddings], [])
    root.table = table
    tf.saved_model.save(root, path, signatures={"default": call})
    os.remove(vocab_file)  # the SavedModel keeps its own copy as an asset


def _wordpieces(words: tf.Tensor) -> tf.RaggedTensor:
    """Each word's pieces: the first five letters, then ``##`` and the rest."""
    return tf.strings.split(tf.strings.regex_replace(words, r"^(.{5})(.+)$", r"\1 ##\2"))


def _piece_ids(pieces: tf.Tensor) -> tf.Tensor:
    span = BERT_VOCAB_SIZE - _FIRST_WORDPIECE_ID
    return tf.cast(tf.strings.to_hash_bucket_fast(pieces, span) + _FIRST_WORDPIECE_ID, tf.int32)


def _tokenize(sentences: tf.Tensor) -> tf.RaggedTensor:
    """[batch] strings -> int32 word-piece ids [batch, (words), (pieces)]."""
    words = _words(sentences)
    pieces = _wordpieces(words.flat_values)
    return words.with_flat_values(pieces.with_flat_values(_piece_ids(pieces.flat_values)))


def _pack(segments: list, seq_length: tf.Tensor) -> dict:
    """BERT's input dict from 1 or more tokenized segments: [CLS] a [SEP] b [SEP], padded."""
    flat = [s.merge_dims(1, 2) for s in segments]
    budget = (seq_length - 1 - len(flat)) // len(flat)
    flat = [s[:, :budget] for s in flat]
    batch = flat[0].nrows()
    cls = tf.fill([batch, 1], CLS_ID)
    sep = tf.fill([batch, 1], SEP_ID)
    pieces, types = [cls], [tf.zeros([batch, 1], tf.int32)]
    for index, segment in enumerate(flat):
        pieces += [segment, sep]
        types += [tf.ones_like(segment) * index, tf.fill([batch, 1], index)]
    word_ids = tf.concat(pieces, axis=1)
    shape = tf.stack([tf.cast(batch, tf.int32), seq_length])
    return {"input_word_ids": word_ids.to_tensor(PAD_ID, shape=shape),
            "input_mask": tf.ones_like(word_ids).to_tensor(0, shape=shape),
            "input_type_ids": tf.concat(types, axis=1).to_tensor(0, shape=shape)}


def bert_preprocessor(path: str, seq_length: int = 128, max_segments: int = 3) -> None:
    """A bert_en_uncased_preprocess-like model.

    ``__call__``: [batch] strings -> dict of int32 [batch, seq_length]
    (``input_word_ids``, ``input_mask``, ``input_type_ids``). Like the real one it
    also saves ``tokenize`` (a tf.function with an input signature, returning a
    RaggedTensor) and ``bert_pack_inputs`` (a tf.function traced for 1 to
    ``max_segments`` RaggedTensor segments and a ``seq_length`` tensor), and has
    no trainable variables.
    """
    tokenize = tf.function(_tokenize, input_signature=[tf.TensorSpec([None], tf.string)])
    pack = tf.function(_pack)
    for count in range(1, max_segments + 1):
        pack.get_concrete_function(
            [tf.RaggedTensorSpec([None, None, None], tf.int32, ragged_rank=2)] * count,
            seq_length=tf.TensorSpec([], tf.int32))

    @tf.function(input_signature=[tf.TensorSpec([None], tf.string)])
    def call(sentences: tf.Tensor) -> dict:
        return _pack([_tokenize(sentences)], tf.constant(seq_length))

    root = reusable_root(call, [], [], [])
    root.tokenize = tokenize
    root.bert_pack_inputs = pack
    tf.saved_model.save(root, path, signatures={"serving_default": call})


def bert_encoder(path: str, hidden: int = 512, layers: int = 4, dropout: float = 0.1) -> None:
    """A small_bert-like encoder: BERT's input dict -> ``pooled_output`` [batch, hidden],
    ``sequence_output`` [batch, seq, hidden], ``encoder_outputs`` (one per layer) and
    ``default`` (the pooled output).

    ``__call__(inputs, training)`` applies dropout only when training. Word ids are
    folded onto a small table to keep the stand-in small; every variable is trainable.
    """
    seed = iter(range(100, 200))

    def weight(shape: list, name: str) -> tf.Variable:
        return tf.Variable(tf.random.stateless_normal(shape, seed=[next(seed), 0]) * 0.05, name=name)

    words = weight([_HASHED_ROWS, hidden], "word_embeddings")
    types = weight([2, hidden], "type_embeddings")
    blocks = [weight([hidden, hidden], f"layer_{i}/kernel") for i in range(layers)]
    pooler = weight([hidden, hidden], "pooler/kernel")
    spec = {name: tf.TensorSpec([None, None], tf.int32, name=name)
            for name in ("input_word_ids", "input_mask", "input_type_ids")}

    @tf.function
    def call(inputs: dict, training: bool = False) -> dict:
        mask = tf.cast(tf.expand_dims(inputs["input_mask"], -1), tf.float32)
        x = (tf.nn.embedding_lookup(words, inputs["input_word_ids"] % _HASHED_ROWS)
             + tf.nn.embedding_lookup(types, inputs["input_type_ids"])) * mask
        outputs = []
        for kernel in blocks:
            x = x + tf.nn.tanh(tf.einsum("bsh,hk->bsk", x, kernel)) * mask
            if training:
                x = tf.nn.dropout(x, rate=dropout)
            outputs.append(x)
        pooled = tf.nn.tanh(tf.matmul(x[:, 0, :], pooler))
        return {"pooled_output": pooled, "sequence_output": x, "encoder_outputs": outputs,
                "default": pooled}

    for training in (True, False):
        call.get_concrete_function(spec, training)
    variables = [words, types, *blocks, pooler]
    root = reusable_root(call, variables, variables, [])
    @tf.function(input_signature=[spec])
    def serving(inputs: dict) -> dict:  # a signature's outputs are a flat dict
        outputs = dict(call(inputs, False))
        outputs.update({f"encoder_outputs_{i}": x for i, x in enumerate(outputs.pop("encoder_outputs"))})
        return outputs

    tf.saved_model.save(root, path, signatures={"serving_default": serving})
