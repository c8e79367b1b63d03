"""Chapter 11, in code: momentum in PyTorch's SGD optimizer.

The course page's training loop as a code panel, ``momentum=0.9`` tied to β,
the convention PyTorch uses (v ← βv + ∇L, θ ← θ − αv) beside the lesson's
(v ← βv + α∇L, θ ← θ − v) with the ravine run computed in both (same
positions, velocities a factor α apart), and where the velocity lives.

Render: ``manim render scenes/in_code.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Arrow,
    Create,
    ManimColor,
    MathTex,
    SurroundingRectangle,
    Text,
    VGroup,
)

from lesson_narration.in_code import InCodeFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.code_panel import CodePanel
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_number, format_point
from lessonkit.narration import LessonScene
from lessonkit.panels import math_label, text_label, title_text
from lessonkit.text_blocks import mono_label, place_in_columns, rule_block

#: The comparison table: its cells' size in the code font, where each column starts (relative
#: to the first) and how far apart its rows are.
CELL_SIZE = style.SMALL_SIZE + 2
COLUMN_LEFTS = [0.0, 1.9, 5.5]
ROW_STEP = 0.48
#: The code panel's lines where the optimizer (and with it the velocity buffer) is created.
CREATION_LINES = (1, 2)


@dataclass(frozen=True)
class InCodeBoard:
    """What the chapter shows across its beats, laid out before the first one: the code
    under the title, β right of it with the two conventions under β, and the comparison of
    the two runs where the code was (it gives way to the comparison, then comes back as
    ``code_again``: everything stays above the paused-caption line)."""

    title: Text
    panel: CodePanel
    token_box: SurroundingRectangle
    beta: MathTex
    pointer: Arrow
    conventions: VGroup
    comparison: VGroup
    factor: MathTex
    same: SurroundingRectangle
    code_again: CodePanel


class InCodeChapter(Chapter):
    """PyTorch's ``SGD(momentum=β)``: which convention it uses, and where v lives."""

    name = "in_code"

    def figures(self) -> InCodeFigures:
        """The chapter's numbers (see :func:`lesson_narration.in_code.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        board = self._layout(figs)
        self._beat_code(scene, board, lines.code)
        self._beat_beta(scene, board, lines.beta)
        self._beat_convention(scene, board, lines.convention)
        self._beat_same_path(scene, board, lines.same_path)
        self._beat_buffer(scene, board, lines.buffer)

    def _layout(self, figs: InCodeFigures) -> InCodeBoard:
        """Everything the beats show, placed (see :class:`InCodeBoard`)."""
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        panel = CodePanel(figs.code, font_size=style.SMALL_SIZE)
        panel.next_to(title, DOWN, aligned_edge=LEFT, buff=0.3)
        token_box = panel.highlight_token(f"momentum={figs.momentum:g}")
        beta = math_label(
            rf"\beta = {format_number(figs.momentum, 1)}", style.HIGHLIGHT_COLOR, style.TITLE_SIZE
        )
        beta.next_to(panel, RIGHT, buff=0.75)
        beta.set_y(token_box.get_y())
        pointer = Arrow(
            token_box.get_right(),
            beta.get_left(),
            buff=0.1,
            color=style.HIGHLIGHT_COLOR,
            stroke_width=4,
            max_tip_length_to_length_ratio=0.25,
        )
        conventions = VGroup(
            rule_block("PyTorch", "pytorch"), rule_block("this lesson", "lesson")
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.3)
        conventions.next_to(beta, DOWN, buff=0.3).align_to(beta, LEFT)
        comparison = comparison_table(figs)
        comparison.move_to(panel, aligned_edge=UL).shift(RIGHT * 0.2 + DOWN * 0.3)
        _, row_pytorch, row_lesson = comparison
        factor = math_label(
            rf"\text{{both: }} \beta = {format_number(figs.compare_beta, 1)},\quad"
            rf"\times\,\alpha = {format_number(figs.velocity_ratio, 1)}",
            style.HIGHLIGHT_COLOR,
            style.BODY_SIZE + 2,
        )
        factor.next_to(row_lesson[2], DOWN, aligned_edge=RIGHT, buff=0.2)
        same = SurroundingRectangle(
            VGroup(row_pytorch[1], row_lesson[1]), color=style.HIGHLIGHT_COLOR, buff=0.08
        )
        return InCodeBoard(
            title,
            panel,
            token_box,
            beta,
            pointer,
            conventions,
            comparison,
            factor,
            same,
            panel.copy(),
        )

    @staticmethod
    def _beat_code(scene: LessonScene, board: InCodeBoard, code: str) -> None:
        """The training loop."""
        with scene.voiceover(text=code) as tracker:
            scene.play(FadeIn(board.title), run_time=0.6)
            scene.play(
                FadeIn(board.panel, shift=UP * 0.2),
                run_time=min(tracker.get_remaining_duration(), 1.5),
            )

    @staticmethod
    def _beat_beta(scene: LessonScene, board: InCodeBoard, beta: str) -> None:
        """``momentum=0.9`` is β."""
        with scene.voiceover(text=beta):
            scene.play(Create(board.token_box), run_time=0.8)
            scene.play(Create(board.pointer), FadeIn(board.beta, shift=RIGHT * 0.2), run_time=1.0)

    @staticmethod
    def _beat_convention(scene: LessonScene, board: InCodeBoard, convention: str) -> None:
        """PyTorch's convention against the lesson's."""
        pytorch, lesson = board.conventions
        with scene.voiceover(text=convention):
            scene.play(FadeIn(pytorch, shift=LEFT * 0.2), run_time=1.0)
            scene.play(FadeIn(lesson, shift=LEFT * 0.2), run_time=1.0)

    @staticmethod
    def _beat_same_path(scene: LessonScene, board: InCodeBoard, same_path: str) -> None:
        """Same path, velocities a factor α apart (computed in both conventions)."""
        with scene.voiceover(text=same_path):
            scene.play(
                FadeOut(board.panel), FadeOut(board.token_box), FadeOut(board.pointer), run_time=0.5
            )
            scene.play(*[FadeIn(row) for row in board.comparison], run_time=1.2)
            scene.play(Create(board.same), run_time=0.8)
            scene.play(FadeIn(board.factor, shift=LEFT * 0.2), run_time=0.8)

    @staticmethod
    def _beat_buffer(scene: LessonScene, board: InCodeBoard, buffer: str) -> None:
        """Where the velocity lives: created with the optimizer, updated by each step, from 0."""
        panel = board.code_again
        creation = style.paint(panel.highlight_lines(*CREATION_LINES), "velocity")
        stepping = style.paint(
            panel.highlight_line(panel.find_line("optimizer.step()")), "velocity"
        )
        note = VGroup(
            *[
                text_label(text, color, style.LABEL_SIZE)
                for text, color in (
                    ("velocity v:", style.TEXT_COLOR),
                    ("in the optimizer,", style.TEXT_COLOR),
                    ("one per parameter", style.TEXT_COLOR),
                )
            ]
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        style.paint(note[0], "velocity")
        note.move_to(board.conventions, aligned_edge=UL)
        zero = text_label("starts at v = 0", style.HIGHLIGHT_COLOR, style.LABEL_SIZE + 2)
        zero.next_to(note, DOWN, aligned_edge=LEFT, buff=0.35)
        leaving = (board.comparison, board.factor, board.conventions, board.same)
        with scene.voiceover(text=buffer):
            scene.play(*[FadeOut(part) for part in leaving], run_time=0.6)
            scene.play(FadeIn(panel), run_time=0.6)
            scene.play(Create(creation), FadeIn(note), run_time=1.0)
            scene.wait_until_bookmark("step")
            scene.play(Create(stepping), run_time=0.6)
            scene.wait_until_bookmark("zero")
            scene.play(FadeIn(zero, shift=UP * 0.15), run_time=0.8)


def comparison_table(figs: InCodeFigures) -> VGroup:
    """Position and velocity at ``figs.step`` in each convention: a header and one row a run,
    in the code font (velocities in the velocity colour), its first cell at the origin."""

    def cell(text: str, color: ManimColor = style.TEXT_COLOR) -> Text:
        return mono_label(text, color, CELL_SIZE)

    muted = style.MUTED_TEXT_COLOR
    header = VGroup(
        cell(f"step {figs.step}", muted), cell("position θ", muted), cell("velocity v", muted)
    )
    rows = [
        VGroup(
            cell(name),
            cell(format_point(run.positions[figs.step])),
            style.paint(cell(format_point(velocity)), "velocity"),
        )
        for name, run, velocity in (
            ("PyTorch", figs.pytorch, figs.pytorch_velocity),
            ("lesson", figs.lesson, figs.lesson_velocity),
        )
    ]
    return place_in_columns([header, *rows], COLUMN_LEFTS, ROW_STEP)
