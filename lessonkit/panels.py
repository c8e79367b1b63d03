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

__all__ = [
    "GLYPH_SLOTS",
    "MonoGlyphs",
    "Readout",
    "ReadoutRow",
    "equation_panel",
    "math_label",
    "mono_glyphs",
    "text_label",
    "title_text",
    "trajectory_rows",
]


#: Most glyphs a readout line can hold (see :func:`_show_glyphs`); a line has as many slots as
#: the longest text it will show, since every slot is drawn and hashed on every play.
GLYPH_SLOTS = 48


def _show_glyphs(line: VMobject, glyphs: Sequence[VMobject], slots: int = GLYPH_SLOTS) -> None:
    """Make ``line`` draw ``glyphs``: its ``slots`` glyph children take their shapes.

    ``become`` would resample points to match the line's previous text, so a
    line's points would depend on every string it showed before, and manim
    hashes them to cache animations. Here each glyph is copied as it is and
    the unused slots are emptied: the line is the same whatever its history,
    and re-renders reuse the cache. The children stay the same objects, so
    manim keeps drawing them during a play.
    """
    if len(glyphs) > slots:
        raise ValueError(f"readout text has {len(glyphs)} glyphs; at most {slots} fit")
    if len(line.submobjects) != slots:
        line.submobjects = [VMobject() for _ in range(slots)]
    for index, slot in enumerate(line.submobjects):
        if index < len(glyphs):
            slot.points = np.array(glyphs[index].points)
            slot.match_style(glyphs[index])
        else:
            slot.clear_points()


class MonoGlyphs:
    """A monospaced font's glyph outlines, cut from Pango once and laid out again for each string.

    Building a ``Text`` runs Pango, writes an SVG and parses it back: about
    7 ms a line, for every step a readout shows. In a monospaced font a
    string's glyphs are the characters' own outlines, one advance apart, so
    :meth:`glyphs` places cached outlines instead. A character whose advance
    is not the font's (a fallback font's glyph) makes its string use ``Text``.
    ``glyphs(s)`` equals ``Text(s)``'s glyphs up to a shift of the whole line
    (``tests/test_toolkit.py`` checks it on every readout string of the lesson).
    """

    _REFERENCE = "0"

    def __init__(self, font: str, font_size: float, color: ManimColor) -> None:
        self.font = font
        self.font_size = font_size
        self.color = color
        pair = self._text(self._REFERENCE * 2).submobjects
        self.advance = float(pair[1].points[0][0] - pair[0].points[0][0])
        self._style = pair[0]
        self._outlines: dict[str, np.ndarray | None] = {
            " ": np.zeros((0, 3)),
            self._REFERENCE: pair[0].points - pair[0].points[0],
        }

    def _text(self, text: str) -> Text:
        return Text(text, font=self.font, font_size=self.font_size, color=self.color)

    def _outline(self, char: str) -> np.ndarray | None:
        """``char``'s outline relative to its cell.

        ``None``: not one advance wide, or not one glyph.
        """
        if char not in self._outlines:
            zero = self._REFERENCE
            parts = self._text(zero + char + zero).submobjects
            outline = None
            if len(parts) == 3:
                origin = parts[0].points[0]
                next_cell = parts[2].points[0][0] - origin[0]
                if abs(next_cell - 2 * self.advance) < 1e-6 * max(1.0, self.advance):
                    outline = parts[1].points - origin - np.array([self.advance, 0.0, 0.0])
            self._outlines[char] = outline
        return self._outlines[char]

    def glyphs(self, text: str) -> list[VMobject]:
        """The glyphs of ``text`` (no line breaks), one per visible character, in order."""
        outlines = [self._outline(char) for char in text]
        if "\n" in text or any(outline is None for outline in outlines):
            return list(self._text(text).submobjects)
        glyphs = []
        for index, outline in enumerate(outlines):
            if outline is None or len(outline) == 0:
                continue
            glyph = VMobject()
            glyph.points = outline + np.array([index * self.advance, 0.0, 0.0])
            glyph.match_style(self._style)
            glyphs.append(glyph)
        return glyphs


_MONO_GLYPHS: dict[tuple[str, float, str], MonoGlyphs] = {}


