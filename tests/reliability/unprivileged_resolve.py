"""Run as a script by a readable interpreter (readable_python.py) started as another user:
resolve argv[1] and print the outcome as JSON."""

from __future__ import annotations

import json
import sys

import tfhub
from tfhub import errors


def main() -> None:
    """Resolves, prints {"path": ...} or {"error": ..., "message": ...}."""
    try:
        print(json.dumps({"path": tfhub.resolve(sys.argv[1])}))
    except errors.TfHubError as exc:
        print(json.dumps({"error": type(exc).__name__, "message": str(exc)}))


if __name__ == "__main__":
    main()
