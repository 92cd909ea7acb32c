"""Feature columns, image utilities and Estimator export (tensorflow_hub 0.15)."""

import os

import numpy as np

from tests.differential.harness import attempt, scenario
from tests.differential.scenarios.tf1_module import graph_session, run

V015 = dict(hub=("0.15",))


def dense(columns, features):
    import tensorflow as tf
    return run(tf.compat.v1.feature_column.input_layer(features, columns))


@scenario([("text_embedding_column", "key"), ("text_embedding_column", "module_spec"),
           ("text_embedding_column", "trainable")], **V015)
def text_column(hub, ctx):
    import tensorflow as tf
    column = hub.text_embedding_column("text", ctx.models["tf1_text"], trainable=True)
    graph, scope = graph_session()
    with scope:
        values = dense([column], {"text": tf.constant([["hello"], ["world"]])})
        trainable = sorted(v.name for v in tf.compat.v1.trainable_variables())
    return {"name": column.name, "shape": column.variable_shape, "values": values,
            "trainable": trainable, "parse": sorted(column.parse_example_spec),
            "image_module": attempt(lambda: hub.text_embedding_column("t", ctx.models["tf1_image"]))}


@scenario([("text_embedding_column", "module_spec")], **V015)
def text_column_needs_none_shape(hub, ctx):
    return {"fixed_10": attempt(lambda: hub.text_embedding_column("t", ctx.models["tf1_text10"]))}


@scenario([("text_embedding_column_v2", "key"), ("text_embedding_column_v2", "module_path"),
           ("text_embedding_column_v2", "output_key"), ("text_embedding_column_v2", "trainable")],
          **V015)
def text_column_v2(hub, ctx):
    import tensorflow as tf

    def dense_features(column):  # variable_shape is known once the column's state exists
        values = tf.keras.layers.DenseFeatures([column])({"text": tf.constant([["hello"], ["world"]])})
        return {"name": column.name, "shape": column.variable_shape, "values": values}

    v2 = hub.text_embedding_column_v2
    return {"plain": dense_features(v2("text", ctx.models["text"], trainable=False)),
            "keyed": dense_features(v2("text", ctx.models["text_dict"], output_key="emb")),
            "unkeyed": attempt(lambda: dense_features(v2("text", ctx.models["text_dict"])))}


@scenario([("sparse_text_embedding_column", "key"), ("sparse_text_embedding_column", "module_spec"),
           ("sparse_text_embedding_column", "combiner"), ("sparse_text_embedding_column", "default_value"),
           ("sparse_text_embedding_column", "trainable")], **V015)
def sparse_text_column(hub, ctx):
    import tensorflow as tf
    tokens = tf.compat.v1.SparseTensorValue([[0, 0], [0, 1], [2, 0]], ["a", "b", "c"], [3, 2])
    out = {}
    for combiner in ("mean", "sqrtn", "sum"):
        column = hub.sparse_text_embedding_column("tokens", ctx.models["tf1_text"], combiner,
                                                  default_value="empty", trainable=combiner == "sum")
        graph, scope = graph_session()
        with scope:
            out[combiner] = dense([column], {"tokens": tf.compat.v1.SparseTensor(*tokens)})
            out[combiner + "_trainable"] = len(tf.compat.v1.trainable_variables())
    out["name"] = column.name
    out["bad_combiner"] = attempt(lambda: hub.sparse_text_embedding_column(
        "t", ctx.models["tf1_text"], "max", None))
    return out


@scenario([("image_embedding_column", "key"), ("image_embedding_column", "module_spec"),
           ("image_embedding_column", "image_size")], **V015)
def image_column(hub, ctx):
    import tensorflow as tf
    column = hub.image_embedding_column("image", ctx.models["tf1_image"])
    sized = hub.image_embedding_column("image", ctx.models["tf1_image_any"], image_size=[4, 4])
    graph, scope = graph_session()
    with scope:
        values = dense([column], {"image": tf.ones([2, 8, 8, 3])})
    return {"name": column.name, "shape": column.variable_shape, "values": values,
            "parse": {k: str(v) for k, v in column.parse_example_spec.items()},
            "sized_parse": {k: str(v) for k, v in sized.parse_example_spec.items()},
            "unknown_size": attempt(lambda: hub.image_embedding_column("i", ctx.models["tf1_image_any"])),
            "text_module": attempt(lambda: hub.image_embedding_column("i", ctx.models["tf1_text"]))}


@scenario([("get_expected_image_size", "module_or_spec"), ("get_expected_image_size", "signature"),
           ("get_expected_image_size", "input_name"), ("get_num_image_channels", "module_or_spec"),
           ("get_num_image_channels", "signature"), ("get_num_image_channels", "input_name"),
           ("ImageModuleInfo", ""), ("attach_image_module_info", "image_module_info")], **V015)
