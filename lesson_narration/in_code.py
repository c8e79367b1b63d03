"""Narration for the "In code" chapter: momentum in PyTorch's SGD optimizer."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number
from momentum_math import Trajectory, simulate

#: The course page's PyTorch call: α and β as the snippet writes them.
SNIPPET_LR = 0.01
SNIPPET_MOMENTUM = 0.9
#: The ravine run compared in both conventions, and the step whose numbers are shown.
COMPARE_BETA = 0.8
COMPARE_STEP = 3
#: The most steps of the ravine preset the chapter runs (it shows one step of them).
MAX_STEPS = 10_000


def snippet(lr: float = SNIPPET_LR, momentum: float = SNIPPET_MOMENTUM) -> str:
    """The PyTorch training loop shown in the chapter, with ``lr`` and ``momentum`` filled in."""
    return (
        "optimizer = optim.SGD(model.parameters(),\n"
        f"                      lr={lr:g}, momentum={momentum:g})\n"
        "\n"
        "for inputs, targets in loader:\n"
        "    optimizer.zero_grad()\n"
        "    loss = loss_fn(model(inputs), targets)\n"
        "    loss.backward()\n"
        "    optimizer.step()"
    )


@dataclass(frozen=True, eq=False)
class InCodeFigures:
    """Every number the chapter shows or speaks.

    Attributes
    ----------
    lr, momentum : float
        The snippet's ``lr`` (α) and ``momentum`` (β).
    code : str
        The snippet, with those two numbers in it.
    pytorch, lesson : Trajectory
        The ravine preset at β = ``COMPARE_BETA``, in the pytorch and the lesson convention.
    compare_lr, compare_beta : float
        α and β of those runs (α is the factor between their velocities).
    step : int
        The step whose position and velocities are shown.
    position : (2,) array
        θ at ``step`` (the pytorch run's; the lesson run's is the same).
    pytorch_velocity, lesson_velocity : (2,) arrays
        v at ``step`` in each convention.
    max_position_gap : float
        The largest |θ_pytorch − θ_lesson| over the whole run.
    velocity_ratio : float
        lesson velocity / pytorch velocity at ``step`` (equals ``compare_lr``).
    """

    lr: float
    momentum: float
    code: str
    pytorch: Trajectory
    lesson: Trajectory
    compare_lr: float
    compare_beta: float
    step: int
    position: np.ndarray
    pytorch_velocity: np.ndarray
    lesson_velocity: np.ndarray
    max_position_gap: float
    velocity_ratio: float


def figures(step: int = COMPARE_STEP, beta: float = COMPARE_BETA) -> InCodeFigures:
    """The snippet's numbers and the ravine run in both conventions, compared at ``step``."""
    experiment = lesson_experiment("ravine_zigzag")
    needs = Needs("in_code", experiment)
    needs.steps(step, MAX_STEPS, f"it shows both runs at step {step}")
    needs.said_as_given(
        "lr", experiment.lr, 1, "it shows α as the factor between the two velocities with 1"
    )
    runs = {
        convention: simulate(
            experiment.surface,
            np.array(experiment.start),
            lr=experiment.lr,
            beta=beta,
            steps=experiment.steps,
            convention=convention,
        )
        for convention in ("pytorch", "lesson")
    }
    pytorch, lesson = runs["pytorch"], runs["lesson"]
    window = (experiment.surface.x_range, experiment.surface.y_range)
    needs.inside([pytorch, lesson], window, "the two runs whose positions it shows")
    pytorch_velocity = pytorch.velocities[step].copy()
    lesson_velocity = lesson.velocities[step].copy()
    # The ratio of the two velocities, read off their larger component (any one is α).
    axis = int(np.argmax(np.abs(pytorch_velocity)))
    needs.require(
        pytorch_velocity[axis] != 0,
        ("start", "surface"),
        f"a run still moving at step {step} (it divides one velocity by the other)",
    )
    return InCodeFigures(
        lr=SNIPPET_LR,
        momentum=SNIPPET_MOMENTUM,
        code=snippet(),
        pytorch=pytorch,
        lesson=lesson,
        compare_lr=pytorch.lr,
        compare_beta=float(pytorch.beta),
        step=step,
        position=pytorch.positions[step].copy(),
        pytorch_velocity=pytorch_velocity,
        lesson_velocity=lesson_velocity,
        max_position_gap=float(np.abs(pytorch.positions - lesson.positions).max()),
        velocity_ratio=float(lesson_velocity[axis] / pytorch_velocity[axis]),
    )


@dataclass(frozen=True)
class InCodeScript:
    """The chapter's spoken lines, in the order they are played."""

    code: str
    beta: str
    convention: str
    same_path: str
    buffer: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [self.code, self.beta, self.convention, self.same_path, self.buffer]


def script(figs: InCodeFigures) -> InCodeScript:
    """The chapter's narration for ``figs``."""
    return InCodeScript(
        code="In PyTorch, momentum is an argument of SGD.",
        beta=f"Look at momentum equals {spoken_number(figs.momentum)}: that is our beta.",
        convention=(
            "PyTorch adds the raw gradient to the velocity and applies alpha at the step. "
            "We put alpha inside the velocity."
        ),
        same_path=(
            f"Not the snippet's numbers now: the ravine, alpha {spoken_number(figs.compare_lr)} "
            f"and beta {spoken_number(figs.compare_beta)}, in both forms. "
            f"Same path: after {figs.step} steps, both runs stand at the same point. "
            f"Our velocity is PyTorch's times alpha, {spoken_number(figs.velocity_ratio)}."
        ),
        buffer=(
            "The velocity lives in the optimizer, one buffer per parameter; "
            '<bookmark mark="step"/>each call to step updates it, '
            '<bookmark mark="zero"/>and it starts at zero.'
        ),
    )
