"""Panels of text and numbers: live readouts, equation panels, titles.

Live text is rebuilt only when the integer step changes, and in a way that
does not depend on its history, so manim's cache reuses unchanged animations.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from manim import (
    DOWN,
    LEFT,
    ORIGIN,
    UP,
    ManimColor,
    MathTex,
    RoundedRectangle,
    Text,
    ValueTracker,
    VectorizedPoint,
    VGroup,
    VMobject,
)

from lessonkit import style
from lessonkit.formatting import format_loss, format_point, format_step
from momentum_math import Trajectory

__all__ = ["GLYPH_SLOTS", "Readout", "ReadoutRow", "equation_panel", "text_label", "title_text", "trajectory_rows"]


#: Glyphs a readout line can hold (see :func:`_show_glyphs`).
GLYPH_SLOTS = 48


def _show_glyphs(line: VMobject, text: Text, slots: int = GLYPH_SLOTS) -> None:
    """Make ``line`` draw ``text``: its ``slots`` glyph children take the text's shapes.

    ``become`` would resample points to match the line's previous text, so a
    line's points would depend on every string it showed before, and manim
    hashes them to cache animations. Here each glyph is copied as it is and
    the unused slots are emptied: the line is the same whatever its history,
    and re-renders reuse the cache. The children stay the same objects, so
    manim keeps drawing them during a play.
    """
    glyphs = text.submobjects
    if len(glyphs) > slots:
        raise ValueError(f"readout text {text.text!r} has {len(glyphs)} glyphs; at most {slots} fit")
    if len(line.submobjects) != slots:
        line.submobjects = [VMobject() for _ in range(slots)]
    for index, slot in enumerate(line.submobjects):
        if index < len(glyphs):
            slot.points = np.array(glyphs[index].points)
            slot.match_style(glyphs[index])
        else:
            slot.clear_points()


@dataclass(frozen=True)
class ReadoutRow:
    """One line of a :class:`Readout`: a label and the text of its value at a step."""

    label: str
    value: Callable[[int], str]


def trajectory_rows(trajectory: Trajectory, position_label: str = "θ") -> list[ReadoutRow]:
    """The usual rows for a run: step, loss and position, formatted from ``trajectory``."""
    return [
        ReadoutRow("step", format_step),
        ReadoutRow("loss", lambda step: format_loss(trajectory.losses[step])),
        ReadoutRow(position_label, lambda step: format_point(trajectory.positions[step])),
    ]


class Readout(VGroup):
    """A small panel of live numbers at the current step, one :class:`ReadoutRow` a line.

    ``progress`` holds the (fractional) step; the shown step is its integer
    part, at most ``last_step``. With a ``trajectory`` and no ``rows`` the
    rows are step, loss and position (:func:`trajectory_rows`). Text is
    rebuilt only when the integer step changes; the strings come from
    :mod:`lessonkit.formatting`, so they equal the numbers they show.
    """

    def __init__(
        self,
        trajectory: Trajectory | None,
        progress: ValueTracker,
        color: ManimColor = style.TEXT_COLOR,
        title: str | None = None,
        rows: Sequence[ReadoutRow] | None = None,
        last_step: int | None = None,
    ) -> None:
        super().__init__()
        if rows is None:
            if trajectory is None:
                raise ValueError("Readout needs a trajectory or rows")
            rows = trajectory_rows(trajectory)
        if not rows:
            raise ValueError("Readout needs at least one row")
        if last_step is None:
            if trajectory is None:
                raise ValueError("Readout needs last_step when it has no trajectory")
            last_step = trajectory.num_steps
        self.trajectory = trajectory
        self.rows = list(rows)
        self.last_step = int(last_step)
        self.progress = progress
        self.color = color
        self.shown_step = -1
        self.shown_texts: list[str] = []
        self.has_title = bool(title)
        self.title = (
            Text(title, font=style.FONT, font_size=style.LABEL_SIZE, color=color)
            if title
            else VMobject()
        )
        self._label_width = max(len(row.label) for row in self.rows) + 2
        self.lines = VGroup(*[VMobject() for _ in self.rows])
        # The lines hang from a fixed point (the title's corner, or this marker),
        # never from where the previous lines were, so their position does not
        # depend on how many times they were rebuilt.
        self.anchor = VectorizedPoint(ORIGIN)
        self.add(self.anchor, self.title, self.lines)
        self._refresh()
        self.add_updater(lambda _: self._refresh())

    def current_step(self) -> int:
        """The step whose numbers are shown."""
        return max(min(int(math.floor(self.progress.get_value() + 1e-9)), self.last_step), 0)

    def texts(self, step: int) -> list[str]:
        """The lines shown at ``step``."""
        return [f"{row.label:<{self._label_width}}{row.value(step)}" for row in self.rows]

    def _refresh(self) -> None:
        step = self.current_step()
        if step == self.shown_step:
            return
        self.shown_step = step
        self.shown_texts = self.texts(step)
        for line, text in zip(self.lines, self.shown_texts, strict=True):
            _show_glyphs(line, Text(text, font=style.MONO_FONT, font_size=style.SMALL_SIZE, color=self.color))
        self.lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        if self.has_title:
            self.lines.next_to(self.title, DOWN, aligned_edge=LEFT, buff=0.15)
        else:
            self.lines.move_to(self.anchor.get_center(), aligned_edge=UP + LEFT)


def equation_panel(lines: Sequence[str], font_size: int = style.BODY_SIZE) -> VGroup:
    """LaTeX lines stacked in a rounded panel."""
    equations = VGroup(*[MathTex(line, font_size=font_size, color=style.TEXT_COLOR) for line in lines])
    equations.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
    panel = RoundedRectangle(
        corner_radius=0.12,
        width=equations.width + 0.5,
        height=equations.height + 0.4,
    )
    panel.set_fill(style.PANEL_COLOR, 0.92).set_stroke(style.PANEL_BORDER_COLOR, 1.5)
    panel.move_to(equations)
    return VGroup(panel, equations)


def text_label(text: str, color: ManimColor = style.TEXT_COLOR, size: int = style.SMALL_SIZE) -> Text:
    """Plain text in the lesson's font (``SMALL_SIZE`` unless told)."""
    return Text(text, font=style.FONT, font_size=size, color=color)


def title_text(text: str) -> Text:
    """A chapter title, placed top-left inside the margin."""
    title = Text(text, font=style.FONT, font_size=style.TITLE_SIZE, color=style.TEXT_COLOR)
    return title
