"""Chapter: velocity, the memory that momentum adds to gradient descent.

A ball rolling along a valley floor; velocity arrows riding on the momentum
path in the ravine (β = 0.8); the update rule in the lesson's convention and
how three other conventions write it; the velocity unrolled into weights
α, αβ, αβ², … that add up to α/(1 − β); and velocity against step along and
across the ravine for β = 0, 0.8 and 0.9 (the ravine blog experiment).

Render: ``manim render scenes/velocity.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Create,
    DashedLine,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    Text,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

from lesson_narration.velocity import VelocityFigures, VelocityScript, figures, script
from lessonkit import style
from lessonkit.boxes import highlight_box, parts_equation_panel
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import (
    format_point,
    format_step,
    lesson_symbols,
    spoken_number,
    tex_number,
)
from lessonkit.maps import MapLayers, ravine_map_frame
from lessonkit.motion import StepArrows, TrajectoryTrail
from lessonkit.narration import LessonScene
from lessonkit.panels import Readout, ReadoutRow, math_label, text_label, title_text
from lessonkit.plots import LinePlot
from lessonkit.rolling_ball import RollingBall
from lessonkit.table import GridTable

#: The colour of each β in the ravine experiment (β = 0.9 overshoots there).
#: The update-rule lines as MathTex pieces (joined, they are ``rules.rule("lesson")``'s).
LESSON_VELOCITY_PARTS = (r"v \leftarrow", r"\beta\, v", r"+", r"\alpha\, \nabla L(\theta)")
LESSON_POSITION_PARTS = (r"\theta \leftarrow \theta - v",)
#: How each convention is named in the side-by-side panel.
CONVENTION_NAMES = {
    "lesson": "this lesson",
    "pytorch": "PyTorch",
    "ema": "moving average",
    "classical": "classical",
}

# --- layout (scene units) ---------------------------------------------------------------

#: The rule panel: gap between its lines, and from the title (it sits right of it).
RULE_LINE_BUFF = 0.25
RULE_TITLE_GAP = 0.8
#: The conventions' grid: left edges of the name, velocity and position columns; rows.
CONVENTION_COLUMNS_X = (-5.2, -1.2, 3.9)
CONVENTION_FIRST_ROW_Y = 2.1
CONVENTION_ROW_STEP = 0.8
#: The weights' bar plot (its centre, size) and each bar's width in steps.
WEIGHTS_PLOT_CENTER = (-2.6, 1.0, 0)
WEIGHTS_PLOT_SIZE = {"width": 7.4, "height": 2.8}
BAR_WIDTH = 0.7
#: The stack of weights: the middle of its floor, its height at α/(1 − β), its widths.
STACK_BASE = (4.3, -1.1, 0.0)
STACK_LIMIT_HEIGHT = 3.6
STACK_COLUMN_WIDTH = 0.8
STACK_FLOOR_HALF_WIDTH = 0.7
#: Where the α, β settings of the sum are centred (x), under the top edge.
SETTINGS_X = 1.0
#: The two velocity plots: their size and centres.
VELOCITY_PLOT_SIZE = {"width": 5.3, "height": 2.6}
ALONG_PLOT_CENTER = (-3.35, 0.75, 0)
ACROSS_PLOT_CENTER = (3.65, 0.75, 0)
#: Where each run's peak label sits beside its dot (β = 0, 0.8, 0.9).
PEAK_LABEL_SIDES = (UR, UP, DOWN)


def fade_outs(mobjects: Sequence[VMobject]) -> list[FadeOut]:
    """Fade-outs for what an earlier beat left on screen (played inside the next line)."""
    return [FadeOut(mobject) for mobject in mobjects]


# --- the chapter's pictures, each built in one place -------------------------------------


@dataclass(frozen=True, eq=False)
class RavineView:
    """The ravine map with the momentum run: its trail, x-velocity arrows and readout."""

    layers: MapLayers
    trail: TrajectoryTrail
    arrows: StepArrows
    readout: Readout

    @property
    def parts(self) -> list[VMobject]:
        """What stays on screen after the arrows go: the map, the trail, the readout."""
        return [*self.layers.parts, self.trail, self.readout]


def ravine_view(figs: VelocityFigures) -> RavineView:
    """The β = ``figs.beta`` run on the ravine map, with its arrows and readout placed."""
    run = figs.run
    frame = ravine_map_frame(run.surface)
    layers = MapLayers.for_surface(run.surface, frame)
    trail = TrajectoryTrail(run, frame, color=style.run_color(run.beta), dot_radius=0.07)
    style.mark_run(trail, run.beta)
    # The step is θ ← θ − v: each arrow is the x part of −v, from where the step
    # starts, drawn ``arrow_scale`` times larger (at true scale it hides under the dot).
    along_floor = -figs.velocities[1:] * np.array([figs.arrow_scale, 0.0])
    arrows = StepArrows(
        run.positions[:-1],
        along_floor,
        frame,
        trail.progress,
        color=style.VELOCITY_COLOR,
        label=rf"-v_x \times {tex_number(figs.arrow_scale)}",
    )
    style.mark(arrows, "velocity")
    velocities = figs.velocities
    readout = Readout(
        None,
        trail.progress,
        color=style.run_color(figs.beta),
        title=f"momentum, β = {spoken_number(figs.beta)}",
        rows=[
            ReadoutRow("step", format_step),
            ReadoutRow("v", lambda step: format_point(velocities[step])),
        ],
        last_step=run.num_steps,
    )
    readout.to_corner(UR, buff=style.MARGIN)
    readout.set_z_index(4)
    style.mark_run(readout, figs.beta)
    return RavineView(layers, trail, arrows, readout)


@dataclass(frozen=True, eq=False)
class RulePanel:
    """The lesson's update rule in a panel right of the title, and the box that reads it."""

    formula: VGroup
    mark: VMobject

    @property
    def velocity_rule(self) -> MathTex:
        """v ← βv + α∇L(θ), in :data:`LESSON_VELOCITY_PARTS`."""
        return self.formula[1][0]

    @property
    def position_rule(self) -> MathTex:
        """θ ← θ − v."""
        return self.formula[1][1]


