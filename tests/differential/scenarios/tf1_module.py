"""The TF1 Hub format API (tensorflow_hub 0.15): hub.Module, ModuleSpec, module creation."""

import os
import tempfile

import numpy as np

from tests.differential.harness import attempt, scenario

X = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32)
V015 = dict(hub=("0.15",))


def graph_session():
    import tensorflow as tf
    graph = tf.Graph()
    return graph, graph.as_default()


def run(fetches):
    import tensorflow as tf
    v1 = tf.compat.v1
    with v1.Session() as session:
        session.run([v1.global_variables_initializer(), v1.tables_initializer()])
        return session.run(fetches)


def collections(graph):
    import tensorflow as tf
    keys = tf.compat.v1.GraphKeys
    return {k: sorted(getattr(v, "name", str(v)) for v in graph.get_collection(getattr(keys, k)))
            for k in ("GLOBAL_VARIABLES", "TRAINABLE_VARIABLES", "UPDATE_OPS", "REGULARIZATION_LOSSES",
                      "TABLE_INITIALIZERS", "ASSET_FILEPATHS", "LOCAL_VARIABLES")}


def info(infos):
    return {k: {"dtype": v.dtype.name, "shape": v.get_shape().as_list() if v.get_shape().rank is not None
                else None, "sparse": v.is_sparse} for k, v in infos.items()}


@scenario([("Module", "spec"), ("Module", "__call__"), ("Module", "variables"), ("Module", "variable_map"),
           ("Module", "get_signature_names"), ("Module", "get_input_info_dict"),
           ("Module", "get_output_info_dict")], **V015)
def module_default_call(hub, ctx):
    graph, scope = graph_session()
    with scope:
        m = hub.Module(ctx.models["tf1_affine"])
        y = m(X)
        out = {"y": run(y), "y_shape": y.shape, "y_dtype": y.dtype,
               "variables": sorted(v.name for v in m.variables), "variable_map": sorted(m.variable_map),
               "signatures": sorted(m.get_signature_names()), "inputs": info(m.get_input_info_dict()),
               "outputs": info(m.get_output_info_dict("named")), "collections": collections(graph)}
    return out


@scenario([("Module", "tags"), ("Module", "trainable")], **V015)
def module_train_tags_trainable(hub, ctx):
    out = {}
    for trainable in (True, False):
        graph, scope = graph_session()
        with scope:
            m = hub.Module(ctx.models["tf1_affine"], tags={"train"}, trainable=trainable)
            out[str(trainable)] = {"y": run(m(X)), "collections": collections(graph)}
    graph, scope = graph_session()
    with scope:
        out["unknown_tags"] = attempt(lambda: hub.Module(ctx.models["tf1_affine"], tags={"nope"}))
    return out


@scenario([("Module", "name")], **V015)
def module_name_and_reuse(hub, ctx):
    import tensorflow as tf
    graph, scope = graph_session()
    with scope:
        a = hub.Module(ctx.models["tf1_affine"], name="encoder")
        b = hub.Module(ctx.models["tf1_affine"])
        c = hub.Module(ctx.models["tf1_affine"])
        with tf.compat.v1.variable_scope("outer"):
            d = hub.Module(ctx.models["tf1_affine"])
        ys = [a(X), a(X), b(X)]
        return {"names": [sorted(v.name for v in m.variables) for m in (a, b, c, d)],
                "outputs": [y.name for y in ys], "values": run(ys)}


@scenario([("Module", "__call__"), ("Module", "as_dict"), ("Module", "signature")], **V015)
def module_signatures_as_dict(hub, ctx):
    graph, scope = graph_session()
    with scope:
        m = hub.Module(ctx.models["tf1_affine"])
        named = m({"x": X}, signature="named", as_dict=True)
        return {"keys": sorted(named), "values": run(named),
                "default_as_dict": sorted(m(X, as_dict=True)),
                "named_no_dict": attempt(lambda: m({"x": X}, signature="named")),
                "bad_signature": attempt(lambda: m(X, signature="nope")),
                "bad_input_key": attempt(lambda: m({"q": X}, signature="named")),
                "bad_dtype": attempt(lambda: m(np.array([["a", "b"]]))),
                "bad_shape": attempt(lambda: m(np.zeros([2, 3], np.float32)))}


