"""Narration for "Too much momentum": β = 0.99 on the stretched bowl does not settle within
its steps (it crosses the finish line only later, which the chapter says)."""

from __future__ import annotations

from dataclasses import dataclass, field

from lessonkit.config import RUN_KEYS, Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number
from momentum_math import Trajectory

#: The most steps the chapter can draw: β = 0.99 swings through all of them in one line.
MAX_STEPS = 1000
#: How much longer than its steps the overshooting run is followed to find where it does
#: cross the finish line ("not within 300 steps" is not "never").
LATE_RUN_FACTOR = 20


@dataclass(frozen=True)
class OvershootFigures:
    """Every number the chapter shows or speaks, from the ``stretched_bowl_race`` experiment.

    ``steps_to_converge`` maps each β of the preset (0, 0.9, 0.99) to the first
    step with loss below ``threshold``, or ``None`` when the run never gets
    there within ``steps``. ``final_loss`` is the loss of the β = 0.99 run at
    its last step; ``late_crossing`` the step at which that run, left running up to
    :data:`LATE_RUN_FACTOR` times ``steps``, first gets below ``threshold`` (``None``: not
    even then).
    """

    start: tuple[float, float]
    lr: float
    beta: float
    betas: tuple[float, ...]
    steps: int
    threshold: float
    steps_to_converge: dict[float, int | None] = field(compare=False)
    final_loss: float
    late_crossing: int | None
    runs: dict[float, Trajectory] = field(repr=False, compare=False)

    @property
    def run(self) -> Trajectory:
        """The β = 0.99 run."""
        return self.runs[self.beta]

    @property
    def convention(self) -> str:
        """The update rule every run follows (the race's: the moving average)."""
        return self.run.convention

    @property
    def kappa(self) -> float:
        """The bowl's condition number λ_max/λ_min (100 for the race's bowl)."""
        return self.run.surface.condition_number


def figures() -> OvershootFigures:
    """The chapter's numbers, computed now from the explainer-figure experiment (with the lesson
    configuration's overrides, if any)."""
    experiment = lesson_experiment("stretched_bowl_race")
    needs = Needs("overshoot", experiment)
    needs.stretched_quadratic("the race's stretched bowl")
    needs.betas(3, "plain descent, the momentum that finishes, the one that overshoots")
    needs.steps(1, MAX_STEPS, "the largest β swings through all of them in one line")
    window = (experiment.surface.x_range, experiment.surface.y_range)
    needs.start_inside(window)
    needs.require(experiment.threshold is not None, ("threshold",), "a threshold: the finish line")
    threshold = float(experiment.threshold or 0.0)
    needs.said_as_given("threshold", threshold, 1, "it shows the finish line with 1")
    for each in experiment.betas[1:]:
        needs.said_as_given("betas", each, 2, "it says the βs with 2")
    runs = experiment.runs()
    plain, good, beta = experiment.betas
    run = runs[beta]
    needs.inside([run], window, "the overshooting path")
    where = "its loss plot marks where each run crosses the finish line"
    needs.finishes(runs[plain], threshold, "plain descent", where)
    needs.finishes(runs[good], threshold, f"β = {good:g}", where)
    needs.never_finishes(
        run, threshold, f"β = {beta:g}", f"it says that run does not within {experiment.steps}"
    )
    late = experiment.run(beta, steps=LATE_RUN_FACTOR * experiment.steps)
    needs.require(
        all(float(runs[b].losses.min()) > 0 for b in experiment.betas),
        RUN_KEYS,
        "every loss above 0 (its loss plot has a log scale)",
    )
    needs.spoken(run.final_loss, 3, "the overshooting run's last loss")
    return OvershootFigures(
        start=(float(experiment.start[0]), float(experiment.start[1])),
        lr=float(experiment.lr),
        beta=float(beta),
        betas=tuple(float(b) for b in experiment.betas),
        steps=int(experiment.steps),
        threshold=threshold,
        steps_to_converge={b: runs[b].steps_to_converge(threshold) for b in experiment.betas},
        final_loss=float(run.final_loss),
        late_crossing=late.steps_to_converge(threshold),
        runs=runs,
    )


@dataclass(frozen=True)
class OvershootScript:
    """The chapter's spoken lines, in the order they are played.

    Bookmarks: ``last_loss`` in ``verdict`` (where β = 0.99's last loss is shown).
    """

    setup: str
    question: str
    swing: str
    plot: str
    verdict: str
    teaser: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [self.setup, self.question, self.swing, self.plot, self.verdict, self.teaser]


def script(figs: OvershootFigures) -> OvershootScript:
    """The narration for ``figs``."""
    plain, good = figs.betas[0], figs.betas[1]
    return OvershootScript(
        setup=f"Why not more memory? Beta {spoken_number(figs.beta)}, same bowl, same start.",
        swing=(
            "It builds so much speed that it sails past the centre, and it is slow to turn back."
        ),
        question=f"Will it get below {spoken_number(figs.threshold)} in {figs.steps} steps?",
        plot="All three losses, on a log scale, with the finish line.",
        verdict=(
            f"Plain descent crosses at step {figs.steps_to_converge[plain]}, "
            f"beta {spoken_number(good)} at {figs.steps_to_converge[good]}. "
            f'<bookmark mark="last_loss"/> Beta {spoken_number(figs.beta)} does not, within '
            f"{figs.steps} steps: its loss is still {spoken_number(figs.final_loss, 3)}. "
            + late_words(figs)
        ),
        teaser="Too much momentum overshoots. So how much is just right?",
    )


def late_words(figs: OvershootFigures) -> str:
    """Where the overshooting run does cross, said after "not within N steps"."""
    if figs.late_crossing is None:
        return f"Even after {LATE_RUN_FACTOR * figs.steps} steps it has not."
    return f"Left running, it crosses at step {figs.late_crossing}."
