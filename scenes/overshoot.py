"""Video: the chapter "Too much momentum" on its own.

Its storyboard is :mod:`lesson_chapters.overshoot`; render:
``manim render scenes/overshoot.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Overshoot(ChapterScene):
    """The chapter "Too much momentum" as its own video."""

    chapter_name = "overshoot"
