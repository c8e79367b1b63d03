"""Video: the chapter "The worked example" on its own.

Its storyboard is :mod:`lesson_chapters.worked_example`; render:
``manim render scenes/worked_example.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class WorkedExample(ChapterScene):
    """The chapter "The worked example" as its own video."""

    chapter_name = "worked_example"