@scenario([("Module", "get_attached_message"), ("ModuleSpec", "get_attached_message"),
           ("attach_message", "key"), ("attach_message", "message")], **V015)
def attached_message(hub, ctx):
    import tensorflow as tf
    spec = hub.load_module_spec(ctx.models["tf1_affine"])
    graph, scope = graph_session()
    with scope:
        m = hub.Module(spec)
        return {"spec": list(spec.get_attached_message("numbers", tf.train.Int64List).value),
                "module": list(m.get_attached_message("numbers", tf.train.Int64List).value),
                "missing": spec.get_attached_message("nope", tf.train.Int64List),
                "train_tags": list(spec.get_attached_message("numbers", tf.train.Int64List,
                                                             tags={"train"}).value)}


@scenario([("Module", "export")], **V015)
def module_export_roundtrip(hub, ctx):
    import tensorflow as tf
    target = os.path.join(ctx.tmp, "exported")
    graph, scope = graph_session()
    with scope:
        m = hub.Module(ctx.models["tf1_affine"])
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            session.run(m.variables[0].assign([[5.0], [6.0]]))
            m.export(target, session)
            again = attempt(lambda: m.export(target, session))
    graph, scope = graph_session()
    with scope:
        y = run(hub.Module(target)(X))
    return {"files": sorted(os.listdir(target)), "y": y, "export_again": again}


@scenario([("Module", "export")], **V015)
def module_export_into_empty_mkdtemp(hub, ctx):
    import tensorflow as tf
    target = tempfile.mkdtemp(dir=ctx.tmp)
    graph, scope = graph_session()
    with scope:
        m = hub.Module(ctx.models["tf1_affine"])
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            m.export(target, session)
    return {"files": sorted(os.listdir(target))}


@scenario([("ModuleSpec", "get_signature_names"), ("ModuleSpec", "get_input_info_dict"),
           ("ModuleSpec", "get_output_info_dict"), ("load_module_spec", "path")], **V015)
def module_spec_queries(hub, ctx):
    spec = hub.load_module_spec(ctx.models["tf1_affine"])
    return {"tags": sorted(sorted(t) for t in spec.get_tags()),
            "signatures": sorted(spec.get_signature_names()),
            "train_signatures": sorted(spec.get_signature_names(tags={"train"})),
            "inputs": info(spec.get_input_info_dict()),
            "named_out": info(spec.get_output_info_dict("named", tags={"train"})),
            "bad_signature": attempt(lambda: spec.get_input_info_dict("nope")),
            "bad_tags": attempt(lambda: spec.get_input_info_dict(tags={"nope"})),
            "missing": attempt(lambda: hub.load_module_spec(os.path.join(ctx.tmp, "nowhere")))}


# tensorflow_hub raised tf.errors.NotFoundError (from gfile) here; tfhub's error is one too.
@scenario([("load_module_spec", "path")], **V015)
def load_module_spec_of_tf2_savedmodel(hub, ctx):
    return {"not_a_module": attempt(lambda: hub.load_module_spec(ctx.models["reusable"]))}


@scenario([("ModuleSpec", "get_tags")], **V015)
def module_spec_tags_order(hub, ctx):
    import tensorflow as tf
    spec = hub.create_module_spec(lambda: _creation_fn(hub), tags_and_args=[
        ({"zz"}, {}), ({"aa", "bb"}, {}), (set(), {})])
    target = os.path.join(ctx.tmp, "ordered")
    with tf.Graph().as_default():
        m = hub.Module(spec, tags={"zz"})
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            m.export(target, session)
    return {"created": [sorted(t) for t in spec.get_tags()],
            "loaded": [sorted(t) for t in hub.load_module_spec(target).get_tags()]}


