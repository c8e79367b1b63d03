"""``--config lesson.toml``: the build reads and checks the file before anything renders.

The format and its checks live in :mod:`lessonkit.config`, which the scenes
use at render time; this module re-exports them for the build.
"""

from lessonkit.config import KEYS, ConfigError, load

__all__ = ["KEYS", "ConfigError", "load"]