def rule_panel(title: Text) -> RulePanel:
    """The rule, βv in the velocity's colour and α∇L in the gradient's, beside ``title``."""
    formula = parts_equation_panel(
        [LESSON_VELOCITY_PARTS, LESSON_POSITION_PARTS], line_buff=RULE_LINE_BUFF
    )
    velocity_rule = formula[1][0]
    style.paint(velocity_rule[1], "velocity")
    style.paint(velocity_rule[3], "gradient")
    formula.next_to(title, RIGHT, buff=RULE_TITLE_GAP).align_to(title, UP)
    return RulePanel(formula, highlight_box(velocity_rule[1]))


@dataclass(frozen=True, eq=False)
class ConventionRows:
    """The four conventions, one row each (name, velocity rule, position rule)."""

    table: GridTable
    lesson_box: VMobject
    footnote: Text

    @property
    def parts(self) -> list[VMobject]:
        """Everything in the picture."""
        return [self.table.body, self.lesson_box, self.footnote]


def convention_rows(figs: VelocityFigures) -> ConventionRows:
    """Each convention's rule in a row, names left-aligned, rules aligned by their left edges."""
    rows = [
        [
            text_label(CONVENTION_NAMES[rule.convention], style.MUTED_TEXT_COLOR, style.LABEL_SIZE),
            math_label(lesson_symbols(rule.velocity_latex)),
            math_label(lesson_symbols(rule.position_latex)),
        ]
        for rule in figs.conventions
    ]
    table = GridTable(
        rows,
        CONVENTION_COLUMNS_X,
        CONVENTION_FIRST_ROW_Y,
        CONVENTION_ROW_STEP,
        left_aligned=range(len(CONVENTION_COLUMNS_X)),
    )
    lesson_box = highlight_box(table.body[0], buff=0.15, color=style.HIGHLIGHT_COLOR)
    footnote = text_label(
        "One idea, v scaled differently; the moving average also steps α(1 − β).",
        style.MUTED_TEXT_COLOR,
        style.LABEL_SIZE,
    )
    footnote.next_to(table.body, DOWN, buff=0.45)
    return ConventionRows(table, lesson_box, footnote)


@dataclass(frozen=True, eq=False)
class WeightBars:
    """The weights α·βᵏ as bars against "steps ago", named α, αβ, αβ², … beside them."""

    plot: LinePlot
    bars: VGroup
    names: MathTex
    each: MathTex

    @property
    def parts(self) -> list[VMobject]:
        """Everything in the picture."""
        return [self.plot, self.bars, self.names, self.each]


