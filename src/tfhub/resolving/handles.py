"""Classify handles, build the URLs to fetch, and compute cache keys."""

from __future__ import annotations

import enum
import os
import sys

from tfhub import errors

TYPE_CHECKING = False
if TYPE_CHECKING:
    import urllib.parse
    from typing import Optional

FORMAT_QUERY_KEY = "tf-hub-format"
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz")
# tensorflow_hub fetches this mirror's handles as plain archives from its storage.
CHINA_MIRROR_PREFIX = "https://hub.tensorflow.google.cn/"
CHINA_MIRROR_STORAGE = "https://gcs.tensorflow.google.cn/tfhub-modules/"


class HandleKind(enum.Enum):
    """Where a handle's model comes from."""

    LOCAL = "local path"  # a path on this machine, or file://
    HTTP = "http(s) URL"  # a TF Hub style URL: the server sends an archive
    GFILE_ARCHIVE = "archive on a tf.io.gfile filesystem"  # gs://b/m.tar.gz
    GFILE_DIRECTORY = "directory on a tf.io.gfile filesystem"  # gs://b/model


def split_url(handle: str) -> urllib.parse.SplitResult:
    """``urlsplit`` of a handle.

    Raises:
        HandleError: the handle is not a parseable URL (e.g. a broken IPv6 host).
    """
    import urllib.parse  # not on a warm resolve of an http(s) URL or an absolute path: see kind_of

    try:
        return urllib.parse.urlsplit(handle)
    except ValueError as exc:
        raise errors.HandleError(
            f"The handle {handle!r} is not a valid URL ({exc}); check its host part."
        ) from exc


def kind_of(handle: str) -> HandleKind:
    """Classifies a handle.

    Raises:
        HandleError: the handle is empty or not a valid URL.
    """
    if not handle:
        raise errors.HandleError(
            "The handle is empty; expected a URL (https://...) or a path to a model directory."
        )
    try:
        handle.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise errors.HandleError(
            f"The handle {handle!r} holds a character that is not valid Unicode (a lone surrogate at "
            f"position {exc.start}); it often comes from decoding bytes with errors='surrogateescape'."
        ) from None
    # The common cases, as urlsplit reads them, without importing urllib.parse. Only a
    # bracketed (IPv6) or non-ASCII host can make urlsplit fail, so those take the long way.
    if handle.isascii() and "[" not in handle and "]" not in handle:
        if handle.startswith(("https://", "http://")):
            return HandleKind.HTTP
        if handle.startswith("/") and not handle.startswith("//"):
            return HandleKind.LOCAL
    scheme = split_url(handle).scheme.lower()
    if scheme in ("http", "https"):
        return HandleKind.HTTP
    if scheme in ("", "file") or len(scheme) == 1:  # "C:\\..." has a one-letter scheme
        return HandleKind.LOCAL
    if has_archive_suffix(handle):
        return HandleKind.GFILE_ARCHIVE
    return HandleKind.GFILE_DIRECTORY


def has_archive_suffix(url_or_path: str) -> bool:
    """True when the path part ends in .tar, .tar.gz or .tgz."""
    path = split_url(url_or_path).path
    return path.lower().endswith(ARCHIVE_SUFFIXES)


def local_path(handle: str) -> str:
    """The filesystem path of a LOCAL handle (``file://`` stripped)."""
    if handle.startswith("file://"):
        import urllib.parse

        return urllib.parse.unquote(urllib.parse.urlsplit(handle).path)
    return os.path.expanduser(handle)


# Leading bytes that make a local file an archive whatever its name (gzip, xz);
# a plain tar is told by "ustar" at offset 257.
_ARCHIVE_MAGICS = (b"\x1f\x8b", b"\xfd7zXZ\x00")
_TAR_MAGIC_OFFSET = 257


def local_archive(path: str) -> Optional[str]:
    """The absolute path of ``path`` when it is a regular file holding an archive, else None.

    An archive is a file named .tar/.tar.gz/.tgz, or one whose first bytes are
    gzip's, xz's or a tar header's (what extraction reads). A directory, or any
    other file, is None: it is read in place, as tensorflow_hub does.
    """
    if not os.path.isfile(path):
        return None
    absolute = os.path.abspath(path)
    if absolute.lower().endswith(ARCHIVE_SUFFIXES):
        return absolute
    try:
        with open(absolute, "rb") as stream:
            head = stream.read(_TAR_MAGIC_OFFSET + 5)
    except OSError:
        return None
    if head.startswith(_ARCHIVE_MAGICS) or head[_TAR_MAGIC_OFFSET:] == b"ustar":
        return absolute
    return None


def file_stamp(stat_result: os.stat_result) -> str:
    """What changes whenever a file's bytes may have: size, mtime, and the inode's ctime and number.

    ctime cannot be set back by ``touch``/``cp -p``, so a replaced or rewritten
    archive always gets a new stamp (and so a new cache entry).
    """
    st = stat_result
    return f"size={st.st_size}&mtime={st.st_mtime_ns}&ctime={st.st_ctime_ns}&ino={st.st_dev}:{st.st_ino}"


def local_archive_key(absolute: str, stamp: str) -> str:
    """The cache key of a local archive: its absolute path and its file stamp."""
    return cache_key(f"local-archive:{absolute}?{stamp}")


