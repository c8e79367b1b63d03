"""Maps side by side, one run on each, racing on one clock: :class:`MapRace`.

Each lane is a map of the same surface (its own :class:`~lessonkit.maps.MapFrame`,
:class:`~lessonkit.maps.ContourMap` and minimum marker), a
:class:`~lessonkit.motion.TrajectoryTrail` and a live
:class:`~lessonkit.panels.Readout`. One shared ``ValueTracker`` (the race
clock, in steps) drives every lane; each lane reads it through a
:class:`ClampedProgress` that stops at the lane's own stop step (for example
the step where its loss first drops below a threshold), so one long ``play``
lets one lane stop while the others keep going.

For fast Cairo renders the static parts (:attr:`MapRace.backdrop`) and the
moving parts (:attr:`MapRace.movers`) are separate groups: add the backdrop
first, then the movers; :meth:`Lane.entrance` draws a lane's map in.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Animation,
    Create,
    ManimColor,
    RoundedRectangle,
    Text,
    ValueTracker,
    VGroup,
    linear,
)

from lessonkit import style
from lessonkit.fading import FadeIn
from lessonkit.formatting import format_loss, format_number, format_step, lesson_symbols
from lessonkit.maps import ContourMap, MapFrame, minimum_marker
from lessonkit.motion import TrajectoryTrail
from lessonkit.panels import Readout, ReadoutRow, text_label
from lessonkit.text_blocks import mono_label
from momentum_math import Surface, Trajectory, rules

__all__ = [
    "KAPPA_GAP",
    "RULE_LINE_Y",
    "ClampedProgress",
    "Lane",
    "MapRace",
    "kappa_label",
    "lane_frames",
    "race_rows",
    "rule_tex",
    "run_label",
    "side_by_side_frames",
    "with_kappa",
]


class ClampedProgress(ValueTracker):
    """A read-only view of a shared progress tracker, held within ``[0, stop]``.

    ``get_value()`` is ``min(max(source, 0), stop)``: it follows ``source``
    until ``stop`` and then stays there while ``source`` goes on. It needs no
    updater, so it can never lag a frame behind the tracker it follows.
    """

    def __init__(self, source: ValueTracker, stop: float) -> None:
        if not math.isfinite(stop) or stop < 0:
            raise ValueError(f"stop must be a finite step >= 0, got {stop!r}")
        self.source = source
        self.stop = float(stop)
        super().__init__(0.0)

    def get_value(self) -> float:
        """The shared value, clamped to ``[0, stop]``."""
        return min(max(self.source.get_value(), 0.0), self.stop)

    @property
    def stopped(self) -> bool:
        """Whether the shared value has reached this tracker's stop."""
        return self.source.get_value() >= self.stop


def race_rows(trajectory: Trajectory) -> list[ReadoutRow]:
    """Readout rows for a race lane: the step count and the loss at that step."""
    return [
        ReadoutRow("step", format_step),
        ReadoutRow("loss", lambda step: format_loss(trajectory.losses[step])),
    ]


def side_by_side_frames(
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    count: int = 2,
    center: tuple[float, float] = (0.0, 0.3),
    total_width: float = 13.4,
    gap: float = 0.4,
    height: float = 2.9,
) -> list[MapFrame]:
    """``count`` equal map frames of one window, in a row centred on ``center``."""
    if count < 1:
        raise ValueError(f"count must be >= 1, got {count!r}")
    width = (total_width - gap * (count - 1)) / count
    left = center[0] - total_width / 2
    return [
        MapFrame(
            x_range,
            y_range,
            center=(left + width / 2 + index * (width + gap), center[1]),
            width=width,
            height=height,
        )
        for index in range(count)
    ]


#: Where the line naming both runs' rule stands: under the title, above the lanes' labels
#: (under the maps it would be where a paused player's captions go).
RULE_LINE_Y = 2.85
#: The gap between the rule and the bowl's κ on that line.
KAPPA_GAP = 0.8


def rule_tex(convention: str) -> str:
    """Both update lines of ``convention``, as one formula (∇L without its argument)."""
    rule = rules.rule(convention)
    velocity = lesson_symbols(rule.velocity_latex).replace(r"\nabla L(\theta)", r"\nabla L")
    return rf"{velocity},\quad {lesson_symbols(rule.position_latex)}"


def kappa_label(surface: Surface) -> Text:
    """ "κ = 100": the bowl's condition number, for the end of the rule's line."""
    return text_label(f"κ = {format_number(surface.condition_number, 3)}", style.MUTED_TEXT_COLOR)


def with_kappa(conditions: VGroup, surface: Surface) -> VGroup:
    """``conditions`` (a rule's line) with "κ = 100" added at its right, a gap apart."""
    kappa = kappa_label(surface).next_to(conditions, RIGHT, buff=KAPPA_GAP)
    kappa.align_to(conditions[0], UP)
    conditions.add(kappa)
    return conditions


