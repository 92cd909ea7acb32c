"""A small documentation tree written by hand for the tests, unlike tfhub.dev's own:
other publishers, their own tag vocabularies, both directory layouts, a blank line
after titles, multi-line descriptions, Windows line endings in one file."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

TAGS: Dict[str, str] = {
    "task.yaml": """values:
  - id: image-object-detection
    display_name: Object detection
  - id: image-segmentation
    display_name: Segmentation
  - id: text-embedding
    display_name: Text embedding
""",
    "network_architecture.yaml": """values:
  - {id: yolo-v2, display_name: YOLO v2}
  - {id: unet, display_name: U-Net}
""",
    "dataset.yaml": "values:\n  - id: coco-2017\n    display_name: COCO 2017\n  - id: europarl\n",
    "language.yaml": "values:\n  - {id: fr, display_name: French}\n  - {id: de, display_name: German}\n",
    "license.yaml": "values:\n  - {id: mit, display_name: MIT}\n  - {id: custom, display_name: Custom}\n",
    "colab.yaml": "format: url\nrequired_domain: colab.research.google.com\n",
    "interactive_visualizer.yaml": "values:\n  - id: boxes\n    url_template: https://example.org/v?m={MODEL_HANDLE}\n",
}

DOCS: Dict[str, str] = {
    "acme-vision/acme-vision.md": """# Publisher acme-vision
Acme Vision Lab

[![Icon URL]](https://acme.example/icon.png)

## About us
We make small detectors.
""",
    "acme-vision/models/detectors/tiny-yolo/1.md": """# Module acme-vision/detectors/tiny-yolo/1

A tiny YOLO detector
for 80 classes.

<!-- asset-path: https://models.acme.example/tiny-yolo/1.tar.gz -->
<!-- task: image-object-detection -->
<!-- network-architecture: yolo-v2 -->
<!-- dataset: coco-2017 -->
<!-- license: mit -->
<!-- fine-tunable: false -->
<!-- format: hub -->

## Overview
Finds boxes around quokkas and 79 other classes.

## Usage
```python
m = hub.Module("https://hub.acme.example/acme-vision/detectors/tiny-yolo/1")
```
""",
    "acme-vision/models/detectors/tiny-yolo/2.md": """# Module acme-vision/detectors/tiny-yolo/2
A tiny YOLO detector, now as a TF2 SavedModel.
<!-- asset-path: gs://acme-models/tiny-yolo/2.tar.gz -->
<!-- task: image-object-detection -->
<!-- network-architecture: yolo-v2 -->
<!-- dataset: coco-2017 -->
<!-- license: mit -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- colab: https://colab.research.google.com/drive/acme-yolo -->
<!-- interactive-visualizer: boxes -->

### Overview
Finds boxes around quokkas, faster.

| input | output |
|:------|-------:|
| image | boxes  |
""",
    "acme-vision/models/detectors/tiny-yolo/2/int8/lite/1.md": """# Lite acme-vision/detectors/tiny-yolo/2/int8/1
Quantised tiny YOLO for phones.

<!-- parent-model: acme-vision/detectors/tiny-yolo/2 -->
<!-- asset-path: https://models.acme.example/tiny-yolo-int8.tflite -->

## Overview
Eight-bit weights.
""",
    "acme-vision/models/detectors/tiny-yolo/2/browser/tfjs/1.md": """# Tfjs acme-vision/detectors/tiny-yolo/2/browser/1
Tiny YOLO in the browser.
<!-- parent-model: acme-vision/detectors/tiny-yolo/2 -->
<!-- asset-path: https://models.acme.example/tiny-yolo-js.tar.gz -->
""",
    "acme-vision/models/seg-net/1.md": """# Placeholder acme-vision/seg-net/1
Segments sidewalks.
<!-- task: image-segmentation -->
<!-- network-architecture: unet -->

## Overview
Only the Edge TPU build is published.
""",
    "acme-vision/models/seg-net/1/edgetpu/coral/1.md": """# Coral acme-vision/seg-net/1/edgetpu/1
Sidewalk segmentation on the Edge TPU.
<!-- parent-model: acme-vision/seg-net/1 -->
<!-- asset-path: https://models.acme.example/seg-net_edgetpu.tflite -->
""",
    "acme-vision/collections/detection-suite/1.md": """# Collection acme-vision/detection-suite/1
Everything that finds boxes.
<!-- task: image-object-detection -->

## Overview
See also [unrelated](https://tfhub.dev/acme-vision/seg-net/1) before the list.

## Models
* [tiny-yolo](https://tfhub.dev/acme-vision/detectors/tiny-yolo/2)
* [tiny-yolo lite](https://tfhub.dev/acme-vision/lite-model/detectors/tiny-yolo/2/int8/1)
* [gone](https://tfhub.dev/acme-vision/never-published/1)
""",
    "oddbits/oddbits.md": "# Publisher oddbits\nOdd Bits Collective\n",
    "oddbits/word-hasher/1.md": """# Module oddbits/word-hasher/1
Hashes French and German words into vectors.

<!-- asset-path: https://files.oddbits.example/word-hasher.tar.gz -->
<!-- task: text-embedding -->
<!-- language: fr -->
<!-- language: de -->
<!-- dataset: europarl -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
<!-- license: custom -->

## Overview
Quokka-free vectors.
""".replace("\n", "\r\n"),
}


def write_tree(root: Path) -> Path:
    """The tree under ``root`` (``assets/docs/`` and ``tags/``); returns ``root``."""
    for name, text in TAGS.items():
        _write(root / "tags" / name, text)
    for name, text in DOCS.items():
        _write(root / "assets" / "docs" / name, text)
    return root


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
