"""Conversions between the update conventions, on arguments already checked.

A leaf module: it imports nothing else from the package. These are the
arithmetic behind the checked public functions
:func:`momentum_math.rules.pytorch_step_size` and
:func:`momentum_math.rules.velocity_scale`; modules that have already checked
``lr``, ``beta`` and ``convention`` (and sized them against their own memory
budget) call these directly, so nothing is checked twice.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray


def unchecked_pytorch_step_size(
    lr: ArrayLike, beta: ArrayLike, convention: str
) -> NDArray[np.float64]:
    """α for pytorch, lesson and classical; α(1 − β) for ema. Nothing is checked."""
    lr_array = np.asarray(lr, dtype=np.float64)
    if convention == "ema":
        return lr_array * (1.0 - np.asarray(beta, dtype=np.float64))
    return lr_array


def unchecked_velocity_scale(
    lr: ArrayLike, beta: ArrayLike, convention: str
) -> NDArray[np.float64]:
    """1 for pytorch, α for lesson, −α for classical, 1 − β for ema. Nothing is checked."""
    lr_array = np.asarray(lr, dtype=np.float64)
    beta_array = np.asarray(beta, dtype=np.float64)
    if convention == "lesson":
        return lr_array
    if convention == "classical":
        return -lr_array
    if convention == "ema":
        return 1.0 - beta_array
    return np.ones(np.broadcast_shapes(lr_array.shape, beta_array.shape))
