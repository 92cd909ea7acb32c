"""`tfhub env`: the block people paste into a bug report.

Versions come from installed distributions' metadata, never from importing them,
so the command answers at once and works where TensorFlow is absent or broken.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import re
import sys
from typing import Dict, List, Optional, Tuple

from tfhub import config, files
from tfhub.cli import output
from tfhub.version import __version__

# (label, distributions that provide it, first installed wins)
_PACKAGES: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("TensorFlow", ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")),
    ("Keras", ("keras",)),
    ("tf_keras", ("tf-keras",)),
    ("tensorflow_hub", ("tensorflow-hub",)),
    ("isal", ("isal",)),
    ("starlette", ("starlette",)),
    ("uvicorn", ("uvicorn",)),
    ("requests", ("requests",)),
    ("urllib3", ("urllib3",)),
    ("protobuf", ("protobuf",)),
)
# Settings whose values may carry credentials: shown as set, never shown.
_SECRET_WORDS = ("HEADER", "TOKEN", "SECRET", "PASSWORD", "AUTH", "KEY")
# user:password@ in a URL (a mirror's, say)
_URL_CREDENTIALS = re.compile(r"(?<=://)[^/@\s]+@")


def register(subparsers: argparse._SubParsersAction) -> None:
    env = subparsers.add_parser("env", help="versions, cache and settings, for bug reports")
    env.add_argument("--json", action="store_true")
    env.set_defaults(handler=_env)


def _version_of(distributions: Tuple[str, ...]) -> Optional[str]:
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


def _settings() -> Dict[str, str]:
    """Every ``TFHUB_*`` variable set, secrets masked."""
    shown = {}
    for name in sorted(n for n in os.environ if n.startswith("TFHUB_")):
        value = os.environ[name]
        secret = any(word in name for word in _SECRET_WORDS)
        shown[name] = (f"<set, {len(value)} characters, hidden>" if secret
                       else _URL_CREDENTIALS.sub("<hidden>@", value))
    return shown


def _cache_size(cache: str) -> Optional[int]:
    return files.tree_size(cache) if os.path.isdir(cache) else None


def collect() -> Dict[str, object]:
    """What `tfhub env` reports, as a JSON-able dict."""
    cache = str(config.cache_dir())
    return {
        "tfhub": __version__,
        "python": f"{platform.python_version()} ({sys.executable})",
        "platform": platform.platform(),
        "packages": {label: _version_of(dists) for label, dists in _PACKAGES},
        "cache_dir": cache,
        "cache_bytes": _cache_size(cache),
        "settings": _settings(),
    }


def _env(args: argparse.Namespace) -> int:
    report = collect()
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    size = report["cache_bytes"]
    lines: List[str] = [
        f"tfhub:           {report['tfhub']}",
        f"Python:          {report['python']}",
        f"platform:        {report['platform']}",
    ]
    lines += [f"{label + ':':<17}{version or '(not installed)'}" for label, version in report["packages"].items()]
    lines.append(f"cache:           {report['cache_dir']} "
                 f"({'does not exist yet' if size is None else output.human_size(size)})")
    settings = report["settings"]
    lines.append("TFHUB_ settings:" + (" (none set)" if not settings else ""))
    lines += [f"  {name}={value}" for name, value in settings.items()]
    print("\n".join(lines))
    return 0
