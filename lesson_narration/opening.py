"""Narration for the opening chapter: the lesson's title and its question."""

from __future__ import annotations

from dataclasses import dataclass

from lesson_narration.registry import LESSON
from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from momentum_math import Trajectory
from momentum_math.presets import Experiment

#: The lesson's title, as the course page announces it (the registry's).
LESSON_TITLE = LESSON.title
#: The question the lesson answers.
QUESTION = "Why does plain gradient descent crawl through a long, narrow valley?"


@dataclass(frozen=True, eq=False)
class OpeningFigures:
    """What the opening draws: a few plain-GD steps on the ravine, faintly.

    Attributes
    ----------
    experiment : Experiment
        The ravine preset (the zigzag chapter's map).
    run : Trajectory
        Plain gradient descent (β = 0) on it, the first ``tease_steps`` steps.
    tease_steps : int
        How many steps the teaser walks.
    """

    experiment: Experiment
    run: Trajectory
    tease_steps: int


def figures(tease_steps: int = 20) -> OpeningFigures:
    """The teaser run: plain GD on the (configurable) ravine preset for ``tease_steps`` steps."""
    experiment = lesson_experiment("ravine_zigzag")
    needs = Needs("opening", experiment)
    needs.stretched_quadratic("the long, narrow valley it shows")
    window = (experiment.surface.x_range, experiment.surface.y_range)
    needs.start_inside(window)
    run = experiment.run(beta=0.0, steps=tease_steps)
    needs.inside([run], window, "its teaser, plain descent bouncing between the walls")
    return OpeningFigures(experiment=experiment, run=run, tease_steps=tease_steps)


@dataclass(frozen=True)
class OpeningScript:
    """The opening's spoken lines, in the order they are played."""

    welcome: str
    valley: str
    question: str
    plan: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [self.welcome, self.valley, self.question, self.plan]


def script(figs: OpeningFigures) -> OpeningScript:
    """The opening narration (it speaks no numbers; ``figs`` is the picture it describes)."""
    del figs  # the teaser is shown, not counted
    return OpeningScript(
        welcome="Welcome! This lesson is about momentum.",
        valley=(
            "Here is a long, narrow valley, seen from above. "
            "Plain gradient descent, in orange, bounces between the walls "
            "and barely moves along the floor."
        ),
        question=(
            'So, <bookmark mark="ask"/>'
            "why does plain gradient descent crawl through a valley like this?"
        ),
        plan="By the end, you'll know why, and how momentum helps.",
    )
