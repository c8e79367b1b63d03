"""Shared test set-up: scene folders are importable, as manim makes them when rendering."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for folder in (ROOT / "scenes", ROOT / "tests" / "scenes"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
