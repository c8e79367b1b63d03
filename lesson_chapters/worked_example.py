"""Chapter: the course page's worked example, momentum worked out by hand.

A velocity table fills row by row (g₁ = +1 every step, g₂ = +2, −2, …;
α = 0.1, β = 0.9, lesson convention v ← βv + αg): the alternating column
cancels and stays small, the constant one grows toward α/(1 − β), drawn on a
number line beside the table.

Render: ``manim render scenes/worked_example.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    UL,
    UP,
    UR,
    AnimationGroup,
    Create,
    DashedLine,
    Dot,
    LaggedStart,
    Line,
    MathTex,
    Text,
    VGroup,
    Write,
)

from lesson_narration.worked_example import (
    TABLE_DECIMALS,
    WorkedExampleFigures,
    figures,
    script,
)
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_number
from lessonkit.narration import LessonScene
from lessonkit.panels import equation_panel, title_text
from lessonkit.table import FillTable, format_fixed, format_signed_integer


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

        # Beat: the rule, the numbers, the empty table.
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        rule = equation_panel(
            [
                r"v \leftarrow \beta\, v + \alpha\, g",
                rf"\alpha = {figs.lr:g},\quad \beta = {figs.beta:g}",
            ],
            font_size=style.BODY_SIZE + 2,
        )
        rule.to_corner(UR, buff=style.MARGIN + 0.1)
        table = self._table(figs)
        table.next_to(title, DOWN, buff=0.6).to_edge(LEFT, buff=style.MARGIN + 0.25)
        panel = table.frame_box()
        with scene.voiceover(text=lines.setup) as tracker:
            scene.play(FadeIn(title), FadeIn(rule), run_time=0.8)
            scene.play(
                FadeIn(panel),
                Write(table.header_row),
                Create(table.rule),
                run_time=min(2.0, max(tracker.get_remaining_duration() - 0.2, 0.5)),
            )
            # The gradient columns are given, not computed: show them all at once.
            scene.play(
                *[
                    table.cell(k, j).animate.set_fill(opacity=1.0)
                    for k in range(table.num_rows)
                    for j in (0, 1, 2)
                ],
                run_time=max(tracker.get_remaining_duration(), 0.5),
            )

        # Beats: the velocity columns, row by row, each landing on its words.
        for text, marks in (
            (lines.first_row, ["row1"]),
            (lines.second_row, ["row2"]),
            (lines.more_rows, ["row3", "row4"]),
        ):
            with scene.voiceover(text=text):
                for mark in marks:
                    row = int(mark.removeprefix("row")) - 1
                    scene.wait_until_bookmark(mark)
                    scene.play(self._reveal_velocities(table, row), run_time=0.7)

        # Beat: the alternating column cancels; the constant one grows: where to? Ask, then pause.
        v2_box, v2_highlight = table.highlight_column(4, style.HIGHLIGHT_COLOR)
        v1_box, v1_highlight = table.highlight_column(3, style.VELOCITY_COLOR)
        number_line, marks = self._number_line(figs)
        VGroup(number_line, marks).move_to([4.1, 0.75, 0.0])
        question_mark = Text(
            "?", font=style.FONT, font_size=style.TITLE_SIZE, color=style.HIGHLIGHT_COLOR
        )
        question_mark.next_to(number_line[0].get_end(), UP, buff=0.3)
        with scene.voiceover(text=lines.question) as tracker:
            scene.play(
                v2_highlight, run_time=max(min(1.5, tracker.time_until_bookmark("first")), 0.3)
            )
            scene.wait_until_bookmark("first")
            scene.play(FadeOut(v2_box), v1_highlight, run_time=0.8)
            scene.play(
                FadeIn(number_line),
                LaggedStart(*[FadeIn(mark, scale=1.5) for mark in marks], lag_ratio=0.3),
                FadeIn(question_mark),
                run_time=max(tracker.get_remaining_duration(), 0.5),
            )
            scene.hold(question_mark, number_line, marks)
        scene.pause(self.question_pause_s)

        # Beat: the answer, α/(1 − β), then a pause on it.
        answer = MathTex(
            r"\frac{\alpha}{1-\beta}",
            "=",
            rf"\frac{{{figs.lr:g}}}{{{format_number(figs.one_minus_beta, 1)}}}",
            "=",
            format_number(figs.limit, 2),
            font_size=style.TITLE_SIZE,
            color=style.TEXT_COLOR,
        )
        answer[4].set_color(style.VELOCITY_COLOR)
        answer.next_to(number_line, DOWN, buff=0.5)
        with scene.voiceover(text=lines.limit) as tracker:
            scene.play(FadeOut(question_mark), Write(answer), run_time=min(2.5, tracker.duration))
            scene.hold(answer, number_line)
        scene.pause(self.result_pause_s)

    # --- pieces ----------------------------------------------------------------------

    @staticmethod
    def _table(figs: WorkedExampleFigures) -> FillTable:
        rows = [
            [str(k + 1), g1, g2, v1, v2]
            for k, ((g1, g2), (v1, v2)) in enumerate(
                zip(figs.gradients, figs.velocities, strict=True)
            )
        ]
        fixed = lambda value: format_fixed(value, TABLE_DECIMALS)  # noqa: E731
        return FillTable(
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

    @staticmethod
    def _reveal_velocities(table: FillTable, row: int) -> AnimationGroup:
        table.revealed = max(table.revealed, row + 1)
        return AnimationGroup(
            *[table.cell(row, j).animate.set_fill(opacity=1.0) for j in (3, 4)], lag_ratio=0.3
        )

    def _number_line(self, figs: WorkedExampleFigures) -> tuple[VGroup, VGroup]:
        """A line from 0 to the limit with its ends labelled, and one dot per v₁ in the table."""
        length = self.line_length
        line = Line([0.0, 0.0, 0.0], [length, 0.0, 0.0])
        line.set_stroke(style.AXIS_COLOR, style.STROKE_WIDTH)
        zero_tick = Line([0.0, -0.12, 0.0], [0.0, 0.12, 0.0]).set_stroke(style.AXIS_COLOR, 2.5)
        zero = MathTex("0", font_size=style.BODY_SIZE, color=style.MUTED_TEXT_COLOR)
        zero.next_to(zero_tick, DOWN, buff=0.12)
        limit_tick = DashedLine([length, -0.35, 0.0], [length, 0.35, 0.0], dash_length=0.08)
        limit_tick.set_stroke(style.VELOCITY_COLOR, 2.5)
        limit = MathTex(
            format_number(figs.limit, 2), font_size=style.BODY_SIZE, color=style.VELOCITY_COLOR
        )
        limit.next_to(limit_tick, DOWN, buff=0.1)
        name = MathTex("v_1", font_size=style.TITLE_SIZE, color=style.VELOCITY_COLOR)
        name.next_to(line, LEFT, buff=0.3)
        group = VGroup(line, zero_tick, zero, limit_tick, limit, name)
        marks = VGroup(
            *[
                Dot([length * v1 / figs.limit, 0.0, 0.0], radius=0.1, color=style.VELOCITY_COLOR)
                for v1, _ in figs.velocities
            ]
        )
        marks.set_z_index(2)
        return group, marks
