"""Streaming tar extraction that never writes outside its target, and packing.

Archives are read once, front to back, so a download goes straight from the
socket into files: ``tarfile`` parses the headers, and each member's bytes go
from the decompressor to its file through one reused buffer
(:class:`~tfhub.resolving.archive_streams.TarSource`). Codecs and the bounds on
what a hostile body can make us read live in :mod:`tfhub.resolving.archive_streams`.
Every codec must reach its end-of-stream mark, and a plain tar its end block,
so an archive cut short is always an error. Member names holding NUL or more
than :data:`MAX_DEPTH` components are refused.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import tarfile
from pathlib import Path
from typing import BinaryIO, Dict, Optional, Union

from tfhub import errors, files
from tfhub.resolving import archive_streams as streams
from tfhub.resolving import pack_links

# Deeper names exhaust Python's recursion (os.makedirs, os.walk, shutil.rmtree).
MAX_DEPTH = 200


def _target_path(root: str, name: str) -> str:
    """Where member ``name`` goes under ``root``.

    Raises:
        UnsafeArchiveError: the name is absolute or climbs out of ``root``.
    """
    if "\0" in name:
        raise errors.UnsafeArchiveError(f"Archive member {name!r} has a NUL character in its name; refusing it.")
    if name.startswith(("/", "\\")) or (len(name) > 1 and name[1] == ":"):
        raise errors.UnsafeArchiveError(f"Archive member {name!r} has an absolute path; refusing to extract it.")
    normalized = os.path.normpath(name)
    parts = normalized.replace("\\", "/").split("/")
    if ".." in parts:
        raise errors.UnsafeArchiveError(f"Archive member {name!r} points outside the model directory (..).")
    if len(parts) > MAX_DEPTH:
        raise errors.UnsafeArchiveError(
            f"Archive member {name[:80]!r}... is {len(parts)} directories deep (at most {MAX_DEPTH}); refusing it."
        )
    return root if normalized == "." else os.path.join(root, normalized)


def _check_inside(root_real: str, path: str, what: str) -> None:
    real = os.path.realpath(path)
    if real != root_real and not real.startswith(root_real + os.sep):
        raise errors.UnsafeArchiveError(f"{what} would be written outside the model directory; refusing it.")


def _clear(path: str) -> None:
    """Removes a file or link at ``path`` so that writing there cannot follow a link."""
    if os.path.islink(path) or os.path.isfile(path):
        os.unlink(path)


def _extract_member(source: streams.TarSource, member: tarfile.TarInfo, root: str, root_real: str,
                    digests: Optional[Dict[str, str]] = None) -> None:
    target = _target_path(root, member.name)
    relative = os.path.relpath(target, root).replace(os.sep, "/")
    if digests is not None:
        digests.pop(relative, None)  # whatever replaces a file there, its old digest is void
    if target == root and member.isdir():
        return
    parent = os.path.dirname(target)
    # Checked before creating anything: a link planted earlier must not lead makedirs outside.
    _check_inside(root_real, parent, f"Archive member {member.name!r}")
    os.makedirs(parent, exist_ok=True)
    if member.isdir():
        if os.path.islink(target):
            os.unlink(target)
        os.makedirs(target, exist_ok=True)
    elif member.isfile():
        _clear(target)
        source.seek(member.offset_data)
        digest = None if digests is None else hashlib.sha256()
        with open(target, "wb", buffering=0) as out:  # whole chunks: a write buffer would only copy
            source.copy(member.size, out, digest)
        if digest is not None:
            digests[relative] = digest.hexdigest()
    elif member.issym():
        _extract_symlink(member, target, parent, root_real)
    elif member.islnk():
        source_path = _target_path(root, member.linkname)
        _check_inside(root_real, source_path, f"The hard link {member.name!r} -> {member.linkname!r}")
        if not os.path.isfile(source_path):
            raise errors.UnsafeArchiveError(
                f"Archive member {member.name!r} links to {member.linkname!r}, which the archive did not hold before it."
            )
        _clear(target)
        shutil.copyfile(source_path, target)
    else:
        kind = "FIFO" if member.isfifo() else "device file" if member.isdev() else "special member"
        raise errors.UnsafeArchiveError(f"Archive member {member.name!r} is a {kind}; model archives hold only files, directories and links.")


def _extract_symlink(member: tarfile.TarInfo, target: str, parent: str, root_real: str) -> None:
    if os.path.isabs(member.linkname):
        raise errors.UnsafeArchiveError(f"Archive member {member.name!r} is a link to an absolute path; refusing it.")
    _check_inside(root_real, os.path.join(parent, member.linkname), f"The link {member.name!r} -> {member.linkname!r}")
    _clear(target)
    os.symlink(member.linkname, target)


def _check_links(root: str, root_real: str) -> None:
    """Every link must still lead inside once all are in place (links through links).

    Raises:
        UnsafeArchiveError: one leads outside ``root``.
    """
    for relative, path in files.walk(root):
        if os.path.islink(path):
            _check_inside(root_real, path, f"The link {relative!r} -> {os.readlink(path)!r}")


def _member_failure(member: tarfile.TarInfo, root: str, exc: OSError) -> errors.TfHubError:
    """Our error for an OSError met while writing ``member``."""
    if exc.errno in errors.DISK_FULL_ERRNOS:
        return errors.DiskFullError(
            f"The disk holding {root} is full (or a file size limit was reached) while writing "
            f"{member.name!r} ({member.size} bytes): {exc.strerror or exc}.",
            bytes_needed=member.size if member.isfile() else None,
        )
    return errors.UnsafeArchiveError(
        f"Archive member {member.name!r} cannot be extracted ({exc.strerror or exc}); "
        "the archive holds names that clash or cannot exist on this filesystem."
    )


def extract(stream: BinaryIO, target: Union[str, Path], source: str,
            digests: Optional[Dict[str, str]] = None) -> int:
    """Extracts the tar archive read from ``stream`` into ``target``.

    Args:
        stream: a readable binary stream (an HTTP body, a file).
        target: an existing, empty directory.
        source: the URL or path the stream comes from, for messages.
        digests: when given, filled with the SHA-256 of each regular file written
            (POSIX relative path -> hex), computed as it is written.

    Returns:
        The number of members extracted.

    Raises:
        ArchiveError: the stream is not a (complete) tar archive.
        UnsafeArchiveError: a member would land outside ``target``, is a
            device, FIFO or link pointing outside, or cannot be created.
        DiskFullError: the disk (or a quota, or a file size limit) is full.
    """
    root = os.fspath(target)
    root_real = os.path.realpath(root)
    count = 0
    source_stream = streams.SourceStream(stream)
    try:
        fileobj = streams.decompressed(source_stream)
        # Closed here, always: tarfile leaves a given file object open, and isal's
        # threaded reader must neither outlive extraction (its thread would go on
        # reading the stream) nor be closed by the garbage collector (its close()
        # joins a thread, which deadlocks when the collector runs inside threading).
        with fileobj:
            try:
                tar_bytes = streams.TarSource(fileobj, source_stream)
                # "r:" over a stream that only seeks forward: tarfile parses headers, TarSource copies bodies.
                with tarfile.open(fileobj=tar_bytes, mode="r:", tarinfo=streams.BoundedTarInfo) as archive:
                    for member in archive:
                        try:
                            _extract_member(tar_bytes, member, root, root_real, digests)
                        except OSError as exc:
                            if isinstance(exc, errors.TfHubError) or exc.errno is None:
                                raise
                            raise _member_failure(member, root, exc) from exc
                        count += 1
                    _check_end_marker(archive, source)
                    streams.read_trailer(tar_bytes, source_stream, source)
            except BaseException:
                # Before close() joins a decompressor thread blocked on the network
                # (Ctrl-C must act at once, and no resume may follow).
                source_stream.abort()
                raise
        _check_links(root, root_real)
    except streams.READ_ERRORS as exc:
        raise errors.ArchiveError(
            f"{source} does not appear to be a valid module: the body is not a complete "
            f"tar archive ({type(exc).__name__}: {exc}). Check that the URL serves a "
            "model archive (tar, tar.gz) and that the download was not cut short."
        ) from exc
    except RecursionError as exc:
        raise errors.UnsafeArchiveError(f"{source} holds a tree too deep to extract.") from exc
    except OSError as exc:
        if isinstance(exc, errors.TfHubError) or not _looks_like_codec_error(exc):
            raise
        raise errors.ArchiveError(f"{source} does not appear to be a valid module: {exc}.") from exc
    if count == 0:
        raise errors.ArchiveError(f"{source} does not appear to be a valid module: the archive is empty.")
    return count


def _check_end_marker(archive: tarfile.TarFile, source: str) -> None:
    """A tar cut at a member boundary reads as a shorter archive; its end block tells.

    (Compressed archives are also caught by their codec's end check.)

    Raises:
        ArchiveError: the archive stopped without its end-of-archive block.
    """
    if archive.fileobj.tell() - archive.offset < tarfile.BLOCKSIZE:
        raise errors.ArchiveError(
            f"{source} does not appear to be a valid module: the tar archive ends without its "
            "end-of-archive block, so it was cut short. Download it again."
        )


def _looks_like_codec_error(exc: OSError) -> bool:
    """isal and bz2 raise plain OSErrors for corrupt data."""
    text = str(exc).lower()
    return exc.errno is None and any(word in text for word in ("gzip", "deflate", "compressed", "header", "crc", "invalid data"))


def owner_free_info(archive: tarfile.TarFile, full: str, arcname: str) -> tarfile.TarInfo:
    """The tar header of ``full`` without its owner (uid, gid and their names zeroed)."""
    info = archive.gettarinfo(full, arcname=arcname)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def _normalized_info(archive: tarfile.TarFile, full: str, relative: str) -> tarfile.TarInfo:
    """:func:`owner_free_info`, with time and mode fixed too: the same tree packs to the same bytes."""
    info = owner_free_info(archive, full, relative)
    info.mtime = 0
    if info.isdir():
        info.mode = 0o755
    elif info.isreg():
        info.mode = 0o755 if os.access(full, os.X_OK) else 0o644
    return info


def pack(directory: Union[str, Path], out: BinaryIO, compresslevel: int = 6, compressed: bool = True) -> list[str]:
    """Writes ``directory`` as a deterministic tar.gz (or, not ``compressed``, plain tar) to ``out``.

    The same tree gives the same bytes: members sorted, owners, times and
    the gzip header zeroed. Links are stored relative (see :mod:`pack_links`).

    Returns:
        The links whose absolute targets were rewritten as relative ones.

    Raises:
        UnsafeArchiveError: a link leads outside ``directory``, or a special file.
    """
    directory = os.fspath(directory)
    directory_real = os.path.realpath(directory)
    rewritten: list[str] = []
    gz = (gzip.GzipFile(fileobj=out, mode="wb", mtime=0, filename="", compresslevel=compresslevel)
          if compressed else contextlib.nullcontext(out))
    with gz as tar_out:
        with tarfile.open(fileobj=tar_out, mode="w|", format=tarfile.PAX_FORMAT) as archive:
            for relative, full in files.walk(directory, directories=True):
                pack_links.refuse_special_file(full, relative)
                info = _normalized_info(archive, full, relative)
                if info.issym():
                    new_target = pack_links.archived_link_target(directory_real, relative)
                    if new_target is not None:
                        info.linkname = new_target
                        if os.path.isabs(os.readlink(full)):
                            rewritten.append(relative)
                if info.isreg():
                    with open(full, "rb") as data:
                        archive.addfile(info, data)
                else:
                    archive.addfile(info)
    return rewritten


def pack_to_file(directory: Union[str, Path], archive_path: Union[str, Path], compressed: bool = True) -> list[str]:
    """:func:`pack` into a file, written atomically; returns the rewritten links."""
    with files.atomic_file(archive_path, files.temp_sibling(archive_path, ".partial")) as out:
        return pack(directory, out, compressed=compressed)
