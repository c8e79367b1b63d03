"""Chapter 11, in code: momentum in PyTorch's SGD optimizer.

The course page's training loop as a code panel, ``momentum=0.9`` tied to β,
the convention PyTorch uses (v ← βv + ∇L, θ ← θ − αv) beside the lesson's
(v ← βv + α∇L, θ ← θ − v) with the ravine run computed in both (same
positions, velocities a factor α apart), and where the velocity lives.

Render: ``manim render scenes/in_code.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

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
from lessonkit.panels import title_text
from momentum_math import rules


def rule_block(heading: str, convention: str) -> VGroup:
    """A heading over the two update lines of ``convention`` (from ``momentum_math.rules``)."""
    rule = rules.rule(convention)
    title = Text(heading, font=style.FONT, font_size=style.LABEL_SIZE, color=style.MUTED_TEXT_COLOR)
    lines = VGroup(
        MathTex(rule.velocity_latex, font_size=style.BODY_SIZE + 6, color=style.VELOCITY_COLOR),
        MathTex(rule.position_latex, font_size=style.BODY_SIZE + 6, color=style.TEXT_COLOR),
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
    return VGroup(title, lines).arrange(DOWN, aligned_edge=LEFT, buff=0.15)


def mono(text: str, color: ManimColor = style.TEXT_COLOR, size: int = style.SMALL_SIZE + 2) -> Text:
    """One cell of the comparison table, in the code font."""
    return Text(text, font=style.MONO_FONT, font_size=size, color=color)


class InCodeChapter(Chapter):
    """PyTorch's ``SGD(momentum=β)``: which convention it uses, and where v lives."""

    name = "in_code"

    def figures(self) -> InCodeFigures:
        """The chapter's numbers (see :func:`lesson_narration.in_code.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)

        # Beat: the training loop.
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        panel = CodePanel(figs.code, font_size=style.SMALL_SIZE)
        panel.next_to(title, DOWN, aligned_edge=LEFT, buff=0.3)
        with scene.voiceover(text=lines.code) as tracker:
            scene.play(FadeIn(title), run_time=0.6)
            scene.play(
                FadeIn(panel, shift=UP * 0.2), run_time=min(tracker.get_remaining_duration(), 1.5)
            )

        # Beat: momentum=0.9 is β.
        token = f"momentum={figs.momentum:g}"
        box = panel.highlight_token(token)
        beta = MathTex(
            rf"\beta = {format_number(figs.momentum, 1)}",
            font_size=style.TITLE_SIZE,
            color=style.HIGHLIGHT_COLOR,
        )
        beta.next_to(panel, RIGHT, buff=0.75)
        beta.set_y(box.get_y())
        pointer = Arrow(
            box.get_right(),
            beta.get_left(),
            buff=0.1,
            color=style.HIGHLIGHT_COLOR,
            stroke_width=4,
            max_tip_length_to_length_ratio=0.25,
        )
        with scene.voiceover(text=lines.beta):
            scene.play(Create(box), run_time=0.8)
            scene.play(Create(pointer), FadeIn(beta, shift=RIGHT * 0.2), run_time=1.0)

        # Beat: PyTorch's convention against the lesson's.
        pytorch = rule_block("PyTorch", "pytorch")
        lesson = rule_block("this lesson", "lesson")
        conventions = VGroup(pytorch, lesson).arrange(DOWN, aligned_edge=LEFT, buff=0.35)
        conventions.next_to(beta, DOWN, buff=0.4).align_to(beta, LEFT)
        with scene.voiceover(text=lines.convention) as tracker:
            scene.play(FadeIn(pytorch, shift=LEFT * 0.2), run_time=1.0)
            scene.play(FadeIn(lesson, shift=LEFT * 0.2), run_time=1.0)

        # Beat: same path, velocities a factor α apart (computed in both conventions).
        header = VGroup(
            mono(f"step {figs.step}", style.MUTED_TEXT_COLOR),
            mono("position θ", style.MUTED_TEXT_COLOR),
            mono("velocity v", style.MUTED_TEXT_COLOR),
        )
        row_pytorch = VGroup(
            mono("PyTorch"),
            mono(format_point(figs.pytorch.positions[figs.step])),
            mono(format_point(figs.pytorch_velocity), style.VELOCITY_COLOR),
        )
        row_lesson = VGroup(
            mono("lesson"),
            mono(format_point(figs.lesson.positions[figs.step])),
            mono(format_point(figs.lesson_velocity), style.VELOCITY_COLOR),
        )
        table = VGroup(header, row_pytorch, row_lesson)
        column_x = [0.0, 1.9, 5.5]
        for row_index, row in enumerate(table):
            for cell, x in zip(row, column_x, strict=True):
                cell.move_to([x, -0.48 * row_index, 0], aligned_edge=LEFT)
        table.next_to(panel, DOWN, aligned_edge=LEFT, buff=0.35).shift(RIGHT * 0.2)
        factor = MathTex(
            rf"\times\,\alpha = {format_number(figs.velocity_ratio, 1)}",
            font_size=style.BODY_SIZE + 2,
            color=style.HIGHLIGHT_COLOR,
        )
        factor.next_to(row_lesson[2], DOWN, aligned_edge=RIGHT, buff=0.2)
        same = SurroundingRectangle(
            VGroup(row_pytorch[1], row_lesson[1]), color=style.MOMENTUM_COLOR, buff=0.08
        )
        with scene.voiceover(text=lines.same_path):
            scene.play(FadeIn(header), FadeIn(row_pytorch), FadeIn(row_lesson), run_time=1.2)
            scene.play(Create(same), run_time=0.8)
            scene.play(FadeIn(factor, shift=LEFT * 0.2), run_time=0.8)

        # Beat: where the velocity lives.
        creation = SurroundingRectangle(
            VGroup(panel.line(1), panel.line(2)),
            color=style.VELOCITY_COLOR,
            buff=0.08,
            stroke_width=style.STROKE_WIDTH,
        )
        stepping = panel.highlight_line(
            panel.find_line("optimizer.step()"), color=style.VELOCITY_COLOR
        )
        note = VGroup(
            Text(
                "velocity v:",
                font=style.FONT,
                font_size=style.LABEL_SIZE,
                color=style.VELOCITY_COLOR,
            ),
            Text(
                "in the optimizer,",
                font=style.FONT,
                font_size=style.LABEL_SIZE,
                color=style.TEXT_COLOR,
            ),
            Text(
                "one per parameter",
                font=style.FONT,
                font_size=style.LABEL_SIZE,
                color=style.TEXT_COLOR,
            ),
        ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        note.move_to(conventions, aligned_edge=UL)
        zero = Text(
            "starts at v = 0",
            font=style.FONT,
            font_size=style.LABEL_SIZE + 2,
            color=style.HIGHLIGHT_COLOR,
        )
        zero.next_to(note, DOWN, aligned_edge=LEFT, buff=0.35)
        with scene.voiceover(text=lines.buffer):
            scene.play(
                FadeOut(box), FadeOut(pointer), FadeOut(conventions), FadeOut(same), run_time=0.6
            )
            scene.play(Create(creation), FadeIn(note), run_time=1.0)
            scene.wait_until_bookmark("step")
            scene.play(Create(stepping), run_time=0.6)
            scene.wait_until_bookmark("zero")
            scene.play(FadeIn(zero, shift=UP * 0.15), run_time=0.8)
