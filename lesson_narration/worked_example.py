"""Narration for the worked-example chapter: the course page's velocity table by hand."""

from __future__ import annotations

from dataclasses import dataclass

from lessonkit.formatting import spoken_number
from momentum_math import worked_example

#: Decimals the table shows (and the narration reads, without trailing zeros).
TABLE_DECIMALS = 4


@dataclass(frozen=True)
class WorkedExampleFigures:
    """Every number the chapter shows or speaks, from :func:`momentum_math.worked_example`.

    ``gradients[k]`` and ``velocities[k]`` are ``(component 1, component 2)``
    at step ``k + 1`` (lesson convention, v₀ = 0); ``limit`` is α/(1 − β);
    and ``one_minus_beta`` is 1 − β.
    """

    lr: float
    beta: float
    gradients: tuple[tuple[float, float], ...]
    velocities: tuple[tuple[float, float], ...]
    limit: float
    one_minus_beta: float

    @property
    def steps(self) -> int:
        """Rows in the table."""
        return len(self.velocities)


def figures(steps: int = 4) -> WorkedExampleFigures:
    """The worked example's numbers, computed now (α = 0.1, β = 0.9, ``steps`` rows)."""
    table = worked_example(lr=0.1, beta=0.9, steps=steps)
    gradients = tuple((float(g1), float(g2)) for g1, g2 in table.gradients)
    return WorkedExampleFigures(
        lr=table.lr,
        beta=table.beta,
        gradients=gradients,
        velocities=tuple((float(v1), float(v2)) for v1, v2 in table.velocities),
        limit=float(table.limit),
        one_minus_beta=1.0 - table.beta,
    )


def spoken_cell(value: float) -> str:
    """A table entry as the narration reads it: its shown decimals, trailing zeros dropped."""
    return spoken_number(round(value, TABLE_DECIMALS), TABLE_DECIMALS)


@dataclass(frozen=True)
class WorkedExampleScript:
    """The chapter's spoken lines, in the order they are played.

    Bookmarks: ``row1`` in ``first_row``; ``row2`` in ``second_row``;
    ``row3`` and ``row4`` in ``more_rows``; ``first`` in ``question`` (where
    the highlight moves from the cancelling column to the growing one).
    Rows 1 and 2 are read out; rows 3 and 4 are shown, not read.
    """

    setup: str
    first_row: str
    second_row: str
    more_rows: str
    question: str
    limit: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [
            self.setup,
            self.first_row,
            self.second_row,
            self.more_rows,
            self.question,
            self.limit,
        ]


def script(figs: WorkedExampleFigures) -> WorkedExampleScript:
    """The worked-example narration for ``figs``."""
    v = figs.velocities
    g = figs.gradients
    return WorkedExampleScript(
        setup=(
            f"By hand: alpha {spoken_number(figs.lr)}, beta {spoken_number(figs.beta)}. "
            f"The first gradient is always {spoken_number(g[0][0])}; "
            f"the second flips between {spoken_number(g[0][1])} and {spoken_number(g[1][1])}."
        ),
        first_row=(
            "Step one is alpha times the gradient: "
            f'<bookmark mark="row1"/> {spoken_cell(v[0][0])} and {spoken_cell(v[0][1])}.'
        ),
        second_row=(
            "Step two keeps nine tenths, adds the new push: "
            f'<bookmark mark="row2"/> {spoken_cell(v[1][0])} and {spoken_cell(v[1][1])}.'
        ),
        more_rows='<bookmark mark="row3"/> Two more, <bookmark mark="row4"/> and a pattern.',
        question=(
            "The second column flips sign every step and never gets past its first value. "
            '<bookmark mark="first"/> The first keeps growing. Where does it stop?'
        ),
        limit=(
            "Where keeping and adding balance: alpha over one minus beta, "
            f"{spoken_number(figs.lr)} over {spoken_number(figs.one_minus_beta)}, "
            f"which is {spoken_number(figs.limit)}."
        ),
    )
