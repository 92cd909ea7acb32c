"""Descriptions of hosted models for the catalog, computed off the event loop and cached.

A model page describes the model with :func:`tfhub.formats.inspection.describe`,
which reads the protos itself and needs no TensorFlow. Descriptions are cached
per model and fingerprint, so a changed model is described again.
"""

from __future__ import annotations

from typing import Any, Dict, Tuple

import anyio
import anyio.to_thread

from tfhub import errors
from tfhub.server.discovery import ModelRoot, ServedModel, fingerprint


def _describe(model: ServedModel) -> Any:
    """The model's description; a model that cannot be read is a ModelFormatError.

    Reading may fail in many ways (a truncated or garbled ``saved_model.pb`` or
    ``variables.index``, an unreadable file...): each becomes one message for the
    page, with the server's own path replaced by the model's URL path.
    """
    from tfhub.formats import inspection  # only model pages need it

    try:
        return inspection.describe(str(model.directory))
    except Exception as exc:  # any reader failure is "cannot be read"
        detail = " ".join(str(exc).split()).replace(str(model.directory), model.url_path)[:500]
        cause = "" if isinstance(exc, errors.TfHubError) else f"{type(exc).__name__}: "
        raise errors.ModelFormatError(
            f"tfhub cannot read the SavedModel at {model.url_path!r} ({cause}"
            f"{detail or 'no detail'}). Its files may be truncated, unreadable by the server or "
            "not a SavedModel; fix or replace them."
        ) from exc


class Catalog:
    """Model descriptions of a served root."""

    def __init__(self, root: ModelRoot):
        self.root = root
        self._descriptions: Dict[str, Tuple[str, Any]] = {}
        # One description at a time: a crowd of page views of big models must
        # not fill every worker thread.
        self._describe_limit = anyio.CapacityLimiter(1)

    async def describe(self, model: ServedModel) -> Any:
        """The model's :class:`~tfhub.formats.inspection.ModelDescription` (cached).

        Raises:
            ModelFormatError: the SavedModel cannot be read.
        """
        digest, _ = await anyio.to_thread.run_sync(fingerprint, model.directory)
        cached = self._descriptions.get(model.url_path)
        if cached is not None and cached[0] == digest:
            return cached[1]
        description = await anyio.to_thread.run_sync(_describe, model, limiter=self._describe_limit)
        self._descriptions[model.url_path] = (digest, description)
        return description
