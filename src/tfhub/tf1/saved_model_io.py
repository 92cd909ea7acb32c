"""``saved_model.pb`` of the TF1 Hub format: reading, asset paths, attachments.

On disk an asset is a string ``Const`` holding a placeholder, named by a
``saved_model_assets`` AssetFileDef. In memory (and in instantiated graphs) the
Const holds the asset's absolute path, so graphs need no asset feeding and a
module directory can be moved freely.
"""

from __future__ import annotations

import os
from typing import Dict, List, Tuple

from google.protobuf import message as protobuf_message

from tfhub import errors
from tfhub._tf import tensorflow
from tfhub.formats.hub_protos import ModuleAttachment

tf = tensorflow()

SAVED_MODEL_FILENAME = "saved_model.pb"
ASSETS_DIRNAME = "assets"
VARIABLES_DIRNAME = "variables"
ASSETS_KEY = "saved_model_assets"
ASSET_FILEPATHS = "asset_filepaths"
ASSET_PLACEHOLDER = b"SAVEDMODEL-ASSET"
ATTACHMENTS_COLLECTION = "hub_module_attachments"

ALLOWED_COLLECTIONS = frozenset([
    "variables", "trainable_variables", "model_variables", "table_initializer",
    "update_ops", "regularization_losses", ASSET_FILEPATHS, "cond_context",
    "while_context", ATTACHMENTS_COLLECTION,
])


def checkpoint_prefix(module_dir: str) -> str:
    """``<module_dir>/variables/variables``: the checkpoint of a module directory."""
    return os.path.join(module_dir, VARIABLES_DIRNAME, VARIABLES_DIRNAME)


def read_saved_model(module_dir: str):
    """Reads ``saved_model.pb`` and points its asset constants into ``module_dir/assets``.

    Raises:
        ModuleFileError: the file is missing or does not parse.
        ValueError: an asset filename escapes the assets directory.
    """
    from tensorflow.core.protobuf import saved_model_pb2

    path = os.path.join(module_dir, SAVED_MODEL_FILENAME)
    proto = saved_model_pb2.SavedModel()
    try:
        with tf.io.gfile.GFile(path, "rb") as f:
            proto.ParseFromString(f.read())
    except tf.errors.NotFoundError as exc:
        raise errors.ModuleFileError(
            f"{path} is missing: a TF1 Hub format module holds tfhub_module.pb and "
            "saved_model.pb. Download or export the module again.") from exc
    except protobuf_message.DecodeError as exc:
        raise errors.ModuleFileError(f"Cannot parse file {path}: {exc}.") from exc
    for meta_graph in proto.meta_graphs:
        resolve_assets(meta_graph, os.path.join(module_dir, ASSETS_DIRNAME))
    return proto


def _nodes_by_name(meta_graph) -> Dict[str, object]:
    return {node.name: node for node in meta_graph.graph_def.node}


def _tensor_node_name(tensor_name: str) -> str:
    name = tensor_name[1:] if tensor_name.startswith("^") else tensor_name
    return name.split(":")[0]


def resolve_assets(meta_graph, assets_dir: str) -> None:
    """Rewrites asset Consts to absolute paths under ``assets_dir``; drops ASSETS_KEY."""
    from tensorflow.core.protobuf import meta_graph_pb2

    if ASSETS_KEY not in meta_graph.collection_def:
        return
    nodes = _nodes_by_name(meta_graph)
    root = os.path.abspath(assets_dir)
    for packed in meta_graph.collection_def[ASSETS_KEY].any_list.value:
        asset = meta_graph_pb2.AssetFileDef()
        packed.Unpack(asset)
        path = os.path.abspath(os.path.join(root, asset.filename))
        if not path.startswith(root + os.sep):
            raise ValueError(
                f"Asset filename ({asset.filename}) points outside assets_dir {root}; "
                "the module is malformed.")
        nodes[_tensor_node_name(asset.tensor_info.name)].attr["value"].tensor.string_val[:] = [
            path.encode()]
    del meta_graph.collection_def[ASSETS_KEY]


