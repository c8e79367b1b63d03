"""The clip of your own experiment: every run racing on one map, a loss plot, a verdict.

:class:`ExperimentClip` is the scene ``scenes/experiment.py`` renders (``momentum-lesson
clip`` runs it): it reads the file named by :data:`lessonkit.experiment.EXPERIMENT_ENV`,
computes the figures with ``momentum_math`` (:func:`lessonkit.experiment.figures`) and
says the narration written from them (:func:`lesson_narration.experiment.script`).

The layout: the title, a line under it (the conditions, later the verdict), the map on
the left with every run's path and a dot, and on the right a legend whose lines count
each run's step and loss, above the loss against step on a log axis with the finish
line. One clock drives every run; it is warped so that the race spends its time where
the paths and losses change and hurries where little does (:class:`WarpedClock`). A run
stops at its finish (its counter and curve stop there); one that leaves the map is drawn
to the map's edge, marked there, and said so.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    DR,
    LEFT,
    RIGHT,
    UL,
    UP,
    Create,
    Dot,
    LaggedStart,
    Line,
    ManimColor,
    Mobject,
    ValueTracker,
    VGroup,
    interpolate_color,
    linear,
)
from numpy.typing import NDArray

from lesson_narration.experiment import ClipScript, script
from lessonkit import style
from lessonkit.captions import reading_duration
from lessonkit.experiment import (
    EXPERIMENT_ENV,
    ClipFigures,
    RunFigures,
    figures,
    load,
    setting_text,
)
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_loss, format_number, format_step, shown_number
from lessonkit.maps import ContourMap, MapFrame
from lessonkit.motion import TrajectoryTrail
from lessonkit.narration import LessonScene
from lessonkit.panels import Readout, ReadoutRow, text_label, title_text
from lessonkit.plots import LinePlot
from lessonkit.race import ClampedProgress
from lessonkit.surface3d import LossSurface, SurfaceFrame, curve_on_surface
from lessonkit.text_blocks import mono_label
from momentum_math.optimizers import optimizer

__all__ = [
    "MAX_CLIP_S",
    "MIN_CLIP_S",
    "ClipBoard",
    "ExperimentClip",
    "WarpedClock",
    "run_colors",
    "step_weights",
]

#: The clip lasts at least this long (a hold at the end makes up the rest) ...
MIN_CLIP_S = 20.0
#: ... and at most this long (the race itself takes between these, whatever the steps).
MAX_CLIP_S = 60.0
#: The race takes this long (its line permitting) ...
RACE_MIN_S = 8.0
RACE_MAX_S = 16.0
#: ... and never less than this, even when many runs leave little room.
RACE_SHORTEST_S = 4.0
#: The pause on the verdict and the fade-out that end the clip.
END_S = 1.5 + 0.6

FloatArray = NDArray[np.float64]


def run_beta(run: RunFigures) -> float | None:
    """The momentum of a plain-descent or momentum run (0 for plain descent), else None."""
    if run.optimizer == "gd":
        return 0.0
    if run.optimizer == "momentum":
        return float(run.hyperparameters["beta"])
    return None


def run_colors(runs: Sequence[RunFigures]) -> list[ManimColor]:
    """One colour per run: plain descent and momentum as in the lesson (by β,
    :func:`lessonkit.style.run_color`), the others by optimizer (``style.OPTIMIZER_COLORS``);
    a second run of the same colour gets a lighter shade of it, a third a darker one, and so
    on."""
    seen: dict[str, int] = {}
    colors = []
    shades = (0.0, 0.45, -0.35, 0.7, -0.55, 0.25, -0.15, 0.85)
    for run in runs:
        beta = run_beta(run)
        base = style.OPTIMIZER_COLORS[run.optimizer] if beta is None else style.run_color(beta)
        key = base.to_hex().lower()
        count = seen.get(key, 0)
        seen[key] = count + 1
        shade = shades[count % len(shades)]
        if shade > 0:
            colors.append(interpolate_color(base, ManimColor("#ffffff"), shade))
        elif shade < 0:
            colors.append(interpolate_color(base, style.BACKGROUND_COLOR, -shade))
        else:
            colors.append(base)
    return colors


def mark_as_run(mobject: Mobject, run: RunFigures, color: ManimColor) -> Mobject:
    """Mark ``mobject`` with its run's meaning when it is drawn in the lesson's colour for it."""
    beta = run_beta(run)
    if beta is not None and color.to_hex().lower() == style.run_color(beta).to_hex().lower():
        style.mark_run(mobject, beta)
    return mobject


def step_weights(figs: ClipFigures, frame: MapFrame) -> FloatArray:
    """How much screen time each step of the race gets, shape (steps,), summing to 1.

    A step's weight is a floor plus how far the fastest-moving dot travels on the map in it
    and how much the fastest-changing loss moves on the log axis: where nothing changes the
    clock hurries, where the runs swing it slows down.
    """
    steps = max(run.stop_step for run in figs.runs)
    if steps == 0:
        return np.ones(0)
    motion = np.zeros(steps)
    change = np.zeros(steps)
    for run in figs.runs:
        shown = frame.to_scene(run.shown.positions)[:, :2]
        moves = np.linalg.norm(np.diff(shown, axis=0), axis=-1)
        count = min(len(moves), run.stop_step)
        motion[:count] = np.maximum(motion[:count], moves[:count])
        losses = np.abs(run.run.losses[: run.stop_step + 1]) + 1e-300
        jumps = np.abs(np.diff(np.log10(losses)))
        change[: len(jumps)] = np.maximum(change[: len(jumps)], np.minimum(jumps, 1.0))
    motion = np.minimum(motion, 1.0)  # a leap off the map counts as one long step
    weights = motion / max(motion.sum(), 1e-12) + change / max(change.sum(), 1e-12)
    weights += 0.25 * weights.mean() if weights.sum() > 0 else 1.0
    return weights / weights.sum()


class WarpedClock(ValueTracker):
    """A read-only step counter driven by ``source`` (0 to 1): ``step = interp(source)``.

    ``weights[k]`` is the share of the race that step k → k + 1 takes; where it is small
    the counter runs fast. It needs no updater (it reads ``source`` when asked).
    """

    def __init__(self, source: ValueTracker, weights: FloatArray) -> None:
        self.source = source
        self.knots = np.concatenate(([0.0], np.cumsum(weights)))
        self.knots[-1] = 1.0
        self.steps = np.arange(len(self.knots), dtype=float)
        super().__init__(0.0)

    def get_value(self) -> float:
        share = min(max(float(self.source.get_value()), 0.0), 1.0)
        return float(np.interp(share, self.knots, self.steps))


@dataclass(frozen=True)
class ClipBoard:
    """What the clip shows, laid out before the first beat."""

    title: VGroup
    conditions: VGroup
    verdict: VGroup
    map_layers: VGroup
    legend: VGroup
    plot: LinePlot
    trails: VGroup
    readouts: VGroup
    exits: VGroup
    clock: ValueTracker


def _fit(mobject: VGroup, width: float) -> VGroup:
    if mobject.width > width:
        mobject.scale_to_fit_width(width)
    return mobject


def _line_of(parts: Sequence[str], color: ManimColor, width: float) -> VGroup:
    return _fit(VGroup(text_label("   ·   ".join(parts), color, style.SMALL_SIZE)), width)


def _plot_range(figs: ClipFigures) -> tuple[tuple[float, float], bool]:
    """The loss plot's y window and whether it is on a log axis (only when every loss shown
    and the threshold are > 0)."""
    shown = np.concatenate([run.run.losses[: run.stop_step + 1] for run in figs.runs])
    start_loss = float(figs.runs[0].run.losses[0])
    if np.all(shown > 0) and figs.threshold > 0:
        low = min(float(shown.min()), figs.threshold / 30.0)
        high = max(start_loss * 3.0, figs.threshold * 10.0)
        high = min(high, max(float(shown.max()), high))
        return (max(low, high * 1e-16), high), True
    low = min(float(shown.min()), figs.threshold)
    high = max(start_loss, figs.threshold)
    span = max(high - low, 1e-9)
    return (low - 0.1 * span, high + 0.2 * span), False


def layout(figs: ClipFigures) -> ClipBoard:
    """The clip's layout for ``figs``: every part placed, nothing animated."""
    runs = figs.runs
    colors = run_colors(runs)
    title = VGroup(_fit(VGroup(title_text(figs.experiment.title)), 13.0))
    title.to_corner(UL, buff=style.MARGIN)
    experiment = figs.experiment
    threshold_text = shown_number(figs.threshold)
    start_text = f"({format_number(experiment.start[0])}, {format_number(experiment.start[1])})"
    conditions = _line_of(
        [
            f"start {start_text}",
            f"finish: loss < {threshold_text}",
            f"up to {experiment.steps} steps",
        ],
        style.MUTED_TEXT_COLOR,
        13.2,
    )
    conditions.next_to(title, DOWN, buff=0.2).align_to(title, LEFT)
    verdict = _line_of(_verdict_parts(figs), style.HIGHLIGHT_COLOR, 13.2)
    verdict.move_to(conditions, aligned_edge=LEFT)

    frame = MapFrame(*figs.window, center=(-3.9, -0.25), width=5.7, height=4.6)
    contours = ContourMap(figs.surface, frame)
    minima = VGroup()
    for point in frame.to_scene(_minima_inside(figs)):
        size = 0.12
        minima.add(
            Line(point + size * (LEFT + UP), point + size * (RIGHT + DOWN)),
            Line(point + size * (LEFT + DOWN), point + size * (RIGHT + UP)),
        )
    minima.set_stroke(style.MINIMUM_COLOR, 3)
    map_layers = VGroup(frame.border(), contours, minima)

    source = ValueTracker(0.0)
    clock = WarpedClock(source, step_weights(figs, frame))
    trails, readouts, legend_rows, exits = VGroup(), VGroup(), VGroup(), VGroup()
    # Room for the widest line any readout will show (every line has the same characters).
    widest = max(mono_label(_readout_text(run)(run.stop_step).strip()).width for run in runs)
    widest = max(widest, mono_label("0000 0.000×10⁻⁰").width)
    right_left, right_right = -0.65, 6.8
    top = frame.center[1] + frame.height / 2 + 0.1
    row_gap = 0.36 if len(runs) <= 5 else 0.31
    for index, (run, color) in enumerate(zip(runs, colors, strict=True)):
        on_map = ClampedProgress(clock, min(run.stop_step, run.shown.num_steps))
        trail = TrajectoryTrail(run.shown, frame, color=color, progress=on_map, dot_radius=0.07)
        trails.add(mark_as_run(trail, run, color))
        progress = ClampedProgress(clock, run.stop_step)
        readout = Readout(
            run.run,
            progress,
            color=color,
            rows=[ReadoutRow("", _readout_text(run))],
            last_step=run.stop_step,
        )
        y = top - 0.3 - index * row_gap
        readout.move_to([right_right, y, 0.0], aligned_edge=RIGHT)
        readout.add_updater(_right_aligned(right_right))  # after its own: the numbers stay put
        readouts.add(mark_as_run(readout, run, color))
        name_room = right_right - widest - 0.25 - (right_left + 0.3)
        dot = Dot(radius=0.07, color=color).move_to([right_left + 0.07, y, 0.0])
        name = text_label(run.label, color, style.SMALL_SIZE)
        words = VGroup(name)
        if _settings(run):
            settings = text_label(_settings(run), style.MUTED_TEXT_COLOR, style.SMALL_SIZE)
            words.add(settings.next_to(name, RIGHT, buff=0.2))
        words = _fit(words, name_room)
        words.next_to(dot, RIGHT, buff=0.15)
        entry = VGroup(dot, words)
        mark_as_run(VGroup(dot, name), run, color)
        legend_rows.add(entry)
        if run.exit_point is not None:
            mark = frame.to_scene(np.array(run.exit_point))
            cross = VGroup(
                Line(mark + 0.12 * (LEFT + UP), mark + 0.12 * (RIGHT + DOWN)),
                Line(mark + 0.12 * (LEFT + DOWN), mark + 0.12 * (RIGHT + UP)),
            ).set_stroke(color, 4)
            exits.add(mark_as_run(cross, run, color))
    header = text_label("step      loss", style.MUTED_TEXT_COLOR, style.SMALL_SIZE)
    header.move_to([0.0, top + 0.1, 0.0])
    header.shift((right_right - header.get_right()[0]) * RIGHT)
    legend = VGroup(header, legend_rows)
    right_width = right_right - right_left

    (y_low, y_high), log_y = _plot_range(figs)
    steps = max(run.stop_step for run in runs)
    plot_top = legend_rows.get_bottom()[1] - 0.8
    plot_height = max(plot_top - (-2.0), 1.2)
    plot = LinePlot(
        (0, max(steps, 1)),
        (y_low, y_high),
        width=right_width - 1.5,
        height=plot_height,
        log_y=log_y,
        x_label="step",
        y_label="loss",
        zero_line=False,
    )
    plot.move_to([right_left + 0.8 + (right_width - 1.5) / 2, plot_top - plot_height / 2, 0.0])
    for run, color in zip(runs, colors, strict=True):
        losses = run.run.losses[: run.stop_step + 1]
        if len(losses) >= 2:
            series = plot.add_series(
                np.arange(len(losses), dtype=float),
                losses,
                color,
                progress=ClampedProgress(clock, run.stop_step),
                head=True,
                clip=True,
            )
            mark_as_run(series, run, color)
    # Below the line at its right end: a run's curve stops where it crosses the line, so
    # nothing is drawn under it there.
    plot.add_threshold(figs.threshold, f"finish {threshold_text}", style.HIGHLIGHT_COLOR, DR)
    return ClipBoard(
        title, conditions, verdict, map_layers, legend, plot, trails, readouts, exits, source
    )


