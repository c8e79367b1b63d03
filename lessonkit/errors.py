"""The configuration error, importable without NumPy or manim (the command line needs it)."""

from __future__ import annotations

__all__ = ["ConfigError"]


class ConfigError(ValueError):
    """A lesson configuration file is unreadable or holds a value that is not allowed."""
