"""The descriptor file beside a cache entry: ``<key>.descriptor.txt``.

tensorflow_hub's three lines come first (``Module``, ``Download Time``,
``Downloader Hostname``); tfhub adds:

* ``Archive-SHA256``: the digest of the archive, computed here while it
  streamed in. Only this one is trusted for pins.
* ``Claimed-Archive-SHA256``: the digest a bundle says the archive had. It
  cannot be checked (the archive is not in the bundle), so pins ignore it.
* ``Manifest`` (sizes), ``Manifest-SHA256`` (digests), ``Manifest-Links``:
  see :mod:`tfhub.resolving.manifests`. Older tfhub versions read ``Manifest``
  alone, so it keeps its form.
"""

from __future__ import annotations

import json
import os

from tfhub.records import Record
from tfhub.resolving.manifests import Manifest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Optional, Tuple

_SIZES = "Manifest: "
_DIGESTS = "Manifest-SHA256: "
_LINKS = "Manifest-Links: "
_SHA256_FIELD = "Archive-SHA256"
_CLAIMED_FIELD = "Claimed-Archive-SHA256"
_UNREADABLE = Manifest({"<unreadable manifest>": -1})


class Descriptor(Record):
    """What the descriptor file beside an entry says."""

    handle: Optional[str]
    download_time: Optional[str]
    host: Optional[str]
    manifest: Optional[Manifest]  # None for entries written by tensorflow_hub
    archive_sha256: Optional[str] = None  # computed here from the archive's bytes
    claimed_sha256: Optional[str] = None  # what a bundle said; never trusted for pins

    def render(self) -> str:
        lines = [
            f"Module: {self.handle}",
            f"Download Time: {self.download_time}",
            f"Downloader Hostname: {self.host}",
        ]
        if self.archive_sha256:
            lines.append(f"{_SHA256_FIELD}: {self.archive_sha256}")
        if self.claimed_sha256:
            lines.append(f"{_CLAIMED_FIELD}: {self.claimed_sha256}")
        if self.manifest is not None:
            lines.append(_SIZES + json.dumps(dict(self.manifest.sizes), sort_keys=True))
            if self.manifest.digests is not None:
                lines.append(_DIGESTS + json.dumps(dict(self.manifest.digests), sort_keys=True))
            if self.manifest.links:
                lines.append(_LINKS + json.dumps(dict(self.manifest.links), sort_keys=True))
        return "\n".join(lines)

    @classmethod
    def parse(cls, text: str) -> "Descriptor":
        fields: Dict[str, str] = {}
        parts: Dict[str, dict] = {}
        for line in text.splitlines():
            for prefix in (_SIZES, _DIGESTS, _LINKS):
                if line.startswith(prefix):
                    try:
                        parts[prefix] = dict(json.loads(line[len(prefix):]))
                    except (ValueError, TypeError):
                        parts[prefix] = {"<unreadable manifest>": -1}
                    break
            else:
                if ": " in line:
                    key, value = line.split(": ", 1)
                    fields[key] = value
        return cls(
            handle=fields.get("Module"),
            download_time=fields.get("Download Time"),
            host=fields.get("Downloader Hostname"),
            manifest=_manifest(parts),
            archive_sha256=fields.get(_SHA256_FIELD),
            claimed_sha256=fields.get(_CLAIMED_FIELD),
        )


def _manifest(parts: Dict[str, dict]) -> Optional[Manifest]:
    if _SIZES not in parts:
        return None
    try:
        sizes = {str(k): int(v) for k, v in parts[_SIZES].items()}
        digests = parts.get(_DIGESTS)
        if digests is not None:
            digests = {str(k): str(v) for k, v in digests.items()}
            if set(digests) != set(sizes):
                return _UNREADABLE
        links = {str(k): str(v) for k, v in parts.get(_LINKS, {}).items()}
    except (ValueError, TypeError):
        return _UNREADABLE
    return Manifest(sizes, digests, links)


# descriptor path -> ((inode, size, mtime_ns), parsed descriptor). A descriptor is
# only ever replaced by a rename, which gives it a new inode.
_PARSED: Dict[str, Tuple[Tuple[int, int, int], Descriptor]] = {}


def read(path: str) -> Optional[Descriptor]:
    """Parses a descriptor file, reusing the last parse while the file is unchanged."""
    try:
        info = os.stat(path)
        identity = (info.st_ino, info.st_size, info.st_mtime_ns)
        known = _PARSED.get(path)
        if known is not None and known[0] == identity:
            return known[1]
        with open(path, encoding="utf-8") as f:
            descriptor = Descriptor.parse(f.read())
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError):
        return Descriptor(None, None, None, _UNREADABLE)
    _PARSED[path] = (identity, descriptor)
    return descriptor
