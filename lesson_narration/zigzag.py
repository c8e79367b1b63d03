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
