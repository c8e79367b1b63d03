r"""Closed-form theory of momentum on quadratics.

On a quadratic each Hessian eigen-direction with eigenvalue λ evolves on its
own. Heavy-ball (pytorch convention, step α) on one direction is the linear
recurrence :math:`\theta_{k+1} = (1 + \beta - \alpha\lambda)\theta_k - \beta\theta_{k-1}`,
with characteristic polynomial

.. math:: z^2 - (1 + \beta - \alpha\lambda)\, z + \beta ,

(Nesterov: :math:`z^2 - (1 + \beta)(1 - \alpha\lambda) z + \beta(1 - \alpha\lambda)`).
The larger root modulus, the spectral radius ρ, is the per-step contraction
of the distance to the minimum; the loss contracts by ρ² per step.

With eigenvalues in [μ, L] the best heavy-ball choice is
:math:`\alpha^* = 4/(\sqrt L + \sqrt\mu)^2`,
:math:`\beta^* = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2`, rate :math:`\sqrt{\beta^*}`,
against :math:`(\kappa - 1)/(\kappa + 1)` for the best plain gradient descent
(Polyak 1964).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from momentum_math import _validate
from momentum_math.rules import CONVENTIONS, pytorch_step_size
from momentum_math.surfaces import Surface

FloatArray = NDArray[np.float64]


def _characteristic(
    eigenvalue: FloatArray, step: FloatArray, beta: FloatArray, nesterov: bool
) -> tuple[FloatArray, FloatArray]:
    """Trace and determinant of the one-direction iteration (pytorch-convention step)."""
    contraction = 1.0 - step * eigenvalue
    if nesterov:
        return (1.0 + beta) * contraction, beta * contraction
    return 1.0 + beta - step * eigenvalue, beta + 0.0 * contraction


def _roots(trace: FloatArray, determinant: FloatArray) -> tuple[NDArray, NDArray]:
    root = np.sqrt((trace * trace - 4.0 * determinant).astype(np.complex128))
    return (trace + root) / 2.0, (trace - root) / 2.0


def _check_theory_args(
    eigenvalue: ArrayLike, lr: ArrayLike, beta: ArrayLike, convention: str, nesterov: bool
) -> tuple[FloatArray, FloatArray, FloatArray]:
    eigen = _validate.real_array("eigenvalue", eigenvalue)
    if not np.all(np.isfinite(eigen) & (eigen >= 0)):
        raise ValueError(f"eigenvalue must be finite and >= 0, got {eigenvalue!r}")
    lr_array = _validate.learning_rate(lr)
    beta_array = _validate.momentum(beta)
    _validate.choice(convention, "convention", CONVENTIONS)
    _validate.flag(nesterov, "nesterov")
    return eigen, pytorch_step_size(lr_array, beta_array, convention), beta_array


def spectral_radius(
    eigenvalue: ArrayLike,
    lr: ArrayLike,
    beta: ArrayLike = 0.0,
    convention: str = "pytorch",
    nesterov: bool = False,
) -> FloatArray:
    """Per-step contraction ρ of momentum along a Hessian eigenvalue λ.

    All arguments broadcast. ρ < 1 converges, ρ > 1 diverges; the loss
    shrinks like ρ^(2k).

    >>> best = optimal_momentum(0.1, 10.0)
    >>> round(float(spectral_radius(10.0, lr=best.lr, beta=best.beta)), 3)
    0.818
    """
    eigen, step, beta_array = _check_theory_args(eigenvalue, lr, beta, convention, nesterov)
    trace, determinant = _characteristic(eigen, step, beta_array, nesterov)
    larger, smaller = _roots(trace, determinant)
    return np.maximum(np.abs(larger), np.abs(smaller))


def contraction_rate(
    surface: Surface,
    lr: ArrayLike,
    beta: ArrayLike = 0.0,
    convention: str = "pytorch",
    nesterov: bool = False,
) -> FloatArray:
    """The slowest per-step contraction over a quadratic surface's eigenvalues."""
    eigenvalues = surface.hessian_eigenvalues
    radii = [spectral_radius(value, lr, beta, convention, nesterov) for value in eigenvalues]
    return np.maximum.reduce(radii)


def direction_response(
    eigenvalue: float,
    lr: float,
    beta: float = 0.0,
    steps: int = 100,
    convention: str = "pytorch",
    nesterov: bool = False,
) -> FloatArray:
    r"""θₖ/θ₀ along one eigen-direction, k = 0..steps, from the closed form.

    The recurrence's solution is :math:`a z_1^k + b z_2^k` for distinct roots
    and :math:`(a + bk) z^k` for a double root, with a and b fixed by θ₀ and
    θ₁ (v₀ = 0). Returns shape (steps + 1,).
    """
    eigen, step, beta_array = _check_theory_args(eigenvalue, lr, beta, convention, nesterov)
    count = _validate.steps(steps)
    if eigen.shape != () or step.shape != () or beta_array.shape != ():
        raise ValueError("direction_response takes single numbers for eigenvalue, lr and beta")
    trace, determinant = _characteristic(eigen, step, beta_array, nesterov)
    first = complex(1.0 - float(step * eigen) * ((1.0 + beta_array) if nesterov else 1.0))
    larger, smaller = (complex(root) for root in _roots(trace, determinant))
    k = np.arange(count + 1)
    with np.errstate(all="ignore"):
        if abs(larger - smaller) > 1e-7 * max(1.0, abs(larger)):
            weight = (first - smaller) / (larger - smaller)
            response = weight * larger**k + (1.0 - weight) * smaller**k
        elif larger == 0:
            response = np.where(k == 0, 1.0, 0.0).astype(np.complex128)
        else:
            slope = first / larger - 1.0
            response = (1.0 + slope * k) * larger**k
    return response.real


