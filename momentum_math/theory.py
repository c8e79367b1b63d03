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

import math
import sys
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from momentum_math import _budget, _scaling, _validate
from momentum_math.rules import CONVENTIONS
from momentum_math.surfaces import Surface

FloatArray = NDArray[np.float64]
ComplexArray = NDArray[np.complex128]
#: One term w·zᵏ of a closed-form response: its weight w (one per k, or one for all k) and root z.
Term = tuple[complex | ComplexArray, complex]


def _characteristic(
    eigenvalue: FloatArray, step: FloatArray, beta: FloatArray, nesterov: bool
) -> tuple[FloatArray, FloatArray]:
    """Trace and determinant of the one-direction iteration (pytorch-convention step)."""
    contraction = 1.0 - step * eigenvalue
    if nesterov:
        return (1.0 + beta) * contraction, beta * contraction
    return 1.0 + beta - step * eigenvalue, beta + 0.0 * contraction


def _discriminant(product: FloatArray, beta: FloatArray, nesterov: bool) -> FloatArray:
    """The discriminant trace² − 4·determinant, in factored form (no cancellation).

    With a = ``product`` = αλ ≥ 0, s = √β and 1 − s = (1 − β)/(1 + s) (1 − β
    is exact): heavy ball's is ((1 − s)² − a)((1 + s)² − a), Nesterov's
    (1 − a)((1 − β)² − (1 + β)² a). Call it under ``np.errstate(all="ignore")``.
    """
    if nesterov:
        result: FloatArray = (1.0 - product) * ((1.0 - beta) ** 2 - (1.0 + beta) ** 2 * product)
        return result
    s = np.sqrt(beta)
    below = ((1.0 - beta) / (1.0 + s)) ** 2  # (1 − s)²
    result = (below - product) * ((1.0 + s) ** 2 - product)
    return result


def _dominant(
    trace: FloatArray, root: FloatArray, product: FloatArray, beta: FloatArray, nesterov: bool
) -> FloatArray:
    """The real root of larger modulus, (trace ± √D)/2 with the sign of trace (``root`` = √D).

    Near z = ±1 it is taken as ±(1 − 2p(±1)/(2 ∓ trace + √D)), the same number
    without the cancellation of (trace ± √D)/2 against ±1; p(1) = a in both
    methods, p(−1) = 2(1 + β) − a (heavy ball) or 2(1 + β) − a(1 + 2β)
    (Nesterov), each with its 2 ∓ trace taken from a and β. So a flat
    direction (a = 0) has the root exactly 1, a nearly flat one a root just
    below 1 (never above), and a = 2(1 + β) on heavy ball the root exactly −1.
    Call it under ``np.errstate(all="ignore")``.
    """
    if nesterov:
        gap_up = 1.0 - beta + product * (1.0 + beta)  # 2 − trace
        gap_down = 2.0 + (1.0 + beta) * (1.0 - product)  # 2 + trace
        at_down = 2.0 * (1.0 + beta) - product * (1.0 + 2.0 * beta)  # p(−1)
    else:
        gap_up = 1.0 - beta + product
        gap_down = 3.0 + beta - product
        at_down = 2.0 * (1.0 + beta) - product
    up = 2.0 * product / (gap_up + root)  # 1 − (trace + √D)/2, with gap_up + √D > 0
    positive = np.where(up <= 0.5, 1.0 - up, (trace + root) / 2.0)
    down = 2.0 * at_down / (gap_down + root)  # 1 + (trace − √D)/2
    negative = np.where(np.abs(down) <= 0.5, down - 1.0, (trace - root) / 2.0)
    result: FloatArray = np.where(trace >= 0.0, positive, negative)
    return result


def _huge(trace: FloatArray, determinant: FloatArray) -> tuple[NDArray[np.bool_], FloatArray]:
    """Where |trace| or √|determinant| passes 2**500, and a power of two to scale z by there."""
    size = np.maximum(np.abs(trace), np.sqrt(np.abs(determinant)))
    huge = size > 2.0**500
    return huge, np.where(huge, np.ldexp(1.0, np.frexp(size)[1] - 2), 1.0)


def _scaled_roots(
    trace: FloatArray, determinant: FloatArray, scale: FloatArray
) -> tuple[ComplexArray, ComplexArray]:
    """The roots of z² − trace·z + determinant solved for z / ``scale`` (no overflow), larger first.

    A root past the float range is inf.
    """
    scaled_trace = trace / scale
    discriminant = scaled_trace * scaled_trace - 4.0 * (determinant / scale / scale)
    root = np.sqrt(discriminant.astype(np.complex128))
    plus, minus = (scaled_trace + root) / 2.0, (scaled_trace - root) / 2.0
    first = np.abs(plus) >= np.abs(minus)
    with np.errstate(over="ignore", invalid="ignore"):
        larger = np.asarray(np.where(first, plus, minus) * scale, dtype=np.complex128)
        smaller = np.asarray(np.where(first, minus, plus) * scale, dtype=np.complex128)
    return larger, smaller


