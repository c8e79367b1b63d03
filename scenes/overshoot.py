"""Video: the chapter "Too much momentum" on its own; its storyboard is :mod:`lesson_chapters.overshoot`.

Render: ``manim render scenes/overshoot.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Overshoot(ChapterScene):
    """The chapter "Too much momentum" as its own video."""

    chapter_name = "overshoot"
