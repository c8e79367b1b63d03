"""Narration for the zigzag chapter: plain gradient descent in the ravine."""

from __future__ import annotations

from dataclasses import dataclass

from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number, spoken_point
from momentum_math import Trajectory
from momentum_math.presets import Experiment


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
    """The chapter's run, computed now from the (configurable) ravine preset."""
    ravine = lesson_experiment("ravine_zigzag")
    return ZigzagFigures(experiment=ravine, run=ravine.run(beta=0.0))


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
            "Here is a ravine, seen from above. "
            "Every ring joins points where the loss is the same. "
            "The walls rise steeply from side to side, "
            "but the floor tilts only gently toward the lowest point, at the cross."
        ),
        start=(
            f"Let's start plain gradient descent at {spoken_point(run.start)}, "
            f"with a learning rate of {spoken_number(run.lr)} and no momentum."
        ),
        first_step=(
            "The yellow arrow is the next step: the learning rate times the gradient, "
            "pointing downhill. "
            "Across the valley the slope is steep, <bookmark mark=\"jump\"/> "
            "so the step is long and carries us straight over the floor."
        ),
        bounce=(
            "On the far wall the slope points back the other way, so the arrow flips. "
            "Step after step, the path bounces from one wall to the other."
        ),
        crawl=(
            "Along the floor the slope is tiny, so the steps in that direction are tiny too. "
            "We only creep toward the minimum."
        ),
        verdict=(
            f"After {run.num_steps} steps, the loss is still about "
            f"{spoken_number(run.final_loss, 1)}. "
            f"We have only crept from x equals {spoken_number(run.start[0])} "
            f"to about {spoken_number(run.final_position[0])}."
        ),
        teaser=(
            "All that bouncing is wasted effort. "
            "Next, we give the descent a memory of its past steps, called momentum, "
            "so the bounces cancel and the crawl speeds up."
        ),
    )