def image_utilities(hub, ctx):
    spec = hub.load_module_spec(ctx.models["tf1_image"])
    graph, scope = graph_session()
    with scope:
        module_size = hub.get_expected_image_size(hub.Module(spec))
    info = hub.ImageModuleInfo()
    info.default_image_size.height = 3
    return {"size": hub.get_expected_image_size(spec), "module_size": module_size,
            "channels": hub.get_num_image_channels(spec, signature="default", input_name="images"),
            "attached": hub.get_expected_image_size(hub.load_module_spec(ctx.models["tf1_image_info"])),
            "unknown": attempt(lambda: hub.get_expected_image_size(hub.load_module_spec(
                ctx.models["tf1_image_any"]))),
            "no_input": attempt(lambda: hub.get_expected_image_size(spec, input_name="nope")),
            "no_signature": attempt(lambda: hub.get_num_image_channels(spec, signature="nope")),
            "info": info.SerializeToString(), "fields": sorted(f.name for f in info.DESCRIPTOR.fields)}


@scenario([("LatestModuleExporter", "export"), ("LatestModuleExporter", "name"),
           ("LatestModuleExporter", "serving_input_fn"), ("LatestModuleExporter", "exports_to_keep"),
           ("register_module_for_export", "module"), ("register_module_for_export", "export_name")],
          **V015)
def estimator_latest_module_exporter(hub, ctx):
    import tensorflow as tf
    v1 = tf.compat.v1

    def model_fn(features, labels, mode):
        module = hub.Module(ctx.models["tf1_affine"], trainable=True)
        hub.register_module_for_export(module, "affine")
        predictions = module(features["x"])
        loss = tf.reduce_mean(tf.square(predictions - 1.0)) if labels is not None else tf.constant(0.0)
        step = v1.train.GradientDescentOptimizer(0.01).minimize(loss, v1.train.get_global_step())
        return tf.estimator.EstimatorSpec(mode, predictions=predictions, loss=loss, train_op=step)

    def input_fn():
        return {"x": tf.constant(np.ones([4, 2], np.float32))}, tf.constant(np.ones([4, 1], np.float32))

    def serving_input_fn():
        x = v1.placeholder(tf.float32, [None, 2])
        return tf.estimator.export.ServingInputReceiver({"x": x}, {"x": x})

    estimator = tf.estimator.Estimator(model_fn, model_dir=os.path.join(ctx.tmp, "model"))
    estimator.train(input_fn, steps=2)
    exporter = hub.LatestModuleExporter("hub", serving_input_fn, exports_to_keep=2)
    export_path = os.path.join(ctx.tmp, "export")
    result = exporter.export(estimator, export_path, estimator.latest_checkpoint())
    module_dir = os.path.join(result, b"affine" if isinstance(result, bytes) else "affine")
    graph, scope = graph_session()
    with scope:
        y = run(hub.Module(module_dir)(np.ones([1, 2], np.float32)))
    return {"name": exporter.name, "result_type": type(result).__name__,
            "listing": sorted(os.listdir(result)), "y": y,
            "keep_zero": attempt(lambda: hub.LatestModuleExporter("x", serving_input_fn, exports_to_keep=0))}


@scenario([("register_module_for_export", "export_name")], **V015)
def register_duplicate_name(hub, ctx):
    graph, scope = graph_session()
    with scope:
        m = hub.Module(ctx.models["tf1_affine"])
        hub.register_module_for_export(m, "a")
        return {"duplicate": attempt(lambda: hub.register_module_for_export(m, "a"))}


@scenario([("text_embedding_column", "module_spec"), ("image_embedding_column", "module_spec")], **V015)
def column_configs(hub, ctx):
    by_path = hub.text_embedding_column("text", ctx.models["tf1_text"])
    by_spec = hub.text_embedding_column("text", hub.load_module_spec(ctx.models["tf1_text"]))
    image = hub.image_embedding_column("image", ctx.models["tf1_image"])
    return {"by_path": attempt(lambda: sorted(by_path.get_config())),
            "by_spec": attempt(by_spec.get_config),
            "image": attempt(lambda: sorted(image.get_config())),
            "parents": [str(p) for p in by_path.parents],
            "round_trip": type(by_path).from_config(by_path.get_config()).name,
            "image_round_trip": type(image).from_config(image.get_config()).variable_shape,
            # a config as tensorflow_hub writes it (a saved model's feature layer)
            "from_their_config": type(by_path).from_config({
                "key": "t", "module_spec_path": ctx.models["tf1_text"], "trainable": False}).name}
