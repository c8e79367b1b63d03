"""Narration for the choosing-β chapter: memory windows, effective steps and the best β."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lessonkit.config import FINISH_KEYS, Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number
from momentum_math import simulate_batch, theory

#: The three βs the lesson compares (brief: short memory, the usual default, very long memory).
RULE_BETAS: tuple[float, ...] = (0.5, 0.9, 0.99)
#: α of the effective-step column (the brief's rule of thumb uses 0.01).
RULE_LR = 0.01
#: The sweep over β, at the theory's best step size α*, on the stretched bowl.
SWEEP_BETAS: tuple[float, ...] = tuple(
    float(beta) for beta in np.round(np.arange(0.5, 0.9601, 0.005), 3)
)
SWEEP_MAX_STEPS = 800
#: The sweep plot's step axis (the storyboard's ``STEPS_AXIS_MAX``): the fastest run and the
#: best plain descent must settle within it to be drawn.
STEPS_AXIS_MAX = 400
#: Significant digits of the theory's numbers, on screen and spoken alike.
THEORY_DIGITS = 3


def settled_steps(losses: NDArray[np.float64], threshold: float) -> NDArray[np.int64]:
    """For each run (rows of ``losses``), the first step from which its loss stays below
    ``threshold``.

    −1 where the last loss is not below it. A swinging run can dip under the
    threshold and come back up; this counts until it stays under for good,
    which follows the run's rate instead of the phase of its swing.
    """
    array = np.atleast_2d(np.asarray(losses, dtype=float))
    above = ~(array < threshold)
    last_above = array.shape[1] - 1 - np.argmax(above[:, ::-1], axis=1)
    settled = np.where(above.any(axis=1), last_above + 1, 0)
    return np.where(above[:, -1], -1, settled).astype(np.int64)


@dataclass(frozen=True, eq=False)
class ChoosingBetaFigures:
    """Every number the choosing-β chapter shows or speaks, computed by ``momentum_math``.

    Rules of thumb: ``betas``, their ``memory_windows`` 1/(1 − β) and
    ``effective_steps`` α/(1 − β) at α = ``lr``.

    Theory (stretched bowl, eigenvalues ``smallest`` and ``largest``):
    ``condition_number`` κ, ``best_beta`` β*, ``best_lr`` α*, ``best_rate`` √β*
    per step, ``gd_rate`` (κ − 1)/(κ + 1) and ``gd_lr`` for the best plain GD.

    Sweep (start ``start``, pytorch convention, step α*): ``sweep_betas``;
    ``sweep_steps`` the steps until the loss stays below ``threshold`` (−1
    where a run diverged or never settled); ``fastest_beta`` / ``fastest_steps`` the sweep's best
    run;
    ``last_failed_beta`` the largest β whose run blew up or never settled; ``gd_steps`` the
    best plain GD's count (step ``gd_lr``, β = 0).
    """

    lr: float
    betas: tuple[float, ...]
    memory_windows: tuple[float, ...]
    effective_steps: tuple[float, ...]
    smallest: float
    largest: float
    condition_number: float
    best_beta: float
    best_lr: float
    best_rate: float
    gd_rate: float
    gd_lr: float
    start: tuple[float, float]
    threshold: float
    sweep_betas: NDArray[np.float64]
    sweep_steps: NDArray[np.int64]
    fastest_beta: float
    fastest_steps: int
    last_failed_beta: float
    gd_steps: int


def figures() -> ChoosingBetaFigures:
    """The chapter's numbers, computed now from the theory and a ``simulate_batch`` sweep."""
    race = lesson_experiment("stretched_bowl_race")
    needs = Needs("choosing_beta", race)
    needs.stretched_quadratic("the quadratic bowl its theory is about")
    surface = race.surface
    start = np.array(race.start)
    threshold = float(race.threshold if race.threshold is not None else 1e-3)
    needs.said_as_given("threshold", threshold, 2, "it says the threshold with 2")
    smallest, largest = (float(value) for value in surface.hessian_eigenvalues)
    best = theory.optimal_momentum(smallest, largest)

    betas = np.array(SWEEP_BETAS)
    sweep = simulate_batch(
        surface,
        start,
        lr=best.lr,
        beta=betas,
        steps=SWEEP_MAX_STEPS,
        convention="pytorch",
        record="path",
    )
    assert sweep.losses is not None  # record="path"
    steps = settled_steps(sweep.losses, threshold)
    steps = np.where(sweep.diverged, -1, steps)
    ok = steps >= 0
    sweep_keys = ("threshold", "start", "surface")
    needs.require(
        bool(ok.any()) and not bool(ok.all()),
        sweep_keys,
        f"a sweep over β in which some runs settle below the threshold within "
        f"{SWEEP_MAX_STEPS} steps and the smallest βs do not (it marks the fastest run and "
        f"where runs grow); {int(ok.sum())} of {len(ok)} settle",
    )
    fastest = int(np.flatnonzero(ok)[np.argmin(steps[ok])])
    needs.require(
        float(betas[~ok].max()) < float(betas[fastest]) and int(steps[fastest]) <= STEPS_AXIS_MAX,
        sweep_keys,
        f"the runs that never settle all left of the fastest one, and the fastest within "
        f"{STEPS_AXIS_MAX} steps (its plot shades the failures on the left, up to "
        f"{STEPS_AXIS_MAX} steps); the fastest, β = {float(betas[fastest]):g}, takes "
        f"{int(steps[fastest])} steps, the largest that fails is β = "
        f"{float(betas[~ok].max()):g}",
    )
    gd = simulate_batch(
        surface,
        start,
        lr=best.gd_lr,
        beta=0.0,
        steps=SWEEP_MAX_STEPS,
        convention="pytorch",
        record="path",
    )
    assert gd.losses is not None  # record="path"
    gd_steps = int(settled_steps(gd.losses, threshold)[0])
    needs.require(
        not bool(np.any(gd.diverged)) and 0 <= gd_steps <= STEPS_AXIS_MAX,
        FINISH_KEYS,
        f"the best plain descent to settle below the threshold within {STEPS_AXIS_MAX} steps "
        "(its plot marks it)" + (f"; it takes {gd_steps}" if gd_steps >= 0 else "; it never does"),
    )
    for value, what in (
        (best.condition_number, "the condition number"),
        (best.beta, "the best β"),
        (best.rate, "the best rate"),
        (best.gd_rate, "plain descent's rate"),
    ):
        needs.spoken(value, THEORY_DIGITS, what, ("surface",))
    return ChoosingBetaFigures(
        lr=RULE_LR,
        betas=RULE_BETAS,
        memory_windows=tuple(float(theory.memory_window(beta)) for beta in RULE_BETAS),
        effective_steps=tuple(float(theory.effective_step(RULE_LR, beta)) for beta in RULE_BETAS),
        smallest=smallest,
        largest=largest,
        condition_number=best.condition_number,
        best_beta=best.beta,
        best_lr=best.lr,
        best_rate=best.rate,
        gd_rate=best.gd_rate,
        gd_lr=best.gd_lr,
        start=(float(start[0]), float(start[1])),
        threshold=threshold,
        sweep_betas=betas,
        sweep_steps=steps,
        fastest_beta=float(betas[fastest]),
        fastest_steps=int(steps[fastest]),
        last_failed_beta=float(betas[~ok].max()),
        gd_steps=gd_steps,
    )


