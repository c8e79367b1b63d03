"""The whole lesson: "Momentum: why gradient descent gets stuck in ravines", twelve chapters.

Render: ``manim render scenes/ravine.py`` (one MP4 with ``.srt``, ``.vtt`` and
``.chapters.vtt``; add ``-ql`` for a quick 480p preview). Each chapter is also
its own video (``manim render scenes/<chapter>.py``); this scene plays the
same chapters, in the order :data:`lesson_narration.registry.LESSON` lists them.
"""

from lessonkit.chapters import LessonScene, lesson_chapters, play_chapters


class Ravine(LessonScene):
    """The complete narrated lesson, chapter by chapter."""

    def construct(self) -> None:
        play_chapters(self, *(chapter() for chapter in lesson_chapters()))
