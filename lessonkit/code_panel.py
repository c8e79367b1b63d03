"""A code listing in the lesson's look, built on manim's :class:`~manim.Code`.

:class:`CodePanel` draws source code on the lesson's panel colours with a
quiet syntax palette (so the colours that carry meaning elsewhere, such as
plain GD or momentum, are not spent on syntax), and finds the glyphs of a
line or of a token so a scene can point at them::

    panel = CodePanel("opt = optim.SGD(params, lr=0.01, momentum=0.9)")
    box = panel.highlight_token("momentum=0.9")   # a rectangle around the token
    scene.play(FadeIn(panel), Create(box))

Lines are numbered as the panel shows them: the first line is line 1.

Keep lines short (about 45 characters at ``style.SMALL_SIZE``): manim lays
text out with Pango on a canvas as wide as the video in pixels, so in tiny
renders (192x108) a line wider than about 9.3 scene units wraps.
"""

from __future__ import annotations

from manim import (
    Code,
    ManimColor,
    SurroundingRectangle,
    VGroup,
)
from pygments.style import Style
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Token,
)

from lessonkit import style

__all__ = ["CodePanel", "LessonCodeStyle", "glyph_span"]


def _hex(color: ManimColor) -> str:
    return color.to_hex()[:7].lower()


#: Syntax colours: soft tints that mean nothing else in the lesson.
KEYWORD_TINT = ManimColor("#c4a7e7")
STRING_TINT = ManimColor("#a6d189")
CALL_TINT = ManimColor("#8bd5ca")


class LessonCodeStyle(Style):
    """A Pygments style on the lesson's panel colour, readable at 480p."""

    background_color = _hex(style.PANEL_COLOR)
    line_number_color = _hex(style.MUTED_TEXT_COLOR)
    default_style = ""
    styles = {
        Token: _hex(style.TEXT_COLOR),
        Text: _hex(style.TEXT_COLOR),
        Error: _hex(style.TEXT_COLOR),
        Comment: "italic " + _hex(style.MUTED_TEXT_COLOR),
        Keyword: _hex(KEYWORD_TINT),
        Keyword.Namespace: _hex(KEYWORD_TINT),
        Operator: _hex(style.MUTED_TEXT_COLOR),
        Punctuation: _hex(style.MUTED_TEXT_COLOR),
        Name: _hex(style.TEXT_COLOR),
        Name.Builtin: _hex(KEYWORD_TINT),
        Name.Function: _hex(CALL_TINT),
        Number: _hex(style.TEXT_COLOR),
        String: _hex(STRING_TINT),
    }


def glyph_span(line: str, token: str, occurrence: int = 0) -> tuple[int, int]:
    """``(first, stop)`` glyph indices of ``token`` in ``line``.

    manim draws no glyph for a space, so glyph indices count only the
    non-whitespace characters before the token. ``occurrence`` picks the
    n-th match (0 is the first). Raises ``ValueError`` when the token is not
    there or has no visible glyph.

    >>> glyph_span("opt = SGD(lr=0.01, momentum=0.9)", "momentum=0.9")
    (16, 28)
    """
    if not token.strip():
        raise ValueError(f"token must contain a visible character, got {token!r}")
    offset = -1
    for _ in range(occurrence + 1):
        offset = line.find(token, offset + 1)
        if offset < 0:
            raise ValueError(f"{token!r} (occurrence {occurrence}) is not in line {line!r}")
    first = sum(1 for char in line[:offset] if not char.isspace())
    return first, first + sum(1 for char in token if not char.isspace())


