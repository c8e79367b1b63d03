"""Chapter: the zigzag of plain gradient descent in a ravine.

Render: ``manim render scenes/zigzag.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Create,
    LaggedStart,
    MathTex,
    SurroundingRectangle,
    Text,
)

from lesson_narration import zigzag as narration
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.maps import ContourMap, minimum_marker, ravine_map_frame
from lessonkit.motion import StepArrows, TrajectoryTrail
from lessonkit.narration import LessonScene
from lessonkit.panels import Readout, equation_panel


class ZigzagChapter(Chapter):
    """Plain gradient descent bounces across the ravine and creeps along its floor."""

    name = "zigzag"

    def figures(self) -> narration.ZigzagFigures:
        """Plain gradient descent on the ravine preset, computed now."""
        return narration.figures()

    #: Steps shown one by one, slowly, before the rest of the run speeds up.
    slow_steps = 6

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        experiment, run = figs.experiment, figs.run
        lines = narration.script(figs)
        frame = ravine_map_frame(experiment.surface)

        # Beat: the ravine as contour lines.
        title = Text(
            self.title, font=style.FONT, font_size=style.TITLE_SIZE, color=style.TEXT_COLOR
        )
        title.to_corner(UL, buff=style.MARGIN)
        contours = ContourMap(experiment.surface, frame)
        border = frame.border()
        minimum = minimum_marker(experiment.surface, frame)
        formula = MathTex(
            experiment.surface.latex, font_size=style.BODY_SIZE, color=style.TEXT_COLOR
        )
        formula.next_to(title, DOWN, aligned_edge=LEFT, buff=0.3)
        with scene.voiceover(text=lines.ravine) as tracker:
            scene.play(FadeIn(title), FadeIn(border), run_time=0.6)
            scene.play(
                LaggedStart(*[Create(ring) for ring in contours], lag_ratio=0.15),
                FadeIn(formula),
                run_time=max(tracker.duration * 0.6, 1.0),
            )
            scene.play(FadeIn(minimum, scale=2), run_time=0.6)

        # Beat: where we start and with which step size.
        trail = TrajectoryTrail(run, frame, color=style.GD_COLOR)
        update_rule = equation_panel(
            [
                r"\theta \leftarrow \theta - \alpha\,\nabla L(\theta)",
                rf"\alpha = {run.lr:g},\quad \beta = {run.beta:g}",
            ],
            font_size=style.LABEL_SIZE + 2,
        )
        update_rule.next_to(formula, RIGHT, buff=0.6).align_to(formula, UP).shift(UP * 0.1)
        readout = Readout(run, trail.progress, color=style.GD_COLOR, title="plain gradient descent")
        readout.to_corner(UR, buff=style.MARGIN)
        readout.set_z_index(4)
        with scene.voiceover(text=lines.start):
            scene.play(FadeIn(update_rule), FadeIn(trail), FadeIn(readout))

        # Beat: one step, shown as the downhill arrow, jumps across the floor.
        arrows = StepArrows(
            run.positions[:-1],
            run.displacements,
            frame,
            trail.progress,
            color=style.GRADIENT_COLOR,
            label=r"-\alpha\nabla L",
        )
        with scene.voiceover(text=lines.first_step) as tracker:
            scene.play(FadeIn(arrows), run_time=0.5)
            scene.wait_until_bookmark("jump")
            scene.play(trail.walk(1, run_time=max(tracker.get_remaining_duration(), 0.5)))

        # Beat: the arrow flips each step: the zigzag.
        with scene.voiceover(text=lines.bounce) as tracker:
            scene.play(trail.walk(self.slow_steps, run_time=tracker.duration))

        # Beat: the crawl along the floor, to the end of the run.
        with scene.voiceover(text=lines.crawl) as tracker:
            scene.play(trail.walk(trail.last_step, run_time=tracker.duration))

        # Beat: the verdict, read off the readout.
        highlight = SurroundingRectangle(readout.lines[1], color=style.HIGHLIGHT_COLOR, buff=0.08)
        with scene.voiceover(text=lines.verdict):
            scene.play(FadeOut(arrows), Create(highlight))
        scene.hold(readout)
        scene.pause(1.5)

        # Beat: what comes next.
        with scene.voiceover(text=lines.teaser):
            scene.play(FadeOut(highlight), run_time=0.5)
