"""Chapter: the race, plain gradient descent against momentum (β = 0.9) side by side.

First a warm-up on the ravine the learner knows (the zigzag's start, α = 0.1, the
lesson's rule): plain descent above, β = 0.8 below, 234 against 37 steps to 0.001.

Then the explainer figure's experiment (stretched bowl, start (−4, 1.5), α = 0.18,
ema convention): two maps of the same bowl, one run on each, live step and
loss counters, one shared clock; each run stops where its loss first drops
below 0.001 (185 and 159 steps), the other keeps going. The rule both runs follow
is written above the maps. Then a table shows what the verdict owes to the rule and
to the finish line: under the lesson's rule momentum takes 69 steps; with the
finish at 0.1 plain descent wins under the moving average (58 to 60) and loses
under the lesson's rule (13 to 58).

Render: ``manim render scenes/race.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UR,
    Indicate,
    LaggedStart,
    MathTex,
    Mobject,
    Text,
    VGroup,
)

from lesson_narration.race import RaceFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import RULE_NAMES, format_number, tex_number
from lessonkit.maps import MapFrame
from lessonkit.narration import LessonScene
from lessonkit.panels import math_label, text_label, title_text
from lessonkit.race import RULE_LINE_Y, MapRace, lane_frames, rule_tex, run_label, with_kappa
from lessonkit.table import GridTable
from momentum_math import Surface

#: How far the finish line sits below the top-right corner's margin, and the question's gap to it.
FINISH_DROP = 0.05 * DOWN
QUESTION_GAP = 0.6
#: The warm-up on the ravine: two maps one above the other (centres, width, height).
RAVINE_LANE_CENTERS_Y = (1.4, -0.3)
RAVINE_LANE_WIDTH = 12.6
RAVINE_LANE_HEIGHT = 1.2
#: The verdicts table: its columns' anchors (the rule, then plain GD and momentum at the race's
#: finish line and at the other one), the finish lines' height, the header's, the rows'.
VERDICT_COLUMNS_X = (-6.6, 0.0, 1.7, 4.1, 5.8)
VERDICT_FINISH_Y = 2.2
VERDICT_HEADER_Y = 1.6
VERDICT_FIRST_ROW_Y = 0.6
VERDICT_ROW_STEP = 1.3


def step_cell(steps: int | None, within: int, winner: bool, beta: float) -> Text:
    """Steps to the finish (or "not within N"), in the colour of the run with ``beta`` when
    it wins its race."""
    text = str(steps) if steps is not None else f"not within {within}"
    cell = text_label(text, style.MUTED_TEXT_COLOR, style.BODY_SIZE)
    return style.paint_run(cell, beta) if winner else cell


def _wins(mine: int | None, theirs: int | None) -> bool:
    return mine is not None and (theirs is None or mine < theirs)


@dataclass(frozen=True)
class RaceBoard:
    """What the race shows across its beats, laid out before the first one."""

    title: Text
    race: MapRace
    conditions: VGroup
    bowl: MathTex
    finish: Text
    question: Text
    result: Text
    verdicts: VerdictsTable
    ravine: MapRace
    ravine_rule: VGroup
    ravine_finish: Text
    ravine_result: Text


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
        self._beat_ravine(scene, board, lines.ravine, lines.ravine_verdict)
        self._beat_setup(scene, board, lines.setup)
        self._beat_finish_line(scene, board, lines.finish_line)
        self._beat_early(scene, board, lines.early)
        self._beat_late(scene, board, lines.late, self.slow_down_step(figs))
        self._beat_verdict(scene, board, lines.verdict)
        self._beat_rules(scene, board, lines.rule, lines.finish_choice)
        scene.say(lines.teaser)

    def slow_down_step(self, figs: RaceFigures) -> int:
        """The step from which the clock slows down again, a little before the first finish."""
        return max(figs.momentum_steps - self.close_steps, self.early_steps)

    def _layout(self, figs: RaceFigures) -> RaceBoard:
        """The two maps under the title, the conditions above them, the finish line top right
        with its question beside it, and the result where the question will have been."""
        runs = [figs.gd_run, figs.momentum_run]
        race = MapRace(
            runs,
            lane_frames(figs.gd_run.surface),
            labels=[run_label(run.beta, figs.lr) for run in runs],
            stop_steps=[figs.gd_steps, figs.momentum_steps],
        )
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        conditions = VGroup(
            text_label(f"both runs, {RULE_NAMES[figs.convention]}:", style.MUTED_TEXT_COLOR),
            math_label(rule_tex(figs.convention), style.TEXT_COLOR, style.BODY_SIZE + 4),
        ).arrange(RIGHT, buff=0.25)
        with_kappa(conditions, figs.gd_run.surface).move_to([0.0, RULE_LINE_Y, 0.0])
        finish = text_label(
            f"finish: loss < {format_number(figs.threshold, 1)}",
            style.HIGHLIGHT_COLOR,
            style.BODY_SIZE,
        )
        finish.to_corner(UR, buff=style.MARGIN).shift(FINISH_DROP)
        question = text_label("Which finishes first?", size=style.BODY_SIZE)
        question.next_to(finish, LEFT, buff=QUESTION_GAP)
        result = style.paint_run(
            text_label(f"{figs.margin} steps sooner", size=style.BODY_SIZE), figs.momentum_beta
        )
        result.move_to(question, aligned_edge=RIGHT)
        bowl = bowl_label(figs.gd_run.surface)
        bowl.move_to(question, aligned_edge=RIGHT)
        ravine, ravine_rule, ravine_finish, ravine_result = ravine_board(figs)
        return RaceBoard(
            title,
            race,
            conditions,
            bowl,
            finish,
            question,
            result,
            verdicts_table(figs),
            ravine,
            ravine_rule,
            ravine_finish,
            ravine_result,
        )

    def _beat_ravine(
        self, scene: LessonScene, board: RaceBoard, ravine_line: str, verdict: str
    ) -> None:
        """The warm-up: the ravine from the zigzag, plain descent above momentum, raced to the
        finish; the counters stop at their steps. Pause on the result, then clear the maps."""
        race = board.ravine
        with scene.voiceover(text=ravine_line) as tracker:
            scene.play(FadeIn(board.title), run_time=0.6)
            scene.play(
                FadeIn(race.backdrop),
                FadeIn(board.ravine_rule),
                FadeIn(board.ravine_finish),
                run_time=1.0,
            )
            scene.play(FadeIn(race.movers), run_time=max(tracker.get_remaining_duration(), 0.4))
        with scene.voiceover(text=verdict) as tracker:
            scene.play(
                race.run_to(race.finish_step, run_time=max(tracker.get_remaining_duration(), 1.0))
            )
            scene.play(FadeIn(board.ravine_result, shift=0.2 * DOWN), run_time=0.5)
            scene.hold(board.ravine_result, *[lane.readout for lane in race.lanes])
        scene.pause(self.result_pause_s)
        scene.play(
            FadeOut(race),
            FadeOut(board.ravine_rule),
            FadeOut(board.ravine_finish),
            FadeOut(board.ravine_result),
        )

    @staticmethod
    def _beat_setup(scene: LessonScene, board: RaceBoard, setup: str) -> None:
        """The two maps, the runners at the start."""
        lanes = board.race.lanes
        with scene.voiceover(text=setup) as tracker:
            scene.play(
                LaggedStart(
                    *[LaggedStart(*lane.entrance(), lag_ratio=0.2) for lane in lanes],
                    lag_ratio=0.4,
                ),
                run_time=max(min(3.0, tracker.get_remaining_duration() - 1.2), 0.5),
            )
            # Static first, moving last: the maps are cached while the runners move.
            scene.play(
                FadeIn(board.race.movers),
                FadeIn(board.conditions),
                FadeIn(board.bowl),
                run_time=0.8,
            )

    def _beat_finish_line(self, scene: LessonScene, board: RaceBoard, finish_line: str) -> None:
        """The finish line, and the question. Pause on it."""
        with scene.voiceover(text=finish_line) as tracker:
            scene.play(FadeIn(board.finish), run_time=0.8)
            scene.play(
                FadeOut(board.bowl),
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

    def _beat_rules(
        self, scene: LessonScene, board: RaceBoard, rule_line: str, finish_line: str
    ) -> None:
        """The maps give way to the verdicts table: the race as run, then under the other
        rule (at its bookmark), then both rules with the other finish line. Pause on it."""
        verdicts = board.verdicts
        header = verdicts.table.header_row
        with scene.voiceover(text=rule_line):
            scene.play(
                FadeOut(board.race),
                FadeOut(board.conditions),
                FadeOut(board.result),
                FadeOut(board.finish),
                run_time=0.6,
            )
            scene.play(
                FadeIn(verdicts.finishes[0]),
                FadeIn(VGroup(*header[:3])),
                FadeIn(verdicts.first_finish(0)),
                run_time=0.8,
            )
            scene.wait_until_bookmark("other_rule")
            scene.play(FadeIn(verdicts.first_finish(1), shift=0.2 * DOWN), run_time=0.6)
            scene.hold(verdicts.finishes[0], *header[:3], verdicts.first_finish(0))
            scene.hold(verdicts.first_finish(1))
        scene.pause(self.result_pause_s)
        with scene.voiceover(text=finish_line):
            scene.wait_until_bookmark("other_finish")
            scene.play(
                FadeIn(verdicts.finishes[1]),
                FadeIn(VGroup(*header[3:])),
                FadeIn(verdicts.other_finish(), shift=0.2 * DOWN),
            )
            scene.hold(verdicts.finishes[1], *header[3:], verdicts.other_finish())
        scene.pause(self.result_pause_s)

    def _beat_verdict(self, scene: LessonScene, board: RaceBoard, verdict: str) -> None:
        """The verdict, read off the counters (momentum's first); pause on it."""
        gd_lane, momentum_lane = board.race.lanes
        counters = [
            style.mark_run(lane.readout.lines[0], lane.trajectory.beta)
            for lane in (momentum_lane, gd_lane)
        ]
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


@dataclass(frozen=True)
class VerdictsTable:
    """Steps to the finish by rule (rows) and finish line (column pairs): ``table`` (its
    header names the runs), ``finishes`` the two finish lines above their column pairs."""

    table: GridTable
    finishes: VGroup

    def first_finish(self, row: int) -> VGroup:
        """Row ``row``'s rule and its two counts at the race's finish line."""
        return VGroup(*self.table.body[row][:3])

    def other_finish(self) -> VGroup:
        """Both rows' counts at the other finish line."""
        return VGroup(*[cell for row in self.table.body for cell in row[3:]])


def verdicts_table(figs: RaceFigures) -> VerdictsTable:
    """Steps to the finish for plain descent and momentum: the race's rule and the other one
    (rows), the race's finish line and the other one (column pairs); the winner of each
    race in its run's colour."""
    steps = figs.gd_run.num_steps
    counts = {
        figs.convention: (
            (figs.gd_steps, figs.momentum_steps),
            (figs.other_finish_gd_steps, figs.other_finish_momentum_steps),
        ),
        figs.other_convention: (
            (figs.gd_steps, figs.other_momentum_steps),
            (figs.other_finish_gd_steps, figs.other_finish_other_steps),
        ),
    }
    rows: list[list[Mobject]] = []
    for convention in (figs.convention, figs.other_convention):
        rule_cell = VGroup(
            text_label(RULE_NAMES[convention].removeprefix("the "), size=style.LABEL_SIZE),
            math_label(rule_tex(convention), style.MUTED_TEXT_COLOR, style.BODY_SIZE + 2),
        )
        if convention == "ema":  # the step momentum really takes under the moving average
            rule_cell.add(
                text_label(
                    f"real step α(1 − β) = {format_number(figs.averaged_step, 2)}",
                    style.MUTED_TEXT_COLOR,
                    style.SMALL_SIZE,
                )
            )
        row: list[Mobject] = [rule_cell.arrange(DOWN, aligned_edge=LEFT, buff=0.08)]
        for gd, momentum in counts[convention]:
            row.append(step_cell(gd, steps, _wins(gd, momentum), 0.0))
            row.append(step_cell(momentum, steps, _wins(momentum, gd), figs.momentum_beta))
        rows.append(row)
    names = [
        style.paint_run(text_label("plain GD", size=style.LABEL_SIZE), 0.0),
        style.paint_run(
            text_label(f"β = {figs.momentum_beta:g}", size=style.LABEL_SIZE), figs.momentum_beta
        ),
    ]
    header: list[Mobject] = [
        text_label("rule", style.MUTED_TEXT_COLOR, style.LABEL_SIZE),
        *names,
        *[name.copy() for name in names],
    ]
    table = GridTable(
        rows,
        VERDICT_COLUMNS_X,
        VERDICT_FIRST_ROW_Y,
        VERDICT_ROW_STEP,
        header=header,
        header_y=VERDICT_HEADER_Y,
        left_aligned=[0],
    )
    finishes = VGroup()
    for pair, finish in ((1, figs.threshold), (3, figs.other_threshold)):
        label = text_label(
            f"finish: loss < {format_number(finish, 1)}", style.HIGHLIGHT_COLOR, style.LABEL_SIZE
        )
        middle = (VERDICT_COLUMNS_X[pair] + VERDICT_COLUMNS_X[pair + 1]) / 2
        label.move_to([middle, VERDICT_FINISH_Y, 0])
        finishes.add(label)
    return VerdictsTable(table, finishes)


def bowl_label(surface: Surface) -> MathTex:
    """The race's surface as a formula, with its condition number κ (100 for the bowl)."""
    kappa = tex_number(surface.condition_number, 3)
    return math_label(rf"{surface.latex},\quad \kappa = {kappa}", style.MUTED_TEXT_COLOR)


def ravine_board(figs: RaceFigures) -> tuple[MapRace, VGroup, Text, Text]:
    """The warm-up race on the ravine: plain descent's map above momentum's, the rule both
    follow under them, the finish line top right and the result left of it."""
    surface = figs.ravine_gd_run.surface
    frames = [
        MapFrame(
            surface.x_range,
            surface.y_range,
            center=(0.0, y),
            width=RAVINE_LANE_WIDTH,
            height=RAVINE_LANE_HEIGHT,
        )
        for y in RAVINE_LANE_CENTERS_Y
    ]
    runs = [figs.ravine_gd_run, figs.ravine_momentum_run]
    race = MapRace(
        runs,
        frames,
        labels=[run_label(run.beta, figs.ravine_lr) for run in runs],
        stop_steps=[figs.ravine_gd_steps, figs.ravine_momentum_steps],
    )
    shown = "lesson" if figs.ravine_convention == "pytorch" else figs.ravine_convention
    rule = VGroup(
        text_label(f"both runs, {RULE_NAMES[shown]}:", style.MUTED_TEXT_COLOR),
        math_label(rule_tex(shown), style.TEXT_COLOR, style.BODY_SIZE + 4),
    ).arrange(RIGHT, buff=0.25)
    rule.move_to([0.0, RULE_LINE_Y, 0.0])
    margin = figs.ravine_gd_steps - figs.ravine_momentum_steps
    finish = text_label(
        f"finish: loss < {format_number(figs.threshold, 1)}", style.HIGHLIGHT_COLOR, style.BODY_SIZE
    )
    finish.to_corner(UR, buff=style.MARGIN).shift(FINISH_DROP)
    result = style.paint_run(
        text_label(f"{margin} steps sooner", size=style.BODY_SIZE), figs.ravine_beta
    )
    result.next_to(finish, LEFT, buff=QUESTION_GAP)
    return race, rule, finish, result
