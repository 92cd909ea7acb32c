"""Hypothesis profiles for the fuzz tests (their tally is printed by tests/conftest.py).

The default profile ("ci") is derandomized and bounded so that the whole
directory runs in well under a minute; ``TFHUB_FUZZ_PROFILE=long`` runs many
more (random) examples, for a night on a spare machine.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", max_examples=150, derandomize=True, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.register_profile(
    "long", max_examples=20_000, derandomize=False, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
settings.load_profile(os.environ.get("TFHUB_FUZZ_PROFILE", "ci"))
