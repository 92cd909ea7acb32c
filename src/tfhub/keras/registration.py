"""Lets Keras find ``hub.KerasLayer`` in saved models once ``tfhub`` is imported.

Keras 3 looks a saved layer up by its registered name (``"tfhub>KerasLayer"``)
and imports a module named in the file only for Keras' own packages, so
``keras.models.load_model("m.keras")`` needs the name registered before it
runs. ``import tfhub`` must not import TensorFlow or Keras, so :func:`install`
registers :class:`tfhub.keras.layer.KerasLayer` (which imports neither) into
each Keras already imported, and into the others right after they are
imported, through a finder on ``sys.meta_path``. The flavour classes replace
the entry with themselves when they are imported.
"""

from __future__ import annotations

import sys

from tfhub import logs

TYPE_CHECKING = False
if TYPE_CHECKING:
    import importlib.machinery
    import types
    from typing import Any, Callable, Optional, Sequence, Set

REGISTERED_NAME = "tfhub>KerasLayer"
_PACKAGES = ("keras", "tf_keras")


def install() -> None:
    """Registers now in each Keras already imported, later in the others."""
    pending: Set[str] = set()
    for package in _PACKAGES:
        module = sys.modules.get(package)
        if module is not None and getattr(module, "saving", None) is not None:
            _register(module)
        else:
            pending.add(package)
    if pending and not any(isinstance(f, _AfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _AfterImport(pending))


def _register(keras_module: "types.ModuleType") -> None:
    """Adds ``hub.KerasLayer`` to that Keras' custom objects unless it is there."""
    try:
        from tfhub.keras.layer import KerasLayer  # imports no TF

        keras_module.saving.get_custom_objects().setdefault(REGISTERED_NAME, KerasLayer)
    except Exception:  # never break the user's `import keras`
        logs.log.debug("could not register hub.KerasLayer with %s", keras_module.__name__,
                   exc_info=True)


class _AfterImport:
    """Registers with ``keras``/``tf_keras`` once their import has run (a ``sys.meta_path`` finder).

    Not an ``importlib.abc`` subclass: importing that module would cost
    ``import tfhub`` more than all of the rest of it.

    Only an import counts: ``importlib.util.find_spec("keras")`` (TensorFlow
    calls it) also asks this finder, without running the package.
    """

    def __init__(self, pending: Set[str]) -> None:
        self._pending = pending
        self._searching: Set[str] = set()

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Any = None) -> "Optional[importlib.machinery.ModuleSpec]":
        if fullname not in self._pending or fullname in self._searching:
            return None
        import importlib.util  # only when a Keras is imported

        self._searching.add(fullname)  # the lookup below asks this finder again
        try:
            spec = importlib.util.find_spec(fullname)
        finally:
            self._searching.discard(fullname)
        if spec is None or spec.loader is None:
            return spec
        spec.loader = _RegisteringLoader(spec.loader, self._done)  # type: ignore[assignment]  # a Loader by its methods
        return spec

    def _done(self, fullname: str) -> None:
        self._pending.discard(fullname)
        if not self._pending and self in sys.meta_path:
            sys.meta_path.remove(self)


class _RegisteringLoader:
    """A package's own loader, registering ``hub.KerasLayer`` after it ran."""

    def __init__(self, loader: Any, done: Callable[[str], None]) -> None:
        self._loader = loader
        self._done = done

    def create_module(self, spec: "importlib.machinery.ModuleSpec") -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: "types.ModuleType") -> None:
        self._loader.exec_module(module)
        self._done(module.__name__)
        _register(module)

    def __getattr__(self, name: str) -> Any:  # get_resource_reader, is_package...
        return getattr(self._loader, name)
