"""User code applying ``hub.Module`` in colocation-sensitive graphs and function contexts.

Run as ``python context_scenarios.py HUB [SCENARIO ...]`` (default: all), where
HUB is ``tfhub`` or ``tensorflow_hub``; prints one ``RESULT name {json}`` line
per scenario describing its outcome (values, colocation groups, devices, or
the error's builtin types and message). The tests run every scenario with both
libraries, each in its own process, and compare.
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from typing import Any, Callable, Dict

import tensorflow as tf
from tensorflow.python.framework import function as defun_lib
from tensorflow.python.ops.control_flow_ops import ControlFlowContext

try:  # run as a script (the tests) or imported as tests.tf1.context_scenarios
    import context_module_fns as fns
except ImportError:  # pragma: no cover
    from tests.tf1 import context_module_fns as fns

v1 = tf.compat.v1
hub: Any = None
SCENARIOS: Dict[str, Callable[[], Any]] = {}


def scenario(fn: Callable[[], Any]) -> Callable[[], Any]:
    SCENARIOS[fn.__name__] = fn
    return fn


class TPUReplicateContext(ControlFlowContext):
    """A stand-in for TPU replication on CPU: a control-flow context of that class name.

    Module code recognises a TPU replicate context by its class name inside a
    function graph; no TPU is needed to build and run the graph on CPU.
    """

    def __init__(self):
        super().__init__()
        self._name = "TPUReplicateContext"

    def AddOp(self, _):  # TF's interface
        pass

    def AddValue(self, value):  # TF's interface
        return value

    def to_control_flow_context_def(self, context_def, export_scope=None):
        super().to_control_flow_context_def(context_def, export_scope)


def groups(tensor) -> list:
    return sorted(g.decode() for g in tensor.op.colocation_groups())


# --- colocation (item 14) ---------------------------------------------------

@scenario
def coloc_ref_variable():
    spec = hub.create_module_spec(fns.ref_variable_fn)
    with tf.Graph().as_default():
        out = hub.Module(spec)()
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            return {"groups": groups(out), "value": float(session.run(out))}


@scenario
def coloc_propagation():
    spec = hub.create_module_spec(fns.colocated_with_variable_and_input_fn)
    with tf.Graph().as_default():
        m = hub.Module(spec)
        u1 = tf.constant(1, name="u1")
        u2 = tf.constant(2, name="u2")
        with v1.colocate_with(u1), v1.colocate_with(u2):
            x = tf.constant(100.0, name="x")
        y = m(x)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            return {"groups": groups(y), "value": float(session.run(y))}


@scenario
def coloc_state_and_input():
    spec = hub.create_module_spec(fns.state_and_input_colocation_fn)
    with tf.Graph().as_default() as graph:
        with tf.device("/device:CPU:0"):
            m = hub.Module(spec, name="m")
        u = tf.constant(7.0, name="u")
        outputs = m({"x": u}, as_dict=True)
        classes = {}
        for node in graph.as_graph_def().node:
            if node.name.startswith("m_apply_default/") and "_class" in node.attr:
                classes[node.name] = sorted(s.decode() for s in node.attr["_class"].list.s)
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            y, z = session.run([outputs["y"], outputs["z"]])
        return {"y": groups(outputs["y"]), "z": groups(outputs["z"]),
                "y_device": outputs["y"].op.device, "classes": classes,
                "values": [float(y), float(z)]}


@scenario
def coloc_multi_output_consistent():
    spec = hub.create_module_spec(fns.multi_output_input_fn)
    with tf.Graph().as_default():
        u = tf.constant([1], name="u")
        with v1.colocate_with(u):
            v = tf.constant([2], name="v")
        z = hub.Module(spec, name="m")({"x": u, "y": v}, signature="both")
        with v1.Session() as session:
            return {"groups": groups(z), "value": session.run(z).tolist()}


@scenario
def coloc_multi_output_conflict():
    spec = hub.create_module_spec(fns.multi_output_input_fn)
    with tf.Graph().as_default():
        u = tf.constant([1], name="u")
        w = tf.constant([3], name="w")
        hub.Module(spec, name="m")({"x": u, "y": w}, signature="both")


@scenario
def coloc_multi_output_partial():
    spec = hub.create_module_spec(fns.multi_output_input_fn)
    with tf.Graph().as_default():
        u = tf.constant([1], name="u")
        hub.Module(spec, name="m")({"x": u}, signature="partial")


# --- function contexts (item 15) --------------------------------------------

def _in_tpu_context(body):
    def wrapped(*args):
        TPUReplicateContext().Enter()
        return body(*args)
    return wrapped


@scenario
def tpu_defun_initialises_once():
    spec = hub.create_module_spec(fns.random_variable_fn)

    @defun_lib.Defun()
    @_in_tpu_context
    def computation():
        m = hub.Module(spec, name="module_", trainable=True)
        return [m(), m()]

    with tf.Graph().as_default(), v1.Session() as session:
        outputs = computation()
        session.run(v1.global_variables_initializer())
        first, second = session.run(outputs)
        again = session.run(outputs)
        return {"equal": bool(first == second), "stable": bool(again[0] == first)}


@scenario
def tpu_tf_function_initialises_once():
    spec = hub.create_module_spec(fns.random_variable_fn)
    with tf.Graph().as_default(), v1.Session() as session:

        @tf.function
        @_in_tpu_context
        def computation():
            m = hub.Module(spec, trainable=True)
            return [m(), m()]

        outputs = computation()
        session.run(v1.global_variables_initializer())
        first, second = session.run(outputs)
        again = session.run(outputs)
        return {"equal": bool(first == second), "stable": bool(again[0] == first),
                "variables": [v.op.name for v in v1.global_variables()]}


@scenario
def tpu_defun_unused_input():
    spec = hub.create_module_spec(fns.unused_input_fn)

    @defun_lib.Defun(tf.int32)
    @_in_tpu_context
    def computation(x):
        m = hub.Module(spec, name="module_", trainable=True)
        return m({"x": tf.cast(x, tf.int64), "unused": tf.constant(2, tf.int64)})

    with tf.Graph().as_default(), v1.Session() as session:
        return {"value": int(session.run(computation(5)))}


@scenario
def tpu_defun_with_inputs():
    spec = hub.create_module_spec(fns.variable_plus_input_fn)

    @defun_lib.Defun(tf.float32, tf.float32)
    @_in_tpu_context
    def computation(first, second):
        m = hub.Module(spec, name="module_", trainable=True)
        return [m(first), m(second)]

    with tf.Graph().as_default(), v1.Session() as session:
        outputs = computation(9.0, 6.0)
        session.run(v1.global_variables_initializer())
        return {"values": [float(v) for v in session.run(outputs)]}


@scenario
def tpu_tf_function_with_inputs():
    spec = hub.create_module_spec(fns.variable_plus_input_fn)
    with tf.Graph().as_default(), v1.Session() as session:

        @tf.function
        @_in_tpu_context
        def computation(first, second):
            m = hub.Module(spec, trainable=True)
            return [m(first), m(second)]

        outputs = computation(9.0, 6.0)
        session.run(v1.global_variables_initializer())
        return {"values": [float(v) for v in session.run(outputs)]}


@scenario
def tpu_wrap_function_with_inputs():
    spec = hub.create_module_spec(fns.variable_plus_input_fn)
    with tf.Graph().as_default(), v1.Session() as session:
        def computation(first, second):
            m = hub.Module(spec, trainable=True)
            return [m(first), m(second)]

        fn = v1.wrap_function(_in_tpu_context(computation),
                              [tf.TensorSpec((), tf.float32), tf.TensorSpec((), tf.float32)])
        session.run(v1.global_variables_initializer())
        return {"values": [float(v) for v in session.run(fn(9.0, 6.0))]}


@scenario
def tpu_tf_function_control_dependency():
    spec = hub.create_module_spec(fns.counted_fn)
    with tf.Graph().as_default(), v1.Session() as session:
        holder = {}

        @tf.function
        @_in_tpu_context
        def computation(x):
            holder["m"] = m = hub.Module(spec, name="counted")
            return m(x)

        y = computation(3.0)
        session.run(v1.global_variables_initializer())
        values = [float(session.run(y)) for _ in range(3)]
        counter = holder["m"].variable_map["counter"]
        return {"values": values, "counter": int(session.run(counter))}


@scenario
def tpu_tf_function_collections_refused():
    spec = hub.create_module_spec(fns.update_ops_fn)
    with tf.Graph().as_default():

        @tf.function
        @_in_tpu_context
        def computation():
            return hub.Module(spec, trainable=True)()

        computation()


@scenario
def real_tpu_replicate_context_builds():
    """TensorFlow's own TPUReplicateContext: the graph builds on CPU (running needs a TPU)."""
    from tensorflow.python.tpu import tpu_replication

    spec = hub.create_module_spec(fns.variable_plus_input_fn)
    with tf.Graph().as_default():

        @tf.function
        def step(x):
            context = tpu_replication.TPUReplicateContext(
                name="cluster", num_replicas=1, pivot=tf.no_op(name="pivot"))
            context.Enter()
            try:
                return hub.Module(spec)(x)
            finally:
                context.Exit()

        ops = step.get_concrete_function(tf.TensorSpec([], tf.float32)).graph.get_operations()
        return {"state_in_outer_graph": [v.op.name for v in v1.global_variables()],
                "state_ops_in_step": sorted(o.type for o in ops if o.type in (
                    "VarHandleOp", "AssignVariableOp", "VariableV2", "Assign")),
                "replicated": sorted({o.get_attr("_tpu_replicate").decode() for o in ops
                                      if "_tpu_replicate" in o.node_def.attr})}


