"""Writing a directory atomically: a temporary sibling, then a rename."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from typing import Iterator

from tfhub import errors


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


@contextlib.contextmanager
def atomic_directory(dst: str) -> Iterator[str]:
    """Yields a temporary directory beside ``dst`` that becomes ``dst`` on success.

    On any exception the temporary directory is removed and ``dst`` is left as
    it was. An existing ``dst`` is replaced only once the new one is complete.
    """
    parent = os.path.dirname(dst)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=f".{os.path.basename(dst)}.tfhub-convert-", dir=parent)
    try:
        yield tmp
        if os.path.lexists(dst):
            old = tempfile.mkdtemp(prefix=f".{os.path.basename(dst)}.tfhub-old-", dir=parent)
            os.replace(dst, os.path.join(old, "model"))
            os.replace(tmp, dst)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, dst)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
