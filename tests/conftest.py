"""Shared test set-up: load scene files the way ``manim render`` does, and chapters' storyboards."""

from __future__ import annotations

import importlib
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENES = ROOT / "scenes"


def load_scene_module(name: str) -> types.ModuleType:
    """Import ``scenes/<name>.py`` (or a path) with manim's loader, as ``manim render`` would."""
    from manim.utils.module_ops import get_module

    path = Path(name) if name.endswith(".py") else SCENES / f"{name}.py"
    return get_module(path)


def chapter_module(name: str) -> types.ModuleType:
    """The storyboard module ``lesson_chapters.<name>`` (its ``Chapter`` class and helpers)."""
    return importlib.import_module(f"lesson_chapters.{name}")
