"""Video: the chapter "Choosing β" on its own.

Its storyboard is :mod:`lesson_chapters.choosing_beta`; render:
``manim render scenes/choosing_beta.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class ChoosingBeta(ChapterScene):
    """The chapter "Choosing β" as its own video."""

    chapter_name = "choosing_beta"
