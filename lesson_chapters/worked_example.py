"""Chapter: the course page's worked example, momentum worked out by hand.

A velocity table fills row by row (g₁ = +1 every step, g₂ = +2, −2, …;
α = 0.1, β = 0.9, lesson convention v ← βv + αg): the alternating column
cancels and stays small, the constant one grows toward α/(1 − β), drawn on a
number line beside the table.

Render: ``manim render scenes/worked_example.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import DOWN, LEFT, UL, UP, UR, Create, LaggedStart, Text, VGroup, Write

from lesson_narration.worked_example import (
    TABLE_DECIMALS,
    WorkedExampleFigures,
    WorkedExampleScript,
    figures,
    script,
)
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_number
from lessonkit.narration import LessonScene
from lessonkit.number_line import LimitLine
from lessonkit.panels import equation_panel, text_label, title_text
from lessonkit.table import FillTable, format_fixed, format_signed_integer
from lessonkit.text_blocks import math_line

#: The table's columns: k, the two gradient components (given), the two velocities (computed).
GRADIENT_COLUMNS = (0, 1, 2)
V1_COLUMN, V2_COLUMN = 3, 4
#: Where the number line of v₁ (with its dots) is centred: right of the table, under the rule.
LIMIT_LINE_CENTER = [4.1, 0.75, 0.0]
#: Sizes of the rule and of the answer α/(1 − β).
RULE_SIZE = style.BODY_SIZE + 2
ANSWER_SIZE = style.TITLE_SIZE


@dataclass(frozen=True)
class WorkedExampleBoard:
    """What the chapter shows across its beats, laid out before the first one."""

    title: Text
    rule: VGroup
    table: FillTable
    panel: VGroup
    limit_line: LimitLine
    question_mark: Text


class WorkedExampleChapter(Chapter):
    """The velocity table of the course page, built row by row."""

    name = "worked_example"
    #: Seconds the chapter holds still on its question, then on its result.
    question_pause_s = 2.0
    result_pause_s = 2.0
    #: Scene units of the number line from 0 to the limit α/(1 − β).
    line_length = 4.1

    def figures(self) -> WorkedExampleFigures:
        """The table, α, β and the limit, computed by ``momentum_math``."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        board = self._layout(figs)
        self._beat_setup(scene, board, lines.setup)
        self._beat_rows(scene, board.table, lines)
        self._beat_question(scene, board, lines.question)
        self._beat_limit(scene, board, lines.limit, figs)

    def _layout(self, figs: WorkedExampleFigures) -> WorkedExampleBoard:
        """The title, the rule top right, the empty table under the title, and the number
        line of v₁ (not yet shown) right of the table."""
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        rule = equation_panel(
            [
                r"v \leftarrow \beta\, v + \alpha\, g",
                rf"\alpha = {figs.lr:g},\quad \beta = {figs.beta:g}",
            ],
            font_size=RULE_SIZE,
        )
        rule.to_corner(UR, buff=style.MARGIN + 0.1)
        table = velocity_table(figs)
        table.next_to(title, DOWN, buff=0.6).to_edge(LEFT, buff=style.MARGIN + 0.25)
        panel = table.frame_box()
        limit_line = LimitLine(
            [v1 for v1, _ in figs.velocities],
            figs.limit,
            limit_tex=format_number(figs.limit, 2),
            name_tex="v_1",
            length=self.line_length,
        )
        limit_line.move_to(LIMIT_LINE_CENTER)
        question_mark = text_label("?", style.HIGHLIGHT_COLOR, style.TITLE_SIZE)
        question_mark.next_to(limit_line.line.get_end(), UP, buff=0.3)
        return WorkedExampleBoard(title, rule, table, panel, limit_line, question_mark)

    @staticmethod
    def _beat_setup(scene: LessonScene, board: WorkedExampleBoard, setup: str) -> None:
        """The rule, the numbers, the empty table; the gradients are given, not computed:
        they all show at once."""
        table = board.table
        with scene.voiceover(text=setup) as tracker:
            scene.play(FadeIn(board.title), FadeIn(board.rule), run_time=0.8)
            scene.play(
                FadeIn(board.panel),
                Write(table.header_row),
                Create(table.rule),
                run_time=min(2.0, max(tracker.get_remaining_duration() - 0.2, 0.5)),
            )
            scene.play(
                *[
                    table.cell(k, j).animate.set_fill(opacity=1.0)
                    for k in range(table.num_rows)
                    for j in GRADIENT_COLUMNS
                ],
                run_time=max(tracker.get_remaining_duration(), 0.5),
            )

    @staticmethod
    def _beat_rows(scene: LessonScene, table: FillTable, lines: WorkedExampleScript) -> None:
        """The velocity columns, row by row, each landing on its words (``row1`` … ``row4``)."""
        for line, rows in (
            (lines.first_row, [0]),
            (lines.second_row, [1]),
            (lines.more_rows, [2, 3]),
        ):
            with scene.voiceover(text=line):
                for row in rows:
                    scene.wait_until_bookmark(f"row{row + 1}")
                    scene.play(
                        table.reveal_cells(row, (V1_COLUMN, V2_COLUMN), lag_ratio=0.3),
                        run_time=0.7,
                    )

    def _beat_question(self, scene: LessonScene, board: WorkedExampleBoard, question: str) -> None:
        """The alternating column flips and never builds; the constant one grows: where to?"""
        # Made now: the tints start from the cells as they are once revealed.
        v2_box, v2_highlight = board.table.highlight_column(V2_COLUMN, style.HIGHLIGHT_COLOR)
        _, v1_highlight = board.table.highlight_column(V1_COLUMN, meaning="velocity")
        limit_line = board.limit_line
        with scene.voiceover(text=question) as tracker:
            scene.play(
                v2_highlight, run_time=max(min(1.5, tracker.time_until_bookmark("first")), 0.3)
            )
            scene.wait_until_bookmark("first")
            scene.play(FadeOut(v2_box), v1_highlight, run_time=0.8)
            scene.play(
                FadeIn(limit_line.axis),
                LaggedStart(*[FadeIn(mark, scale=1.5) for mark in limit_line.marks], lag_ratio=0.3),
                FadeIn(board.question_mark),
                run_time=max(tracker.get_remaining_duration(), 0.5),
            )
            scene.hold(board.question_mark, limit_line.axis, limit_line.marks)
        scene.pause(self.question_pause_s)

    def _beat_limit(
        self,
        scene: LessonScene,
        board: WorkedExampleBoard,
        limit: str,
        figs: WorkedExampleFigures,
    ) -> None:
        """The answer, α/(1 − β), in place of the question mark; then a pause on it."""
        answer = math_line(
            r"\frac{\alpha}{1-\beta}",
            "=",
            rf"\frac{{{figs.lr:g}}}{{{format_number(figs.one_minus_beta, 1)}}}",
            "=",
            format_number(figs.limit, 2),
            size=ANSWER_SIZE,
        )
        style.paint(answer[4], "velocity")
        answer.next_to(board.limit_line.axis, DOWN, buff=0.5)
        with scene.voiceover(text=limit) as tracker:
            scene.play(
                FadeOut(board.question_mark), Write(answer), run_time=min(2.5, tracker.duration)
            )
            scene.hold(answer, board.limit_line.axis)
        scene.pause(self.result_pause_s)


