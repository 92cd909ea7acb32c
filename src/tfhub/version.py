"""The version of tfhub."""

__version__ = "0.17.0.dev0"
