"""Chapter: the race, plain gradient descent against momentum (β = 0.9) side by side.

The explainer figure's experiment (stretched bowl, start (−4, 1.5), α = 0.18,
ema convention): two maps of the same bowl, one run on each, live step and
loss counters, one shared clock; each run stops where its loss first drops
below 0.001 (185 and 159 steps), the other keeps going.

Render: ``manim render scenes/race.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import DOWN, LEFT, RIGHT, UL, UR, Indicate, LaggedStart, Text, VGroup

from lesson_narration.race import RaceFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_number
from lessonkit.narration import LessonScene
from lessonkit.panels import text_label, title_text
from lessonkit.race import MapRace, lane_frames, run_label

#: Gap between the maps and the line of conditions under them.
CONDITIONS_BUFF = 0.25
#: How far the finish line sits below the top-right corner's margin, and the question's gap to it.
FINISH_DROP = 0.05 * DOWN
QUESTION_GAP = 0.6


@dataclass(frozen=True)
class RaceBoard:
    """What the race shows across its beats, laid out before the first one."""

    title: Text
    race: MapRace
    conditions: Text
    finish: Text
    question: Text
    result: Text


class RaceChapter(Chapter):
    """Plain GD and β = 0.9 race on the stretched bowl; each stops at its own finish."""

    name = "race"
    #: Seconds the chapter holds still on its question, then on its result.
    question_pause_s = 2.0
    result_pause_s = 2.0
    #: The clock runs slowly for the first swings (to ``early_steps``), fast along the floor,
    #: and slowly again for the last ``close_steps`` steps before momentum's finish.
    early_steps = 40
    close_steps = 20

    def figures(self) -> RaceFigures:
        """The runs and their finishing steps, computed by ``momentum_math``."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        board = self._layout(figs)
        self._beat_setup(scene, board, lines.setup)
        self._beat_finish_line(scene, board, lines.finish_line)
        self._beat_early(scene, board, lines.early)
        self._beat_late(scene, board, lines.late, self.slow_down_step(figs))
        self._beat_verdict(scene, board, lines.verdict)
        scene.say(lines.caveat)  # an honest note, and what comes next

    def slow_down_step(self, figs: RaceFigures) -> int:
        """The step from which the clock slows down again, a little before the first finish."""
        return max(figs.momentum_steps - self.close_steps, self.early_steps)

    def _layout(self, figs: RaceFigures) -> RaceBoard:
        """The two maps under the title, the conditions under them, the finish line top right
        with its question beside it, and the result where the question will have been."""
        runs = [figs.gd_run, figs.momentum_run]
        race = MapRace(
            runs,
            lane_frames(figs.gd_run.surface),
            colors=[style.GD_COLOR, style.MOMENTUM_COLOR],
            labels=[run_label(run.beta) for run in runs],
            stop_steps=[figs.gd_steps, figs.momentum_steps],
        )
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        start = f"({format_number(figs.start[0], 2)}, {format_number(figs.start[1], 2)})"
        conditions = text_label(
            f"same start {start}   ·   same α = {figs.lr:g}", style.MUTED_TEXT_COLOR
        )
        maps = VGroup(*[lane.border for lane in race.lanes])
        conditions.next_to(maps, DOWN, buff=CONDITIONS_BUFF)
        finish = text_label(
            f"finish: loss < {format_number(figs.threshold, 1)}",
            style.HIGHLIGHT_COLOR,
            style.BODY_SIZE,
        )
        finish.to_corner(UR, buff=style.MARGIN).shift(FINISH_DROP)
        question = text_label("Which finishes first?", size=style.BODY_SIZE)
        question.next_to(finish, LEFT, buff=QUESTION_GAP)
        result = text_label(f"{figs.margin} steps sooner", style.MOMENTUM_COLOR, style.BODY_SIZE)
        result.move_to(question, aligned_edge=RIGHT)
        return RaceBoard(title, race, conditions, finish, question, result)

    @staticmethod
    def _beat_setup(scene: LessonScene, board: RaceBoard, setup: str) -> None:
        """The two maps, the runners at the start."""
        lanes = board.race.lanes
        with scene.voiceover(text=setup) as tracker:
            scene.play(FadeIn(board.title), run_time=0.6)
            scene.play(
                LaggedStart(
                    *[LaggedStart(*lane.entrance(), lag_ratio=0.2) for lane in lanes],
                    lag_ratio=0.4,
                ),
                run_time=max(min(3.0, tracker.get_remaining_duration() - 1.2), 0.5),
            )
            # Static first, moving last: the maps are cached while the runners move.
            scene.play(FadeIn(board.race.movers), FadeIn(board.conditions), run_time=0.8)

    def _beat_finish_line(self, scene: LessonScene, board: RaceBoard, finish_line: str) -> None:
        """The finish line, and the question. Pause on it."""
        with scene.voiceover(text=finish_line) as tracker:
            scene.play(FadeIn(board.finish), run_time=0.8)
            scene.play(
                FadeIn(board.question),
                run_time=max(min(1.0, tracker.get_remaining_duration()), 0.3),
            )
            scene.hold(board.question, board.finish)
        scene.pause(self.question_pause_s)

    def _beat_early(self, scene: LessonScene, board: RaceBoard, early: str) -> None:
        """The first swings, slowly."""
        with scene.voiceover(text=early) as tracker:
            scene.play(FadeOut(board.question), run_time=0.5)
            scene.play(
                board.race.run_to(
                    self.early_steps, run_time=max(tracker.get_remaining_duration(), 0.5)
                )
            )

    @staticmethod
    def _beat_late(scene: LessonScene, board: RaceBoard, late: str, slow_down_step: int) -> None:
        """The long slide, then slower near the finish: each lane stops at its own step."""
        race = board.race
        with scene.voiceover(text=late) as tracker:
            scene.play(
                race.run_to(slow_down_step, run_time=max(tracker.time_until_bookmark("close"), 0.5))
            )
            scene.play(
                race.run_to(race.finish_step, run_time=max(tracker.get_remaining_duration(), 0.5))
            )

    def _beat_verdict(self, scene: LessonScene, board: RaceBoard, verdict: str) -> None:
        """The verdict, read off the counters (momentum's first); pause on it."""
        gd_lane, momentum_lane = board.race.lanes
        counters = [lane.readout.lines[0] for lane in (momentum_lane, gd_lane)]
        with scene.voiceover(text=verdict) as tracker:
            scene.wait_until_bookmark("margin")
            scene.play(FadeIn(board.result, shift=0.2 * DOWN), run_time=0.6)
            scene.play(
                LaggedStart(
                    *[
                        Indicate(counter, color=style.HIGHLIGHT_COLOR, scale_factor=1.15)
                        for counter in counters
                    ],
                    lag_ratio=0.5,
                ),
                run_time=max(min(1.5, tracker.get_remaining_duration()), 0.3),
            )
            scene.hold(momentum_lane.readout, gd_lane.readout, board.result)
        scene.pause(self.result_pause_s)
