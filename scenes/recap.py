"""Video: the chapter "Recap and quiz" on its own.

Its storyboard is :mod:`lesson_chapters.recap`; render:
``manim render scenes/recap.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Recap(ChapterScene):
    """The chapter "Recap and quiz" as its own video."""

    chapter_name = "recap"
