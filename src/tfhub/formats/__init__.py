"""Recognising model formats on disk."""

from tfhub.formats.detect import ModelFormat, detect

__all__ = ["ModelFormat", "detect"]
