r"""The four update conventions for gradient descent with momentum.

All four describe the same heavy-ball method (Polyak 1964); they differ only
in how the velocity is scaled. The project computes every run in the
``pytorch`` convention and converts:

========== =========================================== ======================================
convention velocity                                    position
========== =========================================== ======================================
pytorch    :math:`v \gets \beta v + \nabla L`          :math:`\theta \gets \theta - \alpha v`
lesson     :math:`v \gets \beta v + \alpha\nabla L`    :math:`\theta \gets \theta - v`
ema        :math:`v \gets \beta v + (1-\beta)\nabla L` :math:`\theta \gets \theta - \alpha v`
classical  :math:`v \gets \mu v - \alpha\nabla L`      :math:`\theta \gets \theta + v`
========== =========================================== ======================================

With a constant α: lesson velocity = α · pytorch velocity; classical = −lesson;
ema velocity = (1 − β) · pytorch velocity, and ema with step α moves exactly
like pytorch with step α(1 − β). With ``nesterov=True`` the position steps
along :math:`\nabla L + \beta v` (PyTorch's definition), scaled the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from momentum_math import _budget, _scaling, _validate

Convention = Literal["pytorch", "lesson", "ema", "classical"]

#: The conventions every function accepts.
CONVENTIONS: tuple[str, ...] = ("pytorch", "lesson", "ema", "classical")


@dataclass(frozen=True)
class UpdateRule:
    """How one convention writes the momentum update, for display.

    Attributes
    ----------
    convention : str
        One of :data:`CONVENTIONS`.
    velocity_latex, position_latex : str
        The two update lines in LaTeX (math mode).
    momentum_symbol : str
        The symbol the convention uses for the momentum coefficient.
    used_by : str
        Where this convention appears.
    """

    convention: str
    velocity_latex: str
    position_latex: str
    momentum_symbol: str
    used_by: str


_RULES = {
    "pytorch": UpdateRule(
        "pytorch",
        r"v \leftarrow \beta\, v + \nabla L(\theta)",
        r"\theta \leftarrow \theta - \alpha\, v",
        r"\beta",
        "torch.optim.SGD(momentum=β)",
    ),
    "lesson": UpdateRule(
        "lesson",
        r"v \leftarrow \beta\, v + \alpha\, \nabla L(\theta)",
        r"\theta \leftarrow \theta - v",
        r"\beta",
        "the course page",
    ),
    "ema": UpdateRule(
        "ema",
        r"v \leftarrow \beta\, v + (1 - \beta)\, \nabla L(\theta)",
        r"\theta \leftarrow \theta - \alpha\, v",
        r"\beta",
        "exponential moving average of gradients",
    ),
    "classical": UpdateRule(
        "classical",
        r"v \leftarrow \mu\, v - \alpha\, \nabla f(x)",
        r"x \leftarrow x + v",
        r"\mu",
        "classical momentum (μ is β)",
    ),
}


def rule(convention: str) -> UpdateRule:
    """The display form of ``convention``'s update."""
    return _RULES[_validate.choice(convention, "convention", CONVENTIONS)]


def _checked(
    lr: ArrayLike, beta: ArrayLike, convention: str
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lr_array = _validate.learning_rate(lr)
    beta_array = _validate.momentum(beta)
    _validate.choice(convention, "convention", CONVENTIONS)
    try:
        shape = np.broadcast_shapes(lr_array.shape, beta_array.shape)
    except ValueError:
        raise ValueError(
            f"lr (shape {lr_array.shape}) and beta (shape {beta_array.shape}) must broadcast "
            f"to one shape"
        ) from None
    count = math.prod(shape)
    _budget.check_budget(
        count * 32,
        f"lr and beta broadcast to shape {shape} ({count} elements)",
        "pass smaller arrays",
    )
    return lr_array, beta_array


def pytorch_step_size(lr: ArrayLike, beta: ArrayLike, convention: str) -> NDArray[np.float64]:
    """The pytorch-convention step size that moves exactly like ``convention``.

    α for pytorch, lesson and classical; α(1 − β) for ema. ``lr`` must be
    finite and > 0, ``beta`` in [0, 1), and they broadcast.
    """
    lr_array, beta_array = _checked(lr, beta, convention)
    return _scaling.unchecked_pytorch_step_size(lr_array, beta_array, convention)


def velocity_scale(lr: ArrayLike, beta: ArrayLike, convention: str) -> NDArray[np.float64]:
    """The factor that turns a pytorch-convention velocity into ``convention``'s.

    1 for pytorch, α for lesson, −α for classical, 1 − β for ema. ``lr`` must
    be finite and > 0, ``beta`` in [0, 1), and they broadcast.
    """
    lr_array, beta_array = _checked(lr, beta, convention)
    return _scaling.unchecked_velocity_scale(lr_array, beta_array, convention)
