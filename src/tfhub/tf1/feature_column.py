"""Feature columns that embed text or images with a TF1 Hub format module (or a TF2 model)."""

from __future__ import annotations

import collections
from typing import Any, Callable, Dict, List, Optional, Tuple

from tfhub._tf import tensorflow
from tfhub.tf1.image_util import get_expected_image_size
from tfhub.tf1.module import Module, _as_spec

tf = tensorflow()

from tensorflow.python.feature_column import feature_column as _fc_v1
from tensorflow.python.feature_column import feature_column_v2 as _fc

_COMBINERS = ("mean", "sqrtn", "sum")


def _key_name(key: Any) -> str:
    return key if isinstance(key, str) else key.name


def _text_module_issues(spec: Any) -> List[str]:
    issues = []
    inputs = spec.get_input_info_dict()
    if len(inputs) != 1:
        issues.append(f"the default signature must have exactly one input, not {sorted(inputs)}")
    else:
        info = next(iter(inputs.values()))
        shape = info.get_shape()
        # Exactly [None], as tensorflow_hub: the column feeds a batch of any size.
        if info.dtype != tf.string or shape.rank != 1 or shape[0] is not None:
            issues.append(f"its input must be a string [None], not {info.dtype.name} "
                          f"{shape}")
    issues.extend(_embedding_output_issues(spec))
    return issues


def _embedding_output_issues(spec: Any) -> List[str]:
    output = spec.get_output_info_dict().get("default")
    if output is None:
        return ["there is no output named 'default'"]
    shape = output.get_shape()
    if output.dtype != tf.float32 or shape.rank != 2 or shape[1] is None:
        return [f"output 'default' must be float32 [None, K] with known K, not "
                f"{output.dtype.name} {shape}"]
    return []


def _embedding_size(spec: Any) -> int:
    return spec.get_output_info_dict()["default"].get_shape()[1]


class _HubColumn(_fc.DenseColumn, _fc_v1._DenseColumn):  # pylint: disable=protected-access
    """Shared plumbing: naming, parents, v1 and v2 entry points."""

    @property
    def _is_v2_column(self) -> bool:
        return True

    @property
    def name(self) -> str:
        return f"{_key_name(self.key)}_hub_module_embedding"

    @property
    def parents(self) -> List[Any]:
        return [self.key]

    @property
    def _parse_example_spec(self) -> Dict[str, Any]:
        return self.parse_example_spec

    @property
    def _variable_shape(self) -> Any:
        return self.variable_shape

    def transform_feature(self, transformation_cache: Any, state_manager: Any) -> Any:
        return transformation_cache.get(self.key, state_manager)

    def _transform_feature(self, inputs: Any) -> Any:
        return inputs.get(self.key)

    def _module_trainable(self) -> bool:
        return False

    def create_state(self, state_manager: Any) -> None:
        trainable = self._module_trainable() and getattr(state_manager, "_trainable", True)
        state_manager.add_resource(self, "module", Module(self.module_spec, trainable=trainable))

    def _module(self, state_manager: Any, trainable: bool = True) -> Module:
        if state_manager is not None and state_manager.has_resource(self, "module"):
            return state_manager.get_resource(self, "module")
        return Module(self.module_spec, trainable=self._module_trainable() and trainable)

    def get_dense_tensor(self, transformation_cache: Any, state_manager: Any) -> Any:
        return self._embed(transformation_cache.get(self, state_manager),
                           self._module(state_manager))

    def _get_dense_tensor(self, inputs: Any, weight_collections: Any = None,
                          trainable: Optional[bool] = None) -> Any:
        return self._embed(inputs.get(self), self._module(None, trainable is not False))

    def get_config(self) -> Dict[str, Any]:
        if not isinstance(self.module_spec_path, str):
            raise NotImplementedError("get_config needs the column to be built from a module "
                                      "handle (a string), not a ModuleSpec object.")
        # tensorflow_hub's keys (module_spec_path), so configs move between the two libraries.
        return {k: v for k, v in zip(self._fields, self) if k != "module_spec"}

    @classmethod
    def from_config(cls, config: Dict[str, Any], custom_objects: Any = None,
                    columns_by_name: Any = None) -> Any:
        config = dict(config)
        config["module_spec"] = config.pop("module_spec_path", config.get("module_spec"))
        return _FACTORIES[cls](**config)


class _TextEmbeddingColumn(
        _HubColumn, collections.namedtuple(
            "_TextEmbeddingColumn", ("key", "module_spec_path", "module_spec", "trainable"))):
    @property
    def parse_example_spec(self):
        return {self.key: tf.io.FixedLenFeature([1], tf.string)}

    @property
    def variable_shape(self):
        return tf.TensorShape([_embedding_size(self.module_spec)])

    def _module_trainable(self):
        return self.trainable

    def _embed(self, text, module):
        return module(tf.reshape(text, [-1]))


