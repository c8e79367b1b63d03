"""Shared test set-up: load scene files the way ``manim render`` does, and chapters' storyboards."""

from __future__ import annotations

import importlib
import types
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENES = ROOT / "scenes"

#: Fixtures that start Debian's chromium: a test using one is marked ``browser``.
BROWSER_FIXTURES = {"browser", "site"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that drives the browser ``browser`` (``make test-fast`` leaves them out)."""
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


def load_scene_module(name: str) -> types.ModuleType:
    """Import ``scenes/<name>.py`` (or a path) with manim's loader, as ``manim render`` would."""
    from manim.utils.module_ops import get_module

    path = Path(name) if name.endswith(".py") else SCENES / f"{name}.py"
    return get_module(path)


def chapter_module(name: str) -> types.ModuleType:
    """The storyboard module ``lesson_chapters.<name>`` (its ``Chapter`` class and helpers)."""
    return importlib.import_module(f"lesson_chapters.{name}")
