"""Copy a resolved model into a directory of the user's choice (``tfhub download --local-dir``).

The model is resolved through the one door first (so pins, offline mode and
safe extraction apply, and the cache keeps its entry for the next time); its
files are then copied into a temp dir beside the target and renamed into
place, so the target is either absent, as it was, or complete. The temp dir's
name carries its holder (:mod:`tfhub.resolving.holders`), so one a killed process
left can be told from one being written: :func:`stale_partials`.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path
from typing import List

from tfhub import errors
from tfhub.resolving import holders

_PARTIAL_SUFFIX = ".tfhub-partial"
_OLD_SUFFIX = ".tfhub-old"


def copy_model(model_dir: str, target: "os.PathLike[str]", overwrite: bool = False) -> Path:
    """Copies the model directory ``model_dir`` to ``target`` atomically; returns the absolute target.

    ``target`` may be missing or an empty directory; a non-empty one is
    replaced only with ``overwrite`` (its old contents are removed once the
    copy is in place).

    Raises:
        HandleError: ``target`` is a file, or a non-empty directory without ``overwrite``.
        CacheError: the copy could not be written (nothing is left behind).
    """
    target = Path(os.path.abspath(os.path.expanduser(os.fspath(target))))
    if target.exists() or target.is_symlink():
        if not target.is_dir() or target.is_symlink():
            raise errors.HandleError(f"--local-dir {target} exists and is not a directory; choose another path.")
        if any(target.iterdir()) and not overwrite:
            raise errors.HandleError(
                f"--local-dir {target} is not empty; choose an empty or new directory, or add --overwrite "
                "to replace its contents.")
    tag = uuid.uuid4().hex[:8]
    partial = target.parent / f".{target.name}.{holders.new_token()}{_PARTIAL_SUFFIX}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(model_dir, partial, symlinks=True)
        _swap_in(partial, target, target.parent / f".{target.name}.{tag}{_OLD_SUFFIX}")
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        if isinstance(exc, errors.TfHubError):
            raise
        raise errors.CacheError(f"Copying the model to {target} failed ({exc}); nothing was written there.") from exc
    return target


def _swap_in(partial: Path, target: Path, aside: Path) -> None:
    """Renames the complete copy to ``target``; an existing target is moved aside, then removed."""
    if not target.exists():
        os.rename(partial, target)
        return
    if not any(target.iterdir()):
        target.rmdir()
        os.rename(partial, target)
        return
    os.rename(target, aside)
    try:
        os.rename(partial, target)
    except OSError:
        os.rename(aside, target)  # put the old contents back
        raise
    shutil.rmtree(aside, ignore_errors=True)


def stale_partials(root: "os.PathLike[str]") -> List[Path]:
    """The partial copies under ``root`` whose process is gone (a kill mid-copy); nothing is removed.

    Model directories (a ``saved_model.pb`` or ``tfhub_module.pb``) and hidden
    directories are not entered.
    """
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        if "saved_model.pb" in filenames or "tfhub_module.pb" in filenames:
            dirnames.clear()
            continue
        for name in sorted(dirnames):
            if name.startswith(".") and name.endswith(_PARTIAL_SUFFIX) and \
                    holders.token_dead(name[:-len(_PARTIAL_SUFFIX)]):
                found.append(Path(dirpath) / name)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
    return found