class _SparseTextEmbeddingColumn(
        _HubColumn, collections.namedtuple(
            "_SparseTextEmbeddingColumn",
            ("key", "module_spec_path", "module_spec", "combiner", "default_value", "trainable"))):
    @property
    def parse_example_spec(self):
        return {self.key: tf.io.VarLenFeature(tf.string)}

    @property
    def variable_shape(self):
        return tf.TensorShape([_embedding_size(self.module_spec)])

    def _module_trainable(self):
        return self.trainable

    def _module(self, state_manager, trainable=True):
        return Module(self.module_spec, trainable=self.trainable and trainable)

    def _embed(self, sparse, module):
        if self.default_value is not None:
            sparse, _ = tf.sparse.fill_empty_rows(sparse, self.default_value)
        embeddings = module(sparse.values)
        ids = tf.SparseTensor(sparse.indices, tf.range(tf.size(sparse.values, out_type=tf.int64)),
                              sparse.dense_shape)
        return tf.nn.embedding_lookup_sparse(embeddings, ids, None, combiner=self.combiner)


class _ImageEmbeddingColumn(
        _HubColumn, collections.namedtuple(
            "_ImageEmbeddingColumn", ("key", "module_spec_path", "module_spec", "image_size"))):
    @property
    def parse_example_spec(self):
        height, width = self.image_size
        return {self.key: tf.io.FixedLenFeature([height, width, 3], tf.float32)}

    @property
    def variable_shape(self):
        return tf.TensorShape([_embedding_size(self.module_spec)])

    def _embed(self, images, module):
        return module({"images": images})


def _load(module_spec: Any) -> Any:
    return _as_spec(module_spec)


def text_embedding_column(key: Any, module_spec: Any, trainable: bool = False) -> Any:
    """A dense column embedding a string feature with a text-embedding module.

    Raises:
        ValueError: the module is not a text embedding (string [None] -> float32 [None, K]).
    """
    spec = _load(module_spec)
    issues = _text_module_issues(spec)
    if issues:
        raise ValueError(f"Module is not a text-embedding: {issues}")
    return _TextEmbeddingColumn(key, module_spec, spec, trainable)


def sparse_text_embedding_column(key: Any, module_spec: Any, combiner: str, default_value: Any,
                                 trainable: bool = False) -> Any:
    """A dense column embedding each token of a sparse string feature, then combining per row.

    Raises:
        ValueError: the module is not a text embedding, or ``combiner`` is unknown.
    """
    spec = _load(module_spec)
    issues = _text_module_issues(spec)
    if issues:
        raise ValueError(f"Module is not a text-embedding: {issues}")
    if combiner not in _COMBINERS:
        raise ValueError(f"combiner must be 'mean', 'sqrtn' or 'sum': {combiner!r}")
    return _SparseTextEmbeddingColumn(key, module_spec, spec, combiner, default_value, trainable)


def image_embedding_column(key: Any, module_spec: Any,
                           image_size: Optional[Tuple[int, int]] = None) -> Any:
    """A dense column embedding a float32 image feature with an image module (not trainable).

    Raises:
        ValueError: the module is not usable as an image embedding.
    """
    spec = _load(module_spec)
    issues = []
    inputs = spec.get_input_info_dict()
    if sorted(inputs) != ["images"] or inputs["images"].dtype != tf.float32:
        issues.append(f"the default signature's inputs must be exactly float32 'images', "
                      f"not {inputs}")
    elif image_size is None:
        try:
            height, width = get_expected_image_size(spec)
            image_size = (height, width)
        except ValueError as exc:
            issues.append(str(exc))
    issues.extend(_embedding_output_issues(spec))
    if issues:
        raise ValueError(f"Module is not usable as image embedding: {issues}")
    assert image_size is not None  # else `issues` said why
    return _ImageEmbeddingColumn(key, module_spec, spec, tuple(image_size))


_FACTORIES: Dict[type, Callable[..., Any]] = {
    _TextEmbeddingColumn: lambda **c: text_embedding_column(**c),
    _SparseTextEmbeddingColumn: lambda **c: sparse_text_embedding_column(**c),
    _ImageEmbeddingColumn: lambda **c: image_embedding_column(**c),
}


def text_embedding_column_v2(key: Any, module_path: str, output_key: Optional[str] = None,
                             trainable: bool = False) -> Any:
    """A dense column embedding a string feature with a TF2 model via ``hub.KerasLayer``."""
    from tfhub.tf1.feature_column_v2 import TextEmbeddingColumnV2

    return TextEmbeddingColumnV2(key, module_path, output_key, trainable)