def _roots(
    trace: FloatArray,
    determinant: FloatArray,
    product: FloatArray,
    beta: FloatArray,
    nesterov: bool,
) -> tuple[ComplexArray, ComplexArray]:
    """The roots of z² − trace·z + determinant, the one of larger modulus first.

    ``product`` is the step times the eigenvalue (a = αλ ≥ 0) and ``beta`` the
    momentum the coefficients came from: the discriminant is taken in factored
    form (:func:`_discriminant`), the larger real root as in :func:`_dominant`
    and the other from Vieta (determinant / larger), so a flat direction has
    the roots exactly 1 and β. Where |trace| or √|determinant| passes 2**500
    the polynomial is solved for z / s with s a power of two (exact scaling).
    """
    with np.errstate(all="ignore"):  # the branches np.where discards may divide by 0
        discriminant = _discriminant(product, beta, nesterov)
        real = discriminant >= 0.0
        root = np.sqrt(np.where(real, discriminant, 0.0))
        dominant = _dominant(trace, root, product, beta, nesterov)
        other = np.where(dominant == 0.0, 0.0, determinant / dominant)
        # a complex pair (D < 0): (trace ± i√−D)/2
        larger = np.asarray(np.where(real, dominant, trace / 2.0), dtype=np.complex128)
        larger.imag = np.sqrt(np.where(real, 0.0, -discriminant)) / 2.0
    smaller = np.where(real, other, np.conj(larger))
    huge, scale = _huge(trace, determinant)
    if not np.any(huge):
        return larger, smaller
    big, small = _scaled_roots(trace, determinant, scale)
    return np.where(huge, big, larger), np.where(huge, small, smaller)


def _radius(
    trace: FloatArray,
    determinant: FloatArray,
    product: FloatArray,
    beta: FloatArray,
    nesterov: bool,
) -> FloatArray:
    """The larger root modulus of :func:`_roots`, with fewer temporaries.

    Real roots: the modulus of :func:`_dominant`; a complex pair: √determinant,
    the modulus of both. inf past the float range.
    """
    with np.errstate(all="ignore"):
        discriminant = _discriminant(product, beta, nesterov)
        real = discriminant >= 0.0
        root = np.sqrt(np.maximum(discriminant, 0.0))
        del discriminant
        radius = np.where(real, np.abs(_dominant(trace, root, product, beta, nesterov)), 0.0)
        del root
        radius = np.where(real, radius, np.sqrt(np.abs(determinant)))
    huge, scale = _huge(trace, determinant)
    if np.any(huge):
        big, small = _scaled_roots(trace, determinant, scale)
        with np.errstate(over="ignore", invalid="ignore"):
            radius = np.where(huge, np.maximum(np.abs(big), np.abs(small)), radius)
    result: FloatArray = radius
    return result


#: Estimated peak bytes per element of the broadcast arguments of the array
#: functions here (spectral_radius needs at most about 150 where measured);
#: checked against the memory budget of :func:`momentum_math.simulate_batch`.
BYTES_PER_ELEMENT = 192


def _shape(**arrays: FloatArray) -> tuple[int, ...]:
    """The broadcast shape of the named arrays, or a ValueError naming each with its shape.

    A shape too big for the memory budget is refused here, before any work.
    """
    try:
        shape = np.broadcast_shapes(*(array.shape for array in arrays.values()))
    except ValueError:
        names = [f"{name} (shape {array.shape})" for name, array in arrays.items()]
        raise ValueError(
            f"{', '.join(names[:-1])} and {names[-1]} must broadcast to one shape"
        ) from None
    count = math.prod(shape)
    _budget.check_budget(
        count * BYTES_PER_ELEMENT,
        f"{', '.join(arrays)} broadcast to shape {shape} ({count} elements)",
        "pass smaller arrays",
    )
    return shape


def _first_failure(finite: NDArray[np.bool_], **arrays: FloatArray) -> str:
    """``name=value, ...`` at the first False of ``finite`` (the arrays broadcast to its shape)."""
    index = np.unravel_index(int(np.argmin(finite)), finite.shape) if finite.ndim else ()
    parts = [
        f"{name}={float(np.broadcast_to(array, finite.shape)[index])!r}"
        for name, array in arrays.items()
    ]
    where = f" (at index {tuple(int(i) for i in index)})" if index else ""
    return ", ".join(parts) + where


