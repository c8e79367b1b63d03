"""Chapters: short, self-contained stories that one scene can play in a row.

A video file defines a :class:`Chapter` subclass (its beats in ``play``) and
a one-line scene that plays it; the full lesson plays many chapters in one
scene, each also renderable as its own clip.

Each chapter has a lifecycle, run by :func:`play_chapters`:

1. :meth:`Chapter.setup` puts the camera the chapter needs in place: the flat
   camera, or (``three_d = True``) a fresh 3-D camera at
   ``camera_orientation``;
2. :meth:`Chapter.play` runs the beats;
3. :meth:`Chapter.teardown` fades out what is left, empties the scene and
   puts the flat camera back.

Because every chapter starts from the same state, it looks the same played
alone or in the middle of the lesson.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any, ClassVar

from lesson_narration.registry import LESSON, ChapterEntry

from .fading import FadeOut
from .narration import LessonScene

__all__ = [
    "Chapter",
    "ChapterScene",
    "LessonScene",
    "chapter_class",
    "lesson_chapters",
    "play_chapters",
]


class Chapter:
    """One chapter of the lesson. Subclasses set ``name`` and implement ``play``.

    ``name`` is the chapter's name in :data:`lesson_narration.registry.LESSON`,
    which gives its ``title`` (a chapter outside the lesson sets ``title`` itself).

    ``three_d`` and ``camera_orientation`` (``set_camera_orientation``'s
    keywords, e.g. ``phi``, ``theta``, ``zoom``) choose the camera;
    :meth:`figures` returns the numbers the chapter shows, computed by
    ``momentum_math``, so tests can check them.
    """

    name: ClassVar[str] = ""
    title: ClassVar[str] = "Untitled chapter"
    three_d: ClassVar[bool] = False
    camera_orientation: ClassVar[Mapping[str, Any]] = {}
    #: Seconds of the fade-out that ends the chapter.
    fade_out_s: ClassVar[float] = 0.6

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "name" in cls.__dict__ and "title" not in cls.__dict__:
            cls.title = LESSON.chapter(cls.name).title

    def figures(self) -> Any:
        """The numbers this chapter shows and speaks (``None`` when it shows none)."""
        return None

    def setup(self, scene: LessonScene) -> None:
        """Put the chapter's camera in place (flat, or 3-D at ``camera_orientation``)."""
        scene.clear()
        if self.three_d:
            scene.use_3d_camera(**dict(self.camera_orientation))
        else:
            scene.use_2d_camera()

    def play(self, scene: LessonScene) -> None:
        """Lay out and animate the chapter's beats on ``scene``.

        What is still on screen at the end is faded out by :meth:`teardown`.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement play(scene)")

    def teardown(self, scene: LessonScene) -> None:
        """Fade out what is left, empty the scene and restore the flat camera."""
        visible = [mobject for mobject in scene.mobjects if mobject.get_family()]
        if visible:
            scene.play(*[FadeOut(mobject) for mobject in visible], run_time=self.fade_out_s)
        scene.clear()
        scene.use_2d_camera()


def play_chapters(scene: LessonScene, *chapters: Chapter) -> None:
    """Play ``chapters`` in order on ``scene``: mark, set up, play and tear down each.

    Every chapter's figures are computed first, so a ``MOMENTUM_LESSON_CONFIG`` value one
    of them cannot show stops the render before its first frame, not chapters into it.
    """
    for chapter in chapters:
        chapter.figures()
    for chapter in chapters:
        scene.chapter(chapter.title)
        chapter.setup(scene)
        chapter.play(scene)
        chapter.teardown(scene)


def chapter_class(entry: ChapterEntry) -> type[Chapter]:
    """The storyboard class of the lesson's chapter ``entry`` (imports its module)."""
    chapter = getattr(importlib.import_module(entry.chapter_module), entry.chapter_class)
    if (
        not (isinstance(chapter, type) and issubclass(chapter, Chapter))
        or chapter.name != entry.name
    ):
        raise TypeError(
            f"{entry.chapter_module}.{entry.chapter_class} is not the chapter {entry.name!r}"
        )
    return chapter


def lesson_chapters() -> list[type[Chapter]]:
    """Every chapter's storyboard class, in the order the lesson plays them."""
    return [chapter_class(entry) for entry in LESSON.chapters]


class ChapterScene(LessonScene):
    """A video of one of the lesson's chapters: subclasses set ``chapter_name``, its name in the
    registry."""

    chapter_name: ClassVar[str] = ""

    def construct(self) -> None:
        play_chapters(self, chapter_class(LESSON.chapter(self.chapter_name))())
