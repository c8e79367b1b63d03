"""Shared test set-up: the scenes folder is importable, as manim makes it when rendering."""

from __future__ import annotations

import sys
from pathlib import Path

SCENES_DIR = Path(__file__).resolve().parent.parent / "scenes"
if str(SCENES_DIR) not in sys.path:
    sys.path.insert(0, str(SCENES_DIR))
