"""Chapter 1, the opening: the lesson's title and the question it answers.

The title, a faint picture of the ravine with the first few steps of plain
gradient descent bouncing between its walls, and the question: why does
plain gradient descent crawl through a long, narrow valley?

Render: ``manim render scenes/opening.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from manim import (
    DOWN,
    UP,
    Create,
    LaggedStart,
    Text,
    VGroup,
)

from lesson_narration.opening import LESSON_TITLE, OpeningFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.maps import ContourMap, minimum_marker, ravine_map_frame
from lessonkit.motion import TrajectoryTrail
from lessonkit.narration import LessonScene


class OpeningChapter(Chapter):
    """The title, a teaser of the zigzag, and the lesson's question."""

    name = "opening"
    #: Opacity of the teaser's contour lines: a faint picture, not yet explained.
    faint_opacity = 0.4

    def figures(self) -> OpeningFigures:
        """The teaser run (see :func:`lesson_narration.opening.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        name, _, subtitle = LESSON_TITLE.partition(": ")

        # Beat: the lesson's title.
        heading = Text(name, font=style.FONT, font_size=56, color=style.TEXT_COLOR, weight="BOLD")
        tagline = Text(
            subtitle, font=style.FONT, font_size=style.BODY_SIZE, color=style.MUTED_TEXT_COLOR
        )
        title_block = VGroup(heading, tagline).arrange(DOWN, buff=0.3)
        title_block.move_to(UP * 0.6)
        with scene.voiceover(text=lines.welcome) as tracker:
            scene.play(FadeIn(heading, shift=DOWN * 0.2), run_time=1.0)
            scene.play(FadeIn(tagline), run_time=max(min(tracker.duration - 1.0, 1.5), 0.5))

        # Beat: a faint ravine, and plain gradient descent bouncing across it.
        frame = ravine_map_frame(figs.experiment.surface)
        contours = ContourMap(figs.experiment.surface, frame)
        contours.set_stroke(opacity=self.faint_opacity)
        minimum = minimum_marker(figs.experiment.surface, frame).set_stroke(opacity=0.6)
        trail = TrajectoryTrail(figs.run, frame, color=style.GD_COLOR)
        with scene.voiceover(text=lines.valley) as tracker:
            scene.play(title_block.animate.to_edge(UP, buff=0.55), run_time=0.8)
            scene.play(
                LaggedStart(*[Create(ring) for ring in contours], lag_ratio=0.12),
                FadeIn(minimum),
                run_time=2.0,
            )
            scene.play(FadeIn(trail), run_time=0.4)
            scene.play(
                trail.walk(trail.last_step, run_time=max(tracker.get_remaining_duration(), 1.0))
            )

        # Beat: the question, left on screen to think about.
        question = VGroup(
            Text(
                "Why does plain gradient descent crawl",
                font=style.FONT,
                font_size=style.BODY_SIZE + 2,
                color=style.HIGHLIGHT_COLOR,
            ),
            Text(
                "through a long, narrow valley?",
                font=style.FONT,
                font_size=style.BODY_SIZE + 2,
                color=style.HIGHLIGHT_COLOR,
            ),
        ).arrange(DOWN, buff=0.2)
        question.next_to(heading, DOWN, buff=0.35)
        with scene.voiceover(text=lines.question):
            scene.wait_until_bookmark("ask")
            scene.play(FadeOut(tagline), FadeIn(question, shift=UP * 0.15), run_time=1.0)
        scene.hold(question)
        scene.pause(2.0)

        # Beat: the promise.
        with scene.voiceover(text=lines.plan):
            pass
