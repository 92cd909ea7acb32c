"""A small documentation tree written by hand (publishers acme and zeta-lab), and a root to serve with it.

Unlike the shared tfhub.dev tree, it is ours: two publishers, a model with two
versions (only the second hosted), a TF1 Hub format module, a TF.js variant,
a collection, a document that is only documented, a hostile document, and a
hosted model with no document at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Dict

HOSTILE_MARK = "pwned"  # what the hostile document's scripts would write into the page

TAGS = {
    "task.yaml": """values:
  - id: text-embedding
    display_name: Text embedding
  - id: image-classification
    display_name: Image classification
""",
    "license.yaml": """values:
  - id: apache-2.0
    display_name: Apache-2.0
  - id: mit
    display_name: MIT
""",
    "language.yaml": """values:
  - id: en
    display_name: English
  - id: fr
    display_name: French
""",
    "network_architecture.yaml": """values:
  - id: tiny-mlp
    display_name: Tiny multilayer perceptron
""",
    "dataset.yaml": """values:
  - id: made-up-sums
    display_name: Made-up sums
""",
}

_SCALER_TAGS = """<!-- task: text-embedding -->
<!-- network-architecture: tiny-mlp -->
<!-- dataset: made-up-sums -->
<!-- language: en -->
<!-- license: apache-2.0 -->
<!-- fine-tunable: true -->
<!-- format: saved_model_2 -->
"""

DOCS: Dict[str, str] = {
    "acme/acme.md": """# Publisher acme
Acme Research

## About
Acme publishes **tiny** models for tests of the catalog.
""",
    "zeta-lab/zeta-lab.md": """# Publisher zeta-lab
Zeta Lab

Small lab, few models.
""",
    "acme/models/scaler/1.md": f"""# Module acme/scaler/1
Scales numbers by a learned factor (first release).

<!-- asset-path: https://example.invalid/acme/scaler/1.tar.gz -->
{_SCALER_TAGS}
## Overview
The first scaler.
""",
    "acme/models/scaler/2.md": f"""# Module acme/scaler/2
Scales numbers by a learned factor.

<!-- asset-path: https://example.invalid/acme/scaler/2.tar.gz -->
{_SCALER_TAGS}
## Overview
The scaler multiplies its input by a factor it learned from *made-up sums*.

| Input | Output |
|-------|--------|
| 1.0   | 2.0    |
""",
    "acme/models/scaler/2/default/tfjs/1.md": """# Tfjs acme/scaler/2/default/tfjs/1
TF.js deployment of acme/scaler/2.

<!-- parent-model: acme/scaler/2 -->
<!-- asset-path: https://example.invalid/acme/scaler/tfjs.tar.gz -->
""",
    "acme/models/halver/1.md": """# Module acme/halver/1
Halves a number and adds two, in the TF1 Hub format.

<!-- asset-path: https://example.invalid/acme/halver/1.tar.gz -->
<!-- task: image-classification -->
<!-- language: fr -->
<!-- license: mit -->
<!-- fine-tunable: false -->
<!-- format: hub -->

## Overview
A module for `hub.Module`.
""",
    "zeta-lab/models/paper-only/1.md": """# Module zeta-lab/paper-only/1
Described in a paper, never hosted here.

<!-- asset-path: https://example.invalid/zeta/paper-only.tar.gz -->
<!-- task: image-classification -->
<!-- license: mit -->
<!-- fine-tunable: false -->
<!-- format: saved_model_2 -->

## Overview
Only the document exists.
""",
    "zeta-lab/models/hostile/1.md": f"""# Module zeta-lab/hostile/1
A document that tries to run code in the catalog.

<!-- asset-path: https://example.invalid/zeta/hostile.tar.gz -->
<!-- task: text-embedding -->
<!-- license: mit -->
<!-- fine-tunable: false -->
<!-- format: saved_model_2 -->

## Overview
<script>document.title = "{HOSTILE_MARK}"; document.body.innerHTML = "{HOSTILE_MARK}";</script>

<img src="x" onerror="document.title='{HOSTILE_MARK}'">

[click me](javascript:document.title='{HOSTILE_MARK}')

<a href="javascript:alert(1)" onclick="document.title='{HOSTILE_MARK}'">raw link</a>

<iframe src="javascript:alert(1)"></iframe><svg onload="document.title='{HOSTILE_MARK}'"></svg>
""",
    "acme/collections/toolkit/1.md": """# Collection acme/toolkit/1
Acme's toolkit of tiny models.

<!-- task: text-embedding -->

## Overview
Everything Acme made for tests.

#### Models

| Model |
|-------|
| [scaler](https://tfhub.dev/acme/scaler/2) |
| [halver](https://tfhub.dev/acme/halver/1) |
""",
}


def write_docs(directory: Path) -> Path:
    """Writes the tree (``assets/docs/`` and ``tags/``) into ``directory``."""
    for name, text in TAGS.items():
        path = directory / "tags" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, text in DOCS.items():
        path = directory / "assets" / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return directory


def write_root(root: Path, tf2_model_dir: Path, tf1_hub_module_dir: Path) -> Path:
    """Hosted: acme/scaler/2 (not 1), acme/halver/1 (TF1 Hub format), acme/undocumented/1 (no doc)."""
    shutil.copytree(tf2_model_dir, root / "acme" / "scaler" / "2")
    shutil.copytree(tf1_hub_module_dir, root / "acme" / "halver" / "1")
    shutil.copytree(tf2_model_dir, root / "acme" / "undocumented" / "1")
    return root
