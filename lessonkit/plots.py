"""Line plots: numbers against step (or against β), on a linear or log-10 y axis.

A :class:`LinePlot` is a box of axes (manim ``Axes``) in the lesson's style,
with tick labels and axis labels no smaller than ``style.SMALL_SIZE``. Series
are drawn whole or revealed progressively by a ``ValueTracker`` (the point
index, fractional between points): each series is one ``VMobject`` whose
points are set in place, never rebuilt per frame (see RENDER_NOTES)::

    plot = LinePlot((0, 50), (1e-6, 10), log_y=True, x_label="step", y_label="loss")
    gd = plot.add_series(range(51), run.losses, style.GD_COLOR, "plain GD", progressive=True)
    plot.add_threshold(1e-3, "threshold 0.001")
    plot.add_legend()
    scene.add(plot)
    scene.play(gd.reveal(run_time=4))

Data go to the screen through :meth:`LinePlot.coords_to_point`: on a log axis
a value ``y`` is drawn at ``axes.c2p(x, log10(y))``, so decades are evenly
spaced. Non-finite values, and values ≤ 0 on a log axis, raise a ValueError
naming the parameter that held them.

The x axis always runs along the bottom of the box (where the y range starts)
and the y axis sits at x = 0 (the left edge when the x range starts at 0). A
faint zero line is drawn when 0 lies inside a linear y range.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    RIGHT,
    UL,
    UP,
    UR,
    Animation,
    Axes,
    DashedLine,
    Dot,
    Line,
    ManimColor,
    MathTex,
    Mobject,
    Rectangle,
    RoundedRectangle,
    Text,
    ValueTracker,
    VGroup,
    VMobject,
    linear,
)
from numpy.typing import ArrayLike, NDArray

from lessonkit import style

__all__ = ["LinePlot", "PlotSeries", "hit_strip", "nice_step"]

FloatArray = NDArray[np.float64]


def nice_step(span: float, target_ticks: int = 5) -> float:
    """A round tick spacing (1, 2 or 5 times a power of ten) giving about ``target_ticks`` ticks.

    >>> nice_step(50), nice_step(1.0), nice_step(300)
    (10.0, 0.2, 100.0)
    """
    if not (math.isfinite(span) and span > 0):
        raise ValueError(f"span must be finite and > 0, got {span!r}")
    raw = span / max(int(target_ticks), 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 5.0, 10.0):
        if raw <= factor * power * 1.0000001:
            return factor * power
    return 10.0 * power  # pragma: no cover - the loop always returns


def _tick_tex(value: float) -> str:
    """A tick label in LaTeX: integers plainly, other values with up to 3 significant digits."""
    if abs(value - round(value)) < 1e-9 * max(1.0, abs(value)):
        return str(int(round(value)))
    text = f"{value:.3g}"
    return "0" if float(text) == 0 else text


def _finite_array(name: str, values: ArrayLike) -> FloatArray:
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be real numbers, got {values!r}") from error
    if not np.all(np.isfinite(array)):
        bad = array[~np.isfinite(array)]
        raise ValueError(f"{name} must be finite, got {float(bad[0])!r} among {array.size} values")
    return array


def _meant(
    color: ManimColor | None, meaning: str | None, default: ManimColor | None = None
) -> ManimColor:
    """The colour to draw in: ``color`` if given, else ``meaning``'s, else ``default``."""
    if color is not None:
        return color
    if meaning is not None:
        return style.meaning_color(meaning)
    if default is None:
        raise ValueError("give a color or a meaning")
    return default


def _text(label: str | Mobject, color: ManimColor, size: int = style.SMALL_SIZE) -> Mobject:
    if isinstance(label, Mobject):
        return label
    return Text(label, font=style.FONT, font_size=size, color=color)


