"""Video: the chapter "Refresher" on its own.

Its storyboard is :mod:`lesson_chapters.refresher`; render:
``manim render scenes/refresher.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Refresher(ChapterScene):
    """The chapter "Refresher" as its own video."""

    chapter_name = "refresher"
