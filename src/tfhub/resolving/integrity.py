"""Integrity pinning: a handle's archive must have a known SHA-256.

A pin comes from (first match wins) the ``sha256=`` argument of
``hub.resolve``/``hub.load``, a ``#sha256=<hex>`` fragment on the handle, or
the ``TFHUB_PIN_FILE`` file (``sha256sum`` style lines: ``<hex>  <handle>``).
The digest is computed while the archive streams in; a mismatch raises
:class:`~tfhub.errors.IntegrityError` before anything reaches the cache.
"""

from __future__ import annotations

from tfhub import config, errors

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Optional

_HEX = frozenset("0123456789abcdef")  # of a pin already lowercased


def normalize(pin: str, origin: str) -> str:
    """A pin as 64 lowercase hex digits.

    Raises:
        HandleError: the pin is not a SHA-256 hex digest.
    """
    value = pin.strip().lower()
    if value.startswith("sha256:"):
        value = value[len("sha256:"):]
    if len(value) != 64 or not set(value) <= _HEX:
        raise errors.HandleError(
            f"The SHA-256 pin {pin!r} from {origin} is not 64 hex digits; "
            "compute it with `sha256sum model.tar.gz`."
        )
    return value


def pin_from_file(handle: str) -> Optional[str]:
    """The pin ``TFHUB_PIN_FILE`` gives ``handle``, if any.

    Raises:
        ConfigError: the file cannot be read or a line is malformed.
    """
    path = config.pin_file()
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as stream:
            lines = stream.read().splitlines()
    except OSError as exc:
        raise errors.ConfigError(f"TFHUB_PIN_FILE={path} cannot be read ({exc.strerror}).") from exc
    except UnicodeDecodeError as exc:
        raise errors.ConfigError(
            f"TFHUB_PIN_FILE={path} is not UTF-8 text (byte {exc.start}); write it as `sha256sum` prints it."
        ) from None
    for number, line in enumerate(lines, 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise errors.ConfigError(f"{path}:{number}: expected '<sha256>  <handle>', got {line!r}.")
        if parts[1].strip() == handle:
            return normalize(parts[0], f"{path}:{number}")
    return None


def check(digest: str, pin: Optional[str], handle: str) -> None:
    """Raises IntegrityError when ``digest`` is not the pinned one."""
    if pin is not None and digest != pin:
        raise errors.IntegrityError(
            f"The archive of '{handle}' has SHA-256 {digest}, but it is pinned to {pin}. "
            "Nothing was cached. The model changed on the server (or in transit): "
            "check its source before updating the pin."
        )