def lane_frames(surface: Surface, count: int = 2) -> list[MapFrame]:
    """The lesson's race layout: ``count`` maps of ``surface``'s window side by side.

    The race and the too-much-momentum chapters both use it, so the same map
    of the same surface looks the same in both (a single map takes the first
    frame: the left lane).
    """
    return side_by_side_frames(
        surface.x_range,
        surface.y_range,
        count=count,
        center=(0.0, 0.45),
        total_width=13.4,
        gap=0.5,
        height=3.1,
    )


def run_label(beta: float, lr: float | None = None) -> str:
    """The name a run goes by on its map: ``plain GD`` for β = 0, else ``momentum, β = …``;
    with its step size ``α = …`` when ``lr`` is given.

    >>> run_label(0.0), run_label(0.9), run_label(0.9, 0.18)
    ('plain GD', 'momentum, β = 0.9', 'momentum, β = 0.9, α = 0.18')
    """
    name = "plain GD" if beta == 0 else f"momentum, β = {beta:g}"
    return name if lr is None else f"{name}, α = {lr:g}"


@dataclass
class Lane:
    """One lane of a :class:`MapRace`: a run, its map and its moving parts.

    Attributes
    ----------
    trajectory : Trajectory
    frame : MapFrame
    stop_step : int
        The step the lane stops at (its last step when it never stops early).
    progress : ClampedProgress
        The shared clock, clamped at ``stop_step``; drives ``trail`` and ``readout``.
    border, contours, minimum, label : static mobjects of the lane's map
    trail : TrajectoryTrail
    readout : Readout
    finish_box : RoundedRectangle
        An outline around the readout, invisible until the lane has stopped at
        its own stop step (never, for a lane given no stop step).
    """

    trajectory: Trajectory
    frame: MapFrame
    stop_step: int
    progress: ClampedProgress
    border: VGroup
    contours: ContourMap
    minimum: VGroup
    label: Text
    trail: TrajectoryTrail
    readout: Readout
    finish_box: RoundedRectangle

    @property
    def stopped(self) -> bool:
        """Whether the race clock has reached this lane's stop step."""
        return self.progress.stopped

    def current_step(self) -> int:
        """The step this lane's dot and counter show now."""
        return self.readout.current_step()

    def dot_position(self):
        """Where the lane's dot is drawn now (scene coordinates, shape (3,))."""
        return self.trail.dot.get_center()

    def entrance(self) -> list[Animation]:
        """The animations that draw the lane's map in: its border, contours, minimum and name.

        Play them together, or in a ``LaggedStart`` in this order; the moving parts
        (:attr:`MapRace.movers`) come after.
        """
        return [
            FadeIn(self.border),
            Create(self.contours),
            FadeIn(self.minimum),
            FadeIn(self.label),
        ]


