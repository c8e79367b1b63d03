"""Chapter: too much momentum, β = 0.99 on the race's stretched bowl.

The same map as the race (left lane, same frame and style): β = 0.99 sails
past the minimum and keeps swinging for all 300 steps. Then the loss against
step on a log scale for β = 0, 0.9 and 0.99 with the 0.001 finish line: the
first two cross it (185 and 159 steps), β = 0.99 never does.

Render: ``manim render scenes/overshoot.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

import numpy as np
from manim import (
    DL,
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Create,
    Text,
    ValueTracker,
    VGroup,
    linear,
)

from lesson_narration.overshoot import OvershootFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_loss, format_number
from lessonkit.narration import LessonScene
from lessonkit.panels import title_text
from lessonkit.plots import LinePlot
from lessonkit.race import MapRace, lane_frames, run_label

#: Colour of each run, by β (the lesson's colours by meaning).
RUN_COLORS = {0.0: style.GD_COLOR, 0.9: style.MOMENTUM_COLOR, 0.99: style.OVERSHOOT_COLOR}


class OvershootChapter(Chapter):
    """β = 0.99 overshoots on the stretched bowl and never reaches the finish in 300 steps."""

    name = "overshoot"
    #: Seconds the chapter holds still on its question, then on its result.
    question_pause_s = 2.0
    result_pause_s = 2.0

    def figures(self) -> OvershootFigures:
        """The three runs and their convergence steps, computed by ``momentum_math``."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        run = figs.run
        color = RUN_COLORS.get(figs.beta, style.OVERSHOOT_COLOR)
        lane_race = MapRace(
            [run],
            lane_frames(run.surface)[:1],
            colors=[color],
            labels=[run_label(figs.beta)],
        )
        lane = lane_race.lanes[0]

        # Beat: the same bowl, β = 0.99 at the start.
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        with scene.voiceover(text=lines.setup) as tracker:
            scene.play(FadeIn(title), run_time=0.6)
            scene.play(
                FadeIn(lane.border),
                Create(lane.contours),
                FadeIn(lane.minimum),
                FadeIn(lane.label),
                run_time=max(min(2.0, tracker.get_remaining_duration() - 1.0), 0.5),
            )
            scene.play(FadeIn(lane_race.movers), run_time=0.8)

        # Beat: the long swing, all the steps in one play.
        with scene.voiceover(text=lines.swing) as tracker:
            scene.play(lane_race.run_to(figs.steps, run_time=tracker.duration))

        # Beat: the question, beside an empty log-scale plot with the finish line. Pause.
        reveal = ValueTracker(0.0)
        plot, names = self._plot(figs, reveal)
        question = Text(
            f"Below {format_number(figs.threshold, 1)}\nin {figs.steps} steps?",
            font=style.FONT,
            font_size=style.BODY_SIZE,
            color=style.TEXT_COLOR,
        )
        question.to_corner(UR, buff=style.MARGIN)
        with scene.voiceover(text=lines.question):
            # Static first, then the (still empty) curves: the plot is cached while they grow.
            scene.play(FadeIn(question), FadeIn(plot.axes), FadeIn(plot.static), run_time=1.0)
            scene.add(plot.series_layer)
            scene.hold(question)
        scene.pause(self.question_pause_s)

        # Beat: the three loss curves, drawn together.
        with scene.voiceover(text=lines.plot) as tracker:
            scene.play(FadeOut(question), run_time=0.5)
            scene.play(
                reveal.animate(rate_func=linear).set_value(figs.steps),
                run_time=max(tracker.get_remaining_duration(), 1.0),
            )

        # Beat: the two crossings marked, then β = 0.99 never crosses: its last loss. Pause on it.
        # Each crossing marked with its step; the later one labelled up-right, the earlier down-left.
        finished = sorted(
            ((step, beta) for beta, step in figs.steps_to_converge.items() if step is not None),
            reverse=True,
        )
        crossings = [
            plot.add_marker(
                step,
                figs.runs[beta].losses[step],
                label=str(step),
                color=RUN_COLORS[beta],
                label_direction=UR if rank == 0 else DL,
            )
            for rank, (step, beta) in enumerate(finished)
        ]
        for marker in crossings:  # drawn by the FadeIn below, not with the plot
            plot.static.remove(marker)
        end = plot.c2p(figs.steps, figs.final_loss)
        never = Text(
            f"never: {format_loss(figs.final_loss)} at step {figs.steps}",
            font=style.FONT,
            font_size=style.SMALL_SIZE,
            color=color,
        )
        # Above the swinging curve: half a decade under the top of the plot, right-aligned with its end.
        never.move_to(plot.c2p(figs.steps, plot.y_range[1] / 10.0**0.5), aligned_edge=RIGHT)
        never.set_x(end[0] - never.width / 2)
        with scene.voiceover(text=lines.verdict) as tracker:
            scene.play(
                *[FadeIn(marker, scale=2) for marker in crossings], FadeIn(names), run_time=0.8
            )
            scene.wait_until_bookmark("never")
            scene.play(
                FadeIn(never, shift=0.2 * DOWN),
                run_time=max(min(1.0, tracker.get_remaining_duration()), 0.3),
            )
            scene.hold(never, plot.axes)
        scene.pause(self.result_pause_s)

        # Beat: what it means, what comes next.
        with scene.voiceover(text=lines.teaser):
            pass

    @staticmethod
    def _plot(figs: OvershootFigures, reveal: ValueTracker) -> tuple[LinePlot, VGroup]:
        """Loss against step on a log axis with the finish line, one curve per run (drawn up
        to the step ``reveal`` holds), placed where the race's right map was.

        Returns the plot and the curves' names, to go beside the curves' ends.
        """
        low = min(float(figs.runs[beta].losses.min()) for beta in figs.betas)
        high = max(float(figs.runs[beta].losses.max()) for beta in figs.betas)
        plot = LinePlot(
            (0, figs.steps),
            (low, high),
            width=4.4,
            height=3.1,
            log_y=True,
            x_label="step",
            y_label="loss",
        )
        line = plot.add_threshold(figs.threshold, color=style.HIGHLIGHT_COLOR)
        # Labelled at its left end: the curves cross it further right.
        finish = Text(
            f"finish: {format_number(figs.threshold, 1)}",
            font=style.FONT,
            font_size=style.SMALL_SIZE,
            color=style.HIGHLIGHT_COLOR,
        )
        finish.next_to(line, UP, buff=0.08).align_to(line, LEFT).shift(0.12 * RIGHT)
        line.add(finish)
        for beta in figs.betas:
            losses = figs.runs[beta].losses
            plot.add_series(np.arange(len(losses)), losses, RUN_COLORS[beta], progress=reveal)
        # The axes box spans x from 1.05 to 5.45, its bottom above the paused-caption line.
        plot.shift(np.array([1.05, -1.15, 0.0]) - plot.box_corner(DL))
        names = VGroup()
        for beta in figs.betas:
            name = Text(
                "plain GD" if beta == 0 else f"β = {beta:g}",
                font=style.FONT,
                font_size=style.SMALL_SIZE,
                color=RUN_COLORS[beta],
            )
            name.next_to(plot.c2p(figs.steps, figs.runs[beta].losses[-1]), RIGHT, buff=0.12)
            names.add(name)
        return plot, names
