"""Guide snippet: a named signature with dict inputs and outputs ("fruit_to_pet")."""

import numpy as np
import tensorflow as tf

import tfhub as hub

v1 = tf.compat.v1


def module_fn():
    apples = v1.placeholder(tf.float32, [None], name="apples")
    oranges = v1.placeholder(tf.float32, [None], name="oranges")
    weight = v1.get_variable("weight", [], initializer=v1.constant_initializer(2.0))
    hub.add_signature(name="fruit_to_pet",
                      inputs=dict(apples=apples, oranges=oranges),
                      outputs=dict(cats=weight * apples + oranges, dogs=apples - oranges))


def main():
    spec = hub.create_module_spec(module_fn)
    assert spec.get_signature_names() == ["fruit_to_pet"]
    with tf.Graph().as_default():
        m = hub.Module(spec)
        x1, x2 = tf.constant([1.0, 2.0]), tf.constant([10.0, 20.0])
        outputs = m(dict(apples=x1, oranges=x2), signature="fruit_to_pet", as_dict=True)
        y1 = outputs["cats"]
        y2 = outputs["dogs"]
        with v1.Session() as session:
            session.run(v1.global_variables_initializer())
            cats, dogs = session.run([y1, y2])
    np.testing.assert_allclose(cats, [12.0, 24.0])
    np.testing.assert_allclose(dogs, [-9.0, -18.0])
    print("OK")


if __name__ == "__main__":
    main()
