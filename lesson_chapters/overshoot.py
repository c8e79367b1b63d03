"""Chapter: too much momentum, β = 0.99 on the race's stretched bowl.

The same map as the race (left lane, same frame and style): β = 0.99 sails
past the minimum and keeps swinging for all 300 steps. Then the loss against
step on a log scale for β = 0, 0.9 and 0.99 with the 0.001 finish line: the
first two cross it (185 and 159 steps), β = 0.99 does not within 300 (it crosses at
step 408, off the plot, which the label says).

Render: ``manim render scenes/overshoot.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Text,
    ValueTracker,
    VGroup,
    linear,
)

from lesson_narration.overshoot import OvershootFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import RULE_NAMES, format_loss, format_number
from lessonkit.narration import LessonScene
from lessonkit.panels import math_label, text_label, title_text
from lessonkit.plots import LinePlot
from lessonkit.race import RULE_LINE_Y, Lane, MapRace, lane_frames, rule_tex, run_label, with_kappa

#: The loss plot's axes box, and where its bottom-left corner goes: where the race's right
#: map was, x from 1.05 to 5.45, its tick labels above the paused-caption line.
PLOT_WIDTH = 4.4
PLOT_HEIGHT = 2.3
PLOT_BOX_CORNER = np.array([1.05, -0.45, 0.0])


@dataclass(frozen=True)
class OvershootBoard:
    """What the chapter shows across its beats, laid out before the first one.

    ``reveal`` holds the step up to which the plot's curves are drawn.
    """

    title: Text
    lane_race: MapRace
    conditions: VGroup
    question: Text
    reveal: ValueTracker
    plot: LinePlot
    names: VGroup

    @property
    def lane(self) -> Lane:
        """The one lane: β = 0.99's map, trail and readout."""
        return self.lane_race.lanes[0]


class OvershootChapter(Chapter):
    """β = 0.99 overshoots on the stretched bowl and does not reach the finish within 300 steps."""

    name = "overshoot"
    #: Seconds the chapter holds still on its question, then on its result.
    question_pause_s = 2.0
    result_pause_s = 2.0
    #: Seconds left after the closing question ("how much is just right?") before the fade.
    teaser_pause_s = 2.0

    def figures(self) -> OvershootFigures:
        """The three runs and their convergence steps, computed by ``momentum_math``."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        board = self._layout(figs)
        self._beat_setup(scene, board, lines.setup)
        self._beat_question(scene, board, lines.question)
        self._beat_swing(scene, board, lines.swing, figs)
        self._beat_plot(scene, board, lines.plot, figs)
        self._beat_verdict(scene, board, lines.verdict, figs)
        scene.say(lines.teaser)  # what it means, what comes next: a question, left to think on
        scene.pause(self.teaser_pause_s)

    def _layout(self, figs: OvershootFigures) -> OvershootBoard:
        """The race's left map with β = 0.99 on it; the question top right, over the (empty)
        loss plot where the right map was."""
        lane_race = MapRace(
            [figs.run],
            lane_frames(figs.run.surface)[:1],
            labels=[run_label(figs.beta, figs.lr)],
        )
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        reveal = ValueTracker(0.0)
        plot = loss_plot(figs, reveal)
        question = text_label(
            f"Below {format_number(figs.threshold, 1)} in {figs.steps} steps?",
            size=style.BODY_SIZE,
        )
        question.to_corner(UR, buff=style.MARGIN)
        conditions = VGroup(
            text_label(f"{RULE_NAMES[figs.convention]}:", style.MUTED_TEXT_COLOR),
            math_label(rule_tex(figs.convention), style.TEXT_COLOR, style.BODY_SIZE + 2),
        ).arrange(RIGHT, buff=0.25)
        with_kappa(conditions, figs.run.surface).move_to([0.0, RULE_LINE_Y, 0.0])
        conditions.align_to(lane_race.lanes[0].border, LEFT)
        return OvershootBoard(
            title, lane_race, conditions, question, reveal, plot, curve_names(plot, figs)
        )

    @staticmethod
    def _beat_setup(scene: LessonScene, board: OvershootBoard, setup: str) -> None:
        """The same bowl, β = 0.99 at the start."""
        with scene.voiceover(text=setup) as tracker:
            scene.play(FadeIn(board.title), run_time=0.6)
            scene.play(
                *board.lane.entrance(),
                run_time=max(min(2.0, tracker.get_remaining_duration() - 1.0), 0.5),
            )
            scene.play(FadeIn(board.lane_race.movers), FadeIn(board.conditions), run_time=0.8)

    @staticmethod
    def _beat_swing(
        scene: LessonScene, board: OvershootBoard, swing: str, figs: OvershootFigures
    ) -> None:
        """The long swing, all the steps in one play."""
        with scene.voiceover(text=swing) as tracker:
            scene.play(board.lane_race.run_to(figs.steps, run_time=tracker.duration))

    def _beat_question(self, scene: LessonScene, board: OvershootBoard, question: str) -> None:
        """The question, before the run: beside an empty log-scale plot with the finish line.
        Pause."""
        plot = board.plot
        with scene.voiceover(text=question):
            # Static first, then the (still empty) curves: the plot is cached while they grow.
            scene.play(FadeIn(board.question), FadeIn(plot.axes), FadeIn(plot.static), run_time=1.0)
            scene.add(plot.series_layer)
            scene.hold(board.question)
        scene.pause(self.question_pause_s)

    @staticmethod
    def _beat_plot(
        scene: LessonScene, board: OvershootBoard, plot_line: str, figs: OvershootFigures
    ) -> None:
        """The three loss curves, drawn together."""
        with scene.voiceover(text=plot_line) as tracker:
            scene.play(FadeOut(board.question), run_time=0.5)
            scene.play(
                board.reveal.animate(rate_func=linear).set_value(figs.steps),
                run_time=max(tracker.get_remaining_duration(), 1.0),
            )

    def _beat_verdict(
        self, scene: LessonScene, board: OvershootBoard, verdict: str, figs: OvershootFigures
    ) -> None:
        """The two crossings marked, then β = 0.99 not within its steps: its last loss. Pause."""
        crossings = crossing_markers(board.plot, figs)
        never = never_label(board.plot, figs)
        with scene.voiceover(text=verdict) as tracker:
            scene.play(
                *[FadeIn(marker, scale=2) for marker in crossings],
                FadeIn(board.names),
                run_time=0.8,
            )
            scene.wait_until_bookmark("last_loss")
            scene.play(
                FadeIn(never, shift=0.2 * DOWN),
                run_time=max(min(1.0, tracker.get_remaining_duration()), 0.3),
            )
            scene.hold(never, board.plot.axes)
        scene.pause(self.result_pause_s)


# --- the loss plot ---------------------------------------------------------------------------


def loss_plot(figs: OvershootFigures, reveal: ValueTracker) -> LinePlot:
    """Loss against step on a log axis with the finish line, one curve per run (drawn up to
    the step ``reveal`` holds), its axes box's corner at :data:`PLOT_BOX_CORNER`."""
    low = min(float(figs.runs[beta].losses.min()) for beta in figs.betas)
    high = max(float(figs.runs[beta].losses.max()) for beta in figs.betas)
    plot = LinePlot(
        (0, figs.steps),
        (low, high),
        width=PLOT_WIDTH,
        height=PLOT_HEIGHT,
        log_y=True,
        x_label="step",
        y_label="loss",
    )
    line = plot.add_threshold(figs.threshold, color=style.HIGHLIGHT_COLOR)
    # Labelled at its left end: the curves cross it further right.
    finish = text_label(f"finish: {format_number(figs.threshold, 1)}", style.HIGHLIGHT_COLOR)
    finish.next_to(line, UP, buff=0.08).align_to(line, LEFT).shift(0.12 * RIGHT)
    line.add(finish)
    for beta in figs.betas:
        losses = figs.runs[beta].losses
        plot.add_series(
            np.arange(len(losses)), losses, meaning=style.run_meaning(beta), progress=reveal
        )
    plot.shift(PLOT_BOX_CORNER - plot.box_corner(DL))
    return plot