def velocity_table(figs: WorkedExampleFigures) -> FillTable:
    """The table k, g₁, g₂, v₁, v₂, one row a step, the velocities to ``TABLE_DECIMALS``."""
    rows = [
        [str(k + 1), g1, g2, v1, v2]
        for k, ((g1, g2), (v1, v2)) in enumerate(zip(figs.gradients, figs.velocities, strict=True))
    ]
    fixed = lambda value: format_fixed(value, TABLE_DECIMALS)  # noqa: E731
    table = FillTable(
        ["k", "g_1", "g_2", "v_1", "v_2"],
        rows,
        formatters=[None, format_signed_integer, format_signed_integer, fixed, fixed],
        column_widths=[0.75, 1.0, 1.0, 2.2, 2.2],
        row_height=0.76,
        font_size=style.BODY_SIZE,
        header_colors=[
            style.MUTED_TEXT_COLOR,
            *[style.GRADIENT_COLOR] * 2,
            *[style.VELOCITY_COLOR] * 2,
        ],
        cell_colors=[style.MUTED_TEXT_COLOR, *[style.TEXT_COLOR] * 4],
    )
    for column, meaning in enumerate(("gradient", "gradient", "velocity", "velocity"), start=1):
        style.mark(table.header_row[column], meaning)
    return table
