"""Small blocks of text in the lesson's look: numbered badges, paragraphs, code-font cells,
multi-part formulas, update-rule blocks and cells set out in columns.

They complete :func:`lessonkit.panels.text_label` and :func:`~lessonkit.panels.math_label`
(plain text and one-part formulas in the lesson's font and colours) for the pieces
several chapters share, so a chapter never repeats ``font=``, ``font_size=`` and
``color=``. Each builds its mobjects unplaced (at the origin) unless it says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from manim import DOWN, LEFT, Circle, ManimColor, MathTex, Text, VGroup

from lessonkit import style
from lessonkit.formatting import lesson_symbols
from lessonkit.panels import math_label, text_label
from momentum_math import rules

__all__ = [
    "badge",
    "break_before",
    "math_line",
    "mono_label",
    "paragraph",
    "place_in_columns",
    "rule_block",
]


def break_before(text: str, word: str) -> tuple[str, str]:
    """``text`` cut in two lines before the first ``word`` that follows a space.

    >>> break_before("Why does it crawl through a valley?", "through")
    ('Why does it crawl', 'through a valley?')
    """
    index = text.find(" " + word)
    if index < 0:
        raise ValueError(f"{word!r} does not follow a space in {text!r}")
    return text[:index], text[index + 1 :]


def badge(label: str, color: ManimColor = style.HIGHLIGHT_COLOR, radius: float = 0.26) -> VGroup:
    """A numbered disc on the panel colour, outlined in ``color``: ``VGroup(disc, label)``."""
    disc = Circle(radius=radius).set_stroke(color, 2.5).set_fill(style.PANEL_COLOR, 1.0)
    digit = text_label(label, color, style.LABEL_SIZE).move_to(disc)
    return VGroup(disc, digit)


def paragraph(
    text: str,
    size: int = style.BODY_SIZE,
    color: ManimColor = style.TEXT_COLOR,
    t2c: Mapping[str, ManimColor] | None = None,
    line_spacing: float = 0.7,
) -> Text:
    """A short text of a few lines (``\\n`` between them) in the lesson's font.

    ``t2c`` colours the given substrings (manim's ``Text(t2c=...)``). Keep each
    line narrower than about 9.3 units: Pango wraps wider lines in tiny renders.
    """
    return Text(
        text,
        font=style.FONT,
        font_size=size,
        color=color,
        line_spacing=line_spacing,
        t2c=dict(t2c) if t2c else None,
    )


def mono_label(
    text: str, color: ManimColor = style.TEXT_COLOR, size: int = style.SMALL_SIZE
) -> Text:
    """Text in the lesson's code font (numbers that line up, code): ``SMALL_SIZE`` unless told."""
    return Text(text, font=style.MONO_FONT, font_size=size, color=color)


def math_line(
    *parts: str, color: ManimColor = style.TEXT_COLOR, size: int = style.BODY_SIZE
) -> MathTex:
    """A formula of several parts (``line[i]`` is part ``i``, to colour or point at).

    One part is the same as :func:`~lessonkit.panels.math_label`.
    """
    if not parts:
        raise ValueError("math_line needs at least one part")
    return MathTex(*parts, font_size=size, color=color)


def rule_block(
    heading: str,
    convention: str,
    heading_size: int = style.LABEL_SIZE,
    rule_size: int = style.BODY_SIZE + 6,
) -> VGroup:
    """A muted heading over the two update lines of ``convention`` (``momentum_math.rules``).

    ``VGroup(heading, VGroup(velocity line, position line))``, left-aligned; the
    velocity line in the velocity colour.
    """
    rule = rules.rule(convention)
    title = text_label(heading, style.MUTED_TEXT_COLOR, heading_size)
    lines = VGroup(
        style.mark(
            math_label(lesson_symbols(rule.velocity_latex), style.VELOCITY_COLOR, rule_size),
            "velocity",
        ),
        math_label(lesson_symbols(rule.position_latex), style.TEXT_COLOR, rule_size),
    ).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
    return VGroup(title, lines).arrange(DOWN, aligned_edge=LEFT, buff=0.15)


def place_in_columns(
    rows: Sequence[VGroup], column_lefts: Sequence[float], row_step: float
) -> VGroup:
    """Set ``rows`` of cells out as a table: cell ``j`` of each row starts at ``column_lefts[j]``.

    Rows go down from y = 0, their cells' centres ``row_step`` apart; returns
    ``VGroup(*rows)``, to be moved as a whole.
    """
    for index, row in enumerate(rows):
        if len(row) != len(column_lefts):
            raise ValueError(f"row {index} has {len(row)} cells for {len(column_lefts)} columns")
        for cell, x in zip(row, column_lefts, strict=True):
            cell.move_to([x, -row_step * index, 0], aligned_edge=LEFT)
    return VGroup(*rows)
