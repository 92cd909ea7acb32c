"""Lock files and temp names that name their holder: ``<host>.<pid>.<uid>``, and whether that holder is gone.

tensorflow_hub's lock files (``<key>.lock``) hold this, and so do ours where
kernel locks do not work (:mod:`tfhub.resolving.locks`, ``lockfile`` kind), and
the names of :mod:`tfhub.resolving.local_dir`'s partial copies.
"""

from __future__ import annotations

import os


def new_token() -> str:
    """What this process writes into a lock file it creates."""
    import socket  # socket and uuid (platform) only when locking: not on a warm resolve
    import uuid

    return f"{socket.gethostname()}.{os.getpid()}.{uuid.uuid4().hex}"


def process_alive(pid: int) -> bool:
    """True when a process with this pid runs on this machine."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def holder_dead(lock_file: "str | os.PathLike[str]") -> bool:
    """True when the holder a lock file names is known to be gone.

    A holder on another host cannot be checked from here and counts as alive,
    and so does a file that names nobody yet (being written).
    """
    try:
        with open(lock_file, encoding="utf-8", errors="replace") as stream:
            contents = stream.read().strip()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return token_dead(contents)


def token_dead(text: str) -> bool:
    """True when ``text`` ends with a :func:`new_token` of this host whose process is gone.

    What comes before the token (a name and a dot) is ignored; anything else
    (another host, no token) counts as alive.
    """
    parts = text.rsplit(".", 2)
    if len(parts) != 3 or not parts[1].isdigit():
        return False
    import socket

    head, host = parts[0], socket.gethostname()
    return (head == host or head.endswith("." + host)) and not process_alive(int(parts[1]))
