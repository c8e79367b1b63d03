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

import numpy as np
from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Arrow,
    Circle,
    Create,
    DashedLine,
    LaggedStart,
    Line,
    MathTex,
    Rectangle,
    ReplacementTransform,
    SurroundingRectangle,
    Text,
    TransformFromCopy,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)

from lesson_narration.velocity import VelocityFigures, VelocityScript, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_point, format_step, spoken_number, tex_number
from lessonkit.maps import ContourMap, minimum_marker, ravine_map_frame
from lessonkit.motion import StepArrows, TrajectoryTrail
from lessonkit.narration import LessonScene
from lessonkit.panels import Readout, ReadoutRow, text_label, title_text
from lessonkit.plots import LinePlot

#: The colour of each β in the ravine experiment (β = 0.9 overshoots there).
RAVINE_COLORS = (style.GD_COLOR, style.MOMENTUM_COLOR, style.OVERSHOOT_COLOR)
#: The update-rule lines as MathTex pieces (joined, they are ``rules.rule("lesson")``'s).
LESSON_VELOCITY_PARTS = (r"v \leftarrow", r"\beta\, v", r"+", r"\alpha\, \nabla L(\theta)")
LESSON_POSITION_PARTS = (r"\theta \leftarrow \theta - v",)
#: How each convention is named in the side-by-side panel.
CONVENTION_NAMES = {
    "lesson": "this lesson",
    "pytorch": "PyTorch",
    "ema": "moving average",
    "classical": "classical (μ is β)",
}


