"""Tables: numbers that fill in row by row (:class:`FillTable`), ready-made cells on a grid
(:class:`GridTable`).

:class:`FillTable`: every cell is laid out when the table is built, so the
table keeps its size and place while it fills; cells not yet revealed are
fully transparent (the layout guard skips them). Numeric cells are written by
a formatter from :mod:`lessonkit.formatting` (or :func:`format_fixed`), so a
test can check that what a cell shows equals the number it came from.

:class:`GridTable`: cells the storyboard made itself (formulas, notes), each
put at its column's anchor and its row's height, and left visible; the
storyboard fades them in as its story needs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from manim import (
    LEFT,
    RIGHT,
    Animation,
    AnimationGroup,
    Create,
    Line,
    ManimColor,
    MathTex,
    Mobject,
    RoundedRectangle,
    Text,
    VGroup,
    VMobject,
)

from lessonkit import style
from lessonkit.formatting import MINUS, format_number

__all__ = ["Cell", "FillTable", "GridTable", "format_fixed", "format_signed_integer"]

#: What a cell may hold: a number (formatted by its column's formatter) or ready text.
Cell = float | int | str
Formatter = Callable[[float], str]


def format_fixed(value: float, decimals: int = 4) -> str:
    """``value`` with exactly ``decimals`` decimals and a true minus sign.

    Columns written this way line their decimal points up when right-aligned
    in the mono font.

    >>> format_fixed(0.19), format_fixed(-0.0362), format_fixed(-1e-9, 2)
    ('0.1900', '−0.0362', '0.00')
    """
    rounded = round(float(value), decimals) + 0.0  # never "−0.00"
    return f"{rounded:.{decimals}f}".replace("-", MINUS)


def format_signed_integer(value: float) -> str:
    """A whole number with its sign always written: ``+2``, ``−2``, ``0``.

    >>> format_signed_integer(2.0), format_signed_integer(-2), format_signed_integer(0)
    ('+2', '−2', '0')
    """
    number = int(round(float(value)))
    return "0" if number == 0 else f"{number:+d}".replace("-", MINUS)


class FillTable(VGroup):
    """A header row and a grid of cells that appear one row at a time.

    Parameters
    ----------
    header
        One LaTeX string per column (``"k"``, ``"v_1"``...), drawn with MathTex.
    rows
        The cells, row by row; numbers go through their column's formatter,
        strings are shown as they are.
    formatters
        One formatter for every column, or one per column (``None`` in the
        list: that column's default, :func:`~lessonkit.formatting.format_number`).
    column_widths
        Scene units per column (default 1.6 each).
    row_height
        Scene units per row, header included.
    header_colors, cell_colors
        Optional colour per column for the header and for the cells.

    Attributes
    ----------
    header_row : VGroup of MathTex
    cells : list of list of Text
        ``cells[k][j]`` is row ``k``, column ``j`` (rows counted from 0, under the header).
    texts : list of list of str
        What each cell shows.
    rule : Line
        The line under the header.
    revealed : int
        How many rows :meth:`reveal_row` has shown so far.
    """

    def __init__(
        self,
        header: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        formatters: Formatter | Sequence[Formatter | None] = format_number,
        column_widths: float | Sequence[float] = 1.6,
        row_height: float = 0.62,
        font_size: int = style.LABEL_SIZE,
        header_colors: Sequence[ManimColor] | None = None,
        cell_colors: Sequence[ManimColor] | None = None,
    ) -> None:
        super().__init__()
        columns = len(header)
        if columns == 0:
            raise ValueError("a table needs at least one column")
        for index, row in enumerate(rows):
            if len(row) != columns:
                raise ValueError(f"row {index} has {len(row)} cells; the header has {columns}")
        if font_size < style.SMALL_SIZE:
            raise ValueError(
                f"font_size {font_size} is below style.SMALL_SIZE ({style.SMALL_SIZE})"
            )
        self.formatters = self._per_column(formatters, columns, "formatters")
        self.column_widths = [
            float(width) for width in self._per_column(column_widths, columns, "column_widths")
        ]
        self.row_height = float(row_height)
        self.font_size = font_size
        self.revealed = 0
        header_colors = list(header_colors) if header_colors else [style.TEXT_COLOR] * columns
        cell_colors = list(cell_colors) if cell_colors else [style.TEXT_COLOR] * columns

        lefts = [sum(self.column_widths[:j]) for j in range(columns)]
        self._column_centers = [
            left + width / 2 for left, width in zip(lefts, self.column_widths, strict=True)
        ]

        self.header_row = VGroup()
        for j, (latex, color) in enumerate(zip(header, header_colors, strict=True)):
            label = MathTex(latex, font_size=font_size + 4, color=color)
            label.move_to([self._column_centers[j], 0.0, 0.0])
            self.header_row.add(label)
        total_width = sum(self.column_widths)
        rule_y = -0.5 * self.row_height
        self.rule = Line([0.0, rule_y, 0.0], [total_width, rule_y, 0.0])
        self.rule.set_stroke(style.AXIS_COLOR, style.STROKE_WIDTH * 0.7)

        self.texts = [
            [self._cell_text(value, self.formatters[j]) for j, value in enumerate(row)]
            for row in rows
        ]
        self.cells: list[list[Text]] = [
            [
                Text(
                    text, font=style.MONO_FONT, font_size=font_size, color=cell_colors[j]
                ).set_fill(opacity=0.0)
                for j, text in enumerate(texts)
            ]
            for texts in self.texts
        ]
        # Cells are right-aligned (decimal points line up in the mono font), and each
        # column's block of cells is centred in the column.
        for j, width in enumerate(self.column_widths):
            widest = max((row[j].width for row in self.cells), default=0.0)
            if widest > width:
                raise ValueError(f"column {j} needs {widest:.2f} units; it is {width:.2f} wide")
            right = self._column_centers[j] + widest / 2
            for k, row in enumerate(self.cells):
                row[j].move_to([right, -(k + 1) * self.row_height, 0.0], aligned_edge=RIGHT)
        self.body = VGroup(*[VGroup(*row) for row in self.cells])
        self.add(self.header_row, self.rule, self.body)

    @staticmethod
    def _per_column(value, columns: int, name: str) -> list:
        if isinstance(value, str) or not isinstance(value, Sequence):
            return [value] * columns
        if len(value) != columns:
            raise ValueError(f"{name} has {len(value)} entries for {columns} columns")
        return list(value)

    @staticmethod
    def _cell_text(value: Cell, formatter: Formatter | None) -> str:
        if isinstance(value, str):
            return value
        return (formatter or format_number)(float(value))

    # --- access --------------------------------------------------------------------

    @property
    def num_rows(self) -> int:
        """Number of body rows (the header not counted)."""
        return len(self.cells)

    @property
    def num_columns(self) -> int:
        """Number of columns."""
        return len(self.header_row)

    def cell(self, row: int, column: int) -> Text:
        """The mobject of the cell at ``row`` (from 0, under the header), ``column``."""
        return self.cells[row][column]

    def cell_text(self, row: int, column: int) -> str:
        """The text the cell at ``row``, ``column`` shows."""
        return self.texts[row][column]

    def row(self, index: int) -> VGroup:
        """The cells of body row ``index``."""
        return self.body[index]

    def column(self, index: int, with_header: bool = True) -> VGroup:
        """The cells of column ``index`` (and its header unless ``with_header`` is false)."""
        cells = [row[index] for row in self.cells]
        return VGroup(self.header_row[index], *cells) if with_header else VGroup(*cells)

    # --- animation -----------------------------------------------------------------

    def reveal_row(self, index: int, run_time: float = 0.8, lag_ratio: float = 0.15) -> Animation:
        """Show body row ``index``, its cells fading in left to right.

        Rows are usually revealed in order; :attr:`revealed` counts the rows
        shown so far (the highest revealed index plus one).
        """
        if not 0 <= index < self.num_rows:
            raise IndexError(f"row {index} is outside 0..{self.num_rows - 1}")
        self.revealed = max(self.revealed, index + 1)
        return AnimationGroup(
            *[cell.animate.set_fill(opacity=1.0) for cell in self.cells[index]],
            lag_ratio=lag_ratio,
            run_time=run_time,
        )

    def reveal_cells(
        self,
        row: int,
        columns: Sequence[int],
        lag_ratio: float = 0.15,
        run_time: float | None = None,
    ) -> Animation:
        """Show some cells of body row ``row`` (``columns``, in that order), fading in in turn.

        Like :meth:`reveal_row` for part of a row; :attr:`revealed` counts the row
        as shown. Without ``run_time`` the animation lasts as its cells' fades do.
        """
        if not 0 <= row < self.num_rows:
            raise IndexError(f"row {row} is outside 0..{self.num_rows - 1}")
        self.revealed = max(self.revealed, row + 1)
        return AnimationGroup(
            *[self.cells[row][j].animate.set_fill(opacity=1.0) for j in columns],
            lag_ratio=lag_ratio,
            run_time=run_time,
        )

    def show_all(self) -> None:
        """Make every row visible at once (no animation), e.g. for a still picture."""
        for row in self.cells:
            for cell in row:
                cell.set_fill(opacity=1.0)
        self.revealed = self.num_rows

    def column_box(
        self,
        index: int,
        color: ManimColor = style.HIGHLIGHT_COLOR,
        with_header: bool = True,
        buff: float = 0.08,
    ) -> RoundedRectangle:
        """A rounded outline around column ``index``, as wide as the column.

        Its height spans the header (unless ``with_header`` is false) and
        every body row, revealed or not, so it does not change as rows appear.
        """
        left = self.rule.get_left()[0] + sum(self.column_widths[:index])
        width = self.column_widths[index]
        rule_y = self.rule.get_y()
        top = rule_y + (self.row_height if with_header else 0.0)
        bottom = rule_y - self.num_rows * self.row_height
        box = RoundedRectangle(
            corner_radius=0.12, width=width - 2 * buff, height=top - bottom - 2 * buff
        )
        box.move_to([left + width / 2, (top + bottom) / 2, 0.0])
        return box.set_stroke(color, style.STROKE_WIDTH).set_fill(color, opacity=0.0)

    def highlight_column(
        self,
        index: int,
        color: ManimColor | None = None,
        with_header: bool = True,
        meaning: str | None = None,
    ) -> tuple[RoundedRectangle, Animation]:
        """A box around column ``index`` and the animation that draws it and tints the column.

        Returns ``(box, animation)``; play the animation, keep the box to fade
        it out later. Hidden rows stay hidden (only their colour changes).
        ``meaning`` (:func:`lessonkit.style.mark`) gives the colour and marks the box and
        the column with it.
        """
        if color is None:
            color = style.HIGHLIGHT_COLOR if meaning is None else style.meaning_color(meaning)
        if meaning is not None:
            style.mark(self.column(index, with_header=with_header), meaning)
        box = self.column_box(index, color, with_header)
        if meaning is not None:
            style.mark(box, meaning)
        # One animation per cell: every cell is already in the scene, so nothing is added twice.
        tints = [cell.animate.set_color(color) for cell in self.column(index, with_header=False)]
        return box, AnimationGroup(Create(box), *tints)

    def row_marker(self, index: int, color: ManimColor = style.PANEL_COLOR) -> VMobject:
        """A filled band behind body row ``index`` (for a "this row now" cue)."""
        y = self.rule.get_y() - (index + 0.5) * self.row_height
        band = RoundedRectangle(
            corner_radius=0.08, width=sum(self.column_widths), height=self.row_height * 0.92
        )
        band.move_to([self.rule.get_center()[0], y, 0.0])
        band.set_stroke(width=0).set_fill(color, opacity=0.9)
        band.set_z_index(-1)
        return band

    def frame_box(self) -> RoundedRectangle:
        """A panel behind the whole table, header and every row."""
        top = self.rule.get_y() + self.row_height
        bottom = self.rule.get_y() - self.num_rows * self.row_height
        panel = RoundedRectangle(
            corner_radius=0.15, width=sum(self.column_widths) + 0.3, height=top - bottom + 0.1
        )
        panel.move_to([self.rule.get_center()[0], (top + bottom) / 2, 0.0])
        panel.set_fill(style.PANEL_COLOR, 0.92).set_stroke(style.PANEL_BORDER_COLOR, 1.5)
        panel.set_z_index(-2)
        return panel


class GridTable(VGroup):
    """Ready-made cells (formulas, notes) on a grid of columns: a header line and rows under it.

    Where :class:`FillTable` writes its own cells from numbers and hides them
    until revealed, a ``GridTable`` places the mobjects it is given, as they
    are (visible, in their own colours and sizes), and a storyboard fades them
    in as its story needs.

    Parameters
    ----------
    rows
        The body cells, row by row; every row has one cell per column.
    column_x
        Each column's anchor (scene x): its cells are centred on it, or start at
        it (their left edge) for the columns in ``left_aligned``.
    first_row_y, row_step
        Body row ``k`` is centred on ``first_row_y - row_step * k``.
    header, header_y
        Optional header cells, one for each of the first ``len(header)``
        columns, centred on ``header_y`` (aligned like their column).
    left_aligned
        The columns whose cells start at their anchor.

    Attributes
    ----------
    header_row : VGroup
        The header cells (empty without a header).
    body : VGroup of VGroup
        ``body[k][j]`` is row ``k``, column ``j``.
    """

    def __init__(
        self,
        rows: Sequence[Sequence[Mobject]],
        column_x: Sequence[float],
        first_row_y: float,
        row_step: float,
        header: Sequence[Mobject] = (),
        header_y: float | None = None,
        left_aligned: Sequence[int] = (),
    ) -> None:
        super().__init__()
        columns = len(column_x)
        if columns == 0:
            raise ValueError("a table needs at least one column")
        for index, row in enumerate(rows):
            if len(row) != columns:
                raise ValueError(f"row {index} has {len(row)} cells; there are {columns} columns")
        if len(header) > columns:
            raise ValueError(f"the header has {len(header)} cells; there are {columns} columns")
        if header and header_y is None:
            raise ValueError("a header needs header_y")
        self.column_x = [float(x) for x in column_x]
        self.left_aligned = frozenset(left_aligned)
        self.header_row = VGroup(*header)
        for j, cell in enumerate(self.header_row):
            self._place(cell, j, header_y)
        self.body = VGroup(*[VGroup(*row) for row in rows])
        for k, row in enumerate(self.body):
            y = first_row_y - row_step * k
            for j, cell in enumerate(row):
                self._place(cell, j, y)
        self.add(self.header_row, self.body)

    def _place(self, cell: Mobject, column: int, y: float) -> None:
        x = self.column_x[column]
        if column in self.left_aligned:
            cell.move_to([0, y, 0]).align_to([x, 0, 0], LEFT)
        else:
            cell.move_to([x, y, 0])

    def cell(self, row: int, column: int) -> Mobject:
        """The cell at body row ``row`` (from 0, under the header), ``column``."""
        return self.body[row][column]

    def column(self, index: int) -> VGroup:
        """The body cells of column ``index``, top to bottom (the header not included)."""
        return VGroup(*[row[index] for row in self.body])