def weight_bars(figs: VelocityFigures) -> WeightBars:
    """One bar per weight of ``figs.weights``, on a plot left of the stack."""
    weights = np.asarray(figs.weights)
    plot = LinePlot(
        (-1.0, float(len(weights))),
        (0.0, float(weights[0]) * 1.2),
        x_label="steps ago",
        y_label="weight of that gradient",
        x_step=5,
        y_step=float(weights[0]) / 2,
        **WEIGHTS_PLOT_SIZE,
    )
    plot.move_to(WEIGHTS_PLOT_CENTER)
    bars = plot.bars(range(len(weights)), weights, width=BAR_WIDTH, meaning="gradient")
    names = style.paint(math_label(r"\alpha,\ \alpha\beta,\ \alpha\beta^2,\ \dots"), "gradient")
    names.next_to(plot.c2p(3.0, float(weights[0])), RIGHT, buff=0.2)
    each = math_label(r"\times\beta \text{ each step}", style.MUTED_TEXT_COLOR, style.LABEL_SIZE)
    each.next_to(names, DOWN, buff=0.15, aligned_edge=LEFT)
    return WeightBars(plot, bars, names, each)


@dataclass(frozen=True, eq=False)
class WeightStack:
    """The same weights piled into a column that climbs toward α/(1 − β), and its labels."""

    segments: VGroup
    floor: Line
    limit: DashedLine
    limit_label: MathTex
    total_label: MathTex
    total_caption: Text
    settings: MathTex

    @property
    def parts(self) -> list[VMobject]:
        """Everything in the picture."""
        return [
            self.segments,
            self.floor,
            self.limit,
            self.limit_label,
            self.total_label,
            self.total_caption,
            self.settings,
        ]


def _stack_segments(weights: np.ndarray, base: np.ndarray, units_per_value: float) -> VGroup:
    """One segment per weight, each on top of the ones before, from ``base`` up."""
    segments = VGroup()
    height_so_far = 0.0
    for weight in weights:
        segment = Rectangle(width=STACK_COLUMN_WIDTH, height=weight * units_per_value)
        segment.move_to(base + (height_so_far + weight * units_per_value / 2) * UP)
        segment.set_fill(style.GRADIENT_COLOR, 0.85).set_stroke(style.BACKGROUND_COLOR, 1.0)
        segments.add(segment)
        height_so_far += weight * units_per_value
    style.mark(segments, "gradient")
    return segments


def weight_stack(figs: VelocityFigures) -> WeightStack:
    """The stack on a taller scale than the bars: α/(1 − β) is ``STACK_LIMIT_HEIGHT`` high."""
    weights = np.asarray(figs.weights)
    base = np.array(STACK_BASE)
    units_per_value = STACK_LIMIT_HEIGHT / figs.effective_step
    segments = _stack_segments(weights, base, units_per_value)
    half = STACK_FLOOR_HALF_WIDTH
    floor = Line(base + half * LEFT, base + half * RIGHT).set_stroke(style.AXIS_COLOR, 2)
    limit_y = base[1] + figs.effective_step * units_per_value
    limit = DashedLine([base[0] - half, limit_y, 0], [base[0] + half, limit_y, 0], dash_length=0.12)
    limit.set_stroke(style.HIGHLIGHT_COLOR, 3)
    limit_label = MathTex(
        r"\frac{\alpha}{1-\beta} = " + tex_number(figs.effective_step),
        r"= " + tex_number(figs.memory_window) + r"\,\alpha",
        font_size=style.BODY_SIZE,
        color=style.HIGHLIGHT_COLOR,
    )
    limit_label.next_to(limit, UP, buff=0.12).set_x(base[0])
    total_label = style.paint(math_label(tex_number(figs.partial_sum)), "gradient")
    total_label.next_to(segments, LEFT, buff=0.2).align_to(segments, UP)
    total_caption = text_label(f"{len(weights)} weights", style.MUTED_TEXT_COLOR)
    total_caption.next_to(total_label, DOWN, buff=0.1).align_to(total_label, RIGHT)
    settings = math_label(
        rf"\alpha = {tex_number(figs.rule_lr)},\quad \beta = {tex_number(figs.rule_beta)}"
    )
    settings.to_edge(UP, buff=style.MARGIN + 0.05).set_x(SETTINGS_X)
    return WeightStack(segments, floor, limit, limit_label, total_label, total_caption, settings)


