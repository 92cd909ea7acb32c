"""tfhub: TensorFlow Hub for today's TensorFlow.

``import tfhub as hub`` is a drop-in for ``import tensorflow_hub as hub``.
Importing this package does not import TensorFlow: every name that needs it is
bound on first use (PEP 562 module ``__getattr__``).
"""

from __future__ import annotations

import importlib

from tfhub import absl_flags
from tfhub.keras import registration as _keras_registration
from tfhub.version import __version__  # noqa: F401 - public

TYPE_CHECKING = False
if TYPE_CHECKING:  # `import typing` alone would cost more than `import tfhub` does
    from typing import Any, Dict, List

absl_flags.define_when_absl_loads()  # --tfhub_cache_dir, as tensorflow_hub
_keras_registration.install()  # saved hub.KerasLayers load after `import tfhub`

# public name -> "module:attribute", imported when first asked for.
_LAZY_NAMES: Dict[str, str] = {
    # resolving and loading (no TensorFlow needed to resolve)
    "resolve": "tfhub.resolving.resolvers:resolve",
    "load": "tfhub.tf2.loading:load",
    # ours: a TF1 Hub format module as a trainable TF2 object (fine-tuning in TF2)
    "load_trainable": "tfhub.tf2.tf1_trainable:load_trainable",
    # Keras
    "KerasLayer": "tfhub.keras:KerasLayer",
    # TF1 Hub format
    "Module": "tfhub.tf1.module:Module",
    "ModuleSpec": "tfhub.tf1.module_spec:ModuleSpec",
    "load_module_spec": "tfhub.tf1.module_spec:load_module_spec",
    "eval_function_for_module": "tfhub.tf1.module:eval_function_for_module",
    "create_module_spec": "tfhub.tf1.creation:create_module_spec",
    "create_module_spec_from_saved_model": "tfhub.tf1.creation:create_module_spec_from_saved_model",
    "add_signature": "tfhub.tf1.creation:add_signature",
    "attach_message": "tfhub.tf1.creation:attach_message",
    "LatestModuleExporter": "tfhub.tf1.estimator:LatestModuleExporter",
    "register_module_for_export": "tfhub.tf1.estimator:register_module_for_export",
    "text_embedding_column": "tfhub.tf1.feature_column:text_embedding_column",
    "text_embedding_column_v2": "tfhub.tf1.feature_column:text_embedding_column_v2",
    "sparse_text_embedding_column": "tfhub.tf1.feature_column:sparse_text_embedding_column",
    "image_embedding_column": "tfhub.tf1.feature_column:image_embedding_column",
    "ImageModuleInfo": "tfhub.tf1.image_util:ImageModuleInfo",
    "attach_image_module_info": "tfhub.tf1.image_util:attach_image_module_info",
    "get_expected_image_size": "tfhub.tf1.image_util:get_expected_image_size",
    "get_num_image_channels": "tfhub.tf1.image_util:get_num_image_channels",
}

# As tensorflow_hub 0.15: every public name but eval_function_for_module, plus ours.
__all__: List[str] = sorted(n for n in _LAZY_NAMES if n != "eval_function_for_module")


def __getattr__(name: str) -> Any:
    target = _LAZY_NAMES.get(name)
    if target is None:
        raise AttributeError(f"module 'tfhub' has no attribute {name!r}")
    module_name, attribute = target.split(":")
    value = getattr(importlib.import_module(module_name), attribute)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> List[str]:
    return sorted(set(globals()) | set(_LAZY_NAMES))
