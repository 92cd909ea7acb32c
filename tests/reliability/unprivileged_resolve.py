"""Run as a script: resolve argv[2] as user id argv[1] and print the outcome as JSON.

It starts as root, imports everything a resolve needs (the interpreter may
live where the unprivileged user cannot read), then drops to that user, so
permission bits apply as they would to an ordinary user.
"""

from __future__ import annotations

import json
import os
import sys

import tfhub
# Everything a resolve may import lazily, imported before dropping privileges.
import tfhub.resolving.archive  # noqa: F401
import tfhub.resolving.cache  # noqa: F401
import tfhub.resolving.download  # noqa: F401
import tfhub.resolving.integrity  # noqa: F401
import tfhub.resolving.locks  # noqa: F401
import tfhub.resolving.resolvers  # noqa: F401
from tfhub import errors


def main() -> None:
    """Drops privileges, resolves, prints {"path": ...} or {"error": ..., "message": ...}."""
    uid = int(sys.argv[1])
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    try:
        print(json.dumps({"path": tfhub.resolve(sys.argv[2])}))
    except errors.TfHubError as exc:
        print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))


if __name__ == "__main__":
    main()
