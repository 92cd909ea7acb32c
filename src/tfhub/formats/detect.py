"""Tell which kind of model a directory holds, from its files alone.

This reads no protos and imports no TensorFlow: it is what ``hub.load`` and the
CLI ask first. (:mod:`tfhub.formats.inspection` reads the protos.)
"""

from __future__ import annotations

import dataclasses
import enum
import os
from typing import Optional, Union

from tfhub import errors
from tfhub.formats import model_files

MODULE_DEF_FILENAME = "tfhub_module.pb"
SAVED_MODEL_FILENAMES = ("saved_model.pb", "saved_model.pbtxt")


class FormatKind(str, enum.Enum):
    """The kinds of model directory tfhub recognises."""

    TF1_HUB = "TF1 Hub format"
    SAVED_MODEL = "SavedModel"


@dataclasses.dataclass(frozen=True)
class ModelFormat:
    """What :func:`detect` found in a directory."""

    path: str
    kind: FormatKind
    saved_model_file: str

    @property
    def is_hub_module_v1(self) -> bool:
        """True for the TF1 Hub format (``tfhub_module.pb`` beside the SavedModel)."""
        return self.kind is FormatKind.TF1_HUB


def find_saved_model_file(path: str) -> Optional[str]:
    """The path of ``saved_model.pb`` (or ``.pbtxt``) in ``path``, or None."""
    for name in SAVED_MODEL_FILENAMES:
        candidate = os.path.join(path, name)
        if model_files.exists(candidate):
            return candidate
    return None


def detect(path: Union[str, "os.PathLike[str]"]) -> ModelFormat:
    """Detects the model format of a local (or gfile) directory.

    Args:
        path: a model directory.

    Returns:
        A :class:`ModelFormat`.

    Raises:
        ModelFormatError: the directory holds neither ``saved_model.pb`` nor
            ``saved_model.pbtxt``.
    """
    path = os.fspath(path)
    saved_model_file = find_saved_model_file(path)
    if saved_model_file is None:
        raise errors.ModelFormatError(
            "Trying to load a model of incompatible/unknown type. "
            f"'{path}' contains neither 'saved_model.pb' nor 'saved_model.pbtxt'. "
            "A TF Hub model directory holds a SavedModel (and, for the TF1 Hub "
            "format, tfhub_module.pb); check the handle points at the model's "
            "top-level directory."
        )
    kind = (
        FormatKind.TF1_HUB
        if model_files.exists(os.path.join(path, MODULE_DEF_FILENAME))
        else FormatKind.SAVED_MODEL
    )
    return ModelFormat(path=path, kind=kind, saved_model_file=saved_model_file)
