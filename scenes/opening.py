"""Video: the chapter "Opening" on its own.

Its storyboard is :mod:`lesson_chapters.opening`; render:
``manim render scenes/opening.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Opening(ChapterScene):
    """The chapter "Opening" as its own video."""

    chapter_name = "opening"
