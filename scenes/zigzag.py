"""Video: the chapter "The zigzag" on its own.

Its storyboard is :mod:`lesson_chapters.zigzag`; render:
``manim render scenes/zigzag.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Zigzag(ChapterScene):
    """The chapter "The zigzag" as its own video."""

    chapter_name = "zigzag"