def _check_theory_args(
    eigenvalue: ArrayLike, lr: ArrayLike, beta: ArrayLike, convention: str, nesterov: bool
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Checked eigenvalue, lr, pytorch-convention step and beta (they broadcast together)."""
    eigen = _validate.real_array("eigenvalue", eigenvalue)
    distinct = _validate.core(eigen)
    if not np.all(np.isfinite(distinct) & (distinct >= 0)):
        raise ValueError(f"eigenvalue must be finite and >= 0, got {eigenvalue!r}")
    lr_array = _validate.learning_rate(lr)
    beta_array = _validate.momentum(beta)
    _validate.choice(convention, "convention", CONVENTIONS)
    _validate.flag(nesterov, "nesterov")
    _shape(eigenvalue=eigen, lr=lr_array, beta=beta_array)
    step = _scaling.unchecked_pytorch_step_size(lr_array, beta_array, convention)
    return eigen, lr_array, step, beta_array


def _checked_characteristic(
    eigen: FloatArray, lr: FloatArray, step: FloatArray, beta: FloatArray, nesterov: bool
) -> tuple[FloatArray, FloatArray]:
    """:func:`_characteristic`, refused with a ValueError where its coefficients overflow."""
    with np.errstate(all="ignore"):
        trace, determinant = _characteristic(eigen, step, beta, nesterov)
    finite = np.isfinite(trace) & np.isfinite(determinant)
    if not np.all(finite):
        raise ValueError(
            "lr * eigenvalue must stay within the float64 range (the iteration's "
            "coefficient 1 - lr·eigenvalue must be finite), got "
            + _first_failure(finite, eigenvalue=eigen, lr=lr, beta=beta)
        )
    return trace, determinant


def _quadratic_hessian(surface: Surface) -> FloatArray:
    """The constant Hessian of ``surface``; TypeError or ValueError unless it is a quadratic."""
    if not isinstance(surface, Surface):
        raise TypeError(
            f"surface must be a quadratic momentum_math.surfaces.Surface "
            f"(e.g. surfaces.get('ravine')), got {surface!r}"
        )
    hessian = surface.hessian
    if hessian is None:  # not surface.is_quadratic
        raise ValueError(
            f"surface must be a quadratic Surface with a Hessian, got {surface!r}, which is not "
            f"quadratic"
        )
    return hessian


def spectral_radius(
    eigenvalue: ArrayLike,
    lr: ArrayLike,
    beta: ArrayLike = 0.0,
    convention: str = "pytorch",
    nesterov: bool = False,
) -> FloatArray:
    """Per-step contraction ρ of momentum along a Hessian eigenvalue λ.

    All arguments broadcast (arguments that do not are a ValueError naming
    them). ρ < 1 converges, ρ > 1 diverges; the loss shrinks like ρ^(2k).
    A flat direction (eigenvalue 0) has ρ exactly 1 (it neither contracts nor
    grows); near ρ = 1 the roots are computed without cancellation, so a nearly
    flat direction's ρ is within a few ulps of the exact one and never above 1.
    Where lr·eigenvalue (or ρ) passes the float64 range it is a ValueError.

    >>> best = optimal_momentum(0.1, 10.0)
    >>> round(float(spectral_radius(10.0, lr=best.lr, beta=best.beta)), 3)
    0.818
    """
    eigen, lr_array, step, beta_array = _check_theory_args(
        eigenvalue, lr, beta, convention, nesterov
    )
    trace, determinant = _checked_characteristic(eigen, lr_array, step, beta_array, nesterov)
    radius = _radius(trace, determinant, step * eigen, beta_array, nesterov)
    finite = np.isfinite(radius)
    if not np.all(finite):
        raise ValueError(
            "lr * eigenvalue must keep the spectral radius within the float64 range, got "
            + _first_failure(finite, eigenvalue=eigen, lr=lr_array, beta=beta_array)
        )
    return radius


def contraction_rate(
    surface: Surface,
    lr: ArrayLike,
    beta: ArrayLike = 0.0,
    convention: str = "pytorch",
    nesterov: bool = False,
) -> FloatArray:
    """The slowest per-step contraction over a quadratic surface's eigenvalues."""
    _quadratic_hessian(surface)
    eigenvalues = np.maximum(surface.hessian_eigenvalues, 0.0)  # rounding can give -1e-17
    radii = [spectral_radius(value, lr, beta, convention, nesterov) for value in eigenvalues]
    slowest: FloatArray = np.maximum.reduce(radii)
    return slowest


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
    θ₁ (v₀ = 0). Returns shape (steps + 1,). A diverging direction whose
    response passes the float64 range holds ±inf from there, never NaN.
    """
    eigen, lr_array, step, beta_array = _check_theory_args(
        eigenvalue, lr, beta, convention, nesterov
    )
    count = _validate.steps(steps)
    if eigen.shape != () or step.shape != () or beta_array.shape != ():
        raise ValueError(
            f"eigenvalue, lr and beta must be single numbers in the closed-form predictions, "
            f"got eigenvalue={eigenvalue!r}, lr={lr!r}, beta={beta!r}"
        )
    trace, determinant = _checked_characteristic(eigen, lr_array, step, beta_array, nesterov)
    with np.errstate(all="ignore"):
        first = complex(1.0 - float(step * eigen) * ((1.0 + beta_array) if nesterov else 1.0))
        larger, smaller = (
            complex(root) for root in _roots(trace, determinant, step * eigen, beta_array, nesterov)
        )
        k = np.arange(count + 1)
        if abs(larger - smaller) > 1e-7 * max(1.0, abs(larger)):
            weight = (first - smaller) / (larger - smaller)
            response = weight * larger**k + (1.0 - weight) * smaller**k
            values = response.real
            failed = ~np.isfinite(values)
            if failed.any():
                values[failed] = _beyond_range(
                    ((weight, larger), (1.0 - weight, smaller)), k[failed]
                )
        elif larger == 0:
            values = np.where(k == 0, 1.0, 0.0)
        else:
            slope = first / larger - 1.0
            response = (1.0 + slope * k) * larger**k
            values = response.real
            failed = ~np.isfinite(values)
            if failed.any():
                values[failed] = _beyond_range(((1.0 + slope * k[failed], larger),), k[failed])
    if np.any(np.isnan(values)):
        raise ValueError(
            f"direction_response cannot evaluate the closed form for eigenvalue={eigenvalue!r}, "
            f"lr={lr!r}, beta={beta!r}: its coefficients pass the float64 range"
        )
    return values


def _beyond_range(terms: tuple[Term, ...], k: NDArray[np.int64]) -> FloatArray:
    """Re Σ wᵢ zᵢᵏ where the direct powers overflowed, from logarithms.

    Each term is e^(log|w| + k log|z|) · cos(arg w + k arg z); a sum past the
    float range is ±inf with the sign of its larger term.
    """
    total = np.zeros(k.shape)
    largest = np.full(k.shape, -np.inf)
    sign = np.ones(k.shape)
    for weight, root in terms:
        weights = np.broadcast_to(np.asarray(weight, dtype=np.complex128), k.shape)
        log_size = np.log(np.abs(weights)) + k * np.log(abs(root))
        cosine = np.cos(np.angle(weights) + k * np.angle(root))
        total = total + np.where(cosine == 0.0, 0.0, np.exp(log_size) * cosine)
        bigger = log_size > largest
        largest = np.where(bigger, log_size, largest)
        sign = np.where(bigger, np.where(cosine < 0.0, -1.0, 1.0), sign)
    return np.where(np.isfinite(total), total, sign * np.inf)


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
    A diverging prediction holds +inf from the step where the loss passes the
    float64 range (never NaN); a direction with no component in ``start``
    contributes 0 however it would grow.
    """
    hessian = _quadratic_hessian(surface)
    start_array = _validate.points(start, "start", surface.dimension)
    if start_array.shape != (surface.dimension,):
        raise ValueError(
            f"start must be one point of shape (2,), got shape {start_array.shape} from {start!r}"
        )
    eigenvalues, eigenvectors = np.linalg.eigh(hessian)
    eigenvalues = np.maximum(eigenvalues, 0.0)  # rounding can give -1e-17 for a tiny eigenvalue
    with np.errstate(all="ignore"):
        coordinates = eigenvectors.T @ (start_array - surface.minima[0])
        initial = float(surface.value_fn(start_array))
    if not (np.all(np.isfinite(coordinates)) and np.isfinite(initial)):
        raise ValueError(
            f"start must be where the {surface.name} surface's loss is finite, got {start!r}: "
            f"there it exceeds the float64 range"
        )
    losses = np.zeros(_validate.steps(steps) + 1)
    for eigenvalue, coordinate in zip(eigenvalues, coordinates, strict=True):
        response = direction_response(eigenvalue, lr, beta, steps, convention, nesterov)
        if coordinate == 0.0 or eigenvalue == 0.0:
            continue  # ½ λ (0 · r)² = 0, even where r has passed the float range
        with np.errstate(over="ignore"):  # a diverging run overflows to inf
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

    The rule of thumb k ≈ log(threshold / L₀) / (2 log ρ); ``inf`` when ρ ≥ 1
    (the loss never gets there), 0 when threshold ≥ initial_loss.
    """
    limit = _validate.positive(threshold, "threshold")
    start = _validate.positive(initial_loss, "initial_loss")
    rho = _validate.positive(rate, "rate")
    ratio = limit / start
    if ratio >= 1.0:
        return 0.0
    if rho >= 1.0:
        return float("inf")
    # A ratio below the smallest normal float loses digits (or is 0): take the logs apart.
    log_ratio = np.log(ratio) if ratio >= sys.float_info.min else np.log(limit) - np.log(start)
    return float(log_ratio / (2.0 * np.log(rho)))


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

    Both must be finite and > 0 with a finite ratio (the condition number κ);
    β* is kept below 1 (the largest float below 1 where it would round to 1).

    >>> best = optimal_momentum(0.1, 10.0)
    >>> round(best.beta, 3), round(best.lr, 3), round(best.rate, 3), round(best.gd_rate, 3)
    (0.669, 0.331, 0.818, 0.98)
    """
    low = _validate.positive(smallest, "smallest")
    high = _validate.positive(largest, "largest")
    if low > high:
        raise ValueError(
            f"smallest must be <= largest, got smallest={smallest!r}, largest={largest!r}"
        )
    kappa = high / low
    if not math.isfinite(kappa):
        raise ValueError(
            f"largest / smallest (the condition number) must be within the float64 range, "
            f"got smallest={smallest!r}, largest={largest!r}"
        )
    root_kappa = np.sqrt(kappa)
    beta: float = ((root_kappa - 1.0) / (root_kappa + 1.0)) ** 2
    # Past κ ≈ 1e32, β* < 1 rounds to 1, which no function accepts: take the largest
    # float below 1 instead.
    beta = min(beta, np.nextafter(1.0, 0.0))
    with np.errstate(over="ignore"):
        lr = 4.0 / (np.sqrt(high) + np.sqrt(low)) ** 2
        gd_lr: float = 2.0 / (np.float64(low) + high)
        # Near the float limit the sums overflow (and the quotients become 0): there,
        # halve them first.
        if lr == 0.0:
            lr = 1.0 / (0.5 * np.sqrt(high) + 0.5 * np.sqrt(low)) ** 2
        if gd_lr == 0.0:
            gd_lr = 1.0 / (0.5 * low + 0.5 * high)
    if not (np.isfinite(lr) and np.isfinite(gd_lr)):
        raise ValueError(
            f"largest must be big enough for the step sizes 4/(√smallest + √largest)² and "
            f"2/(smallest + largest) to be within the float64 range (about largest >= 2.3e-308), "
            f"got smallest={smallest!r}, largest={largest!r}"
        )
    return OptimalMomentum(
        lr=float(lr),
        beta=float(beta),
        rate=float(np.sqrt(beta)),
        gd_lr=float(gd_lr),
        gd_rate=float((kappa - 1.0) / (kappa + 1.0)),
        condition_number=float(kappa),
    )


def effective_step(lr: ArrayLike, beta: ArrayLike, convention: str = "lesson") -> FloatArray:
    """Steady-state step under a constant unit gradient: α/(1 − β) (α for ema).

    ``lr`` and ``beta`` broadcast; a step past the float64 range is a ValueError.

    >>> round(float(effective_step(0.01, 0.9)), 12)
    0.1
    """
    lr_array = _validate.learning_rate(lr)
    beta_array = _validate.momentum(beta)
    _validate.choice(convention, "convention", CONVENTIONS)
    _shape(lr=lr_array, beta=beta_array)
    if convention == "ema":
        return lr_array + 0.0 * beta_array
    with np.errstate(over="ignore"):
        step = lr_array / (1.0 - beta_array)
    finite = np.isfinite(step)
    if not np.all(finite):
        raise ValueError(
            "lr / (1 - beta) must be within the float64 range, got "
            + _first_failure(finite, lr=lr_array, beta=beta_array)
        )
    return step


def memory_window(beta: ArrayLike) -> FloatArray:
    """About how many past gradients the velocity remembers: 1/(1 − β).

    >>> round(float(memory_window(0.9)), 12)
    10.0
    """
    beta_array = _validate.momentum(beta)
    _shape(beta=beta_array)
    return 1.0 / (1.0 - beta_array)
