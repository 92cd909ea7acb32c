"""What :func:`tfhub.resolving.archive.pack` does with links and special files.

TF Hub clients (tfhub and tensorflow_hub alike) refuse archives with absolute
links or links that lead outside the model, and such a link would also show
the packing machine's paths to everyone who downloads the model. So:

* a link whose target lies inside the model directory is written as a
  relative link (an absolute one is rewritten);
* a link that leads outside, a FIFO, socket or device file is refused with
  :class:`~tfhub.errors.UnsafeArchiveError`, whose message names the member
  (relative to the model) but not where it points.
"""

from __future__ import annotations

import os
import stat
from typing import Optional

from tfhub import errors


def _inside(path: str, directory: str) -> bool:
    return path == directory or path.startswith(directory.rstrip(os.sep) + os.sep)


def archived_link_target(directory_real: str, relative: str) -> Optional[str]:
    """The relative link to store for the link at ``relative``; None when it needs no change.

    Args:
        directory_real: the real path of the directory being packed.
        relative: the link's path relative to it (its parent is not itself a link).

    Raises:
        UnsafeArchiveError: the link leads outside the directory.
    """
    full = os.path.join(directory_real, relative)
    target = os.readlink(full)
    parent = os.path.dirname(full)
    destination = os.path.realpath(os.path.join(parent, target))  # also follows links in between
    if not _inside(destination, directory_real):
        raise errors.UnsafeArchiveError(
            f"{relative!r} in the model directory is a link to a path outside it; a model "
            "archive cannot carry it (TF Hub clients refuse such links, and it would show this "
            "machine's paths). Replace the link with a copy of the file it points to, or with a "
            "relative link to a file inside the model directory."
        )
    relative_target = os.path.relpath(destination, parent)
    return None if relative_target == target else relative_target


def refuse_special_file(full: str, relative: str) -> None:
    """Raises unless ``full`` is a regular file, directory or link.

    Raises:
        UnsafeArchiveError: a FIFO, socket or device file.
    """
    mode = os.lstat(full).st_mode
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode) or stat.S_ISLNK(mode):
        return
    kind = ("FIFO" if stat.S_ISFIFO(mode) else "socket" if stat.S_ISSOCK(mode) else "device file")
    raise errors.UnsafeArchiveError(
        f"{relative!r} in the model directory is a {kind}; a model archive holds only files, "
        "directories and links (TF Hub clients refuse anything else). Remove it and pack again."
    )