def with_format_query(url: str, value: str) -> str:
    """Appends ``tf-hub-format=<value>`` to the URL's query, keeping what is there.

    Existing parameters (even an existing ``tf-hub-format``) are kept in order,
    as TF Hub servers expect.
    """
    import urllib.parse

    parts = split_url(url)
    query = urllib.parse.parse_qsl(parts.query)
    query.append((FORMAT_QUERY_KEY, value))
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def archive_url(handle: str) -> str:
    """The URL that answers an http(s) handle with a compressed archive.

    * ``https://hub.tensorflow.google.cn/<rest>`` maps to the mirror's storage,
      ``https://gcs.tensorflow.google.cn/tfhub-modules/<rest>.tar.gz``.
    * A URL whose path already ends in .tar/.tar.gz/.tgz is fetched as given.
    * Anything else (tfhub.dev, Kaggle Models, a compatible host) gets
      ``tf-hub-format=compressed`` appended; the server answers with the archive
      or a redirect to it.
    """
    if handle.startswith(CHINA_MIRROR_PREFIX):
        return CHINA_MIRROR_STORAGE + handle[len(CHINA_MIRROR_PREFIX):].rstrip("/") + ".tar.gz"
    if has_archive_suffix(handle):
        return handle
    return with_format_query(handle, "compressed")


def uncompressed_url(handle: str) -> str:
    """The URL of the 303 protocol (``tf-hub-format=uncompressed``)."""
    return with_format_query(handle, "uncompressed")


def mirrored(url: str, mirrors: list) -> str:
    """``url`` with the first matching (original, replacement) prefix replaced."""
    for original, replacement in mirrors:
        if url.startswith(original):
            return replacement + url[len(original):]
    return url


PIN_FRAGMENT_KEY = "sha256"


def split_pin(handle: str) -> tuple:
    """(handle, sha256 or None) for a handle that may end in ``#sha256=<hex>``.

    The fragment is never sent to a server and is not part of the cache key.
    """
    base, sep, fragment = handle.partition("#")
    if sep and fragment.startswith(PIN_FRAGMENT_KEY + "="):
        return base, fragment[len(PIN_FRAGMENT_KEY) + 1:]
    return handle, None


def cache_key(handle: str) -> str:
    """SHA-1 of the handle exactly as given, as tensorflow_hub names cache entries.

    CPython's own SHA-1 (``_sha1``) when it is built in: ``hashlib`` would load
    OpenSSL, which costs a warm resolve several times all its other work.
    """
    try:
        from _sha1 import sha1
    except ImportError:  # an interpreter built without it
        from hashlib import sha1
    return sha1(handle.encode("utf8")).hexdigest()


# Schemes a tf.io.gfile filesystem may serve once TensorFlow is imported: its
# built-ins, tensorflow-io-gcs-filesystem (loaded by TensorFlow) and tensorflow-io.
LIKELY_GFILE_SCHEMES = frozenset({"gs", "s3", "hdfs", "viewfs", "har", "ram", "az", "oss", "gcs"})


def _unknown_scheme_error(handle: str) -> errors.HandleError:
    scheme = split_url(handle).scheme
    return errors.HandleError(
        f"The handle {handle!r} has the scheme '{scheme}://', which neither tfhub nor any installed "
        "tf.io.gfile filesystem reads. Use https://, gs:// or a local path (or install the "
        f"filesystem plugin for {scheme}://)."
    )


def _tensorflow_plugins_installed() -> bool:
    """True when a ``tensorflow-plugins`` folder (filesystems TensorFlow loads at import) is non-empty.

    Found next to the installed ``tensorflow`` package, without importing it.
    """
    import importlib.util

    spec = importlib.util.find_spec("tensorflow") if "tensorflow" not in sys.modules else None
    for location in (spec.submodule_search_locations or []) if spec else []:
        plugins = os.path.join(os.path.dirname(location), "tensorflow-plugins")
        if os.path.isdir(plugins) and os.listdir(plugins):
            return True
    return False


def gfile_might_read(handle: str) -> bool:
    """False when no tf.io.gfile filesystem can serve the handle's scheme, decided without TensorFlow.

    Importing TensorFlow takes seconds; for a typo such as ``htp://`` the answer
    is known without it, unless TensorFlow (and so maybe a filesystem plugin
    such as tensorflow-io) is already imported or a pluggable filesystem is installed.
    """
    if split_url(handle).scheme.lower() in LIKELY_GFILE_SCHEMES or "tensorflow" in sys.modules:
        return True
    return _tensorflow_plugins_installed()


def gfile_exists(handle: str) -> bool:
    """``tf.io.gfile.exists(handle)``, TensorFlow's "scheme not implemented" made a HandleError.

    Raises:
        HandleError: no tf.io.gfile filesystem serves the handle's scheme
            (``ftp://``, a typo, a plugin such as tensorflow-io not installed).
    """
    if not gfile_might_read(handle):
        raise _unknown_scheme_error(handle)
    from tfhub._tf import tensorflow  # gfile only for such handles

    tf = tensorflow()
    try:
        return tf.io.gfile.exists(handle)
    except tf.errors.UnimplementedError as exc:
        raise _unknown_scheme_error(handle) from exc
