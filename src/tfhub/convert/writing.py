"""Writing a directory atomically: a temporary sibling, then a rename."""

from __future__ import annotations

import contextlib
import os

from tfhub import errors, files


def check_destination(dst: str, src_path: str, overwrite: bool) -> str:
    """The absolute destination, refused when it exists (without ``overwrite``) or is the source.

    Raises:
        ConversionTargetExistsError: ``dst`` exists and ``overwrite`` is False.
        ConversionError: ``dst`` is a URL, or the source directory itself.
    """
    if "://" in dst:
        raise errors.ConversionError(
            f"The destination {dst!r} is a URL; convert to a local directory, then upload it.")
    dst = os.path.abspath(dst)
    if os.path.realpath(dst) == os.path.realpath(src_path):
        raise errors.ConversionError(f"The destination {dst} is the source itself; pick another.")
    if os.path.lexists(dst) and not overwrite:
        raise errors.ConversionTargetExistsError(
            f"The destination {dst} exists; nothing was written. Remove it, pick another "
            "directory, or pass overwrite=True (tfhub convert --overwrite).")
    return dst


def atomic_directory(dst: str) -> "contextlib.AbstractContextManager[str]":
    """A temporary directory beside ``dst`` that becomes ``dst`` on success (:func:`tfhub.files.atomic_directory`)."""
    return files.atomic_directory(dst, prefix="tfhub-convert")
