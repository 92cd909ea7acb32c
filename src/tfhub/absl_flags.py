"""tensorflow_hub's absl flags, ``--tfhub_cache_dir`` and ``--tfhub_model_load_format``.

Importing ``absl.flags`` costs more than all of ``import tfhub``, so it is never
imported here. The flags are defined as soon as absl is there: at ``import
tfhub`` if the program has loaded absl already (``from absl import app`` and
``import tensorflow`` both do), otherwise right after the program first imports
``absl.flags`` (a one-shot import hook), which is still before ``app.run``
parses the command line.

tensorflow_hub defines the same names. If it came first, its flags are shared
(read, not redefined); if tfhub came first, ours allow tensorflow_hub to
replace them, so importing both in either order raises no ``DuplicateFlagError``.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

CACHE_DIR_FLAG = "tfhub_cache_dir"
LOAD_FORMAT_FLAG = "tfhub_model_load_format"
_ABSL_FLAGS = "absl.flags"


def _define(flags: Any) -> None:
    values = flags.FLAGS
    if CACHE_DIR_FLAG not in values:
        flags.DEFINE_string(
            CACHE_DIR_FLAG, None,
            "Directory for caching downloaded models; TFHUB_CACHE_DIR takes precedence.",
            allow_override=True)
    if LOAD_FORMAT_FLAG not in values:
        flags.DEFINE_enum(
            LOAD_FORMAT_FLAG, "AUTO", ["AUTO", "COMPRESSED", "UNCOMPRESSED"],
            "How models are fetched; TFHUB_MODEL_LOAD_FORMAT takes precedence.",
            allow_override=True, case_sensitive=False)


class _AfterAbslFlagsImport:
    """A meta path finder that defines the flags once ``absl.flags`` has executed."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname != _ABSL_FLAGS:
            return None
        import importlib.util  # not at import tfhub: it costs more than tfhub

        _remove_hook()
        spec = importlib.util.find_spec(fullname)  # the finders after this one
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        original = loader.exec_module

        def exec_module(module: Any) -> None:
            original(module)
            _define(module)

        loader.exec_module = exec_module
        return spec


_HOOK = _AfterAbslFlagsImport()


def _remove_hook() -> None:
    if _HOOK in sys.meta_path:
        sys.meta_path.remove(_HOOK)


def define_when_absl_loads() -> None:
    """Defines the flags now if absl is loaded, else as soon as it is (called by ``import tfhub``)."""
    flags = sys.modules.get(_ABSL_FLAGS)
    if flags is not None:
        _define(flags)
    elif _HOOK not in sys.meta_path:
        sys.meta_path.insert(0, _HOOK)


def value(name: str) -> Optional[str]:
    """The flag's value as the program set it, or None (also when absl is not loaded).

    Read as ``FLAGS[name].value`` like tensorflow_hub, so it works before, or
    without, parsing the command line.
    """
    flags = sys.modules.get(_ABSL_FLAGS)
    if flags is None:
        return None
    try:
        raw = flags.FLAGS[name].value
    except KeyError:
        return None
    return raw or None
