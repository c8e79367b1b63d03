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
    ``row3`` and ``row4`` in ``more_rows``.
    """

    setup: str
    first_row: str
    second_row: str
    more_rows: str
    cancelling: str
    question: str
    limit: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [
            self.setup,
            self.first_row,
            self.second_row,
            self.more_rows,
            self.cancelling,
            self.question,
            self.limit,
        ]


def script(figs: WorkedExampleFigures) -> WorkedExampleScript:
    """The worked-example narration for ``figs``."""
    v = figs.velocities
    g = figs.gradients
    return WorkedExampleScript(
        setup=(
            "Now momentum by hand, with the course page's numbers: "
            f"alpha {spoken_number(figs.lr)} and beta {spoken_number(figs.beta)}. "
            f"The first gradient is always {spoken_number(g[0][0])}; "
            f"the second flips between {spoken_number(g[0][1])} and {spoken_number(g[1][1])}."
        ),
        first_row=(
            "From zero velocity, step one is just alpha times the gradient: "
            f'<bookmark mark="row1"/> {spoken_cell(v[0][0])} and {spoken_cell(v[0][1])}.'
        ),
        second_row=(
            "Step two keeps nine tenths of that and adds the new push: "
            f'<bookmark mark="row2"/> {spoken_cell(v[1][0])} and {spoken_cell(v[1][1])}.'
        ),
        more_rows=(
            f'Two more: <bookmark mark="row3"/> {spoken_cell(v[2][0])} and '
            f'{spoken_cell(v[2][1])}, <bookmark mark="row4"/> then {spoken_cell(v[3][0])} '
            f"and {spoken_cell(v[3][1])}."
        ),
        cancelling=(
            "Look at the second column: its pushes take turns and cancel, "
            "so it stays near zero."
        ),
        question="The first column keeps growing. Where does it stop?",
        limit=(
            "Where keeping and adding balance: alpha over one minus beta, "
            f"{spoken_number(figs.lr)} over {spoken_number(figs.one_minus_beta)}, "
            f"which is {spoken_number(figs.limit)}."
        ),
    )