@dataclass(frozen=True, eq=False)
class VelocityPlots:
    """v_x and v_y against step for each β, drawn as their trackers advance, with their marks."""

    along: LinePlot
    across: LinePlot
    legend: VGroup
    along_progress: ValueTracker
    across_progress: ValueTracker
    last_step: float
    peaks: VGroup
    kick: VGroup

    def freeze(self) -> None:
        """Stop every series following its tracker (they are fully drawn)."""
        for series in self.along.series + self.across.series:
            series.freeze()

    @property
    def parts(self) -> list[VMobject]:
        """What is left on screen at the end."""
        return [self.along, self.across, self.legend, self.peaks, self.kick]


def _velocity_plot(
    steps: np.ndarray, y_range: tuple[float, float], y_label: str, y_step: float
) -> LinePlot:
    """A velocity-against-step plot, ``y_label`` written as LaTeX."""
    return LinePlot(
        (0.0, float(steps[-1])),
        y_range,
        x_label="step",
        y_label=math_label(y_label, size=style.LABEL_SIZE),
        y_step=y_step,
        **VELOCITY_PLOT_SIZE,
    )


def velocity_plots(figs: VelocityFigures) -> VelocityPlots:
    """The two plots side by side, a series per β on each, the legend top right."""
    steps = np.arange(figs.plot_runs[0].num_steps + 1)
    x_values = [velocity[:, 0] for velocity in figs.plot_velocities]
    y_values = [velocity[:, 1] for velocity in figs.plot_velocities]
    x_low = math.floor(min(v.min() for v in x_values) / 0.05) * 0.05 - 0.05
    y_limit = math.ceil(max(np.abs(v).max() for v in y_values) / 0.1) * 0.1 + 0.1
    along = _velocity_plot(steps, (x_low, 0.05), r"v_x \text{ (along the floor)}", 0.05)
    across = _velocity_plot(steps, (-y_limit, y_limit), r"v_y \text{ (across the walls)}", 0.2)
    along.move_to(ALONG_PLOT_CENTER)
    across.move_to(ACROSS_PLOT_CENTER)
    along_progress, across_progress = ValueTracker(0.0), ValueTracker(0.0)
    for beta, xs, ys in zip(figs.plot_betas, x_values, y_values, strict=True):
        label, meaning = f"β = {spoken_number(beta)}", style.run_meaning(beta)
        along.add_series(steps, xs, label=label, meaning=meaning, progress=along_progress)
        across.add_series(steps, ys, label=label, meaning=meaning, progress=across_progress)
    legend = along.legend(direction=RIGHT)
    legend.to_corner(UR, buff=style.MARGIN)
    # What the three runs share, left of their names: the step size and the rule.
    shared = text_label(f"α = {figs.lr:g}, the lesson's rule", style.MUTED_TEXT_COLOR)
    shared.next_to(legend, LEFT, buff=0.4)
    legend.add(shared)
    # Each run's x velocity of largest size, labelled as the narration reads it.
    peaks = VGroup()
    for peak, beta, xs, side in zip(
        figs.vx_peaks, figs.plot_betas, x_values, PEAK_LABEL_SIDES, strict=True
    ):
        step = int(np.argmax(np.abs(xs)))
        meaning = style.run_meaning(beta)
        marker = along.add_marker(
            step, peak, spoken_number(peak), None, side, attach=False, meaning=meaning
        )
        peaks.add(marker)
    kick_size = abs(figs.vy_first)
    kick = VGroup(
        across.add_threshold(kick_size, spoken_number(kick_size), attach=False, meaning="gradient"),
        across.add_threshold(-kick_size, None, attach=False, meaning="gradient"),
    )
    return VelocityPlots(
        along, across, legend, along_progress, across_progress, float(steps[-1]), peaks, kick
    )


# --- the storyboard ------------------------------------------------------------------------


