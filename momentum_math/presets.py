"""Named presets for the published experiments, so nobody retypes their numbers.

>>> from momentum_math import presets
>>> race = presets.stretched_bowl_race()
>>> [race.run(beta).steps_to_converge(race.threshold) for beta in race.betas]
[185, 159, None]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from momentum_math import _validate, surfaces
from momentum_math.simulation import Trajectory, simulate
from momentum_math.surfaces import Surface


@dataclass(frozen=True, eq=False)
class Experiment:
    """One published set-up: a surface, a start, α, the βs compared and a step count.

    Attributes
    ----------
    name : str
    description : str
    surface : Surface
    start : tuple of float
    lr : float
    betas : tuple of float
        The momenta compared (0.0 is plain gradient descent).
    steps : int
    convention : str
    threshold : float or None
        The loss below which a run counts as converged, where the source uses one.
    """

    name: str
    description: str
    surface: Surface
    start: tuple[float, float]
    lr: float
    betas: tuple[float, ...]
    steps: int
    convention: str
    threshold: float | None = None

    def run(self, beta: float | None = None, steps: int | None = None) -> Trajectory:
        """Simulate this experiment with ``beta`` (default: the first of ``betas``)."""
        return simulate(
            self.surface,
            np.array(self.start),
            lr=self.lr,
            beta=self.betas[0] if beta is None else beta,
            steps=self.steps if steps is None else steps,
            convention=self.convention,
        )

    def runs(self) -> dict[float, Trajectory]:
        """One trajectory per β in ``betas``, keyed by β."""
        return {beta: self.run(beta) for beta in self.betas}


def ravine_zigzag() -> Experiment:
    """The ravine blog post: plain GD zigzags, β = 0.8 glides in, β = 0.9 overshoots."""
    return Experiment(
        name="ravine_zigzag",
        description="Ravine x²/16 + 9y² from (−2.4, 0.2), α = 0.1, 50 iterations",
        surface=surfaces.ravine(),
        start=(-2.4, 0.2),
        lr=0.1,
        betas=(0.0, 0.8, 0.9),
        steps=50,
        convention="pytorch",
    )


def stretched_bowl_race() -> Experiment:
    """The explainer figure: GD vs β = 0.9 vs β = 0.99 on the stretched bowl (ema)."""
    return Experiment(
        name="stretched_bowl_race",
        description="Stretched bowl from (−4, 1.5), α = 0.18, ema convention, 300 steps",
        surface=surfaces.stretched_bowl(),
        start=(-4.0, 1.5),
        lr=0.18,
        betas=(0.0, 0.9, 0.99),
        steps=300,
        convention="ema",
        threshold=1e-3,
    )


def paraboloid_descent() -> Experiment:
    """The ninja post's easy bowl: plain GD from (8, 8), α = 0.1, 20 iterations."""
    return Experiment(
        name="paraboloid_descent",
        description="Paraboloid x² + y² from (8, 8), α = 0.1, 20 iterations",
        surface=surfaces.paraboloid(),
        start=(8.0, 8.0),
        lr=0.1,
        betas=(0.0,),
        steps=20,
        convention="classical",
    )


def qfsp_escape() -> Experiment:
    """The ninja post's bumpy bowl: GD is trapped, μ = 0.5 and 0.8 escape (classical)."""
    return Experiment(
        name="qfsp_escape",
        description="QFSP from (7.11, 6.97), α = 0.1, classical convention, 50 iterations",
        surface=surfaces.qfsp(),
        start=(7.11, 6.97),
        lr=0.1,
        betas=(0.0, 0.5, 0.8),
        steps=50,
        convention="classical",
    )


_PRESETS: dict[str, Callable[[], Experiment]] = {
    "ravine_zigzag": ravine_zigzag,
    "stretched_bowl_race": stretched_bowl_race,
    "paraboloid_descent": paraboloid_descent,
    "qfsp_escape": qfsp_escape,
}

#: Names accepted by :func:`get`.
NAMES: tuple[str, ...] = tuple(_PRESETS)


def get(name: str) -> Experiment:
    """The named preset; an unknown name is a ValueError listing the known ones."""
    return _PRESETS[_validate.choice(name, "name", NAMES)]()