class CodePanel(VGroup):
    """A code listing on a lesson panel, with line numbers, that can point at lines and tokens.

    Parameters
    ----------
    source : str
        The code, lines separated by ``\\n`` (tabs become four spaces).
    language : str
        A Pygments lexer name.
    font_size : int
        Size of the code text, as for ``Text``; at least ``style.SMALL_SIZE``.
    add_line_numbers : bool
        Number the lines in the margin.

    Attributes
    ----------
    source_lines : list of str
        The code's lines, as shown.
    code : Code
        manim's listing (background, line numbers, ``code_lines``).
    """

    def __init__(
        self,
        source: str,
        language: str = "python",
        font_size: int = style.LABEL_SIZE,
        add_line_numbers: bool = True,
    ) -> None:
        super().__init__()
        if font_size < style.SMALL_SIZE:
            raise ValueError(
                f"font_size must be at least style.SMALL_SIZE ({style.SMALL_SIZE}) to stay "
                f"readable at 480p, got {font_size!r}"
            )
        expanded = source.expandtabs(4).rstrip("\n")
        if not expanded.strip():
            raise ValueError("source must contain some code")
        self.source_lines: list[str] = expanded.split("\n")
        self.code = Code(
            code_string=expanded,
            language=language,
            formatter_style=LessonCodeStyle,
            add_line_numbers=add_line_numbers,
            background="rectangle",
            background_config={
                "fill_color": style.PANEL_COLOR,
                "fill_opacity": 0.95,
                "stroke_color": style.PANEL_BORDER_COLOR,
                "stroke_width": 1.5,
                "corner_radius": 0.12,
                "buff": 0.3,
            },
            paragraph_config={
                "font": style.MONO_FONT,
                "font_size": font_size,
                "line_spacing": 0.6,
            },
        )
        self.add(self.code)

    @property
    def background(self) -> SurroundingRectangle:
        """The panel behind the code."""
        return self.code.background

    @property
    def line_count(self) -> int:
        """Number of lines in the listing."""
        return len(self.source_lines)

    def _check_number(self, number: int) -> None:
        if not 1 <= number <= self.line_count:
            raise ValueError(f"line must be in 1..{self.line_count}, got {number!r}")

    def line(self, number: int) -> VGroup:
        """The glyphs of line ``number`` (1-based, as numbered on screen)."""
        self._check_number(number)
        return self.code.code_lines[number - 1]

    def line_text(self, number: int) -> str:
        """The source text of line ``number`` (1-based)."""
        self._check_number(number)
        return self.source_lines[number - 1]

    def find_line(self, token: str) -> int:
        """The number (1-based) of the first line that contains ``token``."""
        for number, text in enumerate(self.source_lines, start=1):
            if token in text:
                return number
        raise ValueError(f"{token!r} is in no line of the listing")

    def token(self, token: str, line: int | None = None, occurrence: int = 0) -> VGroup:
        """The glyphs of ``token`` on ``line`` (default: the first line holding it)."""
        number = self.find_line(token) if line is None else line
        first, stop = glyph_span(self.line_text(number), token, occurrence)
        return VGroup(*self.line(number)[first:stop])

    def highlight_line(
        self, number: int, color: ManimColor = style.HIGHLIGHT_COLOR, buff: float = 0.08
    ) -> SurroundingRectangle:
        """A rectangle around the glyphs of line ``number`` (1-based); not added to the panel."""
        glyphs = self.line(number)
        if not glyphs.submobjects:
            raise ValueError(f"line {number} is empty: there is nothing to highlight")
        return SurroundingRectangle(glyphs, color=color, buff=buff, stroke_width=style.STROKE_WIDTH)

    def highlight_lines(
        self,
        first: int,
        last: int,
        color: ManimColor = style.HIGHLIGHT_COLOR,
        buff: float = 0.08,
    ) -> SurroundingRectangle:
        """A rectangle around the glyphs of lines ``first`` to ``last`` (1-based, both
        included), e.g. a statement that spans two lines; not added to the panel."""
        if last < first:
            raise ValueError(f"last line {last!r} comes before first line {first!r}")
        lines = [self.line(number) for number in range(first, last + 1)]
        if not any(line.submobjects for line in lines):
            raise ValueError(f"lines {first}-{last} are empty: there is nothing to highlight")
        return SurroundingRectangle(
            VGroup(*lines), color=color, buff=buff, stroke_width=style.STROKE_WIDTH
        )

    def highlight_token(
        self,
        token: str,
        line: int | None = None,
        occurrence: int = 0,
        color: ManimColor = style.HIGHLIGHT_COLOR,
        buff: float = 0.08,
    ) -> SurroundingRectangle:
        """A rectangle around ``token`` (see :meth:`token`); not added to the panel."""
        return SurroundingRectangle(
            self.token(token, line, occurrence),
            color=color,
            buff=buff,
            stroke_width=style.STROKE_WIDTH,
        )