def _creation_fn(hub, training=False):
    import tensorflow as tf
    v1 = tf.compat.v1
    x = v1.placeholder(tf.float32, [None, 2])
    w = v1.get_variable("w", initializer=tf.constant([[1.0], [1.0]]))
    v1.add_to_collection("dropped", tf.constant(1.0))
    v1.add_to_collection("kept", tf.constant(2.0))
    hub.add_signature(inputs=x, outputs=tf.matmul(x, w) * (2.0 if training else 1.0))
    hub.add_signature(name="pair", inputs={"a": x, "b": x}, outputs={"sum": x + x})


@scenario([("create_module_spec", "module_fn"), ("create_module_spec", "tags_and_args"),
           ("create_module_spec", "drop_collections"), ("add_signature", "name"),
           ("add_signature", "inputs"), ("add_signature", "outputs"), ("ModuleSpec", "get_tags")], **V015)
def create_spec_and_apply(hub, ctx):
    spec = hub.create_module_spec(lambda training=False: _creation_fn(hub, training),
                                  tags_and_args=[(set(), {}), ({"train"}, {"training": True})],
                                  drop_collections=["dropped"])
    graph, scope = graph_session()
    with scope:
        m = hub.Module(spec, tags={"train"})
        y = m(X)
        pair = m({"a": X, "b": X}, signature="pair", as_dict=True)
        return {"tags": sorted(sorted(t) for t in spec.get_tags()), "y": run(y), "pair": run(pair),
                "dropped": len(graph.get_collection("dropped")), "kept": len(graph.get_collection("kept")),
                "signatures": sorted(spec.get_signature_names())}


@scenario([("create_module_spec", "module_fn"), ("add_signature", "inputs")], **V015)
def create_spec_errors(hub, ctx):
    import tensorflow as tf
    v1 = tf.compat.v1

    def stateful_fn():
        x = v1.placeholder(tf.float32, [None])
        hub.add_signature(inputs=x, outputs=tf.random.uniform([1]) + x)

    def no_placeholder_fn():
        hub.add_signature(inputs=tf.constant(1.0), outputs=tf.constant(2.0))

    def bad_name_fn():
        x = v1.placeholder(tf.float32, [None])
        hub.add_signature(name="bad name!", inputs=x, outputs=x)

    def duplicate_fn():
        x = v1.placeholder(tf.float32, [None])
        hub.add_signature(inputs=x, outputs=x)
        hub.add_signature(inputs=x, outputs=x)

    def instantiate(module_fn, **kwargs):
        def make():
            with tf.Graph().as_default():
                return sorted(hub.Module(hub.create_module_spec(module_fn, **kwargs)).get_signature_names())
        return attempt(make)

    def outside():
        with tf.Graph().as_default():
            x = v1.placeholder(tf.float32, [None])
            hub.add_signature(inputs=x, outputs=x)
            return "no error"

    return {"random_ok": instantiate(stateful_fn), "no_placeholder": instantiate(no_placeholder_fn),
            "bad_name": instantiate(bad_name_fn), "duplicate": instantiate(duplicate_fn),
            "tags_args_empty": instantiate(stateful_fn, tags_and_args=[]), "outside": attempt(outside)}