def _right_aligned(edge: float) -> Callable[[Readout], None]:
    """An updater that keeps a readout's right edge at x = ``edge``."""

    def align(readout: Readout) -> None:
        readout.shift((edge - readout.lines.get_right()[0]) * RIGHT)

    return align


def _settings(run: RunFigures) -> str:
    """The run's settings as the legend shows them: the learning rate, and the
    hyper-parameters that differ from torch.optim's defaults (less what its name shows)."""
    shown = set(run.label_keys)
    parts = [] if "lr" in shown else [setting_text("lr", run.lr)]
    given = {"beta": run.hyperparameters["beta"]} if run.optimizer == "momentum" else {}
    defaults = optimizer(run.optimizer, lr=run.lr, **given).hyperparameters  # torch's
    for key, value in run.hyperparameters.items():
        if key in shown or key in ("lr", "beta", "nesterov", "convention"):
            continue
        if key in defaults and defaults[key] == value:
            continue
        parts.append(setting_text(key, value))
    convention = run.hyperparameters.get("convention", "pytorch")
    if run.optimizer == "momentum" and convention != "pytorch" and "convention" not in shown:
        parts.append(setting_text("convention", convention))
    return "  ·  ".join(parts)


def _minima_inside(figs: ClipFigures) -> FloatArray:
    """The surface's known minima on the map (a formula's, only where it is a quadratic form:
    elsewhere its minimum is not known exactly, and nothing is marked)."""
    surface = figs.surface
    if surface.name == "formula" and surface.hessian is None:
        return np.zeros((0, 2))
    (x_low, x_high), (y_low, y_high) = figs.window
    minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
    keep = (
        (minima[:, 0] >= x_low)
        & (minima[:, 0] <= x_high)
        & (minima[:, 1] >= y_low)
        & (minima[:, 1] <= y_high)
    )
    return minima[keep]


