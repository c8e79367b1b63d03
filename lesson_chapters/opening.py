"""Chapter 1, the opening: the lesson's title and the question it answers.

The title, a faint picture of the ravine with the first few steps of plain
gradient descent bouncing between its walls, and the question: why does
plain gradient descent crawl through a long, narrow valley?

Render: ``manim render scenes/opening.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import DOWN, UP, Create, LaggedStart, Text, VGroup

from lesson_narration.opening import LESSON_TITLE, QUESTION, OpeningFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.maps import ContourMap, minimum_marker, ravine_map_frame, whole_rings
from lessonkit.motion import TrajectoryTrail
from lessonkit.narration import LessonScene
from lessonkit.panels import text_label
from lessonkit.text_blocks import break_before

#: The lesson's name, bold, at this size; the question a little above body size.
HEADING_SIZE = 56
QUESTION_SIZE = style.BODY_SIZE + 2
#: Where the title block stands while it is alone on screen, and its gap to the top edge after.
TITLE_BLOCK_CENTER = UP * 0.6
TITLE_TOP_BUFF = 0.55


@dataclass(frozen=True)
class OpeningBoard:
    """What the opening shows across its beats, built before the first one."""

    heading: Text
    tagline: Text
    title_block: VGroup
    contours: ContourMap
    minimum: VGroup
    trail: TrajectoryTrail


class OpeningChapter(Chapter):
    """The title, a teaser of the zigzag, and the lesson's question."""

    name = "opening"
    #: Opacity of the teaser's contour lines: a faint picture, not yet explained.
    faint_opacity = 0.4
    #: Opacity of the teaser's minimum marker.
    faint_minimum_opacity = 0.6
    #: Seconds the question is held on screen, to think about.
    question_pause_s = 2.0

    def figures(self) -> OpeningFigures:
        """The teaser run (see :func:`lesson_narration.opening.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        board = self._layout(figs)
        self._beat_welcome(scene, board, lines.welcome)
        self._beat_valley(scene, board, lines.valley)
        self._beat_question(scene, board, lines.question)
        scene.say(lines.plan)  # the promise, over the question

    def _layout(self, figs: OpeningFigures) -> OpeningBoard:
        """The title block (centred) and the faint teaser map, not yet on screen."""
        name, _, subtitle = LESSON_TITLE.partition(": ")
        heading = Text(
            name, font=style.FONT, font_size=HEADING_SIZE, color=style.TEXT_COLOR, weight="BOLD"
        )
        tagline = text_label(subtitle, style.MUTED_TEXT_COLOR, style.BODY_SIZE)
        title_block = VGroup(heading, tagline).arrange(DOWN, buff=0.3)
        title_block.move_to(TITLE_BLOCK_CENTER)
        surface = figs.experiment.surface
        frame = ravine_map_frame(surface)
        # No border here: only the rings that close inside the window.
        contours = ContourMap(surface, frame, levels=whole_rings(surface, frame))
        contours.set_stroke(opacity=self.faint_opacity)
        minimum = minimum_marker(surface, frame).set_stroke(opacity=self.faint_minimum_opacity)
        trail = TrajectoryTrail(figs.run, frame)
        return OpeningBoard(heading, tagline, title_block, contours, minimum, trail)

    @staticmethod
    def _beat_welcome(scene: LessonScene, board: OpeningBoard, welcome: str) -> None:
        """The lesson's title."""
        with scene.voiceover(text=welcome) as tracker:
            scene.play(FadeIn(board.heading, shift=DOWN * 0.2), run_time=1.0)
            scene.play(FadeIn(board.tagline), run_time=max(min(tracker.duration - 1.0, 1.5), 0.5))

    @staticmethod
    def _beat_valley(scene: LessonScene, board: OpeningBoard, valley: str) -> None:
        """A faint ravine, and plain gradient descent bouncing across it."""
        trail = board.trail
        with scene.voiceover(text=valley) as tracker:
            scene.play(board.title_block.animate.to_edge(UP, buff=TITLE_TOP_BUFF), run_time=0.8)
            scene.play(
                LaggedStart(*[Create(ring) for ring in board.contours], lag_ratio=0.12),
                FadeIn(board.minimum),
                run_time=2.0,
            )
            scene.play(FadeIn(trail), run_time=0.4)
            scene.play(
                trail.walk(trail.last_step, run_time=max(tracker.get_remaining_duration(), 1.0))
            )

    def _beat_question(self, scene: LessonScene, board: OpeningBoard, question_line: str) -> None:
        """The question, under the heading where the tagline was, left on screen to think about."""
        question = VGroup(
            *[
                text_label(part, style.HIGHLIGHT_COLOR, QUESTION_SIZE)
                for part in break_before(QUESTION, "through")
            ]
        ).arrange(DOWN, buff=0.2)
        question.next_to(board.heading, DOWN, buff=0.35)
        with scene.voiceover(text=question_line):
            scene.wait_until_bookmark("ask")
            scene.play(FadeOut(board.tagline), FadeIn(question, shift=UP * 0.15), run_time=1.0)
        scene.hold(question)
        scene.pause(self.question_pause_s)