class PlotSeries(VGroup):
    """One data series of a :class:`LinePlot`: a single polyline, optionally with a head dot.

    ``progress`` is a ValueTracker holding the (fractional) index of the last
    point drawn, from 0 to ``len(xs) - 1``; the line's points are set in place
    from it. A series made with ``progressive=False`` is drawn whole and has
    no updater (it costs nothing while other things move).

    Attributes
    ----------
    xs, ys : (n,) arrays
        The data, as given.
    scene_points : (n, 3) array
        Where the data points are drawn (recomputed if the plot moves).
    line : VMobject
        The polyline.
    head : Dot or VMobject
        A dot at the revealed end (an empty VMobject without ``head``).
    """

    def __init__(
        self,
        plot: LinePlot,
        xs: FloatArray,
        ys: FloatArray,
        color: ManimColor,
        label: str | None,
        progress: ValueTracker | None,
        progressive: bool,
        head: bool,
        stroke_width: float,
    ) -> None:
        super().__init__()
        self.plot = plot
        self.xs = xs
        self.ys = ys
        self.color = ManimColor(color)
        self.label = label
        self.progressive = progressive or progress is not None
        self.progress = (
            progress
            if progress is not None
            else ValueTracker(0.0 if self.progressive else len(xs) - 1)
        )
        self.line = VMobject().set_stroke(self.color, stroke_width)
        self.head = Dot(radius=0.06, color=self.color) if head else VMobject()
        self._head_outline = self.head.points - self.head.get_center() if head else None
        self.add(self.line, self.head)
        self.set_z_index(2)
        self._refresh()
        if self.progressive:
            self.line.add_updater(lambda _: self._refresh())

    @property
    def last_index(self) -> int:
        """The index of the last data point (``progress`` runs from 0 to this)."""
        return len(self.xs) - 1

    @property
    def scene_points(self) -> FloatArray:
        """Every data point where the plot draws it, shape (n, 3)."""
        return self.plot.coords_to_point(self.xs, self.ys)

    def point_at(self, progress: float) -> FloatArray:
        """The scene point at a fractional index (clamped to the data)."""
        points = self.scene_points
        clamped = min(max(float(progress), 0.0), float(self.last_index))
        index = int(math.floor(clamped))
        if index >= self.last_index:
            return points[self.last_index]
        fraction = clamped - index
        return (1 - fraction) * points[index] + fraction * points[index + 1]

    def _refresh(self) -> None:
        points = self.scene_points
        value = min(max(float(self.progress.get_value()), 0.0), float(self.last_index))
        index = int(math.floor(value))
        head = self.point_at(value)
        corners = points[: index + 1]
        if value > index or len(corners) < 2:  # between points (or at the first): end at the head
            corners = np.vstack((corners, head[None, :]))
        self.line.set_points_as_corners(corners)
        if self._head_outline is not None:
            self.head.points = self._head_outline + head

    def reveal(self, run_time: float, to_index: float | None = None) -> Animation:
        """Animate the drawn part of the line to ``to_index`` (default: the whole series)."""
        target = float(self.last_index) if to_index is None else float(to_index)
        target = min(max(target, 0.0), float(self.last_index))
        return self.progress.animate(run_time=run_time, rate_func=linear).set_value(target)

    def freeze(self) -> PlotSeries:
        """Stop following ``progress`` (call when fully revealed, so later plays skip it)."""
        self._refresh()
        self.line.clear_updaters()
        return self


