"""tensorflow.org/hub/tutorials/biggan_generation_with_tf_hub, with ``import tfhub as hub``.

A TF1 Hub format generator (inputs ``y``, ``z``, ``truncation``) used twice:

1. In TF2, as the TF2 tutorials use TF1 Hub format generators (e.g.
   tf_hub_generative_image_module's ProGAN):
   ``hub.load(module_path, tags=[]).signatures['default'](**inputs)['default']``.
2. As the BigGAN tutorial does, with its code kept as written:
   ``tf.compat.v1`` with ``disable_v2_behavior()``, ``hub.Module(module_path)``,
   placeholders made from ``get_input_info_dict()``, a dict of inputs, and
   ``sess.run``. Both must make the same images from the same inputs.

Changed besides the import line: ``scipy.stats.truncnorm`` (scipy is not a
dependency here) is replaced by a few lines of numpy with the same call;
images are checked instead of shown (PIL, IPython). The tutorial trains and
saves nothing, so neither does this script.

The stand-in (standins_media.write_biggan) is made with tfhub's own
``hub.create_module_spec`` + ``hub.add_signature`` and exported; it makes
16x16 images (the real one 256x256). It is served under its tfhub.dev handle
through ``TFHUB_MIRROR``. Run: ``python examples/tutorials/biggan_tf1.py``.
"""

import numpy as np
import tensorflow as tf2

import standins_hub
import standins_media
import tfhub as hub

module_path = 'https://tfhub.dev/deepmind/biggan-deep-256/1'  # 256x256 BigGAN-deep
standins_hub.serve({module_path: standins_media.write_biggan})


class truncnorm:  # stands in for scipy.stats.truncnorm
  """``truncnorm.rvs(a, b, size, random_state)``: a standard normal truncated to [a, b]."""

  @staticmethod
  def rvs(a, b, size, random_state=None):
    state = random_state or np.random.RandomState()
    values = state.standard_normal(size)
    outside = (values < a) | (values > b)
    while outside.any():
      values[outside] = state.standard_normal(int(outside.sum()))
      outside = (values < a) | (values > b)
    return values


# ---- 1. TF2: the module's signature as a concrete function.
generator = hub.load(module_path, tags=[]).signatures['default']
noise = truncnorm.rvs(-2, 2, size=(3, 128), random_state=np.random.RandomState(0)).astype(np.float32)
labels = np.eye(1000, dtype=np.float32)[[933, 207, 8]]
eager_images = generator(y=tf2.constant(labels), z=tf2.constant(noise),
                         truncation=tf2.constant(0.4))['default'].numpy()
assert eager_images.shape == (3, 16, 16, 3) and np.abs(eager_images).max() <= 1.0

# ---- 2. The tutorial: TF1 graph and session.
import tensorflow.compat.v1 as tf
tf.disable_v2_behavior()

tf.reset_default_graph()
print('Loading BigGAN module from:', module_path)
module = hub.Module(module_path)
inputs = {k: tf.placeholder(v.dtype, v.get_shape().as_list(), k)
          for k, v in module.get_input_info_dict().items()}
output = module(inputs)

print()
print('Inputs:\n', '\n'.join(
    '  {}: {}'.format(*kv) for kv in inputs.items()))
print()
print('Output:', output)

input_z = inputs['z']
input_y = inputs['y']
input_trunc = inputs['truncation']

dim_z = input_z.shape.as_list()[1]
vocab_size = input_y.shape.as_list()[1]

def truncated_z_sample(batch_size, truncation=1., seed=None):
  state = None if seed is None else np.random.RandomState(seed)
  values = truncnorm.rvs(-2, 2, size=(batch_size, dim_z), random_state=state)
  return truncation * values

def one_hot(index, vocab_size=vocab_size):
  index = np.asarray(index)
  if len(index.shape) == 0:
    index = np.asarray([index])
  assert len(index.shape) == 1
  num = index.shape[0]
  output = np.zeros((num, vocab_size), dtype=np.float32)
  output[np.arange(num), index] = 1
  return output

def one_hot_if_needed(label, vocab_size=vocab_size):
  label = np.asarray(label)
  if len(label.shape) <= 1:
    label = one_hot(label, vocab_size)
  assert len(label.shape) == 2
  return label

def sample(sess, noise, label, truncation=1., batch_size=8,
           vocab_size=vocab_size):
  noise = np.asarray(noise)
  label = np.asarray(label)
  num = noise.shape[0]
  if len(label.shape) == 0:
    label = np.asarray([label] * num)
  if label.shape[0] != num:
    raise ValueError('Got # noise samples ({}) != # label samples ({})'
                     .format(noise.shape[0], label.shape[0]))
  label = one_hot_if_needed(label, vocab_size)
  ims = []
  for batch_start in range(0, num, batch_size):
    s = slice(batch_start, min(num, batch_start + batch_size))
    feed_dict = {input_z: noise[s], input_y: label[s], input_trunc: truncation}
    ims.append(sess.run(output, feed_dict=feed_dict))
  ims = np.concatenate(ims, axis=0)
  assert ims.shape[0] == num
  ims = np.clip(((ims + 1) / 2.0) * 256, 0, 255)
  ims = np.uint8(ims)
  return ims

def interpolate(A, B, num_interps):
  if A.shape != B.shape:
    raise ValueError('A and B must have the same shape to interpolate.')
  alphas = np.linspace(0, 1, num_interps)
  return np.array([(1-a)*A + a*B for a in alphas])

initializer = tf.global_variables_initializer()
sess = tf.Session()
sess.run(initializer)

num_samples = 10 #@param {type:"slider", min:1, max:20, step:1}
truncation = 0.4 #@param {type:"slider", min:0.02, max:1, step:0.02}
noise_seed = 0 #@param {type:"slider", min:0, max:100, step:1}
category = "933) cheeseburger"

z = truncated_z_sample(num_samples, truncation, noise_seed)
y = int(category.split(')')[0])

ims = sample(sess, z, y, truncation=truncation)
assert ims.shape == (num_samples, 16, 16, 3) and ims.dtype == np.uint8

num_samples = 2 #@param {type:"slider", min:1, max:5, step:1}
num_interps = 5 #@param {type:"slider", min:2, max:10, step:1}
truncation = 0.2 #@param {type:"slider", min:0.02, max:1, step:0.02}
noise_seed_A = 0 #@param {type:"slider", min:0, max:100, step:1}
category_A = "207) golden retriever"
noise_seed_B = 0 #@param {type:"slider", min:0, max:100, step:1}
category_B = "8) hen"

def interpolate_and_shape(A, B, num_interps):
  interps = interpolate(A, B, num_interps)
  return (interps.transpose(1, 0, *range(2, len(interps.shape)))
                 .reshape(num_samples * num_interps, *interps.shape[2:]))

z_A, z_B = [truncated_z_sample(num_samples, truncation, noise_seed)
            for noise_seed in [noise_seed_A, noise_seed_B]]
y_A, y_B = [one_hot([int(category.split(')')[0])] * num_samples)
            for category in [category_A, category_B]]

z_interp = interpolate_and_shape(z_A, z_B, num_interps)
y_interp = interpolate_and_shape(y_A, y_B, num_interps)

ims = sample(sess, z_interp, y_interp, truncation=truncation)
assert ims.shape == (num_samples * num_interps, 16, 16, 3)

# The graph and the TF2 function compute the same images from the same inputs.
graph_images = sess.run(output, {input_z: noise, input_y: labels, input_trunc: 0.4})
np.testing.assert_allclose(graph_images, eager_images, rtol=1e-5, atol=1e-6)
print("ok")
