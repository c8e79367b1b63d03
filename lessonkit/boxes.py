"""Boxes around things: a panel behind formulas whose parts are coloured one by one, a highlight.

:func:`lessonkit.panels.equation_panel` stacks whole LaTeX lines in a panel;
:func:`parts_equation_panel` does the same with each line split into parts
(``MathTex(*parts)``), so a storyboard can colour, box or transform one part
of a rule. :func:`panel_behind` is the panel both draw; :func:`highlight_box`
the box that points at one thing on screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from manim import (
    DOWN,
    LEFT,
    ManimColor,
    MathTex,
    Mobject,
    RoundedRectangle,
    SurroundingRectangle,
    VGroup,
)

from lessonkit import style

__all__ = ["highlight_box", "panel_behind", "parts_equation_panel"]


def panel_behind(content: Mobject) -> RoundedRectangle:
    """A rounded panel behind ``content``, as :func:`lessonkit.panels.equation_panel` draws it.

    0.25 wider than ``content`` on each side and 0.2 taller above and below, centred on it.
    """
    panel = RoundedRectangle(
        corner_radius=0.12, width=content.width + 0.5, height=content.height + 0.4
    )
    panel.set_fill(style.PANEL_COLOR, 0.92).set_stroke(style.PANEL_BORDER_COLOR, 1.5)
    return panel.move_to(content)


def parts_equation_panel(
    lines: Sequence[Sequence[str]], font_size: int = style.BODY_SIZE, line_buff: float = 0.25
) -> VGroup:
    """Formula lines, each made of LaTeX parts, stacked left-aligned in a rounded panel.

    Returns ``VGroup(panel, equations)``: ``equations[i]`` is line ``i`` as
    ``MathTex(*lines[i])``, so ``equations[i][k]`` is its part ``k``.
    """
    equations = VGroup(
        *[MathTex(*parts, font_size=font_size, color=style.TEXT_COLOR) for parts in lines]
    )
    equations.arrange(DOWN, aligned_edge=LEFT, buff=line_buff)
    return VGroup(panel_behind(equations), equations)


def highlight_box(
    mobject: Mobject, buff: float = 0.07, color: ManimColor = style.HIGHLIGHT_COLOR
) -> SurroundingRectangle:
    """A box around ``mobject``, ``buff`` clear of it, in the highlight colour."""
    return SurroundingRectangle(mobject, color=color, buff=buff)
