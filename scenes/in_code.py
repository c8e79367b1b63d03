"""Video: the chapter "In code" on its own.

Its storyboard is :mod:`lesson_chapters.in_code`; render:
``manim render scenes/in_code.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class InCode(ChapterScene):
    """The chapter "In code" as its own video."""

    chapter_name = "in_code"
