"""The whole lesson: "Momentum: why gradient descent gets stuck in ravines", twelve chapters.

Render: ``manim render scenes/ravine.py`` (one MP4 with ``.srt``, ``.vtt`` and
``.chapters.vtt``; add ``-ql`` for a quick 480p preview). Each chapter is also
its own video (``manim render scenes/<chapter>.py``); this scene plays the
same :class:`~lessonkit.chapters.Chapter` objects, in order.
"""

from __future__ import annotations

from beyond_ravines import BeyondRavinesChapter
from choosing_beta import ChoosingBetaChapter
from in_code import InCodeChapter
from opening import OpeningChapter
from overshoot import OvershootChapter
from race import RaceChapter
from ravine_3d import Ravine3DChapter
from recap import RecapChapter
from refresher import RefresherChapter
from velocity import VelocityChapter
from worked_example import WorkedExampleChapter
from zigzag import ZigzagChapter

from lessonkit import Chapter, LessonScene, play_chapters

#: The lesson's chapters, in the order they are played.
CHAPTERS: tuple[type[Chapter], ...] = (
    OpeningChapter,
    RefresherChapter,
    Ravine3DChapter,
    ZigzagChapter,
    VelocityChapter,
    WorkedExampleChapter,
    RaceChapter,
    OvershootChapter,
    ChoosingBetaChapter,
    BeyondRavinesChapter,
    InCodeChapter,
    RecapChapter,
)


class Ravine(LessonScene):
    """The complete narrated lesson, chapter by chapter."""

    def construct(self) -> None:
        play_chapters(self, *(chapter() for chapter in CHAPTERS))