def _readout_text(run: RunFigures) -> Callable[[int], str]:
    """The legend line's live text: the step and the loss there."""
    losses = run.run.losses

    def text(step: int) -> str:
        return f"{format_step(step, 4)} {format_loss(float(losses[step])):>9}"

    return text


def _verdict_parts(figs: ClipFigures) -> list[str]:
    runs = figs.runs
    parts = []
    if figs.winner is None:
        parts.append(f"nobody gets below {shown_number(figs.threshold)}")
    else:
        first = " and ".join(runs[index].label for index in figs.tied)
        parts.append(f"first: {first}, {runs[figs.winner].steps_to_threshold} steps")
    never = [run.label for run in runs if run.steps_to_threshold is None and not run.diverged_step]
    if never and figs.winner is not None:
        parts.append(f"never: {', '.join(never)}")
    diverged = [f"{run.label} (step {run.diverged_step})" for run in runs if run.diverged_step]
    if diverged:
        parts.append(f"diverged: {', '.join(diverged)}")
    return parts


class ExperimentClip(LessonScene):
    """Your experiment as one clip: the file named by ``MOMENTUM_EXPERIMENT``."""

    def construct(self) -> None:
        path = os.environ.get(EXPERIMENT_ENV, "").strip()
        if not path:
            raise RuntimeError(
                f"{EXPERIMENT_ENV} must name an experiment file (momentum-lesson clip sets it)"
            )
        figs = figures(load(path))
        lines = script(figs)
        board = layout(figs)
        self.chapter(figs.experiment.title)
        if figs.experiment.view == "3d":
            self._beat_landscape(figs, lines)
        self._beat_intro(board, lines)
        self._beat_finish_line(board, lines)
        self._beat_race(board, lines)
        self._beat_results(board, lines, figs)
        elapsed = float(self.renderer.time)
        if elapsed < MIN_CLIP_S - 0.6:
            self.wait(MIN_CLIP_S - 0.6 - elapsed)
        visible = [mobject for mobject in self.mobjects if mobject.get_family()]
        self.play(*[FadeOut(mobject) for mobject in visible], run_time=0.6)

    def _beat_landscape(self, figs: ClipFigures, lines: ClipScript) -> None:
        """The surface in 3-D with every run's path on it, still (a moving camera would redraw
        every face each frame), then the flat camera for the race."""
        self.use_3d_camera(phi=58 * DEGREES, theta=-62 * DEGREES, zoom=0.8)
        frame = MapFrame(*figs.window, center=(0.0, 0.0), width=8.0, height=5.0)
        lifted = SurfaceFrame.for_surface(figs.surface, frame, height=3.0, base=-1.2)
        landscape = LossSurface(figs.surface, lifted, resolution=16)
        colors = run_colors(figs.runs)
        paths = VGroup(
            *[
                mark_as_run(
                    curve_on_surface(figs.surface, lifted, run.shown.positions, color, 4),
                    run,
                    color,
                )
                for run, color in zip(figs.runs, colors, strict=True)
                if run.shown.num_steps >= 1
            ]
        ).set_z_index(5)
        title = _fit(VGroup(title_text(figs.experiment.title)), 13.0).to_corner(
            UL, buff=style.MARGIN
        )
        self.add_fixed_in_frame_mobjects(title)
        with self.voiceover(text=lines.landscape) as tracker:
            self.play(FadeIn(title), FadeIn(landscape), run_time=1.0)
            self.play(
                *[Create(path) for path in paths],
                run_time=max(min(2.5, tracker.get_remaining_duration()), 0.5),
            )
        self.play(FadeOut(landscape), FadeOut(paths), FadeOut(title), run_time=0.6)
        self.clear()
        self.use_2d_camera()

    def _beat_intro(self, board: ClipBoard, lines: ClipScript) -> None:
        with self.voiceover(text=lines.intro) as tracker:
            self.play(FadeIn(board.title), run_time=0.5)
            self.play(
                LaggedStart(
                    FadeIn(board.map_layers[0]),
                    Create(board.map_layers[1]),
                    FadeIn(board.map_layers[2]),
                    FadeIn(board.legend),
                    lag_ratio=0.3,
                ),
                run_time=max(min(2.5, tracker.get_remaining_duration() - 0.8), 0.5),
            )
            self.play(FadeIn(board.trails), FadeIn(board.readouts), run_time=0.6)

    def _beat_finish_line(self, board: ClipBoard, lines: ClipScript) -> None:
        with self.voiceover(text=lines.finish_line) as tracker:
            self.play(
                FadeIn(board.conditions),
                FadeIn(board.plot),
                run_time=max(min(1.2, tracker.get_remaining_duration()), 0.3),
            )

    def _race_seconds(self, lines: ClipScript, line_s: float) -> float:
        """The race's length: at least its line, between the bounds, and short enough that the
        lines still to come fit in :data:`MAX_CLIP_S` (timed at the silent reading pace)."""
        still = sum(
            reading_duration(line, self.words_per_minute, self.minimum_line_s)
            for line in (lines.results, lines.verdict)
        )
        room = MAX_CLIP_S - float(self.renderer.time) - still - END_S - 2.0
        wanted = min(max(line_s, RACE_MIN_S), RACE_MAX_S)
        return max(min(wanted, room), RACE_SHORTEST_S)

    def _beat_race(self, board: ClipBoard, lines: ClipScript) -> None:
        with self.voiceover(text=lines.race) as tracker:
            run_time = self._race_seconds(lines, tracker.get_remaining_duration())
            self.play(
                board.clock.animate(run_time=run_time, rate_func=linear).set_value(1.0),
            )
        if len(board.exits):
            self.play(FadeIn(board.exits), run_time=0.4)

    def _beat_results(self, board: ClipBoard, lines: ClipScript, figs: ClipFigures) -> None:
        with self.voiceover(text=lines.results):
            pass
        with self.voiceover(text=lines.verdict) as tracker:
            self.play(
                FadeOut(board.conditions),
                FadeIn(board.verdict, shift=0.1 * DOWN),
                run_time=max(min(0.8, tracker.get_remaining_duration()), 0.3),
            )
            self.hold(board.verdict)
        self.pause(END_S - 0.6)
