"""The `tfhub` command."""
