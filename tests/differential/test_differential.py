"""Each scenario's outcome with tfhub must match its outcome with tensorflow_hub.

Matching: the same keys and values (floats to a relative 1e-4), except that where
tensorflow_hub raised, tfhub must raise an error a tensorflow_hub caller would catch (every
builtin/tf.errors class of tensorflow_hub's error, more allowed). Error messages are not
compared. Deliberate differences are asserted per key (``differs``).
"""

from __future__ import annotations

import math
from typing import Any, List

import pytest

from tests.differential import scenarios
from tests.differential.conftest import peer_version
from tests.differential.coverage import gaps
from tests.differential.harness import SCENARIOS, Scenario

PEER = peer_version()
# The first test's setup runs every scenario (about 2-3 minutes on a loaded machine).
pytestmark = pytest.mark.timeout(1500)


def _param(item: Scenario):
    marks = []
    reason = item.xfail.get(PEER) or item.xfail.get("*")
    if reason and PEER in item.hub_versions:
        marks.append(pytest.mark.xfail(strict=True, reason=reason))
    return pytest.param(item, id=item.name, marks=marks)


def mismatches(hub: Any, ours: Any, path: str = "") -> List[str]:
    """Where ``ours`` (tfhub) departs from ``hub`` (tensorflow_hub)."""
    if isinstance(hub, dict) and "error" in hub and set(hub) <= {"error", "message"}:
        if not (isinstance(ours, dict) and "error" in ours):
            return [f"{path}: tensorflow_hub raised {hub['error']}, tfhub gave {ours!r:.300}"]
        missing = set(hub["error"]) - set(ours["error"])
        return [f"{path}: tfhub's error {ours['error']} is not a {sorted(missing)} "
                f"({ours.get('message', '')!r:.300})"] if missing else []
    if isinstance(hub, dict) and isinstance(ours, dict):
        keys = (set(hub) | set(ours)) - {"message"}
        return [m for k in sorted(keys) for m in mismatches(
            hub.get(k, "<missing>"), ours.get(k, "<missing>"), f"{path}.{k}")]
    if isinstance(hub, list) and isinstance(ours, list) and len(hub) == len(ours):
        return [m for i, (a, b) in enumerate(zip(hub, ours)) for m in mismatches(a, b, f"{path}[{i}]")]
    if isinstance(hub, float) and isinstance(ours, (int, float)) and not isinstance(ours, bool):
        return [] if math.isclose(hub, ours, rel_tol=1e-4, abs_tol=1e-5) else [f"{path}: {hub} != {ours}"]
    return [] if hub == ours else [f"{path}: tensorflow_hub {hub!r:.300} != tfhub {ours!r:.300}"]


def missing_from(hub: Any, ours: Any, path: str = "") -> List[str]:
    """What tensorflow_hub has (dict keys, list items) that tfhub lacks."""
    if isinstance(hub, dict) and isinstance(ours, dict):
        return [m for k in hub for m in (missing_from(hub[k], ours[k], f"{path}.{k}") if k in ours
                                         else [f"{path}.{k}: missing"])]
    if isinstance(hub, list) and isinstance(ours, list):
        return [f"{path}: missing {x!r}" for x in hub if x not in ours]
    return mismatches(hub, ours, path)


@pytest.mark.parametrize("item", [_param(s) for s in SCENARIOS.values()])
def test_same_outcome(item: Scenario, outcomes) -> None:
    if PEER not in item.hub_versions:
        pytest.skip(f"applies to tensorflow_hub {'/'.join(item.hub_versions)}, this lane has {PEER}")
    theirs, ours = outcomes["tensorflow_hub"][item.name], outcomes["tfhub"][item.name]
    assert "crashed" not in theirs["outcome"], theirs.get("traceback")
    hub_outcome, our_outcome = dict(theirs["outcome"]), dict(ours["outcome"])
    for key, (expected_hub, expected_ours) in item.differs.items():  # deliberate differences
        assert hub_outcome.pop(key, None) == expected_hub, (key, theirs)
        assert our_outcome.pop(key, None) == expected_ours, (key, ours)
    problems = (missing_from(hub_outcome, our_outcome) if item.superset
                else mismatches(hub_outcome, our_outcome))
    assert not problems, "\n".join(problems + [ours.get("traceback") or theirs.get("traceback") or ""])


# Members no scenario exercises yet, each with the reason. Keep it short and true.
NOT_COVERED: dict = {}  # (name, member) -> reason


def test_every_public_name_and_parameter_is_covered(outcomes) -> None:
    """tensorflow_hub's own surface in this lane (names, parameters, methods) vs the scenarios."""
    api = outcomes["tensorflow_hub"]["api_surface"]["outcome"]["surface"]
    names, pairs = gaps(api, PEER)
    pairs = [p for p in pairs if p not in NOT_COVERED]
    total = sum(len(m) for m in api.values())
    print(f"tensorflow_hub {PEER}: {len(api)} public names, {total} parameters/methods, "
          f"{len(SCENARIOS)} scenarios")
    assert not names, f"public names of tensorflow_hub {PEER} no scenario covers: {names}"
    assert not pairs, f"parameters/methods no scenario covers: {pairs}"
