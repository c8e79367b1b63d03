"""The lesson's table of contents: every chapter in order, what it is called, where it lives.

This module is the one place that says what the lesson is made of. The whole
lesson (``scenes/ravine.py``), each chapter's own video, the build, the
benchmark, the contact sheet and the tests all read it; none of them parses
source or keeps a list of its own. It imports nothing but the standard
library, so the build can plan a lesson without importing manim.

>>> [chapter.name for chapter in LESSON.chapters][:3]
['opening', 'refresher', 'ravine_3d']
>>> LESSON.chapter("race").presets
('ravine_zigzag', 'stretched_bowl_race')
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["LESSON", "PRESET_KEYS", "ChapterEntry", "Lesson"]


@dataclass(frozen=True)
class ChapterEntry:
    """One chapter of the lesson.

    ``name`` is the file stem shared by its three modules: the video
    ``scenes/<name>.py`` (scene class ``scene_class``), the storyboard
    ``lesson_chapters.<name>`` (class ``chapter_class``) and the figures and
    prose ``lesson_narration.<name>``. ``presets`` names the experiments of
    :mod:`momentum_math.presets` the chapter reads (so a ``--config`` override
    of another preset leaves it alone).
    """

    name: str
    title: str
    scene_class: str
    chapter_class: str
    presets: tuple[str, ...] = ()

    @property
    def scene_file(self) -> str:
        """The video's file, relative to the project folder."""
        return f"scenes/{self.name}.py"

    @property
    def chapter_module(self) -> str:
        """The storyboard's module (imports manim)."""
        return f"lesson_chapters.{self.name}"

    @property
    def narration_module(self) -> str:
        """The figures and prose module (no manim)."""
        return f"lesson_narration.{self.name}"


@dataclass(frozen=True)
class Lesson:
    """A lesson: its title, the whole lesson's video, and its chapters in the order played."""

    title: str
    name: str
    scene_class: str
    chapters: tuple[ChapterEntry, ...]

    @property
    def scene_file(self) -> str:
        """The whole lesson's video file, relative to the project folder."""
        return f"scenes/{self.name}.py"

    @property
    def names(self) -> list[str]:
        """The chapters' names, in order."""
        return [chapter.name for chapter in self.chapters]

    def chapter(self, name: str) -> ChapterEntry:
        """The chapter called ``name``; a ``KeyError`` lists the names there are."""
        for entry in self.chapters:
            if entry.name == name:
                return entry
        raise KeyError(f"no chapter {name!r} in the lesson; chapters: {', '.join(self.names)}")

    @property
    def presets(self) -> tuple[str, ...]:
        """The presets some chapter reads, in the order the lesson first reads them."""
        return tuple(dict.fromkeys(preset for entry in self.chapters for preset in entry.presets))


_RAVINE = ("ravine_zigzag",)
_BOWL = ("stretched_bowl_race",)

#: The lesson "Momentum: why gradient descent gets stuck in ravines", twelve chapters.
LESSON = Lesson(
    title="Momentum: why gradient descent gets stuck in ravines",
    name="ravine",
    scene_class="Ravine",
    chapters=(
        ChapterEntry("opening", "Opening", "Opening", "OpeningChapter", _RAVINE),
        ChapterEntry("refresher", "Refresher", "Refresher", "RefresherChapter"),
        ChapterEntry("ravine_3d", "The ravine in 3-D", "Ravine3D", "Ravine3DChapter", _RAVINE),
        ChapterEntry("zigzag", "The zigzag", "Zigzag", "ZigzagChapter", _RAVINE),
        ChapterEntry("velocity", "Velocity", "Velocity", "VelocityChapter", _RAVINE),
        ChapterEntry(
            "worked_example", "The worked example", "WorkedExample", "WorkedExampleChapter"
        ),
        ChapterEntry(
            "race", "The race", "Race", "RaceChapter", ("ravine_zigzag", "stretched_bowl_race")
        ),
        ChapterEntry("overshoot", "Too much momentum", "Overshoot", "OvershootChapter", _BOWL),
        ChapterEntry("choosing_beta", "Choosing β", "ChoosingBeta", "ChoosingBetaChapter", _BOWL),
        ChapterEntry(
            "beyond_ravines",
            "Beyond ravines",
            "BeyondRavines",
            "BeyondRavinesChapter",
            ("qfsp_escape",),
        ),
        ChapterEntry("in_code", "In code", "InCode", "InCodeChapter", _RAVINE),
        ChapterEntry("recap", "Recap and quiz", "Recap", "RecapChapter", _BOWL),
    ),
)

#: The keys of each preset that the lesson's chapters read: all a ``--config`` may set.
#: The ravine chapters draw no finish line (no ``threshold``); "Beyond ravines" runs its
#: own momenta (no ``betas``, no ``threshold``). Every preset some chapter reads is here
#: (tests/test_config_checks.py holds this table to the chapters' figures).
PRESET_KEYS: dict[str, tuple[str, ...]] = {
    "ravine_zigzag": ("surface", "start", "lr", "betas", "steps", "convention"),
    "stretched_bowl_race": (
        "surface",
        "start",
        "lr",
        "betas",
        "steps",
        "convention",
        "threshold",
    ),
    "qfsp_escape": ("surface", "start", "lr", "steps", "convention"),
}