class MapRace(VGroup):
    """Runs on the same surface, each on its own map side by side, on one shared clock.

    Parameters
    ----------
    trajectories
        One run per lane (same surface).
    frames
        One :class:`MapFrame` per lane (see :func:`side_by_side_frames`).
    labels
        One short name per lane, drawn above its map's left corner. The
        readout sits inside the map's top-right corner.
    stop_steps
        Where each lane stops: a step, or ``None`` to run to its last step.
    colors
        One colour per lane; by default each run's by its β (:func:`lessonkit.style.run_color`),
        and its lane is marked as that run (:func:`lessonkit.style.mark_run`).
    clock
        The shared tracker (a new one at 0 by default).
    rows
        Readout rows per lane (default :func:`race_rows`).

    Attributes
    ----------
    clock : ValueTracker
        The race clock, in steps; animate it with :meth:`run_to`.
    lanes : list of Lane
    """

    def __init__(
        self,
        trajectories: Sequence[Trajectory],
        frames: Sequence[MapFrame],
        labels: Sequence[str],
        stop_steps: Sequence[int | None] | None = None,
        colors: Sequence[ManimColor] | None = None,
        clock: ValueTracker | None = None,
        rows: Sequence[Sequence[ReadoutRow]] | None = None,
    ) -> None:
        super().__init__()
        count = len(trajectories)
        stops = list(stop_steps) if stop_steps is not None else [None] * count
        row_sets = list(rows) if rows is not None else [race_rows(run) for run in trajectories]
        by_beta = colors is None
        if colors is None:
            colors = [style.run_color(run.beta) for run in trajectories]
        for name, values in (
            ("frames", frames),
            ("colors", colors),
            ("labels", labels),
            ("stop_steps", stops),
            ("rows", row_sets),
        ):
            if len(values) != count:
                raise ValueError(f"{name} has {len(values)} entries for {count} trajectories")
        self.clock = clock if clock is not None else ValueTracker(0.0)
        self.lanes: list[Lane] = [
            self._lane(run, frame, color, label, stop, lane_rows)
            for run, frame, color, label, stop, lane_rows in zip(
                trajectories, frames, colors, labels, stops, row_sets, strict=True
            )
        ]
        if by_beta:
            for lane in self.lanes:
                for part in (lane.label, lane.trail, lane.readout, lane.finish_box):
                    style.mark_run(part, lane.trajectory.beta)
        #: What never moves: every lane's border, contours, minimum and label. Add it first.
        self.backdrop = VGroup(
            *[VGroup(lane.border, lane.contours, lane.minimum, lane.label) for lane in self.lanes]
        )
        #: What moves with the clock: every lane's trail (dot included), readout and finish box.
        self.movers = VGroup(
            *[VGroup(lane.trail, lane.readout, lane.finish_box) for lane in self.lanes]
        )
        self.add(self.backdrop, self.movers)

    def _lane(
        self,
        run: Trajectory,
        frame: MapFrame,
        color: ManimColor,
        label: str,
        stop: int | None,
        rows: Sequence[ReadoutRow],
    ) -> Lane:
        """One lane on ``frame``: its map, its name above the map, its trail and readout."""
        last = run.num_steps if stop is None else int(stop)
        if not 0 <= last <= run.num_steps:
            raise ValueError(f"stop step {stop!r} is outside 0..{run.num_steps}")
        progress = ClampedProgress(self.clock, last)
        border = frame.border()
        contours = ContourMap(run.surface, frame)
        minimum = minimum_marker(run.surface, frame)
        name = text_label(label, color, style.LABEL_SIZE)
        name.next_to(border, UP, buff=0.15).align_to(border, LEFT)
        trail = TrajectoryTrail(run, frame, color=color, progress=progress)
        readout = Readout(run, progress, color=color, rows=rows, last_step=last)
        self._place_readout(readout, border)
        finish_box = self._finish_box(readout, progress, color, shown=stop is not None)
        return Lane(
            run, frame, last, progress, border, contours, minimum, name, trail, readout, finish_box
        )

    @classmethod
    def _place_readout(cls, readout: Readout, border: VGroup) -> None:
        """Inside the map's top-right corner (quadratic bowls leave it empty).

        The lines hang from their left edge: leave room for the widest text they will show.
        """
        readout.align_to(border, UP).shift(0.15 * DOWN)
        readout.shift(
            (border.get_right()[0] - 0.2 - cls._widest(readout) - readout.get_left()[0]) * RIGHT
        )
        readout.set_z_index(4)

    @staticmethod
    def _widest(readout: Readout) -> float:
        """The width of the widest line ``readout`` shows at any step up to its last."""
        longest = max(
            (text for step in range(readout.last_step + 1) for text in readout.texts(step)), key=len
        )
        return mono_label(longest).width

    @staticmethod
    def _finish_box(
        readout: Readout, progress: ClampedProgress, color: ManimColor, shown: bool = True
    ) -> RoundedRectangle:
        """An outline around ``readout`` that shows once ``progress`` has stopped.

        A lane with no stop step of its own (``shown`` false) only runs out of
        steps: its box never shows.
        """
        box = RoundedRectangle(corner_radius=0.1, width=1.0, height=1.0)
        box.set_fill(opacity=0.0).set_stroke(color, style.STROKE_WIDTH, opacity=0.0)
        box.set_z_index(4)
        state = {"shown": False}

        def refresh(mobject: RoundedRectangle) -> None:
            if not shown or progress.stopped == state["shown"]:
                return
            state["shown"] = progress.stopped
            if state["shown"]:
                # Fitted to the readout's final text once, when the lane stops.
                readout.update(0)
                fitted = RoundedRectangle(
                    corner_radius=0.1, width=readout.width + 0.3, height=readout.height + 0.2
                ).move_to(readout)
                mobject.points = fitted.points.copy()
            mobject.set_stroke(opacity=1.0 if state["shown"] else 0.0)

        box.move_to(readout)
        refresh(box)
        box.add_updater(refresh)
        return box

    # --- the clock -----------------------------------------------------------------

    @property
    def finish_step(self) -> int:
        """The step at which the last lane stops."""
        return max(lane.stop_step for lane in self.lanes)

    def run_to(self, step: float, run_time: float) -> Animation:
        """Animate the shared clock to ``step`` at constant speed (lanes stop on their own)."""
        return self.clock.animate(run_time=run_time, rate_func=linear).set_value(float(step))

    def set_step(self, step: float) -> None:
        """Jump the clock to ``step`` and bring every lane up to date (no animation)."""
        self.clock.set_value(float(step))
        self.update(0)
