"""The course page's worked example: velocities from a constant and an alternating gradient."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from momentum_math import _scaling, _validate

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class WorkedExample:
    r"""Velocities of the lesson convention :math:`v \leftarrow \beta v + \alpha g`.

    Attributes
    ----------
    lr, beta : float
    gradients : (steps, 2) array
        Row k − 1 holds (g₁, g₂) at step k: g₁ = +1 always, g₂ = +2, −2, +2, …
    velocities : (steps, 2) array
        Row k − 1 holds the velocity after step k (v₀ = 0).
    limit : float
        α/(1 − β), where the constant component's velocity settles.
    """

    lr: float
    beta: float
    gradients: FloatArray = field(repr=False)
    velocities: FloatArray = field(repr=False)
    limit: float

    @property
    def steps(self) -> int:
        """Number of steps in the table."""
        return len(self.velocities)


def worked_example(lr: float = 0.1, beta: float = 0.9, steps: int = 4) -> WorkedExample:
    """The velocity table for g₁ = 1 and g₂ = ±2 (lesson convention), any α, β, steps.

    Computed with the project's canonical pytorch recurrence and converted to
    the lesson scale, like every other run.

    >>> table = worked_example()
    >>> [[round(value, 4) for value in row] for row in table.velocities.tolist()]
    [[0.1, 0.2], [0.19, -0.02], [0.271, 0.182], [0.3439, -0.0362]]
    """
    lr_array, beta_array = _validate.learning_rate(lr), _validate.momentum(beta)
    if lr_array.shape or beta_array.shape:
        raise ValueError(f"lr and beta must be single numbers, got lr={lr!r}, beta={beta!r}")
    lr_value, beta_value = float(lr_array), float(beta_array)
    count = _validate.steps(steps, maximum=10_000)
    signs = np.where(np.arange(count) % 2 == 0, 1.0, -1.0)
    gradients = np.stack((np.ones(count), 2.0 * signs), axis=-1)
    velocity = np.zeros(2)
    velocities = np.empty((count, 2))
    for k, gradient in enumerate(gradients):
        velocity = beta_value * velocity + gradient
        velocities[k] = velocity
    with np.errstate(over="ignore"):
        velocities *= _scaling.unchecked_velocity_scale(lr_value, beta_value, "lesson")
    limit = lr_value / (1.0 - beta_value)
    if not (np.all(np.isfinite(velocities)) and np.isfinite(limit)):
        raise ValueError(
            f"lr must keep the velocities (up to about 3 lr / (1 - beta)) within the float64 "
            f"range, got lr={lr!r}, beta={beta!r}"
        )
    return WorkedExample(
        lr=lr_value,
        beta=beta_value,
        gradients=gradients,
        velocities=velocities,
        limit=limit,
    )