class VelocityChapter(Chapter):
    """Velocity: why remembered steps build up along a ravine and cancel across it."""

    name = "velocity"
    #: Silence after the sum reaches α/(1 − β), and after the two velocity plots (seconds).
    sum_pause_s = 1.5
    plots_pause_s = 2.0

    def __init__(self) -> None:
        #: What the last beat left on screen; the next line fades it out.
        self.leftovers: list[VMobject] = []

    def figures(self) -> VelocityFigures:
        """The chapter's numbers (:func:`lesson_narration.velocity.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        scene.add(title)
        self.ball_beat(scene, lines.ball)
        formula = self.ravine_beats(scene, figs, lines, title)
        self.conventions_beat(scene, figs, lines.conventions, formula)
        self.unrolled_beats(scene, figs, lines)
        self.plot_beats(scene, figs, lines)

    # --- beat: the rolling ball ------------------------------------------------------

    def ball_beat(self, scene: LessonScene, line: str) -> None:
        """A ball rolls along a valley floor; the walls' nudges alternate and cancel."""
        center_y, half_width, left, right = 0.25, 1.15, -6.2, 6.2
        top, bottom = center_y + half_width, center_y - half_width
        walls = VGroup(
            Rectangle(width=right - left, height=0.55).move_to([0, top + 0.275, 0]),
            Rectangle(width=right - left, height=0.55).move_to([0, bottom - 0.275, 0]),
        )
        walls.set_fill(style.PANEL_COLOR, 1.0).set_stroke(style.PANEL_BORDER_COLOR, 2)
        wall_labels = VGroup(
            text_label("wall", style.MUTED_TEXT_COLOR).move_to(walls[0]),
            text_label("wall", style.MUTED_TEXT_COLOR).move_to(walls[1]),
        )
        floor = DashedLine([left, center_y, 0], [right, center_y, 0], dash_length=0.15)
        floor.set_stroke(style.AXIS_COLOR, 2)
        floor_label = text_label("valley floor", style.MUTED_TEXT_COLOR)
        floor_label.next_to(floor, DOWN, buff=0.12).align_to(floor, RIGHT)

        progress = ValueTracker(0.0)
        start_x, end_x = left + 0.6, right - 4.2

        def along(s: float) -> float:
            # Speeds up over the first 40 % of the roll, then keeps its speed.
            ramp = 0.4

            def distance(t: float) -> float:
                if t < ramp:
                    return 0.3 * t + 0.7 * t * t / (2 * ramp)
                return 0.3 * ramp + 0.7 * ramp / 2 + (t - ramp)

            return start_x + (end_x - start_x) * distance(s) / distance(1.0)

        def across(s: float) -> float:
            return center_y + 0.55 * math.exp(-2.2 * s) * math.sin(2 * math.pi * 5 * s)

        def speed(s: float) -> float:
            return 0.3 + 0.7 * min(s / 0.4, 1.0)

        ball = Circle(radius=0.26).set_fill(style.MOMENTUM_COLOR, 1).set_stroke(style.TEXT_COLOR, 2)
        ball.set_z_index(3)
        ball_outline = ball.points - ball.get_center()
        velocity = VMobject()
        velocity.set_z_index(4)
        samples = np.linspace(0.0, 1.0, 161)
        path_points = np.array([[along(t), across(t), 0.0] for t in samples])
        path = VMobject().set_stroke(style.MOMENTUM_COLOR, 2.5, opacity=0.55)

        def place_ball(_: VMobject) -> None:
            s = progress.get_value()
            ball.points = ball_outline + np.array([along(s), across(s), 0.0])

        def draw_path(_: VMobject) -> None:
            s = progress.get_value()
            head = np.array([[along(s), across(s), 0.0]])
            path.set_points_as_corners(np.vstack((path_points[:1], path_points[samples < s], head)))

        def draw_velocity(_: VMobject) -> None:
            s = progress.get_value()
            center = np.array([along(s), across(s), 0.0])
            length = 0.35 + 1.3 * speed(s)
            velocity.become(
                Arrow(
                    center + 0.2 * RIGHT,
                    center + (0.2 + length) * RIGHT,
                    buff=0,
                    color=style.VELOCITY_COLOR,
                    stroke_width=6,
                    tip_length=0.22,
                    max_tip_length_to_length_ratio=0.4,
                )
            )

        for mobject, updater in ((ball, place_ball), (path, draw_path), (velocity, draw_velocity)):
            updater(mobject)
        # The walls' nudges: at each turn of the wobble, a push from that wall back
        # toward the floor, weaker as the wobble dies down.
        nudges = VGroup()
        turns = [(0.05 + 0.1 * k) for k in range(8)]
        for s in turns:
            upper = across(s) > center_y
            face = top if upper else bottom
            direction = DOWN if upper else UP
            start = np.array([along(s), face, 0.0])
            length = 0.2 + 0.55 * math.exp(-2.2 * s)
            nudge = Arrow(
                start,
                start + length * direction,
                buff=0,
                color=style.GRADIENT_COLOR,
                stroke_width=5,
                tip_length=0.16,
                max_tip_length_to_length_ratio=0.45,
            )
            nudges.add(nudge)

        def show_nudges(group: VGroup) -> None:
            s = progress.get_value()
            for turn, nudge in zip(turns, group, strict=True):
                nudge.set_opacity(0.85 if s >= turn else 0.0)

        show_nudges(nudges)
        with scene.voiceover(text=line) as tracker:
            scene.play(
                FadeIn(walls),
                FadeIn(wall_labels),
                Create(floor),
                FadeIn(floor_label),
                run_time=1.0,
            )
            scene.play(FadeIn(ball), FadeIn(velocity), run_time=0.5)
            scene.wait_until_bookmark("roll")
            scene.add(path, nudges)
            for mobject, updater in (
                (ball, place_ball),
                (path, draw_path),
                (velocity, draw_velocity),
                (nudges, show_nudges),
            ):
                mobject.add_updater(updater)
            scene.play(
                progress.animate.set_value(1.0),
                run_time=max(tracker.get_remaining_duration() - 0.3, 1.0),
                rate_func=linear,
            )
            for mobject in (ball, path, velocity, nudges):
                mobject.clear_updaters()
        self.leftovers = [walls, wall_labels, floor, floor_label, ball, velocity, nudges, path]

    def clear_leftovers(self) -> list[FadeOut]:
        """Fade-outs for what the last beat left on screen (played inside the next line)."""
        fades = [FadeOut(mobject) for mobject in self.leftovers]
        self.leftovers = []
        return fades

    # --- beats: velocity arrows on the ravine, then the rule ----------------------------

    def ravine_beats(
        self, scene: LessonScene, figs: VelocityFigures, lines: VelocityScript, title: Text
    ) -> VGroup:
        """The momentum path with its velocity arrows, the readout, then the rule on top."""
        run = figs.run
        surface = run.surface
        frame = ravine_map_frame(surface)
        contours = ContourMap(surface, frame)
        border = frame.border()
        minimum = minimum_marker(surface, frame)
        trail = TrajectoryTrail(run, frame, color=style.MOMENTUM_COLOR, dot_radius=0.07)
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
        velocities = figs.velocities
        readout = Readout(
            None,
            trail.progress,
            color=style.MOMENTUM_COLOR,
            title=f"momentum, β = {spoken_number(figs.beta)}",
            rows=[
                ReadoutRow("step", format_step),
                ReadoutRow("v", lambda step: format_point(velocities[step])),
            ],
            last_step=run.num_steps,
        )
        readout.to_corner(UR, buff=style.MARGIN)
        readout.set_z_index(4)
        with scene.voiceover(text=lines.arrows) as tracker:
            scene.play(
                *self.clear_leftovers(),
                FadeIn(border),
                LaggedStart(*[Create(ring) for ring in contours], lag_ratio=0.1),
                FadeIn(minimum),
                run_time=1.5,
            )
            scene.play(FadeIn(trail), FadeIn(readout), FadeIn(arrows), run_time=0.6)
            scene.play(trail.walk(1, run_time=max(tracker.get_remaining_duration(), 0.5)))

        highlight = SurroundingRectangle(readout.lines[1], color=style.HIGHLIGHT_COLOR, buff=0.08)
        with scene.voiceover(text=lines.build_up) as tracker:
            scene.play(
                trail.walk(
                    figs.vx_peak_step, run_time=max(tracker.time_until_bookmark("peak"), 0.5)
                )
            )
            scene.play(Create(highlight), run_time=0.6)
            scene.wait_until_bookmark("glide")
            scene.play(
                FadeOut(highlight, run_time=0.3),
                trail.walk(trail.last_step, run_time=max(tracker.get_remaining_duration(), 0.5)),
            )

        velocity_rule = MathTex(
            *LESSON_VELOCITY_PARTS, font_size=style.BODY_SIZE, color=style.TEXT_COLOR
        )
        position_rule = MathTex(
            *LESSON_POSITION_PARTS, font_size=style.BODY_SIZE, color=style.TEXT_COLOR
        )
        rule_lines = VGroup(velocity_rule, position_rule).arrange(
            DOWN, aligned_edge=LEFT, buff=0.25
        )
        velocity_rule[1].set_color(style.VELOCITY_COLOR)
        velocity_rule[3].set_color(style.GRADIENT_COLOR)
        panel = _panel(rule_lines)
        formula = VGroup(panel, rule_lines)
        formula.next_to(title, RIGHT, buff=0.8).align_to(title, UP)
        mark = SurroundingRectangle(velocity_rule[1], color=style.HIGHLIGHT_COLOR, buff=0.07)
        with scene.voiceover(text=lines.rule):
            scene.play(FadeIn(formula), FadeOut(arrows), run_time=0.8)
            scene.play(Create(mark), run_time=0.5)
            scene.wait_until_bookmark("push")
            scene.play(mark.animate.become(_box(velocity_rule[3])), run_time=0.5)
            scene.wait_until_bookmark("step")
            scene.play(mark.animate.become(_box(position_rule)), run_time=0.5)
        self.leftovers = [contours, border, minimum, trail, readout, mark]
        return formula

    # --- beat: four conventions, one idea -------------------------------------------------

    def conventions_beat(
        self, scene: LessonScene, figs: VelocityFigures, line: str, formula: VGroup
    ) -> None:
        """The lesson's rule beside PyTorch's, the moving average's and the classical one."""
        rows = VGroup()
        for rule in figs.conventions:
            name = text_label(
                CONVENTION_NAMES[rule.convention], style.MUTED_TEXT_COLOR, style.LABEL_SIZE
            )
            velocity = MathTex(
                rule.velocity_latex, font_size=style.BODY_SIZE, color=style.TEXT_COLOR
            )
            position = MathTex(
                rule.position_latex, font_size=style.BODY_SIZE, color=style.TEXT_COLOR
            )
            rows.add(VGroup(name, velocity, position))
        # Columns: names left-aligned, then each rule, aligned by their arrows' left edge.
        column_x = [-5.2, -1.2, 3.9]
        for row_index, row in enumerate(rows):
            y = 1.9 - 1.0 * row_index
            for column, cell in zip(column_x, row, strict=True):
                cell.move_to([0, y, 0]).align_to([column, 0, 0], LEFT)
        lesson_box = SurroundingRectangle(rows[0], color=style.MOMENTUM_COLOR, buff=0.15)
        footnote = text_label(
            "One idea: only the scale of v changes.", style.MUTED_TEXT_COLOR, style.LABEL_SIZE
        )
        footnote.next_to(rows, DOWN, buff=0.55)
        with scene.voiceover(text=line) as tracker:
            panel, (velocity_rule, position_rule) = formula
            scene.play(
                *self.clear_leftovers(),
                FadeOut(panel),
                ReplacementTransform(velocity_rule, rows[0][1]),
                ReplacementTransform(position_rule, rows[0][2]),
                FadeIn(rows[0][0]),
                run_time=1.0,
            )
            scene.play(Create(lesson_box), run_time=0.5)
            scene.play(
                LaggedStart(*[FadeIn(row, shift=0.2 * UP) for row in rows[1:]], lag_ratio=0.6),
                run_time=max(tracker.get_remaining_duration() - 1.2, 1.0),
            )
            scene.play(FadeIn(footnote), run_time=0.5)
        self.leftovers = [rows, lesson_box, footnote]

    # --- beats: the velocity unrolled into weights ---------------------------------------

    def unrolled_beats(
        self, scene: LessonScene, figs: VelocityFigures, lines: VelocityScript
    ) -> None:
        """Bars α·βᵏ shrinking by β each step, then stacked toward α/(1 − β)."""
        weights = np.asarray(figs.weights)
        count = len(weights)
        plot = LinePlot(
            (-1.0, float(count)),
            (0.0, float(weights[0]) * 1.2),
            width=7.4,
            height=3.4,
            x_label="steps ago",
            y_label="weight of that gradient",
            x_step=5,
            y_step=float(weights[0]) / 2,
        )
        plot.move_to([-2.6, 0.15, 0])
        bar_width = 0.7
        bars = VGroup()
        for k, weight in enumerate(weights):
            corner_low = plot.c2p(k - bar_width / 2, 0.0)
            corner_high = plot.c2p(k + bar_width / 2, weight)
            bar = Rectangle(
                width=corner_high[0] - corner_low[0], height=corner_high[1] - corner_low[1]
            )
            bar.move_to((corner_low + corner_high) / 2)
            bar.set_fill(style.GRADIENT_COLOR, 0.85).set_stroke(width=0)
            bars.add(bar)
        names = MathTex(
            r"\alpha,\ \alpha\beta,\ \alpha\beta^2,\ \dots",
            font_size=style.BODY_SIZE,
            color=style.GRADIENT_COLOR,
        )
        names.next_to(plot.c2p(3.0, float(weights[0])), RIGHT, buff=0.2)
        each = MathTex(
            r"\times\beta \text{ each step}",
            font_size=style.LABEL_SIZE,
            color=style.MUTED_TEXT_COLOR,
        )
        each.next_to(names, DOWN, buff=0.15, aligned_edge=LEFT)
        with scene.voiceover(text=lines.unroll) as tracker:
            scene.play(*self.clear_leftovers(), FadeIn(plot), run_time=0.8)
            scene.play(
                LaggedStart(*[FadeIn(bar, shift=0.2 * UP) for bar in bars], lag_ratio=0.25),
                FadeIn(names),
                run_time=max(tracker.duration * 0.55, 1.0),
            )
            scene.play(FadeIn(each), run_time=0.5)

        # The stack: the same weights, on a taller scale, piled up toward the limit.
        base = np.array([4.3, -2.2, 0.0])
        units_per_value = 4.6 / figs.effective_step
        column_width = 0.8
        segments = VGroup()
        height_so_far = 0.0
        for weight in weights:
            segment = Rectangle(width=column_width, height=weight * units_per_value)
            segment.move_to(base + (height_so_far + weight * units_per_value / 2) * UP)
            segment.set_fill(style.GRADIENT_COLOR, 0.85).set_stroke(style.BACKGROUND_COLOR, 1.0)
            segments.add(segment)
            height_so_far += weight * units_per_value
        floor = Line(base + 0.7 * LEFT, base + 0.7 * RIGHT).set_stroke(style.AXIS_COLOR, 2)
        limit_y = base[1] + figs.effective_step * units_per_value
        limit = DashedLine(
            [base[0] - 0.7, limit_y, 0], [base[0] + 0.7, limit_y, 0], dash_length=0.12
        )
        limit.set_stroke(style.MOMENTUM_COLOR, 3)
        limit_label = MathTex(
            r"\frac{\alpha}{1-\beta} = " + tex_number(figs.effective_step),
            r"= " + tex_number(figs.memory_window) + r"\,\alpha",
            font_size=style.BODY_SIZE,
            color=style.MOMENTUM_COLOR,
        )
        limit_label.next_to(limit, UP, buff=0.12).set_x(base[0])
        total_label = MathTex(
            tex_number(figs.partial_sum),
            font_size=style.BODY_SIZE,
            color=style.GRADIENT_COLOR,
        )
        total_label.next_to(segments, LEFT, buff=0.2).align_to(segments, UP)
        total_caption = text_label(f"{count} weights", style.MUTED_TEXT_COLOR)
        total_caption.next_to(total_label, DOWN, buff=0.1).align_to(total_label, RIGHT)
        settings = MathTex(
            rf"\alpha = {tex_number(figs.rule_lr)},\quad \beta = {tex_number(figs.rule_beta)}",
            font_size=style.BODY_SIZE,
            color=style.TEXT_COLOR,
        )
        settings.to_edge(UP, buff=style.MARGIN + 0.05).set_x(1.0)
        with scene.voiceover(text=lines.total) as tracker:
            scene.play(FadeIn(settings), FadeIn(floor), run_time=0.6)
            scene.wait_until_bookmark("stack")
            stack_time = max(tracker.get_remaining_duration() * 0.45, 1.0)
            scene.play(
                LaggedStart(
                    *[
                        TransformFromCopy(bar, segment)
                        for bar, segment in zip(bars, segments, strict=True)
                    ],
                    lag_ratio=0.15,
                ),
                run_time=stack_time,
            )
            scene.play(FadeIn(total_label), FadeIn(total_caption), run_time=0.5)
            scene.play(Create(limit), FadeIn(limit_label[0]), run_time=0.6)
            scene.play(FadeIn(limit_label[1]), run_time=0.4)
            scene.hold(*limit_label, total_label)
        scene.pause(self.sum_pause_s)
        self.leftovers = [
            plot,
            bars,
            names,
            each,
            segments,
            floor,
            limit,
            limit_label,
            total_label,
            total_caption,
            settings,
        ]

    # --- beats: velocity against step, along and across --------------------------------

    def plot_beats(self, scene: LessonScene, figs: VelocityFigures, lines: VelocityScript) -> None:
        """v_x and v_y against step for β = 0, 0.8, 0.9: build-up along, cancelling across."""
        steps = np.arange(figs.plot_runs[0].num_steps + 1)
        x_values = [velocity[:, 0] for velocity in figs.plot_velocities]
        y_values = [velocity[:, 1] for velocity in figs.plot_velocities]
        x_low = math.floor(min(v.min() for v in x_values) / 0.05) * 0.05 - 0.05
        y_limit = math.ceil(max(np.abs(v).max() for v in y_values) / 0.1) * 0.1 + 0.1
        size = {"width": 5.3, "height": 2.6}
        along = LinePlot(
            (0.0, float(steps[-1])),
            (x_low, 0.05),
            x_label="step",
            y_label=MathTex(
                r"v_x \text{ (along the floor)}", font_size=style.LABEL_SIZE, color=style.TEXT_COLOR
            ),
            y_step=0.05,
            **size,
        )
        across = LinePlot(
            (0.0, float(steps[-1])),
            (-y_limit, y_limit),
            x_label="step",
            y_label=MathTex(
                r"v_y \text{ (across the walls)}",
                font_size=style.LABEL_SIZE,
                color=style.TEXT_COLOR,
            ),
            y_step=0.2,
            **size,
        )
        along.move_to([-3.35, 0.75, 0])
        across.move_to([3.65, 0.75, 0])
        along_progress, across_progress = ValueTracker(0.0), ValueTracker(0.0)
        for beta, color, xs, ys in zip(
            figs.plot_betas, RAVINE_COLORS, x_values, y_values, strict=True
        ):
            label = f"β = {spoken_number(beta)}"
            along.add_series(steps, xs, color, label, progress=along_progress)
            across.add_series(steps, ys, color, label, progress=across_progress)
        legend = along.legend(direction=RIGHT)
        legend.to_corner(UR, buff=style.MARGIN)

        with scene.voiceover(text=lines.plots_intro):
            scene.play(
                *self.clear_leftovers(), FadeIn(along), FadeIn(across), FadeIn(legend), run_time=1.0
            )

        # Each run's x velocity of largest size, labelled as the narration reads it.
        peaks = VGroup()
        for peak, color, xs, side in zip(
            figs.vx_peaks, RAVINE_COLORS, x_values, (UR, UP, DOWN), strict=True
        ):
            step = int(np.argmax(np.abs(xs)))
            peaks.add(along.add_marker(step, peak, spoken_number(peak), color, side, attach=False))
        with scene.voiceover(text=lines.plots_x) as tracker:
            scene.play(
                along_progress.animate(rate_func=linear).set_value(float(steps[-1])),
                run_time=max(tracker.duration * 0.6, 1.0),
            )
            scene.play(FadeIn(peaks), run_time=0.6)

        kick_size = abs(figs.vy_first)
        kick = VGroup(
            across.add_threshold(
                kick_size, spoken_number(kick_size), style.GRADIENT_COLOR, attach=False
            ),
            across.add_threshold(-kick_size, None, style.GRADIENT_COLOR, attach=False),
        )
        with scene.voiceover(text=lines.plots_y) as tracker:
            scene.play(
                across_progress.animate(rate_func=linear).set_value(float(steps[-1])),
                run_time=max(tracker.duration * 0.6, 1.0),
            )
            scene.play(Create(kick), run_time=0.6)
        for series in along.series + across.series:
            series.freeze()
        scene.hold(along, across, legend, peaks, kick)
        scene.pause(self.plots_pause_s)
        with scene.voiceover(text=lines.teaser):
            pass


def _panel(content: VMobject) -> VMobject:
    """A rounded panel behind ``content``, as :func:`lessonkit.panels.equation_panel` draws it."""
    from manim import RoundedRectangle

    panel = RoundedRectangle(
        corner_radius=0.12, width=content.width + 0.5, height=content.height + 0.4
    )
    panel.set_fill(style.PANEL_COLOR, 0.92).set_stroke(style.PANEL_BORDER_COLOR, 1.5)
    return panel.move_to(content)


def _box(mobject: VMobject) -> SurroundingRectangle:
    return SurroundingRectangle(mobject, color=style.HIGHLIGHT_COLOR, buff=0.07)