def mono_glyphs(
    color: ManimColor, font_size: float = style.SMALL_SIZE, font: str = style.MONO_FONT
) -> MonoGlyphs:
    """The shared :class:`MonoGlyphs` of ``font`` at ``font_size`` in ``color``."""
    key = (font, float(font_size), ManimColor(color).to_hex())
    if key not in _MONO_GLYPHS:
        _MONO_GLYPHS[key] = MonoGlyphs(font, font_size, color)
    return _MONO_GLYPHS[key]


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
        color: ManimColor | None = None,
        title: str | None = None,
        rows: Sequence[ReadoutRow] | None = None,
        last_step: int | None = None,
    ) -> None:
        super().__init__()
        # With no colour, a trajectory's readout takes its run's colour and meaning.
        by_beta = color is None and trajectory is not None
        if color is None:
            color = style.TEXT_COLOR if trajectory is None else style.run_color(trajectory.beta)
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
        self.slots = self._slots_needed()
        self.lines = VGroup(*[VMobject() for _ in self.rows])
        # The lines hang from a fixed point (the title's corner, or this marker),
        # never from where the previous lines were, so their position does not
        # depend on how many times they were rebuilt.
        self.anchor = VectorizedPoint(ORIGIN)
        self.add(self.anchor, self.title, self.lines)
        if by_beta:
            style.mark_run(self, trajectory.beta)
        self._refresh()
        self.add_updater(lambda _: self._refresh())

    def current_step(self) -> int:
        """The step whose numbers are shown."""
        return max(min(int(math.floor(self.progress.get_value() + 1e-9)), self.last_step), 0)

    def texts(self, step: int) -> list[str]:
        """The lines shown at ``step``."""
        return [f"{row.label:<{self._label_width}}{row.value(step)}" for row in self.rows]

    def _slots_needed(self) -> list[int]:
        """Glyph slots of each line: the most visible characters it shows at any step."""
        widest = [1] * len(self.rows)
        for step in range(self.last_step + 1):
            for index, text in enumerate(self.texts(step)):
                widest[index] = max(widest[index], sum(not char.isspace() for char in text))
        too_long = [width for width in widest if width > GLYPH_SLOTS]
        if too_long:
            raise ValueError(
                f"a readout line shows {max(too_long)} characters; at most {GLYPH_SLOTS} fit"
            )
        return widest

    def _refresh(self) -> None:
        step = self.current_step()
        if step == self.shown_step:
            return
        self.shown_step = step
        self.shown_texts = self.texts(step)
        glyphs = mono_glyphs(self.color)
        for line, text, slots in zip(self.lines, self.shown_texts, self.slots, strict=True):
            _show_glyphs(line, glyphs.glyphs(text), slots)
        self.lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        if self.has_title:
            self.lines.next_to(self.title, DOWN, aligned_edge=LEFT, buff=0.15)
        else:
            self.lines.move_to(self.anchor.get_center(), aligned_edge=UP + LEFT)


def equation_panel(lines: Sequence[str], font_size: int = style.BODY_SIZE) -> VGroup:
    """LaTeX lines stacked in a rounded panel."""
    equations = VGroup(
        *[MathTex(line, font_size=font_size, color=style.TEXT_COLOR) for line in lines]
    )
    equations.arrange(DOWN, aligned_edge=LEFT, buff=0.2)
    panel = RoundedRectangle(
        corner_radius=0.12,
        width=equations.width + 0.5,
        height=equations.height + 0.4,
    )
    panel.set_fill(style.PANEL_COLOR, 0.92).set_stroke(style.PANEL_BORDER_COLOR, 1.5)
    panel.move_to(equations)
    return VGroup(panel, equations)


def text_label(
    text: str, color: ManimColor = style.TEXT_COLOR, size: int = style.SMALL_SIZE
) -> Text:
    """Plain text in the lesson's font (``SMALL_SIZE`` unless told)."""
    return Text(text, font=style.FONT, font_size=size, color=color)


def math_label(
    tex: str, color: ManimColor = style.TEXT_COLOR, size: int = style.BODY_SIZE
) -> MathTex:
    """A formula in the lesson's colours (``BODY_SIZE`` unless told)."""
    return MathTex(tex, font_size=size, color=color)


def title_text(text: str) -> Text:
    """A chapter title, placed top-left inside the margin."""
    title = Text(text, font=style.FONT, font_size=style.TITLE_SIZE, color=style.TEXT_COLOR)
    return title
