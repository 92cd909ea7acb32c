"""Coverage, measured: tensorflow_hub's public names and their parameters, as the lane's
real package reports them (scenario ``api_surface``), against the scenarios' ``covers``."""

from __future__ import annotations

import inspect
import types
from typing import Any, Dict, List, Set, Tuple

from tests.differential.harness import SCENARIOS


def surface(hub: Any) -> Dict[str, List[str]]:
    """Public name -> its parameters (callables) and public methods/properties (classes).

    Submodules (``hub.resolver``, ``hub.keras_layer``, ...) are implementation, not API.
    """
    result: Dict[str, List[str]] = {}
    names = [n for n in dir(hub) if not n.startswith("_")] + (
        ["__version__"] if hasattr(hub, "__version__") else [])
    for name in names:
        value = getattr(hub, name)
        if isinstance(value, types.ModuleType):
            continue
        members: List[str] = []
        if callable(value):
            try:
                members += [p for p in inspect.signature(value).parameters if not p.startswith("_")]
            except (TypeError, ValueError):
                pass
        if inspect.isclass(value) and not hasattr(value, "DESCRIPTOR"):  # protos: fields below
            own = {n for klass in value.__mro__ if klass.__module__.split(".")[0] in (
                "tensorflow_hub", "tfhub") for n in vars(klass)}
            members += sorted(n for n in own if not n.startswith("_") or n == "__call__")
        result[name] = sorted(set(members))
    return result


def covered(version: str) -> Set[Tuple[str, str]]:
    return {pair for item in SCENARIOS.values() if version in item.hub_versions
            for pair in item.covers}


def gaps(api: Dict[str, List[str]], version: str) -> Tuple[List[str], List[Tuple[str, str]]]:
    """(names no scenario covers, (name, member) pairs no scenario covers)."""
    done = covered(version)
    names = sorted(n for n in api if not any(c[0] == n for c in done))
    pairs = sorted((n, m) for n, members in api.items() for m in members if (n, m) not in done)
    return names, pairs