def _asset_node(nodes, tensor_name: str):
    if not tensor_name.endswith(":0"):
        raise ValueError(f"Unexpected tensor {tensor_name!r} in the ASSET_FILEPATHS collection: "
                         "asset paths must be the first output of a string Const.")
    node = nodes[_tensor_node_name(tensor_name)]
    if node.op != "Const":
        raise TypeError(f"Asset node {node.name!r} must be of type constant, not {node.op}.")
    tensor = node.attr["value"].tensor
    if tf.dtypes.as_dtype(node.attr["dtype"].type) != tf.string:
        raise TypeError(f"Asset node {node.name!r} must be of dtype string.")
    if tensor.tensor_shape.dim:
        raise TypeError(f"Asset node {node.name!r} must be a scalar.")
    return node


def asset_sources(meta_graph) -> List[Tuple[str, bytes]]:
    """(tensor name, source path) of each asset of a meta graph, sorted by tensor name.

    Raises:
        TypeError, ValueError: the ASSET_FILEPATHS collection is malformed.
    """
    collection = meta_graph.collection_def.get(ASSET_FILEPATHS)
    if collection is None:
        return []
    if collection.WhichOneof("kind") != "node_list":
        raise ValueError("MetaGraph collection ASSET_FILEPATHS is not a list of tensors.")
    nodes = _nodes_by_name(meta_graph)
    return [(name, _asset_node(nodes, name).attr["value"].tensor.string_val[0])
            for name in sorted(collection.node_list.value)]


def plan_asset_copies(meta_graphs) -> Dict[bytes, str]:
    """Chooses a unique basename in ``assets/`` for every asset source path."""
    plan: Dict[bytes, str] = {}
    used = set()
    for meta_graph in meta_graphs:
        for _, source in asset_sources(meta_graph):
            if source in plan:
                continue
            base = os.path.basename(source.decode())
            name, counter = base, 0
            while name in used:
                name, counter = f"{base}{counter}", counter + 1
            plan[source] = name
            used.add(name)
    return plan


def externalize_assets(meta_graph, plan: Dict[bytes, str]) -> None:
    """Replaces asset paths by a placeholder and records them as AssetFileDefs."""
    from tensorflow.core.protobuf import meta_graph_pb2

    nodes = _nodes_by_name(meta_graph)
    assets = []
    for tensor_name, source in asset_sources(meta_graph):
        nodes[_tensor_node_name(tensor_name)].attr["value"].tensor.string_val[:] = [
            ASSET_PLACEHOLDER]
        asset = meta_graph_pb2.AssetFileDef(filename=plan[source])
        asset.tensor_info.name = tensor_name
        assets.append(asset)
    if assets:
        for asset in assets:
            meta_graph.collection_def[ASSETS_KEY].any_list.value.add().Pack(asset)


def attachments(meta_graph) -> Dict[str, bytes]:
    """The attached messages of a meta graph: key -> serialized message.

    Raises:
        ValueError: the attachments collection is not a bytes_list.
    """
    collection = meta_graph.collection_def.get(ATTACHMENTS_COLLECTION)
    if collection is None:
        return {}
    kind = collection.WhichOneof("kind")
    if kind != "bytes_list":
        raise ValueError(f"Internal CollectionDef for attached messages has kind {kind}, "
                         "expected bytes_list; the module is malformed.")
    result = {}
    for value in collection.bytes_list.value:
        attachment = ModuleAttachment()
        try:
            attachment.ParseFromString(value)
        except protobuf_message.DecodeError as exc:
            raise errors.ModuleDefError(
                f"An attached message of the module is corrupted ({exc}); the module's "
                "saved_model.pb is damaged. Download or export the module again."
            ) from exc
        result[attachment.key] = attachment.value
    return result


def set_attachments(meta_graph, messages: Dict[str, bytes]) -> None:
    """Stores ``messages`` (key -> serialized message) in a meta graph."""
    if not messages:
        return
    values = meta_graph.collection_def[ATTACHMENTS_COLLECTION].bytes_list.value
    for key, value in messages.items():
        values.append(ModuleAttachment(key=key, value=value).SerializeToString())


def unsupported_collections(meta_graph) -> List[str]:
    """The collection keys of a meta graph that a module may not hold, sorted."""
    return sorted(set(meta_graph.collection_def) - ALLOWED_COLLECTIONS)