class LinePlot(VGroup):
    """A line plot in the lesson's style on manim ``Axes``, linear or log-10 in y.

    Parameters
    ----------
    x_range : (min, max)
        The data window in x.
    y_range : (min, max)
        The data window in y; on a log axis, positive values (e.g. ``(1e-6, 10)``),
        widened outward to whole decades.
    width, height : float
        The size of the axes box in scene units.
    log_y : bool
        Log-10 y axis: decades are evenly spaced and labelled ``10^k``.
    x_label, y_label : str or Mobject
        Axis titles (``Text`` at ``style.SMALL_SIZE`` when given as strings;
        pass a ``MathTex`` for symbols).
    x_step, y_step : float, optional
        Tick spacing (y: in decades on a log axis). Default: about five ticks.
    x_tick_labels, y_tick_labels : bool
        Whether to write numbers at the ticks.

    Attributes
    ----------
    axes : Axes
        The underlying axes; on a log axis its y coordinate is log10 of the data.
    series : list of PlotSeries
        In the order added.
    """

    def __init__(
        self,
        x_range: Sequence[float],
        y_range: Sequence[float],
        *,
        width: float = 6.0,
        height: float = 3.2,
        log_y: bool = False,
        x_label: str | Mobject | None = None,
        y_label: str | Mobject | None = None,
        x_step: float | None = None,
        y_step: float | None = None,
        x_tick_labels: bool = True,
        y_tick_labels: bool = True,
        zero_line: bool = True,
    ) -> None:
        super().__init__()
        x_low, x_high = (float(value) for value in _finite_array("x_range", x_range)[:2])
        y_low, y_high = (float(value) for value in _finite_array("y_range", y_range)[:2])
        if not x_low < x_high:
            raise ValueError(f"x_range must be increasing, got {tuple(x_range)!r}")
        if not y_low < y_high:
            raise ValueError(f"y_range must be increasing, got {tuple(y_range)!r}")
        if not (width > 0 and height > 0):
            raise ValueError(f"width and height must be > 0, got {width!r}, {height!r}")
        self.log_y = bool(log_y)
        if self.log_y:
            if y_low <= 0:
                raise ValueError(f"y_range must be > 0 on a log axis, got {tuple(y_range)!r}")
            y_low, y_high = (
                10.0 ** math.floor(math.log10(y_low) + 1e-9),
                10.0 ** math.ceil(math.log10(y_high) - 1e-9),
            )
        self.x_range = (x_low, x_high)
        self.y_range = (y_low, y_high)
        axis_y_low, axis_y_high = self._axis_y(y_low), self._axis_y(y_high)
        x_step = float(x_step) if x_step else nice_step(x_high - x_low)
        if self.log_y:
            decades = axis_y_high - axis_y_low
            y_step = float(y_step) if y_step else float(max(1, math.ceil(decades / 6)))
        else:
            y_step = float(y_step) if y_step else nice_step(y_high - y_low)
        axis_config = {
            "color": style.AXIS_COLOR,
            "stroke_width": 2.0,
            "include_tip": False,
            "include_ticks": False,  # ticks are drawn below, at round values
        }
        self.axes = Axes(
            x_range=(x_low, x_high, x_step),
            y_range=(axis_y_low, axis_y_high, y_step),
            x_length=width,
            y_length=height,
            axis_config=axis_config,
            tips=False,
        )
        # Run the x axis along the bottom of the box. Shifting the x axis up or down
        # leaves Axes.coords_to_point unchanged (its origin moves with it).
        bottom = self.axes.c2p(x_low, axis_y_low)
        self.axes.x_axis.shift((bottom[1] - self.axes.x_axis.get_center()[1]) * UP)

        self.static = VGroup()  # drawn once, below the series
        self.series_layer = VGroup()
        self.series: list[PlotSeries] = []
        self.add(self.axes, self.static, self.series_layer)

        if zero_line and not self.log_y and y_low < 0 < y_high:
            zero = Line(self.c2p(x_low, 0.0), self.c2p(x_high, 0.0))
            zero.set_stroke(style.AXIS_COLOR, 1.2, opacity=0.8)
            self.static.add(zero)

        tick_marks = VGroup()
        for value in self._tick_values(x_low, x_high, x_step):
            base = self.c2p(value, y_low)
            tick_marks.add(Line(base, base + 0.1 * DOWN))
        for value in self._tick_values(axis_y_low, axis_y_high, y_step):
            base = self.axes.c2p(x_low, value)
            tick_marks.add(Line(base, base + 0.1 * LEFT))
        tick_marks.set_stroke(style.AXIS_COLOR, 2.0)
        self.static.add(tick_marks)

        self.x_ticks = VGroup()
        if x_tick_labels:
            for value in self._tick_values(x_low, x_high, x_step):
                label = MathTex(
                    _tick_tex(value), font_size=style.SMALL_MATH_SIZE, color=style.MUTED_TEXT_COLOR
                )
                label.next_to(self.c2p(value, y_low), DOWN, buff=0.18)
                self.x_ticks.add(label)
        self.y_ticks = VGroup()
        if y_tick_labels:
            for value in self._tick_values(axis_y_low, axis_y_high, y_step):
                tex = f"10^{{{int(round(value))}}}" if self.log_y else _tick_tex(value)
                label = MathTex(tex, font_size=style.SMALL_MATH_SIZE, color=style.MUTED_TEXT_COLOR)
                anchor = self.axes.c2p(x_low, value)
                label.next_to(anchor, LEFT, buff=0.18)
                self.y_ticks.add(label)
        self.static.add(self.x_ticks, self.y_ticks)

        self.x_label = _text(x_label, style.MUTED_TEXT_COLOR) if x_label is not None else VMobject()
        if x_label is not None:
            below = self.x_ticks if len(self.x_ticks) else self.axes.x_axis
            self.x_label.next_to(below, DOWN, buff=0.14)
            self.x_label.set_x(self.axes.x_axis.get_center()[0])
        self.y_label = _text(y_label, style.MUTED_TEXT_COLOR) if y_label is not None else VMobject()
        if y_label is not None:
            self.y_label.next_to(self.c2p(x_low, y_high), UP, buff=0.18)
            left = (self.y_ticks if len(self.y_ticks) else self.axes.y_axis).get_left()[0]
            self.y_label.align_to(np.array([left, 0.0, 0.0]), LEFT)
        self.static.add(self.x_label, self.y_label)

    # --- coordinates ---------------------------------------------------------------

    def _axis_y(self, value: float) -> float:
        return math.log10(value) if self.log_y else value

    @staticmethod
    def _tick_values(low: float, high: float, step: float) -> list[float]:
        first = math.ceil(low / step - 1e-9) * step
        count = int(math.floor((high - first) / step + 1e-9)) + 1
        return [first + index * step for index in range(max(count, 0))]

    def _check_y(self, name: str, values: ArrayLike) -> FloatArray:
        array = _finite_array(name, values)
        if self.log_y and np.any(array <= 0):
            bad = array[array <= 0]
            raise ValueError(f"{name} must be > 0 on a log axis, got {float(bad[0])!r}")
        return array

    def coords_to_point(self, x: ArrayLike, y: ArrayLike) -> FloatArray:
        """Scene point(s) of data (x, y): shape (3,) for numbers, (n, 3) for arrays.

        On a log axis this is ``axes.c2p(x, log10(y))``.
        """
        x_array = _finite_array("x", x)
        y_array = self._check_y("y", y)
        axis_y = np.log10(y_array) if self.log_y else y_array
        x_b, y_b = np.broadcast_arrays(x_array, axis_y)
        if x_b.ndim == 0:
            return np.asarray(self.axes.c2p(float(x_b), float(y_b)), dtype=float)
        pairs = np.stack((x_b.ravel(), y_b.ravel()), axis=-1)
        # One (n, 2) argument: Axes.c2p returns (n, 3) rows (a single row for n = 1).
        points = np.asarray(self.axes.c2p(pairs), dtype=float).reshape(-1, 3)
        return points.reshape(*x_b.shape, 3)

    def c2p(self, x: ArrayLike, y: ArrayLike) -> FloatArray:
        """Abbreviation for :meth:`coords_to_point`."""
        return self.coords_to_point(x, y)

    # --- content -------------------------------------------------------------------

    def add_series(
        self,
        xs: ArrayLike,
        ys: ArrayLike,
        color: ManimColor | None = None,
        label: str | None = None,
        *,
        meaning: str | None = None,
        progressive: bool = False,
        progress: ValueTracker | None = None,
        head: bool = False,
        stroke_width: float = style.STROKE_WIDTH,
        clip: bool = False,
    ) -> PlotSeries:
        """Add a line through (xs[i], ys[i]) and return it.

        ``progressive=True`` (or a shared ``progress`` tracker) starts it hidden
        and reveals it with :meth:`PlotSeries.reveal`; otherwise it is drawn whole
        (animate it in with ``Create(series.line)`` if wanted). ``clip=True``
        clamps y into the plot's y range (a diverging run stays in the box).
        ``label`` names it in the legend. ``meaning`` (:func:`lessonkit.style.mark`) gives
        its colour (unless ``color`` is given) and marks it and its legend entry.
        """
        color = _meant(color, meaning)
        x_array = _finite_array("xs", xs)
        y_array = self._check_y("ys", ys)
        if x_array.ndim != 1 or x_array.shape != y_array.shape:
            raise ValueError(
                "xs and ys must be 1-D and the same length, "
                f"got shapes {x_array.shape} and {y_array.shape}"
            )
        if len(x_array) < 2:
            raise ValueError(f"xs must hold at least 2 points, got {len(x_array)}")
        if clip:
            y_array = np.clip(y_array, *self.y_range)
        series = PlotSeries(
            self, x_array, y_array, color, label, progress, progressive, head, stroke_width
        )
        if meaning is not None:
            style.mark(series, meaning)
        self.series.append(series)
        self.series_layer.add(series)
        return series

    def add_threshold(
        self,
        y: float,
        label: str | Mobject | None = None,
        color: ManimColor | None = None,
        label_side: np.ndarray = UR,
        attach: bool = True,
        meaning: str | None = None,
    ) -> VGroup:
        """A dashed horizontal line at ``y`` across the plot, labelled at one end.

        ``label_side`` says where the label goes: above (``UR``, ``UL``) or below
        (``DR``, ``DL``) the line, at its right or left end. Returns
        ``VGroup(line, label)``, part of the plot unless ``attach=False`` (then
        add or animate it in yourself; it does not follow later moves of the plot).
        """
        color = _meant(color, meaning, style.MUTED_TEXT_COLOR)
        value = float(self._check_y("y", y))
        x_low, x_high = self.x_range
        line = DashedLine(self.c2p(x_low, value), self.c2p(x_high, value), dash_length=0.12)
        line.set_stroke(color, 2.0)
        group = VGroup(line)
        if label is not None:
            text = _text(label, color)
            vertical = UP if label_side[1] >= 0 else DOWN
            end = LEFT if label_side[0] < 0 else RIGHT
            text.next_to(line, vertical, buff=0.1).align_to(line, end).shift(-0.1 * end)
            group.add(text)
        if meaning is not None:
            style.mark(group, meaning)
        if attach:
            self.static.add(group)
        return group

    def add_marker(
        self,
        x: float,
        y: float | None = None,
        label: str | Mobject | None = None,
        color: ManimColor | None = None,
        label_direction: np.ndarray = UR,
        attach: bool = True,
        meaning: str | None = None,
    ) -> VGroup:
        """Mark x (a dashed vertical line over the full height) or the point (x, y) (a dot).

        The label goes inside the box beside the top of the line (right of it, or
        left when ``label_direction`` points left), or beside the dot toward
        ``label_direction``.
        Returns ``VGroup(mark, label)``, part of the plot unless ``attach=False``.
        """
        color = _meant(color, meaning, style.HIGHLIGHT_COLOR)
        x_value = float(_finite_array("x", x))
        if y is None:
            low, high = self.y_range
            mark: VMobject = DashedLine(
                self.c2p(x_value, low), self.c2p(x_value, high), dash_length=0.12
            )
            mark.set_stroke(color, 2.0)
        else:
            mark = Dot(self.c2p(x_value, float(self._check_y("y", y))), radius=0.08, color=color)
        group = VGroup(mark)
        if label is not None:
            text = _text(label, color)
            if y is None:
                # Inside the box, beside the top of the line (toward label_direction's side).
                side = LEFT if label_direction[0] < 0 else RIGHT
                text.next_to(mark.get_top(), side, buff=0.1).align_to(mark, UP)
            else:
                text.next_to(mark, label_direction, buff=0.1)
            group.add(text)
        group.set_z_index(3)
        if meaning is not None:
            style.mark(group, meaning)
        if attach:
            self.static.add(group)
        return group

    def bars(
        self,
        xs: Sequence[float],
        heights: Sequence[float],
        color: ManimColor | None = None,
        width: float = 0.7,
        opacity: float = 0.85,
        meaning: str | None = None,
    ) -> VGroup:
        """One bar per ``(xs[i], heights[i])``, from y = 0 up, ``width`` wide in x data units.

        Each bar is a filled ``Rectangle`` (no outline) centred on its x. Not part
        of the plot: add or animate the bars in yourself (they do not follow later
        moves of the plot). Needs a linear y axis (a bar starts at 0).
        """
        if self.log_y:
            raise ValueError("bars need a linear y axis (they start at y = 0)")
        heights = list(heights)
        if len(xs) != len(heights):
            raise ValueError(
                f"xs and heights must be the same length, got {len(xs)} and {len(heights)}"
            )
        self._check_y("heights", heights)
        color = _meant(color, meaning)
        group = VGroup()
        for x, height in zip(xs, heights, strict=True):
            low = self.c2p(x - width / 2, 0.0)
            high = self.c2p(x + width / 2, height)
            bar = Rectangle(width=high[0] - low[0], height=high[1] - low[1])
            bar.move_to((low + high) / 2)
            bar.set_fill(color, opacity).set_stroke(width=0)
            group.add(bar)
        return style.mark(group, meaning) if meaning is not None else group

    def legend(self, direction: np.ndarray = DOWN) -> VGroup:
        """A small legend (a colour swatch and the label of each labelled series), not placed."""
        entries = VGroup()
        for series in self.series:
            if not series.label:
                continue
            swatch = Line(ORIGIN, 0.4 * RIGHT).set_stroke(series.color, 4)
            meaning = getattr(series, style.MEANING_ATTRIBUTE, None)
            if meaning is not None:
                style.mark(swatch, meaning)  # the entry means what its series means
            text = Text(
                series.label, font=style.FONT, font_size=style.SMALL_SIZE, color=style.TEXT_COLOR
            )
            entries.add(VGroup(swatch, text).arrange(RIGHT, buff=0.15))
        if not len(entries):
            raise ValueError("legend needs at least one series with a label")
        if abs(direction[0]) > abs(direction[1]):  # a row
            entries.arrange(direction, buff=0.4)
        else:  # a column
            entries.arrange(direction, aligned_edge=LEFT, buff=0.12)
        panel = RoundedRectangle(
            corner_radius=0.08, width=entries.width + 0.3, height=entries.height + 0.24
        )
        panel.set_fill(style.PANEL_COLOR, 0.85).set_stroke(style.PANEL_BORDER_COLOR, 1.2)
        panel.move_to(entries)
        return VGroup(panel, entries)

    def add_legend(
        self, corner: np.ndarray = UR, direction: np.ndarray = DOWN, buff: float = 0.12
    ) -> VGroup:
        """Build :meth:`legend` and place it inside the axes box at ``corner``; returns it."""
        legend = self.legend(direction)
        x_low, x_high = self.x_range
        y_low, y_high = self.y_range
        box = VGroup(
            VMobject().set_points_as_corners([self.c2p(x_low, y_low), self.c2p(x_high, y_high)])
        )
        legend.move_to(box.get_corner(corner), aligned_edge=corner)
        legend.shift(-buff * np.sign(corner))
        legend.set_z_index(4)
        self.static.add(legend)
        return legend

    def box_corner(self, corner: np.ndarray = UL) -> FloatArray:
        """A corner of the axes box (the data window), in scene units."""
        x_low, x_high = self.x_range
        y_low, y_high = self.y_range
        x = x_high if corner[0] > 0 else x_low
        y = y_high if corner[1] > 0 else y_low
        return self.c2p(x, y)


