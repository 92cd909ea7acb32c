"""Every script under examples/tutorials runs: the TF Hub tutorials' code with
``import tfhub as hub``, against stand-in models served under the tutorials' handles (#19).

Each script checks its own results (training changed what it should, a saved and
reloaded model gives the same outputs) and prints "ok" last. On TF 2.16+ each runs
twice, with Keras 3 and with Keras 2 (``TF_USE_LEGACY_KERAS=1``); on TF 2.15 once.
New scripts join by being added; modules named ``standins*`` or ``_*`` are helpers.
"""

from __future__ import annotations

import pytest

from tests.conftest import REPO_ROOT
from tests.support.examples import run_example

pytest.importorskip("tensorflow")

from tfhub.keras import flavour

TUTORIALS = REPO_ROOT / "examples" / "tutorials"
SCRIPTS = sorted(p.name for p in TUTORIALS.glob("*.py") if not p.name.startswith(("standins", "_")))
FLAVOURS = ({"keras3": None, "keras2": "1"} if flavour.which_keras() == flavour.KERAS3
            else {"tf215": None})  # TF 2.15: tf.keras is Keras 2, one run


def test_every_tutorial_of_the_issue_is_there():
    assert {"text_classification.py", "transfer_learning.py", "classify_text_with_bert.py",
            "bert_preprocessing_signatures.py", "fine_tune_bert_custom_loop.py",
            "semantic_similarity.py", "object_detection.py", "style_transfer.py",
            "audio_classification.py", "biggan_tf1.py", "text_embeddings_tf_data.py",
            "mirrored_strategy.py"} <= set(SCRIPTS)


@pytest.mark.parametrize("flavour", sorted(FLAVOURS))
@pytest.mark.parametrize("script", SCRIPTS)
def test_tutorial_runs(script, flavour, tmp_path):
    run_example(TUTORIALS / script, cwd=REPO_ROOT, tmp_path=tmp_path, timeout=900, ends_with="ok",
                env={"TF_USE_LEGACY_KERAS": FLAVOURS[flavour]})
