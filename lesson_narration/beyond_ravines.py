"""Narration for the "Beyond ravines" chapter: momentum on a bumpy bowl, and its limits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lessonkit.config import RUN_KEYS, Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number, spoken_point
from momentum_math import Trajectory, simulate_batch

#: The momentum of the run that escapes (the ninja post shows 0.5 and 0.8).
ESCAPE_MOMENTUM = 0.5
#: Momenta swept for the caveat: 0, 0.05, ..., 0.95 (the post's slider range).
SWEEP_MOMENTA = tuple(round(0.05 * index, 2) for index in range(20))
#: A run "reaches the bottom" when its final loss is within this of the global minimum's.
REACH_TOLERANCE = 1e-2
#: A run "has settled" when the gradient at its last position is smaller than this.
SETTLED_GRADIENT = 1e-3
#: The window of the bowl the chapter draws, in x and in y (the storyboard's ``window``).
WINDOW = (-4.5, 8.0)
#: The most steps the chapter can draw: each run walks all of them during one line, in 3-D.
MAX_STEPS = 200


@dataclass(frozen=True)
class RunFigures:
    """One run of the chapter and where it ended."""

    trajectory: Trajectory
    beta: float
    final_position: tuple[float, float]
    final_loss: float
    reached_bottom: bool


@dataclass(frozen=True)
class BeyondRavinesFigures:
    """Every number the chapter shows or speaks, from ``momentum_math`` at call time.

    ``plain`` is plain gradient descent, ``momentum`` the run that escapes,
    ``caveat`` the first swept momentum above it that settles in a dip other
    than the deepest one. ``sweep_reached[i]`` says whether momentum
    ``sweep_momenta[i]`` ends at the bottom within ``steps`` steps.
    """

    start: tuple[float, float]
    lr: float
    steps: int
    convention: str
    bottom_position: tuple[float, float]
    bottom_loss: float
    plain: RunFigures
    momentum: RunFigures
    caveat: RunFigures
    sweep_momenta: tuple[float, ...]
    sweep_reached: tuple[bool, ...]

    @property
    def reached_count(self) -> int:
        """How many swept momenta reach the bottom."""
        return sum(self.sweep_reached)


def _run_figures(trajectory: Trajectory, bottom_loss: float) -> RunFigures:
    x, y = (float(value) for value in trajectory.final_position)
    return RunFigures(
        trajectory=trajectory,
        beta=float(trajectory.beta),
        final_position=(x, y),
        final_loss=trajectory.final_loss,
        reached_bottom=abs(trajectory.final_loss - bottom_loss) < REACH_TOLERANCE,
    )


def figures() -> BeyondRavinesFigures:
    """The chapter's numbers: the ninja post's QFSP runs (preset ``qfsp_escape``) and a sweep."""
    experiment = lesson_experiment("qfsp_escape")
    needs = Needs("beyond_ravines", experiment)
    needs.steps(1, MAX_STEPS, "each run walks all its steps during one line, over a 3-D bowl")
    window = (WINDOW, WINDOW)
    needs.start_inside(window)
    needs.spoken(experiment.start[0], 3, "the start's x", ("start",))
    needs.spoken(experiment.start[1], 3, "the start's y", ("start",))
    surface = experiment.surface
    bottom_loss = surface.min_value
    momentum = experiment.run(ESCAPE_MOMENTUM)
    # The global minimum the escaping run rolls into (the surface has two, mirror images).
    distances = np.linalg.norm(surface.minima - momentum.final_position, axis=1)
    nearest = surface.minima[int(np.argmin(distances))]
    sweep = simulate_batch(
        surface,
        np.array(experiment.start),
        lr=experiment.lr,
        beta=np.array(SWEEP_MOMENTA),
        steps=experiment.steps,
        convention=experiment.convention,
    )
    reached = tuple(bool(abs(loss - bottom_loss) < REACH_TOLERANCE) for loss in sweep.final_losses)
    settled = np.linalg.norm(surface.gradient(sweep.final_positions), axis=-1) < SETTLED_GRADIENT
    caveat_beta = next(
        (
            beta
            for beta, hit, still in zip(SWEEP_MOMENTA, reached, settled, strict=True)
            if beta > ESCAPE_MOMENTUM and not hit and still
        ),
        None,
    )
    plain = experiment.run(0.0)
    needs.inside([plain, momentum], window, "each run's path over the bowl")
    plain_figures = _run_figures(plain, bottom_loss)
    momentum_figures = _run_figures(momentum, bottom_loss)
    needs.require(
        not plain_figures.reached_bottom,
        RUN_KEYS,
        "plain descent to stay trapped in a dip above the bottom (it says so); it reaches "
        "the bottom",
    )
    needs.require(
        momentum_figures.reached_bottom,
        RUN_KEYS,
        f"momentum {ESCAPE_MOMENTUM:g} to escape to a global minimum (it says so); it ends at "
        f"loss {momentum.final_loss:.3g}, the bottom is {bottom_loss:.3g}",
    )
    needs.require(
        caveat_beta is not None,
        RUN_KEYS,
        f"a momentum above {ESCAPE_MOMENTUM:g}, of {', '.join(f'{b:g}' for b in SWEEP_MOMENTA)},"
        " that settles in a dip other than the deepest (its caveat)",
    )
    assert caveat_beta is not None  # checked above
    caveat = _run_figures(experiment.run(caveat_beta), bottom_loss)
    needs.inside([caveat.trajectory], window, "each run's path over the bowl")
    for run, what in ((plain_figures, "plain"), (momentum_figures, "momentum"), (caveat, "caveat")):
        needs.spoken(run.final_loss, 3, f"the {what} run's last loss")
    return BeyondRavinesFigures(
        start=experiment.start,
        lr=experiment.lr,
        steps=experiment.steps,
        convention=experiment.convention,
        bottom_position=(float(nearest[0]), float(nearest[1])),
        bottom_loss=bottom_loss,
        plain=plain_figures,
        momentum=momentum_figures,
        caveat=caveat,
        sweep_momenta=SWEEP_MOMENTA,
        sweep_reached=reached,
    )


@dataclass(frozen=True)
class BeyondRavinesScript:
    """The chapter's spoken lines, in the order they are played."""

    bumps: str
    plain: str
    momentum: str
    caveat: str
    sweep: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [self.bumps, self.plain, self.momentum, self.caveat, self.sweep]