@scenario([("ModuleSpec", "export")], **V015)
def module_spec_export_checkpoint(hub, ctx):
    import tensorflow as tf
    spec = hub.load_module_spec(ctx.models["tf1_affine"])
    checkpoint = os.path.join(ctx.tmp, "ckpt", "model")
    graph, scope = graph_session()
    with scope:
        m = hub.Module(spec)
        with tf.compat.v1.Session() as session:
            session.run(tf.compat.v1.global_variables_initializer())
            session.run(m.variables[0].assign([[7.0], [8.0]]))
            tf.compat.v1.train.Saver().save(session, checkpoint)
    target = os.path.join(ctx.tmp, "from_ckpt")
    spec.export(target, checkpoint_path=checkpoint)
    graph, scope = graph_session()
    with scope:
        return {"y": run(hub.Module(target)(X)), "files": sorted(os.listdir(target)),
                "no_checkpoint": attempt(lambda: spec.export(os.path.join(ctx.tmp, "x"),
                                                             checkpoint_path=checkpoint + "-missing"))}


@scenario([("create_module_spec_from_saved_model", "saved_model_path"),
           ("create_module_spec_from_saved_model", "drop_collections")], **V015)
def spec_from_saved_model(hub, ctx):
    import tensorflow as tf
    v1 = tf.compat.v1
    path = os.path.join(ctx.tmp, "sm")
    with tf.Graph().as_default():
        x = v1.placeholder(tf.float32, [None, 2], name="x")
        w = v1.get_variable("w", initializer=tf.constant([[1.0], [3.0]]))
        v1.add_to_collection("extra", tf.constant(1.0))
        y = tf.matmul(x, w)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            v1.saved_model.simple_save(session, path, inputs={"x": x}, outputs={"y": y})
    spec = hub.create_module_spec_from_saved_model(path, drop_collections=["extra"])
    graph, scope = graph_session()
    with scope:
        m = hub.Module(spec)
        out = m({"x": X}, signature="serving_default", as_dict=True)
        return {"signatures": sorted(spec.get_signature_names()), "y": run(out),
                "tags": sorted(sorted(t) for t in spec.get_tags()), "extra": len(graph.get_collection("extra"))}


@scenario([("eval_function_for_module", "spec"), ("eval_function_for_module", "tags")], **V015)
def eval_function(hub, ctx):
    with hub.eval_function_for_module(ctx.models["tf1_affine"]) as f:
        default = f(X)
        named = f({"x": X}, signature="named", as_dict=True)
    with hub.eval_function_for_module(ctx.models["tf1_affine"], tags={"train"}) as f:
        train = f(X)
    return {"default": default, "named": named, "train": train}


@scenario([("Module", "spec")], **V015)
def module_eager_refused(hub, ctx):
    return {"eager": attempt(lambda: hub.Module(ctx.models["tf1_affine"]))}


@scenario([("Module", "trainable")], **V015)
def module_fine_tune_session(hub, ctx):
    """The TF1 guide's fine-tuning loop: a trainable module, an optimizer, UPDATE_OPS."""
    import tensorflow as tf
    v1 = tf.compat.v1
    graph, scope = graph_session()
    with scope:
        m = hub.Module(ctx.models["tf1_affine"], tags={"train"}, trainable=True)
        loss = tf.reduce_mean(tf.square(m(X) - 1.0)) + tf.add_n(v1.losses.get_regularization_losses())
        with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
            step = v1.train.GradientDescentOptimizer(0.001).minimize(loss)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            losses = [session.run([step, loss])[1] for _ in range(3)]
            return {"losses": losses, "vars": session.run({v.name: v for v in m.variables})}


@scenario([("Module", "variable_map")], **V015)
def module_checkpoint_names(hub, ctx):
    """A training program's checkpoint must name the module's variables as tensorflow_hub did."""
    import tensorflow as tf
    v1 = tf.compat.v1
    prefix = os.path.join(ctx.tmp, "ckpt")
    graph, scope = graph_session()
    with scope:
        m = hub.Module(ctx.models["tf1_affine"], name="enc", trainable=True)
        m(X)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            path = v1.train.Saver().save(session, prefix)
    return {"checkpoint": sorted(name for name, _ in tf.train.list_variables(path)),
            "variable_map": {k: v.name for k, v in m.variable_map.items()}}
