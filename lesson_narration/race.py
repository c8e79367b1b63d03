"""Narration for the race chapter: plain gradient descent against β = 0.9 on the stretched bowl."""

from __future__ import annotations

from dataclasses import dataclass, field

from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number
from momentum_math import Trajectory

#: The most steps the race can draw: the clock runs them all within three lines.
MAX_STEPS = 1000


@dataclass(frozen=True)
class RaceFigures:
    """Every number the race shows or speaks, from the ``stretched_bowl_race`` experiment.

    ``gd_steps`` and ``momentum_steps`` are the first steps whose loss is
    below ``threshold``; ``margin`` is how many steps sooner momentum gets
    there. The runs themselves are kept for drawing (not compared).
    """

    start: tuple[float, float]
    lr: float
    momentum_beta: float
    threshold: float
    gd_steps: int
    momentum_steps: int
    margin: int
    gd_loss_at_finish: float
    momentum_loss_at_finish: float
    gd_run: Trajectory = field(repr=False, compare=False)
    momentum_run: Trajectory = field(repr=False, compare=False)


def figures() -> RaceFigures:
    """The race's numbers, computed now from the explainer-figure experiment (with the lesson
    configuration's overrides, if any)."""
    experiment = lesson_experiment("stretched_bowl_race")
    needs = Needs("race", experiment)
    needs.stretched_quadratic("the stretched bowl it races on")
    needs.betas(2, "plain descent on the left, momentum on the right", exact=False)
    needs.steps(1, MAX_STEPS, "the clock runs the race within three lines")
    window = (experiment.surface.x_range, experiment.surface.y_range)
    needs.start_inside(window)
    needs.require(experiment.threshold is not None, ("threshold",), "a threshold: the finish line")
    threshold = float(experiment.threshold or 0.0)
    needs.said_as_given("threshold", threshold, 1, "its finish line shows it with 1")
    needs.said_as_given("lr", experiment.lr, 2, "it says the learning rate with 2")
    gd_beta, momentum_beta = experiment.betas[0], experiment.betas[1]
    needs.said_as_given("betas", momentum_beta, 2, "it says the racing β with 2")
    gd_run, momentum_run = experiment.run(gd_beta), experiment.run(momentum_beta)
    needs.inside([gd_run, momentum_run], window, "a runner's path")
    gd_steps = needs.finishes(gd_run, threshold, "plain descent", "it stops at the finish line")
    momentum_steps = needs.finishes(
        momentum_run, threshold, f"β = {momentum_beta:g}", "it stops at the finish line"
    )
    needs.require(
        momentum_steps < gd_steps,
        ("betas", "threshold", "lr", "start", "convention", "surface"),
        f"momentum (β = {momentum_beta:g}) to finish before plain descent (it says how many "
        f"steps sooner); it takes {momentum_steps} steps, plain descent {gd_steps}",
    )
    return RaceFigures(
        start=(float(experiment.start[0]), float(experiment.start[1])),
        lr=float(experiment.lr),
        momentum_beta=float(momentum_beta),
        threshold=threshold,
        gd_steps=gd_steps,
        momentum_steps=momentum_steps,
        margin=gd_steps - momentum_steps,
        gd_loss_at_finish=float(gd_run.losses[gd_steps]),
        momentum_loss_at_finish=float(momentum_run.losses[momentum_steps]),
        gd_run=gd_run,
        momentum_run=momentum_run,
    )


@dataclass(frozen=True)
class RaceScript:
    """The chapter's spoken lines, in the order they are played.

    Bookmarks: ``close`` in ``late`` (the race slows down before the finish),
    ``margin`` in ``verdict``.
    """

    setup: str
    finish_line: str
    early: str
    late: str
    verdict: str
    caveat: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [self.setup, self.finish_line, self.early, self.late, self.verdict, self.caveat]


def script(figs: RaceFigures) -> RaceScript:
    """The race narration for ``figs``."""
    return RaceScript(
        setup=(
            "A race on a stretched bowl: plain descent left, "
            f"beta {spoken_number(figs.momentum_beta)} right, "
            f"same start, same learning rate {spoken_number(figs.lr)}."
        ),
        finish_line=(
            f"A run finishes when its loss drops below {spoken_number(figs.threshold)}. "
            "Which finishes first?"
        ),
        early=(
            "Plain descent bounces from wall to wall. "
            "Momentum turns the bounces into smooth swings."
        ),
        late=(
            'Then the long slide in. <bookmark mark="close"/> '
            "Each counter stops as its run crosses the line."
        ),
        verdict=(
            f"Momentum finishes in {figs.momentum_steps} steps, plain descent in "
            f'{figs.gd_steps}: <bookmark mark="margin"/> {figs.margin} steps sooner.'
        ),
        caveat="A real win, if not a landslide. So why not more beta?",
    )