def loss_words(value: float) -> str:
    """A loss as the narration says it (three significant digits, no trailing zeros)."""
    return spoken_number(value, 3)


def script(figs: BeyondRavinesFigures) -> BeyondRavinesScript:
    """The narration, speaking the numbers in ``figs`` as the screen shows them."""
    last = figs.sweep_momenta[-1]
    return BeyondRavinesScript(
        bumps="Real losses have bumps. Each dip in this bowl can trap a descent.",
        plain=(
            f"Plain gradient descent starts at {spoken_point(figs.start, 3)}. "
            '<bookmark mark="go"/> It slides into the nearest dip and stays: '
            f"loss {loss_words(figs.plain.final_loss)}."
        ),
        momentum=(
            f"Same start, momentum {spoken_number(figs.momentum.beta)}. "
            '<bookmark mark="go"/> Its velocity carries it over the rim, '
            f"down to a global minimum: loss {loss_words(figs.momentum.final_loss)}."
        ),
        caveat=(
            f"But momentum is no guarantee. With {spoken_number(figs.caveat.beta)}, "
            '<bookmark mark="go"/> it rolls past into another dip: '
            f"{loss_words(figs.caveat.final_loss)} again."
        ),
        sweep=(
            f"Of {len(figs.sweep_momenta)} values from 0 to {spoken_number(last)}, "
            f"only {figs.reached_count} reach the bottom in {figs.steps} steps."
        ),
    )
