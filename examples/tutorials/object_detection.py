"""tensorflow.org/hub/tutorials/object_detection and tf2_object_detection, with ``import tfhub as hub``.

The tutorials' code is kept as written, handles included; only the import line
changed. Left out: downloading images from Wikimedia (a JPEG is written
locally instead) and drawing/showing boxes with matplotlib. The tutorials
train and save nothing, so neither does this script.

1. FasterRCNN+InceptionResNet V2 on Open Images (a TF1 Hub format module):
   ``hub.load(module_handle).signatures['default']`` called with a float32
   image batch; unbatched dict outputs, class entities as bytes.
2. The TF2 Detection API style (tf2_object_detection): ``hub.load(handle)``
   called with a uint8 image batch; batched dict outputs.

The models are stand-ins (standins_media.py) served under their tfhub.dev
handles through ``TFHUB_MIRROR``. Run: ``python examples/tutorials/object_detection.py``.
"""

import time

import numpy as np
import tensorflow as tf

import standins_hub
import standins_media
import tfhub as hub

work = standins_hub.serve({
    "https://tfhub.dev/google/faster_rcnn/openimages_v4/inception_resnet_v2/1":
        standins_media.write_openimages_detector,
    "https://tfhub.dev/tensorflow/ssd_mobilenet_v2/2": standins_media.write_tf2_detector,
})

# The tutorial's image (Naxos_Taverna.jpg, resized to 1280x856) is downloaded; here one is made.
downloaded_image_path = str(work / "image.jpg")
pixels = np.random.RandomState(0).randint(0, 256, (856, 1280, 3)).astype("uint8")
tf.io.write_file(downloaded_image_path, tf.io.encode_jpeg(pixels))

# ---- object_detection.ipynb
module_handle = "https://tfhub.dev/google/faster_rcnn/openimages_v4/inception_resnet_v2/1"

detector = hub.load(module_handle).signatures['default']


def load_img(path):
  img = tf.io.read_file(path)
  img = tf.image.decode_jpeg(img, channels=3)
  return img


def run_detector(detector, path):
  img = load_img(path)

  converted_img  = tf.image.convert_image_dtype(img, tf.float32)[tf.newaxis, ...]
  start_time = time.time()
  result = detector(converted_img)
  end_time = time.time()

  result = {key:value.numpy() for key,value in result.items()}

  print("Found %d objects." % len(result["detection_scores"]))
  print("Inference time: ", end_time-start_time)

  # The tutorial draws the boxes here (draw_boxes, display_image); what it reads of them:
  boxes, class_names, scores = (result["detection_boxes"], result["detection_class_entities"],
                                result["detection_scores"])
  for i in range(min(boxes.shape[0], 10)):
    ymin, xmin, ymax, xmax = tuple(boxes[i])
    display_str = "{}: {}%".format(class_names[i].decode("ascii"), int(100 * scores[i]))
    assert 0.0 <= ymin <= ymax <= 1.0 and 0.0 <= xmin <= xmax <= 1.0, display_str
  return result


result = run_detector(detector, downloaded_image_path)
assert set(result) == {"detection_boxes", "detection_scores", "detection_class_entities",
                       "detection_class_names", "detection_class_labels"}, sorted(result)
assert result["detection_boxes"].shape == (standins_media.MAX_DETECTIONS, 4)
assert result["detection_class_entities"].dtype == object
assert result["detection_class_labels"].dtype == np.int64

# ---- tf2_object_detection.ipynb
model_handle = "https://tfhub.dev/tensorflow/ssd_mobilenet_v2/2"
print('loading model...')
hub_model = hub.load(model_handle)
print('model loaded!')

image_np = np.array(load_img(downloaded_image_path))[np.newaxis, ...]  # load_image_into_numpy_array
results = hub_model(image_np)

# different object detection models have additional results
# all of them are explained in the documentation
result = {key:value.numpy() for key,value in results.items()}
print(result.keys())

label_id_offset = 0
classes = (result['detection_classes'][0] + label_id_offset).astype(int)
assert result['detection_boxes'][0].shape == (standins_media.MAX_DETECTIONS, 4)
assert classes.min() >= 1 and result['num_detections'][0] == standins_media.MAX_DETECTIONS
np.testing.assert_array_equal(hub_model(image_np)['detection_scores'].numpy(), result['detection_scores'])
print("ok")
