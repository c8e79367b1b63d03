"""Chapter 2, the refresher: one step of plain gradient descent on a 1-D loss curve.

The update rule θ ← θ − α·∇L, then the brief's example drawn on the curve
L(θ) = θ²/3 (its slope at θ = 3.0 is 2.0): the slope as a tangent line, the
step −α·∂L/∂θ as an arrow, and the new θ = 2.8, computed by ``momentum_math``.

Render: ``manim render scenes/refresher.py`` (add ``-ql`` for a quick 480p preview).
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
    Axes,
    Create,
    DashedLine,
    Dot,
    GrowArrow,
    Line,
    MathTex,
    SurroundingRectangle,
    Text,
    VGroup,
    Write,
)

from lesson_narration.refresher import RefresherFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn
from lessonkit.formatting import MINUS, format_number, spoken_number
from lessonkit.narration import LessonScene
from lessonkit.panels import math_label, title_text
from lessonkit.text_blocks import math_line

#: Sizes of the rule, the axis and curve labels, the values column and the result.
RULE_SIZE = style.TITLE_SIZE + 4
AXIS_LABEL_SIZE = style.LABEL_SIZE + 4
VALUE_SIZE = style.BODY_SIZE + 2
RESULT_SIZE = style.BODY_SIZE + 4
#: Where the rule stands (top right, beside the title), where the curve's axes are centred
#: (left half), and the left end of the first line of the values column (right half).
RULE_CENTER = [3.7, 2.45, 0]
AXES_CENTER = [-2.9, 0.75, 0]
VALUES_ANCHOR = [1.9, 1.3, 0]
#: The θ range drawn, and where the curve's formula sits, in the curve's own coordinates.
THETA_RANGE = (-0.4, 3.5)
CURVE_LABEL_AT = (1.0, 3.2)
#: How far the tangent reaches left and right of the starting θ.
TANGENT_REACH = (0.75, 0.45)
#: How far above the θ axis the step's arrow runs.
ARROW_LIFT = UP * 0.18


def tex_number(value: float, digits: int = 2) -> str:
    """``format_number`` for MathTex (an ASCII minus, which LaTeX typesets as one)."""
    return format_number(value, digits).replace(MINUS, "-")


@dataclass(frozen=True)
class RefresherBoard:
    """What the refresher shows across its beats, laid out before the first one: the rule,
    the curve's axes with the dot on it, and the column of values beside them."""

    title: Text
    rule: MathTex
    axes: Axes
    dot: Dot
    start_value: MathTex
    slope_value: MathTex
    alpha_value: MathTex
    result: MathTex


