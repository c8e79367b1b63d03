"""Narration for the refresher chapter: one plain gradient-descent step in one dimension."""

from __future__ import annotations

from dataclasses import dataclass

from lessonkit.formatting import spoken_number
from momentum_math import simulate, surfaces

#: The brief's refresher example: α, the starting θ and the slope there.
LEARNING_RATE = 0.1
START = 3.0
SLOPE = 2.0


@dataclass(frozen=True)
class RefresherFigures:
    """Every number the refresher shows or speaks, computed by ``momentum_math``.

    Attributes
    ----------
    curvature : float
        λ of the loss L(θ) = ½·λ·θ², chosen so that the slope at ``start`` is ``SLOPE``.
    lr : float
        α.
    start : float
        θ before the step.
    start_loss : float
        L(θ) before the step.
    gradient : float
        ∂L/∂θ at ``start``, as the simulation computed it.
    step : float
        −α·∂L/∂θ, the move the step makes (negative: to the left).
    new_theta : float
        θ after one step, read off the simulated trajectory.
    new_loss : float
        L at ``new_theta``.
    """

    curvature: float
    lr: float
    start: float
    start_loss: float
    gradient: float
    step: float
    new_theta: float
    new_loss: float

    def loss(self, theta: float) -> float:
        """The refresher's loss curve L(θ) = ½·λ·θ²."""
        return 0.5 * self.curvature * theta * theta


def figures(
    lr: float = LEARNING_RATE, start: float = START, slope: float = SLOPE
) -> RefresherFigures:
    """One plain step on L(θ) = ½λθ², with λ chosen so that ∂L/∂θ(start) = ``slope``.

    The 1-D loss is one axis of ``surfaces.quadratic``; the run starts on that axis,
    so the second coordinate stays at zero and the first is the 1-D parameter θ.
    """
    curvature = slope / start
    surface = surfaces.quadratic([curvature, 1.0])
    run = simulate(surface, [start, 0.0], lr=lr, beta=0.0, steps=1)
    return RefresherFigures(
        curvature=curvature,
        lr=run.lr,
        start=float(run.positions[0, 0]),
        start_loss=float(run.losses[0]),
        gradient=float(run.gradients[0, 0]),
        step=float(run.displacements[0, 0]),
        new_theta=float(run.positions[1, 0]),
        new_loss=float(run.losses[1]),
    )


@dataclass(frozen=True)
class RefresherScript:
    """The refresher's spoken lines, in the order they are played."""

    rule: str
    curve: str
    slope: str
    step: str
    result: str
    bridge: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [self.rule, self.curve, self.slope, self.step, self.result, self.bridge]


def script(figs: RefresherFigures) -> RefresherScript:
    """The refresher narration for the step in ``figs``."""
    move = spoken_number(abs(figs.step))
    start, slope, lr = (
        spoken_number(figs.start),
        spoken_number(figs.gradient),
        spoken_number(figs.lr),
    )
    new = spoken_number(figs.new_theta)
    return RefresherScript(
        rule=(
            "Plain gradient descent steps against the gradient, scaled by the learning rate alpha."
        ),
        curve=f"Take one parameter, theta, starting at theta equals {start}.",
        slope=f"The yellow slope there is {slope}: uphill, so we step the other way.",
        step=(
            f'With alpha equal to {lr}, <bookmark mark="move"/>'
            f"we move {lr} times {slope}: {move} to the left."
        ),
        result=f"So theta becomes {start} minus {move}, which is {new}.",
        bridge="Momentum changes just one thing: what each step is made of.",
    )