def predicted_losses(
    surface: Surface,
    start: ArrayLike,
    lr: float,
    beta: float = 0.0,
    steps: int = 100,
    convention: str = "pytorch",
    nesterov: bool = False,
) -> FloatArray:
    r"""The loss at each step k = 0..steps on a quadratic, from the closed form.

    Decomposes ``start`` along the Hessian's eigenvectors, evolves each
    coordinate with :func:`direction_response` and sums
    :math:`\tfrac12 \sum_i \lambda_i c_i(k)^2`. Returns shape (steps + 1,).
    """
    if not isinstance(surface, Surface) or not surface.is_quadratic:
        raise ValueError(f"surface must be a quadratic Surface with a Hessian, got {surface!r}")
    start_array = _validate.points(start, "start", surface.dimension)
    if start_array.shape != (surface.dimension,):
        raise ValueError(
            f"start must be one point of shape (2,), got shape {start_array.shape} from {start!r}"
        )
    eigenvalues, eigenvectors = np.linalg.eigh(surface.hessian)
    coordinates = eigenvectors.T @ (start_array - surface.minima[0])
    losses = np.zeros(_validate.steps(steps) + 1)
    for eigenvalue, coordinate in zip(eigenvalues, coordinates, strict=True):
        response = direction_response(eigenvalue, lr, beta, steps, convention, nesterov)
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging run overflows to inf
            losses += 0.5 * eigenvalue * (coordinate * response) ** 2
    return losses


def predicted_steps_to_converge(
    surface: Surface,
    start: ArrayLike,
    lr: float,
    beta: float = 0.0,
    threshold: float = 1e-3,
    max_steps: int = 100_000,
    convention: str = "pytorch",
    nesterov: bool = False,
) -> int | None:
    """The first step whose closed-form loss is below ``threshold``, or None within max_steps."""
    limit = _validate.positive(threshold, "threshold")
    count = _validate.steps(max_steps, "max_steps")
    losses = predicted_losses(surface, start, lr, beta, count, convention, nesterov)
    below = np.flatnonzero(losses < limit)
    return int(below[0]) if below.size else None


def asymptotic_steps(rate: float, initial_loss: float, threshold: float) -> float:
    """Steps for a loss contracting by ``rate``² per step to fall from initial_loss to threshold.

    The rule of thumb k ≈ log(threshold / L₀) / (2 log ρ); infinite when ρ ≥ 1.
    """
    ratio = _validate.positive(threshold, "threshold") / _validate.positive(
        initial_loss, "initial_loss"
    )
    rho = _validate.positive(rate, "rate")
    if ratio >= 1.0:
        return 0.0
    if rho >= 1.0:
        return float("inf")
    return float(np.log(ratio) / (2.0 * np.log(rho)))


class OptimalMomentum(NamedTuple):
    """Best heavy-ball hyperparameters for eigenvalues in [μ, L] (pytorch convention)."""

    lr: float
    beta: float
    rate: float
    gd_lr: float
    gd_rate: float
    condition_number: float


def optimal_momentum(smallest: float, largest: float) -> OptimalMomentum:
    """α*, β* and the rate √β* for eigenvalues in [smallest, largest], with plain GD's best.

    >>> best = optimal_momentum(0.1, 10.0)
    >>> round(best.beta, 3), round(best.lr, 3), round(best.rate, 3), round(best.gd_rate, 3)
    (0.669, 0.331, 0.818, 0.98)
    """
    low = _validate.positive(smallest, "smallest")
    high = _validate.positive(largest, "largest")
    if low > high:
        raise ValueError(f"smallest must be <= largest, got smallest={smallest!r}, largest={largest!r}")
    kappa = high / low
    root_kappa = np.sqrt(kappa)
    beta = ((root_kappa - 1.0) / (root_kappa + 1.0)) ** 2
    return OptimalMomentum(
        lr=float(4.0 / (np.sqrt(high) + np.sqrt(low)) ** 2),
        beta=float(beta),
        rate=float(np.sqrt(beta)),
        gd_lr=float(2.0 / (low + high)),
        gd_rate=float((kappa - 1.0) / (kappa + 1.0)),
        condition_number=float(kappa),
    )


def effective_step(lr: ArrayLike, beta: ArrayLike, convention: str = "lesson") -> FloatArray:
    """Steady-state step under a constant unit gradient: α/(1 − β) (α for ema).

    >>> round(float(effective_step(0.01, 0.9)), 12)
    0.1
    """
    lr_array = _validate.learning_rate(lr)
    beta_array = _validate.momentum(beta)
    _validate.choice(convention, "convention", CONVENTIONS)
    if convention == "ema":
        return lr_array + 0.0 * beta_array
    return lr_array / (1.0 - beta_array)


def memory_window(beta: ArrayLike) -> FloatArray:
    """About how many past gradients the velocity remembers: 1/(1 − β).

    >>> round(float(memory_window(0.9)), 12)
    10.0
    """
    beta_array = _validate.momentum(beta)
    return 1.0 / (1.0 - beta_array)
