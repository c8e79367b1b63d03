"""Video: the chapter "The zigzag" on its own; its storyboard is :mod:`lesson_chapters.zigzag`.

Render: ``manim render scenes/zigzag.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Zigzag(ChapterScene):
    """The chapter "The zigzag" as its own video."""

    chapter_name = "zigzag"