class RefresherChapter(Chapter):
    """Plain gradient descent, one step: θ = 3.0, slope 2.0, α = 0.1 gives θ = 2.8."""

    name = "refresher"
    #: Seconds the result is held on screen.
    result_pause_s = 2.0

    def figures(self) -> RefresherFigures:
        """The refresher's step (see :func:`lesson_narration.refresher.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        board = self._layout(figs)
        self._beat_rule(scene, board, lines.rule)
        self._beat_curve(scene, board, lines.curve, figs)
        self._beat_slope(scene, board, lines.slope, figs)
        self._beat_step(scene, board, lines.step, figs)
        self._beat_result(scene, board, lines.result, figs)
        self._beat_bridge(scene, board, lines.bridge)

    def _layout(self, figs: RefresherFigures) -> RefresherBoard:
        """The title, the rule top right, the curve's axes with the dot at θ, the values."""
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        rule = math_line(
            r"\theta", r"\leftarrow", r"\theta - \alpha\,\nabla L(\theta)", size=RULE_SIZE
        )
        rule.move_to(RULE_CENTER)
        axes = Axes(
            x_range=[*THETA_RANGE, 1],
            y_range=[0, 4.2, 1],
            x_length=7.0,
            y_length=3.7,
            tips=False,
            axis_config={"color": style.AXIS_COLOR, "stroke_width": style.THIN_STROKE_WIDTH},
        ).move_to(AXES_CENTER)
        dot = Dot(axes.c2p(figs.start, figs.start_loss), radius=0.1)
        style.paint_run(dot, 0.0)  # plain descent, in one variable
        dot.set_z_index(3)
        return RefresherBoard(title, rule, axes, dot, *value_column(figs))

    @staticmethod
    def _beat_rule(scene: LessonScene, board: RefresherBoard, rule_line: str) -> None:
        """The rule."""
        with scene.voiceover(text=rule_line) as tracker:
            scene.play(FadeIn(board.title), run_time=0.6)
            scene.play(Write(board.rule), run_time=max(tracker.get_remaining_duration() * 0.5, 1.0))

    @staticmethod
    def _beat_curve(
        scene: LessonScene, board: RefresherBoard, curve_line: str, figs: RefresherFigures
    ) -> None:
        """The curve and where we start."""
        axes = board.axes
        axis_labels = VGroup(
            math_label(r"\theta", style.MUTED_TEXT_COLOR, AXIS_LABEL_SIZE).next_to(
                axes.x_axis.get_right(), RIGHT, buff=0.15
            ),
            math_label(r"L(\theta)", style.MUTED_TEXT_COLOR, AXIS_LABEL_SIZE).next_to(
                axes.y_axis.get_top(), RIGHT, buff=0.15
            ),
        )
        curve = axes.plot(
            figs.loss, x_range=list(THETA_RANGE), color=style.CONTOUR_HIGH_COLOR, stroke_width=4
        )
        # ½·λ·θ² written as θ²/d, with d = 2/λ (3 for the brief's example).
        curve_label = math_label(
            rf"L(\theta) = \theta^2/{spoken_number(2.0 / figs.curvature)}",
            style.CONTOUR_HIGH_COLOR,
            AXIS_LABEL_SIZE,
        )
        curve_label.move_to(axes.c2p(*CURVE_LABEL_AT))
        drop = drop_line(axes, figs.start, figs.start_loss)
        with scene.voiceover(text=curve_line):
            scene.play(Create(axes), FadeIn(axis_labels), run_time=1.0)
            scene.play(Create(curve), FadeIn(curve_label), run_time=1.2)
            scene.play(
                FadeIn(board.dot, scale=2), Create(drop), FadeIn(board.start_value), run_time=1.0
            )

    @staticmethod
    def _beat_slope(
        scene: LessonScene, board: RefresherBoard, slope_line: str, figs: RefresherFigures
    ) -> None:
        """The slope there, as a tangent line."""
        left, right = TANGENT_REACH
        tangent = Line(
            board.axes.c2p(figs.start - left, figs.start_loss - left * figs.gradient),
            board.axes.c2p(figs.start + right, figs.start_loss + right * figs.gradient),
            stroke_width=4,
        )
        style.paint(tangent, "gradient")
        with scene.voiceover(text=slope_line):
            scene.play(Create(tangent), FadeIn(board.slope_value), run_time=1.2)

    @staticmethod
    def _beat_step(
        scene: LessonScene, board: RefresherBoard, step_line: str, figs: RefresherFigures
    ) -> None:
        """The step, α times the slope, to the left."""
        arrow = Arrow(
            board.axes.c2p(figs.start, 0) + ARROW_LIFT,
            board.axes.c2p(figs.new_theta, 0) + ARROW_LIFT,
            buff=0,
            color=style.GRADIENT_COLOR,
            stroke_width=5,
            max_tip_length_to_length_ratio=0.5,
            tip_length=0.16,
        )
        style.mark(arrow, "gradient")
        arrow_label = style.paint(
            math_label(
                rf"-\alpha\,\partial L/\partial\theta = {tex_number(figs.step, 1)}",
                size=style.LABEL_SIZE,
            ),
            "gradient",
        )
        arrow_label.next_to(arrow, LEFT, buff=0.15).shift(UP * 0.3)
        with scene.voiceover(text=step_line):
            scene.play(FadeIn(board.alpha_value), run_time=0.8)
            scene.wait_until_bookmark("move")
            scene.play(GrowArrow(arrow), FadeIn(arrow_label), run_time=1.0)

    def _beat_result(
        self, scene: LessonScene, board: RefresherBoard, result_line: str, figs: RefresherFigures
    ) -> None:
        """The new θ, a little lower on the curve."""
        new_point = board.axes.c2p(figs.new_theta, figs.new_loss)
        new_drop = drop_line(board.axes, figs.new_theta, figs.new_loss)
        box = SurroundingRectangle(board.result, color=style.HIGHLIGHT_COLOR, buff=0.15)
        with scene.voiceover(text=result_line):
            scene.play(FadeIn(board.result, shift=RIGHT * 0.2), run_time=1.0)
            scene.play(
                board.dot.animate.move_to(new_point), Create(new_drop), Create(box), run_time=1.2
            )
        scene.hold(board.result)
        scene.pause(self.result_pause_s)

    @staticmethod
    def _beat_bridge(scene: LessonScene, board: RefresherBoard, bridge: str) -> None:
        """The bridge to momentum: the rule lights up."""
        with scene.voiceover(text=bridge):
            scene.play(board.rule.animate.set_color(style.HIGHLIGHT_COLOR), run_time=0.8)
            scene.play(board.rule.animate.set_color(style.TEXT_COLOR), run_time=0.8)


def value_column(figs: RefresherFigures) -> tuple[MathTex, MathTex, MathTex, MathTex]:
    """θ, the slope, α and the step's result, one under the other from :data:`VALUES_ANCHOR`."""
    alpha, theta0 = tex_number(figs.lr, 1), tex_number(figs.start)
    slope, theta1 = tex_number(figs.gradient), tex_number(figs.new_theta)
    start_value = math_label(rf"\theta = {theta0}", size=VALUE_SIZE)
    start_value.move_to(VALUES_ANCHOR, aligned_edge=LEFT)
    slope_value = style.paint(
        math_label(rf"\partial L / \partial \theta = {slope}", size=VALUE_SIZE), "gradient"
    )
    slope_value.next_to(start_value, DOWN, aligned_edge=LEFT, buff=0.35)
    alpha_value = math_label(rf"\alpha = {alpha}", size=VALUE_SIZE)
    alpha_value.next_to(slope_value, DOWN, aligned_edge=LEFT, buff=0.35)
    result = math_line(
        r"\theta", r"\leftarrow", rf"{theta0} - {alpha}\cdot {slope}", "=", theta1, size=RESULT_SIZE
    )
    result.next_to(alpha_value, DOWN, aligned_edge=LEFT, buff=0.55)
    result[-1].set_color(style.HIGHLIGHT_COLOR)
    return start_value, slope_value, alpha_value, result


def drop_line(axes: Axes, theta: float, loss: float) -> DashedLine:
    """A dashed line from the point (θ, L) of the curve down to the θ axis."""
    return DashedLine(
        axes.c2p(theta, loss), axes.c2p(theta, 0), color=style.MUTED_TEXT_COLOR, stroke_width=2
    )
