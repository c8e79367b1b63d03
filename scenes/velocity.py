"""Video: the chapter "Velocity" on its own.

Its storyboard is :mod:`lesson_chapters.velocity`; render:
``manim render scenes/velocity.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Velocity(ChapterScene):
    """The chapter "Velocity" as its own video."""

    chapter_name = "velocity"
