"""Narration for the zigzag chapter: plain gradient descent in the ravine."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number, spoken_point
from momentum_math import Trajectory, simulate, theory
from momentum_math.presets import Experiment

#: The steps the chapter can draw: six one by one (the bounce), then the rest walked during
#: one line (the crawl), at most this many.
BOUNCE_STEPS = 6
MIN_STEPS = 10
MAX_STEPS = 200
#: The step sizes either side of the wall's cap 2/λ_max are shown with this many decimals
#: (0.111 still converges on the ravine, 0.112 grows).
CAP_DECIMALS = 3


@dataclass(frozen=True, eq=False)
class ZigzagFigures:
    """What the zigzag chapter shows: plain gradient descent on the ravine preset.

    Attributes
    ----------
    experiment : Experiment
        The ravine preset (``ravine_zigzag``, with any lesson configuration applied).
    run : Trajectory
        Plain gradient descent (β = 0) from the preset's start, for its steps.
    The wall's cap, as properties of the preset: ``steepest`` the largest curvature,
    across the walls (λ_max, 18 on the ravine); ``cap`` plain descent's largest stable step
    2/λ_max; ``cap_said`` the cap cut to :data:`CAP_DECIMALS` decimals (a step that still
    converges); ``over_lr`` the first step size above the cap with those decimals (0.112);
    ``over_run`` plain descent at ``over_lr`` from the same start, for the preset's steps;
    ``over_leaves_at`` the first step at which it is off the map (``None``: it stays on it);
    ``over_rate`` how much its bounce across grows a step, |1 − α·λ_max|.
    """

    experiment: Experiment
    run: Trajectory

    @property
    def steepest(self) -> float:
        """λ_max, the curvature across the walls."""
        return float(np.max(self.experiment.surface.hessian_eigenvalues))

    @property
    def cap(self) -> float:
        """2/λ_max: above it plain descent's bounces grow."""
        return 2.0 / self.steepest

    @property
    def cap_said(self) -> float:
        """The cap as said and shown, cut (not rounded) to :data:`CAP_DECIMALS` decimals."""
        return math.floor(self.cap * 10**CAP_DECIMALS) / 10**CAP_DECIMALS

    @property
    def over_lr(self) -> float:
        """The first step size above the cap with :data:`CAP_DECIMALS` decimals."""
        return math.floor(self.cap * 10**CAP_DECIMALS + 1) / 10**CAP_DECIMALS

    @functools.cached_property
    def over_run(self) -> Trajectory:
        """Plain descent at :attr:`over_lr`, from the same start, for the same steps."""
        ravine = self.experiment
        return simulate(
            ravine.surface,
            np.array(ravine.start),
            lr=self.over_lr,
            beta=0.0,
            steps=ravine.steps,
            convention=ravine.convention,
        )

    @property
    def over_leaves_at(self) -> int | None:
        """The first step at which :attr:`over_run` is off the map, or ``None``."""
        surface = self.experiment.surface
        (x_low, x_high), (y_low, y_high) = surface.x_range, surface.y_range
        x, y = self.over_run.positions[:, 0], self.over_run.positions[:, 1]
        outside = np.nonzero((x < x_low) | (x > x_high) | (y < y_low) | (y > y_high))[0]
        return int(outside[0]) if outside.size else None

    @property
    def over_rate(self) -> float:
        """How much the bounce across grows each step at ``over_lr``: |1 − α·λ_max| > 1."""
        return float(theory.spectral_radius(self.steepest, self.over_lr, 0.0))

    @property
    def final_loss(self) -> float:
        """The loss after the last step."""
        return self.run.final_loss

    @property
    def final_x(self) -> float:
        """How far along the floor the run got."""
        return float(self.run.final_position[0])


