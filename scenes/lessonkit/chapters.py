"""Chapters: short, self-contained stories that one scene can play in a row.

A video file defines a :class:`Chapter` subclass (its beats in ``play``) and
a one-line scene that plays it; the full lesson plays many chapters in one
scene, each also renderable as its own clip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import FadeOut

if TYPE_CHECKING:
    from lessonkit.narration import LessonScene


class Chapter:
    """One chapter of the lesson. Subclasses set ``title`` and implement ``play``."""

    title: str = "Untitled chapter"

    def play(self, scene: LessonScene) -> None:
        """Lay out and animate the chapter's beats on ``scene``.

        What is still on screen at the end is faded out by :func:`play_chapters`.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement play(scene)")


def play_chapters(scene: LessonScene, *chapters: Chapter) -> None:
    """Play ``chapters`` in order on ``scene``, marking each and clearing between them."""
    for chapter in chapters:
        scene.chapter(chapter.title)
        chapter.play(scene)
        if scene.mobjects:
            scene.play(*[FadeOut(mobject) for mobject in scene.mobjects], run_time=0.6)
        scene.clear()