def hit_strip(
    hits: Sequence[bool],
    heading: str,
    first: str,
    last: str,
    hit_color: ManimColor = style.HIGHLIGHT_COLOR,
) -> VGroup:
    """One dot per value of a sweep, lit where that value's run succeeded, in one short row.

    A lit dot is ``hit_color``; the others are muted and faint. ``first`` and
    ``last`` name the sweep's ends, left and right of the dots; ``heading``
    (say, how many succeeded) sits above the row, flush right. Returns
    ``VGroup(heading, dots, first, last)`` as ``Text`` and ``Dot`` mobjects
    (text at ``style.SMALL_SIZE``), not placed.
    """
    dots = VGroup(
        *[
            Dot(radius=0.07, color=hit_color if hit else style.MUTED_TEXT_COLOR).set_fill(
                opacity=1.0 if hit else 0.35
            )
            for hit in hits
        ]
    ).arrange(RIGHT, buff=0.08)
    title = _text(heading, style.TEXT_COLOR)
    low = _text(first, style.MUTED_TEXT_COLOR)
    high = _text(last, style.MUTED_TEXT_COLOR)
    low.next_to(dots, LEFT, buff=0.15)
    high.next_to(dots, RIGHT, buff=0.15)
    title.next_to(VGroup(low, dots, high), UP, aligned_edge=RIGHT, buff=0.2)
    return VGroup(title, dots, low, high)