def figures() -> ZigzagFigures:
    """The chapter's run, computed now from the (configurable) ravine preset.

    Refuses (:class:`~lessonkit.config.ChapterConfigError`) a preset the chapter cannot
    show: no ravine, too few or too many steps, a path off the map or one that does not
    bounce across the floor, numbers too long to say.
    """
    ravine = lesson_experiment("ravine_zigzag")
    needs = Needs("zigzag", ravine)
    needs.stretched_quadratic("the ravine it walks, steep walls across and a gentle floor")
    needs.steps(
        MIN_STEPS,
        MAX_STEPS,
        f"it shows {BOUNCE_STEPS} steps one by one, then walks the rest during one line",
    )
    window = (ravine.surface.x_range, ravine.surface.y_range)
    needs.start_inside(window)
    needs.said_as_given("lr", ravine.lr, 2, "it says the learning rate with 2")
    run = ravine.run(beta=0.0)
    needs.inside([run], window, "plain descent's path")
    across = run.positions[: BOUNCE_STEPS + 1, 1]
    needs.require(
        bool(np.all(across[:-1] * across[1:] < 0)),
        ("lr", "start", "surface", "convention"),
        f"plain descent to bounce from wall to wall, each of its first {BOUNCE_STEPS} steps "
        "jumping across the floor (y changing sign): it says the step carries it right over",
    )
    needs.spoken(run.start[0], 2, "the start's x", ("start",))
    needs.spoken(run.start[1], 2, "the start's y", ("start",))
    needs.spoken(run.final_loss, 1, "the loss it is still at", nonzero=True)
    needs.spoken(run.final_position[0], 2, "the x it crept to")
    figures = ZigzagFigures(experiment=ravine, run=run)
    needs.require(
        ravine.lr < figures.cap,
        ("lr",),
        f"a step below the wall's cap 2/λ_max = {figures.cap:.4g} (it shows what happens above it)",
    )
    return figures


@dataclass(frozen=True)
class ZigzagScript:
    """The chapter's spoken lines, in the order they are played."""

    ravine: str
    start: str
    first_step: str
    bounce: str
    crawl: str
    verdict: str
    cap: str
    over: str
    crawl_why: str
    teaser: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [
            self.ravine,
            self.start,
            self.first_step,
            self.bounce,
            self.crawl,
            self.verdict,
            self.cap,
            self.over,
            self.crawl_why,
            self.teaser,
        ]


def script(figs: ZigzagFigures) -> ZigzagScript:
    """The zigzag narration for the chapter's figures (plain gradient descent on the ravine)."""
    run = figs.run
    return ZigzagScript(
        ravine=(
            "Here is the ravine from above: steep walls across, "
            "and a floor that tilts gently down to the cross."
        ),
        start=(
            f"We start plain gradient descent at {spoken_point(run.start)}, "
            f"with learning rate {spoken_number(run.lr)} and no momentum."
        ),
        first_step=(
            "The yellow arrow is the next step, downhill. "
            'The wall is steep, <bookmark mark="jump"/>'
            "so the step carries us right over the floor."
        ),
        bounce="On the far wall the arrow flips, and the path bounces from wall to wall.",
        crawl="Along the floor the slope is tiny, so we only creep toward the minimum.",
        verdict=(
            f"After {run.num_steps} steps, the loss is still about "
            f"{spoken_number(run.final_loss, 1)}, "
            f"and x has only crept from {spoken_number(run.start[0])} "
            f"to {spoken_number(run.final_position[0])}."
        ),
        cap=(
            "Why not a bigger step? The steep wall sets a limit: alpha must stay below "
            f"2 over {spoken_number(figs.steepest)}, about "
            f"{spoken_number(figs.cap_said, CAP_DECIMALS)}."
        ),
        over=(
            f'<bookmark mark="over"/>At {spoken_number(figs.over_lr, CAP_DECIMALS)}, '
            "each bounce is bigger than the one before, "
            + (
                f"and by step {figs.over_leaves_at} the run has climbed out of the ravine."
                if figs.over_leaves_at is not None
                else "and they keep growing."
            )
        ),
        crawl_why=("So the wall keeps the step small, and on the gentle floor small steps crawl."),
        teaser=("Next: momentum, a memory of past steps, so the steps along the floor add up."),
    )
