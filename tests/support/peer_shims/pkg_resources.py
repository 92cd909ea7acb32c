"""The one name tensorflow_hub's import check needs from ``pkg_resources``.

setuptools 81+ no longer ships ``pkg_resources``, so ``import tensorflow_hub`` fails
in the locked lanes. Side-by-side tests put this directory on the peer process's
``PYTHONPATH`` (only when the real module is missing) so the peer can be run at all.
"""

from packaging.version import parse as parse_version  # noqa: F401
