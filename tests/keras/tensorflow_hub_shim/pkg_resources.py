"""The one name tensorflow_hub 0.16.1 imports from pkg_resources (setuptools 81+ has none).

Put on PYTHONPATH only for the side-by-side runs of tensorflow_hub in a lane
whose setuptools no longer ships pkg_resources.
"""

from packaging.version import parse as parse_version  # noqa: F401
