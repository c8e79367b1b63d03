"""Video: the chapter "The ravine in 3-D" on its own.

Its storyboard is :mod:`lesson_chapters.ravine_3d`; render:
``manim render scenes/ravine_3d.py`` (add ``-ql`` for a quick 480p preview).
"""

from lessonkit.chapters import ChapterScene


class Ravine3D(ChapterScene):
    """The chapter "The ravine in 3-D" as its own video."""

    chapter_name = "ravine_3d"
