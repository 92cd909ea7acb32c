"""tensorflow.org/hub/tutorials/tf2_arbitrary_image_stylization, with ``import tfhub as hub``.

The tutorial's code is kept as written, the handle included; only the import
line changed. ``load_image`` still fetches its images with
``tf.keras.utils.get_file``; their URLs are ``file://`` URLs of images written
locally instead of Wikimedia's. Left out: showing images with matplotlib. The
tutorial trains and saves nothing, so neither does this script.

The model is a stand-in (standins_media.py) served under its tfhub.dev
handle through ``TFHUB_MIRROR``. Run: ``python examples/tutorials/style_transfer.py``.
"""

import functools
import os

import numpy as np
import tensorflow as tf

import standins_hub
import standins_media
import tfhub as hub

work = standins_hub.serve({
    "https://tfhub.dev/google/magenta/arbitrary-image-stylization-v1-256/2":
        standins_media.write_arbitrary_stylization,
})


def local_image_url(name, height, width, seed):
  """A JPEG written under the work dir, as a file:// URL ending in the tutorial's file name."""
  path = work / "images" / name
  path.parent.mkdir(exist_ok=True)
  pixels = np.random.RandomState(seed).randint(0, 256, (height, width, 3)).astype("uint8")
  tf.io.write_file(str(path), tf.io.encode_jpeg(pixels))
  return path.as_uri()


def crop_center(image):
  """Returns a cropped square image."""
  shape = image.shape
  new_shape = min(shape[1], shape[2])
  offset_y = max(shape[1] - shape[2], 0) // 2
  offset_x = max(shape[2] - shape[1], 0) // 2
  image = tf.image.crop_to_bounding_box(
      image, offset_y, offset_x, new_shape, new_shape)
  return image

@functools.lru_cache(maxsize=None)
def load_image(image_url, image_size=(256, 256), preserve_aspect_ratio=True):
  """Loads and preprocesses images."""
  # Cache image file locally.
  image_path = tf.keras.utils.get_file(os.path.basename(image_url)[-128:], image_url)
  # Load and convert to float32 numpy array, add batch dimension, and normalize to range [0, 1].
  img = tf.io.decode_image(
      tf.io.read_file(image_path),
      channels=3, dtype=tf.float32)[tf.newaxis, ...]
  img = crop_center(img)
  img = tf.image.resize(img, image_size, preserve_aspect_ratio=True)
  return img


content_image_url = local_image_url("640px-Golden_Gate_Bridge_from_Battery_Spencer.jpg", 427, 640, seed=1)
style_image_url = local_image_url("The_Great_Wave_off_Kanagawa.jpg", 300, 450, seed=2)
output_image_size = 384  # @param {type:"integer"}

# The content image size can be arbitrary.
content_img_size = (output_image_size, output_image_size)
# The style prediction model was trained with image size 256 and it's the
# recommended image size for the style image (though, other sizes work as
# well but will lead to different results).
style_img_size = (256, 256)  # Recommended to keep it at 256.

content_image = load_image(content_image_url, content_img_size)
style_image = load_image(style_image_url, style_img_size)
style_image = tf.nn.avg_pool(style_image, ksize=[3,3], strides=[1,1], padding='SAME')

# Load TF Hub module.

hub_handle = 'https://tfhub.dev/google/magenta/arbitrary-image-stylization-v1-256/2'
hub_module = hub.load(hub_handle)

# Stylize content image with given style image.
# This is pretty fast within a few milliseconds on a GPU.

outputs = hub_module(tf.constant(content_image), tf.constant(style_image))
stylized_image = outputs[0]

# The documented form, without tf.constant:
outputs = hub_module(content_image, style_image)
np.testing.assert_array_equal(outputs[0].numpy(), stylized_image.numpy())

assert stylized_image.shape == content_image.shape == (1, 384, 384, 3), stylized_image.shape
assert stylized_image.dtype == tf.float32
assert 0.0 <= float(tf.reduce_min(stylized_image)) <= float(tf.reduce_max(stylized_image)) <= 1.0
print("ok")