def theory_number(value: float) -> str:
    """A theory result as the chapter shows and says it (3 significant digits)."""
    return spoken_number(value, THEORY_DIGITS)


@dataclass(frozen=True)
class ChoosingBetaScript:
    """The chapter's spoken lines, in the order they are played.

    Bookmarks: ``diverge`` and ``fastest`` in ``sweep``.
    """

    windows: str
    steps: str
    theory: str
    sweep: str
    advice: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [self.windows, self.steps, self.theory, self.sweep, self.advice]


def script(figs: ChoosingBetaFigures) -> ChoosingBetaScript:
    """The choosing-β narration for ``figs``."""
    short, usual, long = figs.betas
    windows = [spoken_number(value) for value in figs.memory_windows]
    steps = [spoken_number(value) for value in figs.effective_steps]
    return ChoosingBetaScript(
        windows=(
            "How long does momentum remember? About one over one minus beta steps: "
            f"{windows[0]} for beta {spoken_number(short)}, "
            f"{windows[1]} for {spoken_number(usual)}, "
            f"{windows[2]} for {spoken_number(long)}."
        ),
        steps=(
            f"At alpha {spoken_number(figs.lr)}, its steady step grows the same way: "
            f"{steps[0]}, {steps[1]}, {steps[2]}. "
            "Short memory smooths little; long memory overshoots."
        ),
        theory=(
            "Theory, for a quadratic bowl with condition number "
            f"{spoken_number(figs.condition_number)}: best beta {theory_number(figs.best_beta)} "
            f"with alpha {theory_number(figs.best_lr)}, "
            f"shrinking the error {theory_number(figs.best_rate)} a step, "
            f"against {spoken_number(figs.gd_rate)} for plain descent."
        ),
        sweep=(
            f"Test it at that alpha: one run per beta, until the loss stays below "
            f"{spoken_number(figs.threshold)}. "
            '<bookmark mark="diverge"/>On the left, the runs grow instead of settling: '
            "the steep wall again. "
            f"Alpha {theory_number(figs.best_lr)} is past plain descent's cap, "
            f"2 over {spoken_number(figs.largest)}, and momentum lifts the cap only to "
            f"2 times one plus beta over {spoken_number(figs.largest)}. "
            f'<bookmark mark="fastest"/>Fastest: {figs.fastest_steps} steps at '
            f"{spoken_number(figs.fastest_beta)}, by the prediction; "
            f"plain descent at its best alpha, {theory_number(figs.gd_lr)}, "
            f"needs {figs.gd_steps}."
        ),
        advice=f"Real losses are messier, so start at {spoken_number(usual)} and tune.",
    )