@scenario
def graph_control_dependency():
    spec = hub.create_module_spec(fns.counted_fn)
    with tf.Graph().as_default(), v1.Session() as session:
        m = hub.Module(spec, name="counted")
        y = m(3.0)
        session.run(v1.global_variables_initializer())
        values = [float(session.run(y)) for _ in range(3)]
        return {"values": values, "counter": int(session.run(m.variable_map["counter"]))}


@scenario
def wrap_function_eager():
    spec = hub.create_module_spec(fns.variable_plus_input_fn)
    holder = {}

    def build(x):
        holder["m"] = m = hub.Module(spec)
        return m(x)

    fn = v1.wrap_function(build, [tf.TensorSpec((), tf.float32)])
    init = fn.prune([], [fn.graph.get_operation_by_name(v.op.name + "/Assign")
                         for v in holder["m"].variables])
    init()
    first = float(fn(tf.constant(1.0)))
    second = float(fn(tf.constant(2.0)))
    return {"values": [first, second]}


@scenario
def wrap_function_eager_control_dependency():
    spec = hub.create_module_spec(fns.counted_fn)
    holder = {}

    def build(x):
        holder["m"] = m = hub.Module(spec, name="counted")
        return m(x)

    fn = v1.wrap_function(build, [tf.TensorSpec((), tf.float32)])
    init = fn.prune([], [fn.graph.get_operation_by_name(v.op.name + "/Assign")
                         for v in holder["m"].variables])
    init()
    values = [float(fn(tf.constant(3.0))) for _ in range(3)]
    read = fn.prune([], [fn.graph.get_tensor_by_name("counted/counter/Read/ReadVariableOp:0")])
    return {"values": values, "counter": int(read()[0])}


def run(name: str) -> Dict[str, Any]:
    """The outcome of one scenario: ``{"ok": ...}`` or the error's builtin types and message."""
    try:
        return {"ok": SCENARIOS[name]()}
    except Exception as exc:  # the outcome is what we compare
        return {"error": sorted(c.__name__ for c in type(exc).__mro__
                                if c.__module__ == "builtins" and c not in (object, BaseException,
                                                                            Exception)),
                "message": str(exc), "trace": traceback.format_exc().splitlines()[-4:]}


def main() -> None:
    global hub
    hub = importlib.import_module(sys.argv[1])
    fns.bind(hub)
    for name in sys.argv[2:] or sorted(SCENARIOS):
        print(f"RESULT {name} " + json.dumps(run(name), sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
