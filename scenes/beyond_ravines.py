"""Video: the chapter "Beyond ravines" on its own.

Its storyboard is :mod:`lesson_chapters.beyond_ravines`; render:
``manim render scenes/beyond_ravines.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class BeyondRavines(ChapterScene):
    """The chapter "Beyond ravines" as its own video."""

    chapter_name = "beyond_ravines"