class VelocityChapter(Chapter):
    """Velocity: why remembered steps build up along a ravine and stay bounded across it."""

    name = "velocity"
    #: Silence after the sum reaches α/(1 − β), and after the two velocity plots (seconds).
    sum_pause_s = 1.5
    plots_pause_s = 2.0
    #: Seconds the four conventions stay still to be read before the sum replaces them.
    conventions_pause_s = 2.5

    def figures(self) -> VelocityFigures:
        """The chapter's numbers (:func:`lesson_narration.velocity.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        scene.add(title)
        ball = RollingBall()
        self._beat_ball(scene, lines, ball)
        ravine = ravine_view(figs)
        self._beat_arrows(scene, lines, ravine, leaving=ball.parts)
        self._beat_build_up(scene, figs, lines, ravine)
        rule = rule_panel(title)
        self._beat_rule(scene, lines, ravine, rule)
        conventions = convention_rows(figs)
        self._beat_conventions(scene, lines, rule, conventions, leaving=[*ravine.parts, rule.mark])
        scene.pause(self.conventions_pause_s)
        bars = weight_bars(figs)
        self._beat_unroll(scene, lines, bars, leaving=conventions.parts)
        stack = weight_stack(figs)
        self._beat_total(scene, lines, bars, stack)
        scene.pause(self.sum_pause_s)
        plots = velocity_plots(figs)
        self._beat_plots_intro(scene, lines, plots, leaving=[*bars.parts, *stack.parts])
        self._beat_plots_x(scene, lines, plots)
        self._beat_plots_y(scene, lines, plots)
        plots.freeze()
        scene.hold(*plots.parts)
        scene.pause(self.plots_pause_s)
        scene.say(lines.teaser)

    @staticmethod
    def _beat_ball(scene: LessonScene, lines: VelocityScript, ball: RollingBall) -> None:
        """A ball rolls along a valley floor; where the floor keeps its slope, its speed builds."""
        with scene.voiceover(text=lines.ball) as tracker:
            scene.play(
                FadeIn(ball.walls),
                FadeIn(ball.wall_labels),
                Create(ball.floor),
                FadeIn(ball.floor_label),
                run_time=1.0,
            )
            scene.play(FadeIn(ball.ball), FadeIn(ball.velocity), run_time=0.5)
            scene.wait_until_bookmark("roll")
            scene.add(ball.path, ball.nudges)
            ball.start_rolling()
            scene.play(ball.roll(run_time=max(tracker.get_remaining_duration() - 0.3, 1.0)))
            ball.stop_rolling()

    @staticmethod
    def _beat_arrows(
        scene: LessonScene, lines: VelocityScript, ravine: RavineView, leaving: list[VMobject]
    ) -> None:
        """The ravine map, then the momentum run's first step with its velocity arrow."""
        layers, trail = ravine.layers, ravine.trail
        with scene.voiceover(text=lines.arrows) as tracker:
            scene.play(
                *fade_outs(leaving),
                FadeIn(layers.border),
                LaggedStart(*[Create(ring) for ring in layers.contours], lag_ratio=0.1),
                FadeIn(layers.minimum),
                run_time=1.5,
            )
            scene.play(FadeIn(trail), FadeIn(ravine.readout), FadeIn(ravine.arrows), run_time=0.6)
            scene.play(trail.walk(1, run_time=max(tracker.get_remaining_duration(), 0.5)))

    @staticmethod
    def _beat_build_up(
        scene: LessonScene, figs: VelocityFigures, lines: VelocityScript, ravine: RavineView
    ) -> None:
        """The x velocity grows to its peak (its readout line boxed), then the path glides home."""
        trail = ravine.trail
        highlight = highlight_box(ravine.readout.lines[1], buff=0.08)
        with scene.voiceover(text=lines.build_up) as tracker:
            to_peak = max(tracker.time_until_bookmark("peak"), 0.5)
            scene.play(trail.walk(figs.vx_peak_step, run_time=to_peak))
            scene.play(Create(highlight), run_time=0.6)
            scene.wait_until_bookmark("glide")
            scene.play(
                FadeOut(highlight, run_time=0.3),
                trail.walk(trail.last_step, run_time=max(tracker.get_remaining_duration(), 0.5)),
            )

    @staticmethod
    def _beat_rule(
        scene: LessonScene, lines: VelocityScript, ravine: RavineView, rule: RulePanel
    ) -> None:
        """The rule on top of the map, its parts boxed in turn as the line reads them."""
        mark = rule.mark
        with scene.voiceover(text=lines.rule):
            scene.play(FadeIn(rule.formula), FadeOut(ravine.arrows), run_time=0.8)
            scene.play(Create(mark), run_time=0.5)
            scene.wait_until_bookmark("push")
            scene.play(mark.animate.become(highlight_box(rule.velocity_rule[3])), run_time=0.5)
            scene.wait_until_bookmark("step")
            scene.play(mark.animate.become(highlight_box(rule.position_rule)), run_time=0.5)

    @staticmethod
    def _beat_conventions(
        scene: LessonScene,
        lines: VelocityScript,
        rule: RulePanel,
        conventions: ConventionRows,
        leaving: list[VMobject],
    ) -> None:
        """The lesson's rule moves into the first row; the other three conventions join it."""
        rows = conventions.table.body
        with scene.voiceover(text=lines.conventions) as tracker:
            scene.play(
                *fade_outs(leaving),
                FadeOut(rule.formula[0]),
                ReplacementTransform(rule.velocity_rule, rows[0][1]),
                ReplacementTransform(rule.position_rule, rows[0][2]),
                FadeIn(rows[0][0]),
                run_time=1.0,
            )
            scene.play(Create(conventions.lesson_box), run_time=0.5)
            scene.play(
                LaggedStart(*[FadeIn(row, shift=0.2 * UP) for row in rows[1:]], lag_ratio=0.6),
                run_time=max(tracker.get_remaining_duration() - 1.2, 1.0),
            )
            scene.play(FadeIn(conventions.footnote), run_time=0.5)

    @staticmethod
    def _beat_unroll(
        scene: LessonScene, lines: VelocityScript, bars: WeightBars, leaving: list[VMobject]
    ) -> None:
        """Bars α·βᵏ, shrinking by β each step."""
        with scene.voiceover(text=lines.unroll) as tracker:
            scene.play(*fade_outs(leaving), FadeIn(bars.plot), run_time=0.8)
            scene.play(
                LaggedStart(*[FadeIn(bar, shift=0.2 * UP) for bar in bars.bars], lag_ratio=0.25),
                FadeIn(bars.names),
                run_time=max(tracker.duration * 0.55, 1.0),
            )
            scene.play(FadeIn(bars.each), run_time=0.5)

    @staticmethod
    def _beat_total(
        scene: LessonScene, lines: VelocityScript, bars: WeightBars, stack: WeightStack
    ) -> None:
        """The bars stack up toward α/(1 − β); the sum so far, then the limit, are written."""
        with scene.voiceover(text=lines.total) as tracker:
            scene.play(FadeIn(stack.settings), FadeIn(stack.floor), run_time=0.6)
            scene.wait_until_bookmark("stack")
            stacking = [
                TransformFromCopy(bar, segment)
                for bar, segment in zip(bars.bars, stack.segments, strict=True)
            ]
            scene.play(
                LaggedStart(*stacking, lag_ratio=0.15),
                run_time=max(tracker.get_remaining_duration() * 0.45, 1.0),
            )
            scene.play(FadeIn(stack.total_label), FadeIn(stack.total_caption), run_time=0.5)
            scene.play(Create(stack.limit), FadeIn(stack.limit_label[0]), run_time=0.6)
            scene.play(FadeIn(stack.limit_label[1]), run_time=0.4)
            scene.hold(*stack.limit_label, stack.total_label)

    @staticmethod
    def _beat_plots_intro(
        scene: LessonScene, lines: VelocityScript, plots: VelocityPlots, leaving: list[VMobject]
    ) -> None:
        """The two empty velocity plots and their legend."""
        with scene.voiceover(text=lines.plots_intro):
            scene.play(
                *fade_outs(leaving),
                FadeIn(plots.along),
                FadeIn(plots.across),
                FadeIn(plots.legend),
                run_time=1.0,
            )

    @staticmethod
    def _beat_plots_x(scene: LessonScene, lines: VelocityScript, plots: VelocityPlots) -> None:
        """v_x against step, drawn for every β at once, then each run's peak."""
        with scene.voiceover(text=lines.plots_x) as tracker:
            scene.play(
                plots.along_progress.animate(rate_func=linear).set_value(plots.last_step),
                run_time=max(tracker.duration * 0.6, 1.0),
            )
            scene.play(FadeIn(plots.peaks), run_time=0.6)

    @staticmethod
    def _beat_plots_y(scene: LessonScene, lines: VelocityScript, plots: VelocityPlots) -> None:
        """v_y against step, then the first step's kick, ± its size, which no later step beats."""
        with scene.voiceover(text=lines.plots_y) as tracker:
            scene.play(
                plots.across_progress.animate(rate_func=linear).set_value(plots.last_step),
                run_time=max(tracker.duration * 0.6, 1.0),
            )
            scene.play(Create(plots.kick), run_time=0.6)
