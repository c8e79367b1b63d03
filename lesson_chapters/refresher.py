"""Chapter 2, the refresher: one step of plain gradient descent on a 1-D loss curve.

The update rule θ ← θ − α·∇L, then the brief's example drawn on the curve
L(θ) = θ²/3 (its slope at θ = 3.0 is 2.0): the slope as a tangent line, the
step −α·∂L/∂θ as an arrow, and the new θ = 2.8, computed by ``momentum_math``.

Render: ``manim render scenes/refresher.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Arrow,
    Axes,
    Create,
    DashedLine,
    Dot,
    GrowArrow,
    Line,
    MathTex,
    SurroundingRectangle,
    VGroup,
    Write,
)

from lesson_narration.refresher import RefresherFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn
from lessonkit.formatting import MINUS, format_number, spoken_number
from lessonkit.narration import LessonScene
from lessonkit.panels import title_text


def tex_number(value: float, digits: int = 2) -> str:
    """``format_number`` for MathTex (an ASCII minus, which LaTeX typesets as one)."""
    return format_number(value, digits).replace(MINUS, "-")


class RefresherChapter(Chapter):
    """Plain gradient descent, one step: θ = 3.0, slope 2.0, α = 0.1 gives θ = 2.8."""

    name = "refresher"

    def figures(self) -> RefresherFigures:
        """The refresher's step (see :func:`lesson_narration.refresher.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        alpha = tex_number(figs.lr, 1)
        theta0 = tex_number(figs.start)
        slope = tex_number(figs.gradient)
        move = tex_number(figs.step, 1)
        theta1 = tex_number(figs.new_theta)

        # Beat: the rule.
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        rule = MathTex(
            r"\theta",
            r"\leftarrow",
            r"\theta - \alpha\,\nabla L(\theta)",
            font_size=style.TITLE_SIZE + 4,
            color=style.TEXT_COLOR,
        )
        rule.move_to([3.7, 2.45, 0])
        with scene.voiceover(text=lines.rule) as tracker:
            scene.play(FadeIn(title), run_time=0.6)
            scene.play(Write(rule), run_time=max(tracker.get_remaining_duration() * 0.5, 1.0))

        # Beat: the curve and where we start.
        axes = Axes(
            x_range=[-0.4, 3.5, 1],
            y_range=[0, 4.2, 1],
            x_length=7.0,
            y_length=4.4,
            tips=False,
            axis_config={"color": style.AXIS_COLOR, "stroke_width": style.THIN_STROKE_WIDTH},
        ).move_to([-2.9, -0.15, 0])
        axis_labels = VGroup(
            MathTex(
                r"\theta", font_size=style.LABEL_SIZE + 4, color=style.MUTED_TEXT_COLOR
            ).next_to(axes.x_axis.get_right(), RIGHT, buff=0.15),
            MathTex(
                r"L(\theta)", font_size=style.LABEL_SIZE + 4, color=style.MUTED_TEXT_COLOR
            ).next_to(axes.y_axis.get_top(), RIGHT, buff=0.15),
        )
        curve = axes.plot(
            figs.loss, x_range=[-0.4, 3.5], color=style.CONTOUR_HIGH_COLOR, stroke_width=4
        )
        # ½·λ·θ² written as θ²/d, with d = 2/λ (3 for the brief's example).
        curve_label = MathTex(
            rf"L(\theta) = \theta^2/{spoken_number(2.0 / figs.curvature)}",
            font_size=style.LABEL_SIZE + 4,
            color=style.CONTOUR_HIGH_COLOR,
        )
        curve_label.move_to(axes.c2p(1.0, 3.2))
        start_point = axes.c2p(figs.start, figs.start_loss)
        dot = Dot(start_point, radius=0.1, color=style.GD_COLOR).set_z_index(3)
        drop = DashedLine(
            start_point, axes.c2p(figs.start, 0), color=style.MUTED_TEXT_COLOR, stroke_width=2
        )
        start_value = MathTex(
            rf"\theta = {theta0}", font_size=style.BODY_SIZE + 2, color=style.TEXT_COLOR
        )
        start_value.move_to([1.9, 1.3, 0], aligned_edge=LEFT)
        with scene.voiceover(text=lines.curve) as tracker:
            scene.play(Create(axes), FadeIn(axis_labels), run_time=1.0)
            scene.play(Create(curve), FadeIn(curve_label), run_time=1.2)
            scene.play(FadeIn(dot, scale=2), Create(drop), FadeIn(start_value), run_time=1.0)

        # Beat: the slope there, as a tangent line.
        tangent = Line(
            axes.c2p(figs.start - 0.75, figs.start_loss - 0.75 * figs.gradient),
            axes.c2p(figs.start + 0.45, figs.start_loss + 0.45 * figs.gradient),
            color=style.GRADIENT_COLOR,
            stroke_width=4,
        )
        slope_value = MathTex(
            rf"\partial L / \partial \theta = {slope}",
            font_size=style.BODY_SIZE + 2,
            color=style.GRADIENT_COLOR,
        )
        slope_value.next_to(start_value, DOWN, aligned_edge=LEFT, buff=0.35)
        with scene.voiceover(text=lines.slope):
            scene.play(Create(tangent), FadeIn(slope_value), run_time=1.2)

        # Beat: the step, α times the slope, to the left.
        new_point = axes.c2p(figs.new_theta, figs.new_loss)
        arrow = Arrow(
            axes.c2p(figs.start, 0) + UP * 0.18,
            axes.c2p(figs.new_theta, 0) + UP * 0.18,
            buff=0,
            color=style.GRADIENT_COLOR,
            stroke_width=5,
            max_tip_length_to_length_ratio=0.5,
            tip_length=0.16,
        )
        arrow_label = MathTex(
            rf"-\alpha\,\partial L/\partial\theta = {move}",
            font_size=style.LABEL_SIZE,
            color=style.GRADIENT_COLOR,
        )
        arrow_label.next_to(arrow, LEFT, buff=0.15).shift(UP * 0.3)
        alpha_value = MathTex(
            rf"\alpha = {alpha}", font_size=style.BODY_SIZE + 2, color=style.TEXT_COLOR
        )
        alpha_value.next_to(slope_value, DOWN, aligned_edge=LEFT, buff=0.35)
        with scene.voiceover(text=lines.step):
            scene.play(FadeIn(alpha_value), run_time=0.8)
            scene.wait_until_bookmark("move")
            scene.play(GrowArrow(arrow), FadeIn(arrow_label), run_time=1.0)

        # Beat: the new θ, a little lower on the curve.
        result = MathTex(
            r"\theta",
            r"\leftarrow",
            rf"{theta0} - {alpha}\cdot {slope}",
            "=",
            theta1,
            font_size=style.BODY_SIZE + 4,
            color=style.TEXT_COLOR,
        )
        result.next_to(alpha_value, DOWN, aligned_edge=LEFT, buff=0.55)
        result[-1].set_color(style.HIGHLIGHT_COLOR)
        new_drop = DashedLine(
            new_point, axes.c2p(figs.new_theta, 0), color=style.MUTED_TEXT_COLOR, stroke_width=2
        )
        box = SurroundingRectangle(result, color=style.HIGHLIGHT_COLOR, buff=0.15)
        with scene.voiceover(text=lines.result):
            scene.play(FadeIn(result, shift=RIGHT * 0.2), run_time=1.0)
            scene.play(dot.animate.move_to(new_point), Create(new_drop), Create(box), run_time=1.2)
        scene.hold(result)
        scene.pause(2.0)

        # Beat: the bridge to momentum.
        with scene.voiceover(text=lines.bridge):
            scene.play(rule.animate.set_color(style.HIGHLIGHT_COLOR), run_time=0.8)
            scene.play(rule.animate.set_color(style.TEXT_COLOR), run_time=0.8)
