"""Video: the chapter "The race" on its own.

Its storyboard is :mod:`lesson_chapters.race`; render:
``manim render scenes/race.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Race(ChapterScene):
    """The chapter "The race" as its own video."""

    chapter_name = "race"
