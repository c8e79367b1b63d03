"""Narration for the 3-D ravine chapter: the loss as a landscape, steep across, gentle along."""

from __future__ import annotations

from dataclasses import dataclass

from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number


@dataclass(frozen=True)
class Ravine3DFigures:
    """Every number the chapter shows or speaks, from ``momentum_math`` at call time.

    The ravine's Hessian is diagonal: ``curvature_along`` is ∂²L/∂x² (along
    the floor, x), ``curvature_across`` is ∂²L/∂y² (across the walls, y), and
    ``condition_number`` is their ratio κ = λ_max / λ_min.
    """

    curvature_along: float
    curvature_across: float
    condition_number: float
    x_range: tuple[float, float]
    y_range: tuple[float, float]


def figures() -> Ravine3DFigures:
    """The chapter's numbers for the zigzag preset's (configurable) ravine."""
    experiment = lesson_experiment("ravine_zigzag")
    needs = Needs("ravine_3d", experiment)
    needs.stretched_quadratic("the ravine it draws in 3-D, its two curvatures and their ratio")
    surface = experiment.surface
    assert surface.hessian is not None  # a quadratic: checked above
    figs = Ravine3DFigures(
        curvature_along=float(surface.hessian[0, 0]),
        curvature_across=float(surface.hessian[1, 1]),
        condition_number=surface.condition_number,
        x_range=surface.x_range,
        y_range=surface.y_range,
    )
    for value, what in (
        (figs.curvature_across, "the curvature across"),
        (figs.curvature_along, "the curvature along"),
        (figs.condition_number, "the ratio of the two"),
    ):
        needs.spoken(value, 3, what, ("surface",))
    return figs


@dataclass(frozen=True)
class Ravine3DScript:
    """The chapter's spoken lines, in the order they are played."""

    landscape: str
    across: str
    along: str
    ratio: str
    top_down: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [self.landscape, self.across, self.along, self.ratio, self.top_down]


def script(figs: Ravine3DFigures) -> Ravine3DScript:
    """The narration, speaking the numbers in ``figs`` as the screen shows them."""
    return Ravine3DScript(
        landscape="Here is the ravine as a landscape, where height is loss.",
        across=(
            "Across the valley, on the yellow curve, the walls are steep: "
            f"the curvature is {spoken_number(figs.curvature_across, 3)}."
        ),
        along=(
            "Along the floor, the white curve hardly rises: "
            f"the curvature is only {spoken_number(figs.curvature_along, 3)}."
        ),
        ratio=(
            f"One direction bends {spoken_number(figs.condition_number, 3)} times more sharply "
            "than the other. That is a ravine."
        ),
        top_down=(
            'Now look straight down. <bookmark mark="flat"/>Each ring joins points of equal height.'
        ),
    )
