"""Narration for the zigzag chapter: plain gradient descent in the ravine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number, spoken_point
from momentum_math import Trajectory
from momentum_math.presets import Experiment

#: The steps the chapter can draw: six one by one (the bounce), then the rest walked during
#: one line (the crawl), at most this many.
BOUNCE_STEPS = 6
MIN_STEPS = 10
MAX_STEPS = 200


@dataclass(frozen=True, eq=False)
class ZigzagFigures:
    """What the zigzag chapter shows: plain gradient descent on the ravine preset.

    Attributes
    ----------
    experiment : Experiment
        The ravine preset (``ravine_zigzag``, with any lesson configuration applied).
    run : Trajectory
        Plain gradient descent (β = 0) from the preset's start, for its steps.
    """

    experiment: Experiment
    run: Trajectory

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
    return ZigzagFigures(experiment=ravine, run=run)


@dataclass(frozen=True)
class ZigzagScript:
    """The chapter's spoken lines, in the order they are played."""

    ravine: str
    start: str
    first_step: str
    bounce: str
    crawl: str
    verdict: str
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
        teaser=(
            "All that bouncing is wasted. Next: momentum, a memory of past steps, "
            "so the bounces cancel and the crawl speeds up."
        ),
    )
