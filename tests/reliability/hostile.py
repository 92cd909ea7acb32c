"""Helpers of the hostile-input tests: model archives in every form, crafted tar headers."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zlib
from pathlib import Path
from typing import Dict, Optional

from tests.conftest import pack_bytes


def model_files(seed: int = 0, size: int = 200_000) -> Dict[str, bytes]:
    """A model-shaped set of files; another seed gives the same names and sizes, other bytes."""
    rng = __import__("random").Random(seed)
    return {
        "saved_model.pb": rng.randbytes(size // 10),
        "variables/variables.index": rng.randbytes(200),
        "variables/variables.data-00000-of-00001": rng.randbytes(size),
    }


def write_files(root: Path, files: Dict[str, bytes]) -> Path:
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return root


def tar_bytes(files: Dict[str, bytes], compressed: bool = False) -> bytes:
    """The files as a plain tar (or, with ``compressed``, tfhub's deterministic tar.gz)."""
    if compressed:
        import tempfile

        with tempfile.TemporaryDirectory() as directory:
            return pack_bytes(write_files(Path(directory), files))
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name, data in sorted(files.items()):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def read_entry(directory: str) -> Dict[str, bytes]:
    """Every file under ``directory`` (POSIX relative name -> bytes)."""
    found = {}
    for dirpath, _, filenames in os.walk(directory):
        for filename in filenames:
            full = os.path.join(dirpath, filename)
            found[os.path.relpath(full, directory).replace(os.sep, "/")] = Path(full).read_bytes()
    return found


def huge_extended_header_tar_gz(path: Path, kind: bytes, claimed: int, actual: Optional[int] = None) -> Path:
    """A .tar.gz whose first header (PAX ``x`` or GNU long name ``L``) claims ``claimed`` bytes.

    ``actual`` bytes of zeros follow it (default: all it claims), so a reader
    that believes the header holds them all in memory; gzip makes them tiny.
    """
    actual = claimed if actual is None else actual
    info = tarfile.TarInfo("././@PaxHeader" if kind == tarfile.XHDTYPE else "././@LongLink")
    info.type = kind
    info.size = claimed
    header = info.tobuf(format=tarfile.USTAR_FORMAT if kind == tarfile.XHDTYPE else tarfile.GNU_FORMAT)
    # tobuf of a GNU type may prepend its own long-name blocks: keep the last header only.
    header = header[-tarfile.BLOCKSIZE:]
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)
    zeros = bytes(1 << 20)
    with open(path, "wb") as out:
        out.write(compressor.compress(header))
        left = actual
        while left > 0:
            out.write(compressor.compress(zeros[: min(left, len(zeros))]))
            left -= len(zeros)
        out.write(compressor.compress(tar_bytes({"saved_model.pb": b"x" * 100})))
        out.write(compressor.flush())
    return path


def member_tar(name: str, data: bytes = b"data", extra_dirs: int = 0) -> bytes:
    """A plain PAX tar of one file named ``name`` (any characters, any length)."""
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as archive:
        parts = name.split("/")
        for depth in range(1, min(extra_dirs, len(parts) - 1) + 1):
            info = tarfile.TarInfo("/".join(parts[:depth]))
            info.type = tarfile.DIRTYPE
            archive.addfile(info)
        info = tarfile.TarInfo("placeholder")
        info.pax_headers = {"path": name}
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    return out.getvalue()


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=1, mtime=0)
