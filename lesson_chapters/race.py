"""Chapter: the race, plain gradient descent against momentum (β = 0.9) side by side.

The explainer figure's experiment (stretched bowl, start (−4, 1.5), α = 0.18,
ema convention): two maps of the same bowl, one run on each, live step and
loss counters, one shared clock; each run stops where its loss first drops
below 0.001 (185 and 159 steps), the other keeps going.

Render: ``manim render scenes/race.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UR,
    Create,
    Indicate,
    LaggedStart,
    Text,
    VGroup,
)

from lesson_narration.race import RaceFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_number
from lessonkit.narration import LessonScene
from lessonkit.panels import title_text
from lessonkit.race import MapRace, lane_frames, run_label


class RaceChapter(Chapter):
    """Plain GD and β = 0.9 race on the stretched bowl; each stops at its own finish."""

    name = "race"
    #: Seconds the chapter holds still on its question, then on its result.
    question_pause_s = 2.0
    result_pause_s = 2.0

    def figures(self) -> RaceFigures:
        """The runs and their finishing steps, computed by ``momentum_math``."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        runs = [figs.gd_run, figs.momentum_run]
        race = MapRace(
            runs,
            lane_frames(figs.gd_run.surface),
            colors=[style.GD_COLOR, style.MOMENTUM_COLOR],
            labels=[run_label(run.beta) for run in runs],
            stop_steps=[figs.gd_steps, figs.momentum_steps],
        )
        gd_lane, momentum_lane = race.lanes

        # Beat: the two maps, the runners at the start.
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        conditions = Text(
            f"same start ({format_number(figs.start[0], 2)}, {format_number(figs.start[1], 2)})"
            f"   ·   same α = {figs.lr:g}",
            font=style.FONT,
            font_size=style.SMALL_SIZE,
            color=style.MUTED_TEXT_COLOR,
        )
        conditions.next_to(VGroup(*[lane.border for lane in race.lanes]), DOWN, buff=0.25)
        with scene.voiceover(text=lines.setup) as tracker:
            scene.play(FadeIn(title), run_time=0.6)
            scene.play(
                LaggedStart(
                    *[
                        LaggedStart(
                            FadeIn(lane.border),
                            Create(lane.contours),
                            FadeIn(lane.minimum),
                            FadeIn(lane.label),
                            lag_ratio=0.2,
                        )
                        for lane in race.lanes
                    ],
                    lag_ratio=0.4,
                ),
                run_time=max(min(3.0, tracker.get_remaining_duration() - 1.2), 0.5),
            )
            # Static first, moving last: the maps are cached while the runners move.
            scene.play(FadeIn(race.movers), FadeIn(conditions), run_time=0.8)

        # Beat: the finish line, and the question. Pause on it.
        finish = Text(
            f"finish: loss < {format_number(figs.threshold, 1)}",
            font=style.FONT,
            font_size=style.BODY_SIZE,
            color=style.HIGHLIGHT_COLOR,
        )
        finish.to_corner(UR, buff=style.MARGIN).shift(0.05 * DOWN)
        question = Text(
            "Which finishes first?",
            font=style.FONT,
            font_size=style.BODY_SIZE,
            color=style.TEXT_COLOR,
        )
        question.next_to(finish, LEFT, buff=0.6)
        with scene.voiceover(text=lines.finish_line) as tracker:
            scene.play(FadeIn(finish), run_time=0.8)
            scene.play(
                FadeIn(question), run_time=max(min(1.0, tracker.get_remaining_duration()), 0.3)
            )
            scene.hold(question, finish)
        scene.pause(self.question_pause_s)

        # Beat: the first swings, slowly.
        with scene.voiceover(text=lines.early) as tracker:
            scene.play(FadeOut(question), run_time=0.5)
            scene.play(
                race.run_to(figs.early_steps, run_time=max(tracker.get_remaining_duration(), 0.5))
            )

        # Beat: the long slide, then slower near the finish: each lane stops at its own step.
        with scene.voiceover(text=lines.late) as tracker:
            scene.play(
                race.run_to(
                    figs.close_steps, run_time=max(tracker.time_until_bookmark("close"), 0.5)
                )
            )
            scene.play(
                race.run_to(race.finish_step, run_time=max(tracker.get_remaining_duration(), 0.5))
            )

        # Beat: the verdict, read off the counters; pause on it.
        result = Text(
            f"{figs.margin} steps sooner",
            font=style.FONT,
            font_size=style.BODY_SIZE,
            color=style.MOMENTUM_COLOR,
        )
        result.move_to(question, aligned_edge=RIGHT)
        with scene.voiceover(text=lines.verdict) as tracker:
            scene.wait_until_bookmark("margin")
            scene.play(FadeIn(result, shift=0.2 * DOWN), run_time=0.6)
            scene.play(
                LaggedStart(
                    *[
                        Indicate(
                            lane.readout.lines[0], color=style.HIGHLIGHT_COLOR, scale_factor=1.15
                        )
                        for lane in (momentum_lane, gd_lane)
                    ],
                    lag_ratio=0.5,
                ),
                run_time=max(min(1.5, tracker.get_remaining_duration()), 0.3),
            )
            scene.hold(momentum_lane.readout, gd_lane.readout, result)
        scene.pause(self.result_pause_s)

        # Beat: an honest note, and what comes next.
        with scene.voiceover(text=lines.caveat):
            pass