def curve_names(plot: LinePlot, figs: OvershootFigures) -> VGroup:
    """Each curve's name, beside the curve's end."""
    names = VGroup()
    for beta in figs.betas:
        name = style.paint_run(text_label("plain GD" if beta == 0 else f"β = {beta:g}"), beta)
        name.next_to(plot.c2p(figs.steps, figs.runs[beta].losses[-1]), RIGHT, buff=0.12)
        names.add(name)
    return names


def crossing_markers(plot: LinePlot, figs: OvershootFigures) -> list[VGroup]:
    """A dot where each run that finishes crosses the finish line, labelled with its step: the
    later one up-right, the earlier down-left. Not part of the plot (faded in on their own)."""
    finished = sorted(
        ((step, beta) for beta, step in figs.steps_to_converge.items() if step is not None),
        reverse=True,
    )
    return [
        plot.add_marker(
            step,
            figs.runs[beta].losses[step],
            label=str(step),
            meaning=style.run_meaning(beta),
            label_direction=UR if rank == 0 else DL,
            attach=False,
        )
        for rank, (step, beta) in enumerate(finished)
    ]


def never_label(plot: LinePlot, figs: OvershootFigures) -> Text:
    """β = 0.99's last loss, "not within" its steps, and where it does cross (off the plot):
    just above the top of the plot, right-aligned with the curve's end."""
    late = "" if figs.late_crossing is None else f"\ncrosses at step {figs.late_crossing}"
    never = style.paint_run(
        text_label(f"not within {figs.steps}: {format_loss(figs.final_loss)}{late}"), figs.beta
    )
    end = plot.c2p(figs.steps, figs.final_loss)
    top = plot.c2p(figs.steps, plot.y_range[1])
    never.move_to([end[0] - never.width / 2, top[1] + never.height / 2 + 0.05, 0])
    return never
