"""Values heading for a limit, on a number line: :class:`LimitLine`."""

from __future__ import annotations

from collections.abc import Sequence

from manim import DOWN, LEFT, DashedLine, Dot, Line, ManimColor, VGroup

from lessonkit import style
from lessonkit.panels import math_label

__all__ = ["LimitLine"]


class LimitLine(VGroup):
    """A number line from 0 to ``limit``, with one dot per value on it.

    0 has a short tick and its label under it; the limit a dashed tick, in
    ``color``, labelled ``limit_tex`` under it; ``name_tex`` names the line on
    its left. The line is ``length`` units long, 0 at the origin; move the
    whole :class:`LimitLine` into place.

    Attributes
    ----------
    line, zero_tick, zero_label, limit_tick, limit_label, name_label
        The parts of the axis.
    axis : VGroup
        All of them, in that order: everything but the dots.
    marks : VGroup
        One dot per value, at ``length · value / limit`` (drawn over the line).
    """

    def __init__(
        self,
        values: Sequence[float],
        limit: float,
        limit_tex: str,
        name_tex: str,
        length: float = 4.0,
        color: ManimColor | None = None,
        dot_radius: float = 0.1,
        meaning: str | None = "velocity",
    ) -> None:
        super().__init__()
        if color is None:
            color = style.meaning_color(meaning) if meaning is not None else style.TEXT_COLOR
        if limit == 0:
            raise ValueError("the limit must not be 0: the dots sit at value / limit")
        if length <= 0:
            raise ValueError(f"length must be positive, got {length!r}")
        self.line = Line([0.0, 0.0, 0.0], [length, 0.0, 0.0])
        self.line.set_stroke(style.AXIS_COLOR, style.STROKE_WIDTH)
        self.zero_tick = Line([0.0, -0.12, 0.0], [0.0, 0.12, 0.0]).set_stroke(style.AXIS_COLOR, 2.5)
        self.zero_label = math_label("0", style.MUTED_TEXT_COLOR)
        self.zero_label.next_to(self.zero_tick, DOWN, buff=0.12)
        self.limit_tick = DashedLine([length, -0.35, 0.0], [length, 0.35, 0.0], dash_length=0.08)
        self.limit_tick.set_stroke(color, 2.5)
        self.limit_label = math_label(limit_tex, color)
        self.limit_label.next_to(self.limit_tick, DOWN, buff=0.1)
        self.name_label = math_label(name_tex, color, style.TITLE_SIZE)
        self.name_label.next_to(self.line, LEFT, buff=0.3)
        self.axis = VGroup(
            self.line,
            self.zero_tick,
            self.zero_label,
            self.limit_tick,
            self.limit_label,
            self.name_label,
        )
        self.marks = VGroup(
            *[Dot([length * v / limit, 0.0, 0.0], radius=dot_radius, color=color) for v in values]
        )
        self.marks.set_z_index(2)
        self.add(self.axis, self.marks)
        if meaning is not None:
            style.mark(self, meaning)
