r"""Runs of gradient descent with momentum: one at a time or as a vectorised batch.

Every run is computed by one kernel in the pytorch convention (Sutskever et
al. 2013 write the same heavy-ball update with the sign folded into v):

.. math::

    v_{k+1} = \beta v_k + \nabla L(\theta_k), \qquad
    \theta_{k+1} = \theta_k - \alpha\, v_{k+1}

(with ``nesterov=True`` the position steps along
:math:`\nabla L(\theta_k) + \beta v_{k+1}`), and the other conventions are
converted exactly (see :mod:`momentum_math.rules`). The kernel loops over
steps, never over runs, so :func:`simulate` is :func:`simulate_batch` with
a batch of one and the two agree bit for bit.

A run diverges when a coordinate leaves ``[-bound, bound]`` or stops being
finite, or when L or ∇L there is not finite (past the float64 range). It then
stops: its arrays end at the last good step and ``diverged_step`` says which
step failed. No inf or NaN is ever stored and no NumPy warning escapes. A start
outside the bound, or where L or ∇L is not finite, is refused.

Memory: every batch is sized before anything is allocated (:func:`batch_bytes`)
and refused past a budget of :data:`MAX_BATCH_BYTES` (2 GiB), which a
``max_bytes=`` keyword or the environment variable
``MOMENTUM_MATH_MAX_BATCH_BYTES`` overrides (:func:`max_batch_bytes`).
Broadcast arguments are checked on their distinct elements, never copied to be
checked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from momentum_math import _scaling, _validate
from momentum_math._budget import (
    MAX_BATCH_BYTES,
    MAX_BATCH_BYTES_ENV,
    check_budget,
    max_batch_bytes,
)
from momentum_math.rules import CONVENTIONS
from momentum_math.surfaces import ComponentFunction, Surface

__all__ = [
    "DIVERGENCE_BOUND",
    "KERNEL_BYTES_PER_RUN",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_BYTES_ENV",
    "MAX_PATH_BYTES",
    "PATH_BYTES_PER_STEP",
    "RESULT_BYTES_PER_RUN",
    "SINGLE_RUN_BYTES_PER_STEP",
    "SUMMARY_BLOCK_RUNS",
    "BatchResult",
    "Trajectory",
    "batch_bytes",
    "check_budget",
    "max_batch_bytes",
    "simulate",
    "simulate_batch",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
#: The x and the y coordinate arrays of a batch of (flattened) runs.
Pair = tuple[FloatArray, FloatArray]
Record = Literal["path", "summary"]

#: A run whose coordinate leaves [-DIVERGENCE_BOUND, DIVERGENCE_BOUND] has diverged.
DIVERGENCE_BOUND = 1e10

# MAX_BATCH_BYTES (2 GiB), MAX_BATCH_BYTES_ENV, check_budget and max_batch_bytes
# live in the leaf module momentum_math._budget, so that every module checks the
# budget without importing this one; they are re-exported here unchanged.

#: The former name of :data:`MAX_BATCH_BYTES` (the budget once applied to paths only).
MAX_PATH_BYTES = MAX_BATCH_BYTES

#: Bytes each run keeps in a :class:`BatchResult` whatever is recorded: starts
#: (16), α and β (8 each), final position (16), final loss, divergence step and
#: steps to converge (8 each).
RESULT_BYTES_PER_RUN = 72

#: Bytes of the kernel's working arrays per run in flight (about 18 float64
#: arrays, masks, and the temporaries of the surface's evaluation: at most
#: 270 where measured, for Ackley): all runs with ``record="path"``, one block
#: of :data:`SUMMARY_BLOCK_RUNS` with ``record="summary"``.
KERNEL_BYTES_PER_RUN = 320

#: Bytes per run and step with ``record="path"``: position, velocity and
#: gradient (16 each) and loss (8).
PATH_BYTES_PER_STEP = 56

#: Peak bytes per step of :func:`simulate`: the kernel's path, the scaled
#: velocities and the trajectory's own copies.
SINGLE_RUN_BYTES_PER_STEP = 2 * PATH_BYTES_PER_STEP + 16

#: ``record="summary"`` runs the kernel on blocks of this many runs, so that a
#: block's dozen or so (n,) float arrays (about 1 MiB) stay in the CPU cache
#: through a step (a 65,536-run sweep ran 1.6x faster than as one block where
#: measured). Each run's arithmetic does not depend on its block: results are
#: the same bit for bit.
SUMMARY_BLOCK_RUNS = 8192


def _no_hyperparameters() -> Mapping[str, Any]:
    """The empty mapping a run of :func:`simulate` or :func:`simulate_batch` carries."""
    return {}


@dataclass(frozen=True, eq=False)
class Trajectory:
    """One run of gradient descent with momentum.

    Attributes
    ----------
    surface : Surface
    start : (2,) array
    lr, beta : float
        The step size α and momentum β, in the run's own convention.
    steps : int
        Number of steps asked for.
    convention : str
        One of ``"pytorch"``, ``"lesson"``, ``"ema"``, ``"classical"``.
    nesterov : bool
    positions : (n + 1, 2) array
        θ₀ = start, θ₁, …, θₙ; n = ``steps`` unless the run diverged.
    velocities : (n + 1, 2) array
        v₀ = 0, v₁, …, in the convention's own scale (vₖ is the velocity that
        moved θₖ₋₁ to θₖ).
    gradients : (n + 1, 2) array
        ∇L(θₖ) at each position.
    losses : (n + 1,) array
        L(θₖ) at each position.
    diverged_step : int or None
        The step at which the run left the bound or stopped being finite; the
        arrays end at the step before it.
    optimizer : str
        Which optimizer made the run (:data:`momentum_math.optimizers.OPTIMIZERS`):
        ``"momentum"`` for :func:`simulate`; for the adaptive optimizers of
        :func:`momentum_math.optimizers.optimize`, ``lr`` is the step size, ``beta``
        β₁ (adam, adamw), the momentum (rmsprop) or 0 (adagrad), and ``velocities``
        the steps actually taken, vₖ = θₖ − θₖ₋₁.
    hyperparameters : dict
        The optimizer's hyper-parameters, plain data (empty for :func:`simulate`).
    """

    surface: Surface
    start: FloatArray
    lr: float
    beta: float
    steps: int
    convention: str
    nesterov: bool
    positions: FloatArray = field(repr=False)
    velocities: FloatArray = field(repr=False)
    gradients: FloatArray = field(repr=False)
    losses: FloatArray = field(repr=False)
    diverged_step: int | None = None
    optimizer: str = field(default="momentum", repr=False)
    hyperparameters: Mapping[str, Any] = field(default_factory=_no_hyperparameters, repr=False)

    @property
    def diverged(self) -> bool:
        """True when the run left the divergence bound before finishing."""
        return self.diverged_step is not None

    @property
    def num_steps(self) -> int:
        """Number of steps actually stored (``steps`` unless the run diverged)."""
        return len(self.positions) - 1

    @property
    def displacements(self) -> FloatArray:
        """θₖ₊₁ − θₖ for each stored step, shape (n, 2): where each step moved."""
        return np.diff(self.positions, axis=0)

    @property
    def final_position(self) -> FloatArray:
        """The last stored position, shape (2,)."""
        last: FloatArray = self.positions[-1]
        return last

    @property
    def final_loss(self) -> float:
        """The loss at the last stored position."""
        return float(self.losses[-1])

    def steps_to_converge(self, threshold: float) -> int | None:
        """The first step k with ``losses[k] < threshold``, or None if there is none."""
        limit = _validate.positive(threshold, "threshold")
        below = np.flatnonzero(self.losses < limit)
        return int(below[0]) if below.size else None


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Many runs at once, from :func:`simulate_batch`; ``B`` is the batch shape.

    Attributes
    ----------
    surface : Surface
    starts : (*B, 2) array
    lr, beta : (*B,) arrays
        α and β of each run, in the run's convention.
    steps : int
    convention : str
    nesterov : bool
    threshold : float or None
    positions, velocities, gradients : (*B, steps + 1, 2) arrays or None
        Full paths, only with ``record="path"``. From the step a run diverges
        at, its entries repeat its last good position, with velocity 0 and the
        gradient there; ``diverged_step`` says where it stopped.
    losses : (*B, steps + 1) array or None
        Only with ``record="path"``.
    final_positions : (*B, 2) array
        The last good position of each run.
    final_losses : (*B,) array
        The loss there.
    diverged_step : (*B,) int array
        The step at which a run diverged, −1 where it did not.
    steps_to_converge : (*B,) int array or None
        The first step with loss < ``threshold``, −1 where none; None when no
        threshold was given.
    optimizer : str
        ``"momentum"`` for :func:`simulate_batch`; see :class:`Trajectory`.
    hyperparameters : dict
        The optimizer's scalar hyper-parameters, plain data, without ``lr`` (an
        array here); empty for :func:`simulate_batch`.
    """

    surface: Surface
    starts: FloatArray = field(repr=False)
    lr: FloatArray = field(repr=False)
    beta: FloatArray = field(repr=False)
    steps: int
    convention: str
    nesterov: bool
    threshold: float | None
    final_positions: FloatArray = field(repr=False)
    final_losses: FloatArray = field(repr=False)
    diverged_step: IntArray = field(repr=False)
    steps_to_converge: IntArray | None = field(default=None, repr=False)
    positions: FloatArray | None = field(default=None, repr=False)
    velocities: FloatArray | None = field(default=None, repr=False)
    gradients: FloatArray | None = field(default=None, repr=False)
    losses: FloatArray | None = field(default=None, repr=False)
    optimizer: str = field(default="momentum", repr=False)
    hyperparameters: Mapping[str, Any] = field(default_factory=_no_hyperparameters, repr=False)

    @property
    def shape(self) -> tuple[int, ...]:
        """The batch shape B."""
        return self.final_losses.shape

    @property
    def diverged(self) -> NDArray[np.bool_]:
        """(*B,) bool: which runs diverged."""
        return self.diverged_step >= 0

    @property
    def converged(self) -> NDArray[np.bool_]:
        """(*B,) bool: which runs reached the threshold (needs a threshold)."""
        if self.steps_to_converge is None:
            raise ValueError("converged needs a threshold: pass threshold= to simulate_batch")
        return self.steps_to_converge >= 0


@dataclass(frozen=True, eq=False)
class _KernelPlan:
    """What one kernel run computes: fixed and checked before any array is touched.

    :func:`simulate` and :func:`simulate_batch` check their arguments, build
    one plan, and apply it with :func:`_run_kernel` to the arrays of starts,
    α and β (:func:`_run_summary_in_blocks` applies the same plan block by
    block). Every field is already checked; the kernel trusts them.

    Attributes
    ----------
    surface : Surface
        The loss whose L and ∇L the kernel evaluates.
    steps : int
        Steps every run takes, in [0, 1 000 000] (a diverged run stays where it stopped).
    convention : str
        The convention the α and β given to the kernel are in (one of
        :data:`~momentum_math.rules.CONVENTIONS`). The kernel turns α into the
        pytorch step size and always runs the pytorch recurrence; its
        velocities are pytorch-convention velocities.
    nesterov : bool
        Step the position along ∇L + βv (PyTorch's ``nesterov=True``) instead of v.
    threshold : float or None
        When given, the kernel records each run's first step with loss < threshold.
    record_path : bool
        Keep every step's position, velocity, gradient and loss of every run
        (memory O(runs · steps)); False keeps only the final state.
    bound : float
        A run diverges at the first step where a coordinate leaves [−bound, bound]
        or is not finite.
    check_values : bool
        Also count a position where L or ∇L is not finite as divergence. False
        only where that cannot happen inside the bound (:func:`_values_may_overflow`).
    """

    surface: Surface
    steps: int
    convention: str
    nesterov: bool
    threshold: float | None
    record_path: bool
    bound: float
    check_values: bool


@dataclass(frozen=True, eq=False)
class _Paths:
    """Every step of every run, ``(*B, steps + 1, 2)`` (losses ``(*B, steps + 1)``).

    The kernel's velocities are in the pytorch convention (:func:`simulate_batch`
    converts them in place to the run's convention).
    """

    positions: FloatArray
    velocities: FloatArray
    gradients: FloatArray
    losses: FloatArray


@dataclass(frozen=True, eq=False)
class _KernelOutput:
    final_positions: FloatArray
    final_losses: FloatArray
    diverged_step: IntArray
    steps_to_converge: IntArray | None
    paths: _Paths | None = None


def _componentwise(surface: Surface) -> ComponentFunction:
    """``(x, y) -> (L, ∂L/∂x, ∂L/∂y)`` for ``surface``, on contiguous coordinate arrays."""
    if surface.evaluate_xy is not None:
        return surface.evaluate_xy

    def evaluate_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        points = np.stack((x, y), axis=-1)
        gradient = surface.gradient_fn(points)
        return (
            surface.value_fn(points),
            np.ascontiguousarray(gradient[..., 0]),
            np.ascontiguousarray(gradient[..., 1]),
        )

    return evaluate_xy


def _evaluator(surface: Surface, count: int) -> ComponentFunction:
    """:func:`_componentwise` for ``count`` runs, allocation-free where the surface allows.

    A surface that offers ``evaluate_into`` writes into four (count,) buffers
    made here, which every call returns again: then the kernel's loop
    allocates nothing.
    """
    evaluate_into = surface.evaluate_into
    if evaluate_into is None:
        return _componentwise(surface)
    loss, gradient_x, gradient_y, spare = (np.empty(count) for _ in range(4))

    def evaluate(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        evaluate_into(x, y, loss, gradient_x, gradient_y, spare)
        return loss, gradient_x, gradient_y

    return evaluate


class _PathRecorder:
    """The kernel's record of every step (``record="path"``): (steps + 1, n, …) buffers."""

    def __init__(self, steps: int, count: int) -> None:
        self.positions = np.empty((steps + 1, count, 2))
        self.velocities = np.empty((steps + 1, count, 2))
        self.gradients = np.empty((steps + 1, count, 2))
        self.losses = np.empty((steps + 1, count))

    def store(
        self, k: int, position: Pair, velocity: Pair, gradient: Pair, loss: FloatArray
    ) -> None:
        """Copy step ``k``'s state (each pair is the x and y coordinate arrays)."""
        self.positions[k, :, 0], self.positions[k, :, 1] = position
        self.velocities[k, :, 0], self.velocities[k, :, 1] = velocity
        self.gradients[k, :, 0], self.gradients[k, :, 1] = gradient
        self.losses[k] = loss

    def paths(self, shape: tuple[int, ...]) -> _Paths:
        """The record as (*shape, steps + 1, …) views, step axis next to last."""
        steps = len(self.losses) - 1
        return _Paths(
            positions=np.moveaxis(self.positions.reshape(steps + 1, *shape, 2), 0, -2),
            velocities=np.moveaxis(self.velocities.reshape(steps + 1, *shape, 2), 0, -2),
            gradients=np.moveaxis(self.gradients.reshape(steps + 1, *shape, 2), 0, -2),
            losses=np.moveaxis(self.losses.reshape(steps + 1, *shape), 0, -1),
        )


class _Arrivals:
    """Each run's first step with loss < threshold, −1 while it has none."""

    def __init__(self, loss: FloatArray, threshold: float) -> None:
        self.step: IntArray = np.where(loss < threshold, 0, -1).astype(np.int64)
        # Runs still waiting compare against the threshold, finished ones against
        # -inf (never true), so one comparison per step finds the new arrivals.
        self._limit: FloatArray = np.where(self.step < 0, threshold, -np.inf)
        self._reached = np.empty(len(self.step), dtype=np.bool_)

    def update(self, k: int, loss: FloatArray) -> None:
        """Note the runs whose loss at step ``k`` is the first below the threshold."""
        np.less(loss, self._limit, out=self._reached)
        if self._reached.any():
            self.step[self._reached] = k
            self._limit[self._reached] = -np.inf


def _run_kernel(
    plan: _KernelPlan, starts: FloatArray, lr: FloatArray, beta: FloatArray
) -> _KernelOutput:
    """Apply ``plan``'s heavy-ball loop (pytorch convention) to a batch of runs.

    ``starts`` has shape (*B, 2) and ``lr`` and ``beta`` (α and β in
    ``plan.convention``) shape B. The runs are flattened to n = prod(B) and
    each coordinate is kept in its own contiguous (n,) array, so every step is
    a handful of same-shape ufunc calls whose per-element arithmetic does not
    depend on n: a batch of one (:func:`simulate`) rounds exactly like any
    larger batch.

    A run diverges at step k when θₖ leaves the bound or is not finite, or
    (with ``plan.check_values``) when L or ∇L at θₖ is not finite; it then
    stays at θₖ₋₁.
    """
    shape = beta.shape
    count = math.prod(shape)
    bound, low = plan.bound, -plan.bound
    flat_starts = starts.reshape(count, 2)
    x, y = flat_starts[:, 0].copy(), flat_starts[:, 1].copy()
    pytorch_step = _scaling.unchecked_pytorch_step_size(lr, beta, plan.convention)
    step = np.array(pytorch_step, dtype=np.float64).reshape(count)  # 0 freezes a diverged run
    momentum = np.array(beta, dtype=np.float64).reshape(count)
    velocity_x, velocity_y = np.zeros(count), np.zeros(count)
    shift_x, shift_y = np.empty(count), np.empty(count)
    next_x, next_y = np.empty(count), np.empty(count)
    diverged_step = np.full(count, -1, dtype=np.int64)
    evaluate = _evaluator(plan.surface, count)
    loss, gradient_x, gradient_y = evaluate(x, y)
    path = _PathRecorder(plan.steps, count) if plan.record_path else None
    if path is not None:
        path.store(0, (x, y), (velocity_x, velocity_y), (gradient_x, gradient_y), loss)
    arrivals = None if plan.threshold is None else _Arrivals(loss, plan.threshold)

    def stop(runs: NDArray[np.bool_], k: int) -> None:
        """Mark ``runs`` diverged at step k: no step and no velocity from now on.

        The caller puts them back at their last good position.
        """
        diverged_step[runs] = k
        step[runs] = 0.0
        velocity_x[runs] = 0.0
        velocity_y[runs] = 0.0

    for k in range(1, plan.steps + 1):
        np.multiply(velocity_x, momentum, out=velocity_x)
        np.add(velocity_x, gradient_x, out=velocity_x)
        np.multiply(velocity_y, momentum, out=velocity_y)
        np.add(velocity_y, gradient_y, out=velocity_y)
        if plan.nesterov:
            np.multiply(velocity_x, momentum, out=shift_x)
            np.add(shift_x, gradient_x, out=shift_x)
            np.multiply(shift_x, step, out=shift_x)
            np.multiply(velocity_y, momentum, out=shift_y)
            np.add(shift_y, gradient_y, out=shift_y)
            np.multiply(shift_y, step, out=shift_y)
        else:
            np.multiply(velocity_x, step, out=shift_x)
            np.multiply(velocity_y, step, out=shift_y)
        np.subtract(x, shift_x, out=next_x)
        np.subtract(y, shift_y, out=next_y)

        # Cheap reductions first; NaN propagates through max/min and fails the
        # comparisons, so non-finite values take the slow path too. (An empty
        # batch has nothing to check, and max() of nothing is an error.)
        if count and not (
            next_x.max() <= bound
            and next_y.max() <= bound
            and next_x.min() >= low
            and next_y.min() >= low
        ):
            escaped = ~((np.abs(next_x) <= bound) & (np.abs(next_y) <= bound))
            next_x[escaped] = x[escaped]
            next_y[escaped] = y[escaped]
            stop(escaped, k)
        x, next_x = next_x, x
        y, next_y = next_y, y

        loss, gradient_x, gradient_y = evaluate(x, y)
        # A sum is not finite when any term is not (or, rarely, when it overflows:
        # then the exact check below finds nothing).
        if (
            plan.check_values
            and count
            and not math.isfinite(loss.sum() + gradient_x.sum() + gradient_y.sum())
        ):
            failed = ~(np.isfinite(loss) & np.isfinite(gradient_x) & np.isfinite(gradient_y))
            if failed.any():
                # θₖ has no finite L or ∇L: the run diverged at k and stays at θₖ₋₁
                # (still in next_x, next_y after the swap).
                x[failed] = next_x[failed]
                y[failed] = next_y[failed]
                stop(failed, k)
                loss, gradient_x, gradient_y = evaluate(x, y)
        if path is not None:
            path.store(k, (x, y), (velocity_x, velocity_y), (gradient_x, gradient_y), loss)
        if arrivals is not None:
            arrivals.update(k, loss)

    return _KernelOutput(
        final_positions=np.stack((x, y), axis=-1).reshape(*shape, 2),
        final_losses=np.array(loss, dtype=np.float64).reshape(shape),
        diverged_step=diverged_step.reshape(shape),
        steps_to_converge=None if arrivals is None else arrivals.step.reshape(shape),
        paths=None if path is None else path.paths(shape),
    )


def _run_summary_in_blocks(
    plan: _KernelPlan, starts: FloatArray, lr: FloatArray, beta: FloatArray
) -> _KernelOutput:
    """:func:`_run_kernel` without paths, over blocks of :data:`SUMMARY_BLOCK_RUNS` runs.

    Each block's results are written into the outputs, so nothing but the
    outputs grows with B. ``plan.record_path`` must be False.
    """
    if plan.record_path:
        raise ValueError(
            "_run_summary_in_blocks keeps no paths: pass a plan with record_path=False"
        )
    shape = beta.shape
    count = math.prod(shape)
    flat_starts = starts.reshape(count, 2)
    flat_lrs = lr.reshape(count)
    flat_betas = beta.reshape(count)
    final_positions = np.empty((count, 2))
    final_losses = np.empty(count)
    diverged_step = np.empty(count, dtype=np.int64)
    converged = None if plan.threshold is None else np.empty(count, dtype=np.int64)
    block = max(1, int(SUMMARY_BLOCK_RUNS))
    for first in range(0, count, block):
        part = slice(first, first + block)
        out = _run_kernel(plan, flat_starts[part], flat_lrs[part], flat_betas[part])
        final_positions[part] = out.final_positions
        final_losses[part] = out.final_losses
        diverged_step[part] = out.diverged_step
        if converged is not None and out.steps_to_converge is not None:
            converged[part] = out.steps_to_converge
    return _KernelOutput(
        final_positions=final_positions.reshape(*shape, 2),
        final_losses=final_losses.reshape(shape),
        diverged_step=diverged_step.reshape(shape),
        steps_to_converge=None if converged is None else converged.reshape(shape),
    )


def _values_may_overflow(surface: Surface, bound: float) -> bool:
    """False when L and ∇L are finite wherever both coordinates lie within ±bound.

    True for any surface but a quadratic with ‖H‖₁ · bound² well inside the
    float range (|∇L| ≤ ‖H‖₁ bound and |L| ≤ ‖H‖₁ bound² there), where the
    kernel can skip its per-step check of the values.
    """
    if surface.hessian is None:
        return True
    reach = max(bound, 1.0)
    size = float(np.abs(surface.hessian).sum()) * reach * reach  # inf past the float range
    return not size < 1e300


def _check_starts(surface: Surface, starts: FloatArray, bound: float) -> None:
    """Refuse starts outside ±bound or where L or ∇L is not finite (checked on distinct points)."""
    distinct = _validate.core(starts).reshape(-1, surface.dimension)
    outside = ~np.all(np.abs(distinct) <= bound, axis=-1)
    if outside.any():
        point = distinct[int(np.argmax(outside))].tolist()
        raise ValueError(
            f"start must lie within the divergence bound, |coordinates| <= bound = {bound!r} "
            f"(a run starting outside has already diverged), got {point} in start of shape "
            f"{starts.shape}"
        )
    evaluate = _componentwise(surface)
    block = max(1, int(SUMMARY_BLOCK_RUNS))
    for first in range(0, len(distinct), block):
        part = distinct[first : first + block]
        with np.errstate(all="ignore"):
            loss, gradient_x, gradient_y = evaluate(
                np.ascontiguousarray(part[:, 0]), np.ascontiguousarray(part[:, 1])
            )
        finite = np.isfinite(loss) & np.isfinite(gradient_x) & np.isfinite(gradient_y)
        if not np.all(finite):
            point = part[int(np.argmin(finite))].tolist()
            raise ValueError(
                f"start must be where the {surface.name} surface's L and ∇L are finite, got "
                f"{point} in start of shape {starts.shape}: there they exceed the float64 range"
            )


def batch_bytes(runs: int, steps: int, record: str = "summary") -> int:
    """Estimated peak bytes :func:`simulate_batch` allocates for ``runs`` runs of ``steps`` steps.

    ``runs`` × :data:`RESULT_BYTES_PER_RUN` for the result, plus the kernel's
    working arrays (:data:`KERNEL_BYTES_PER_RUN` per run in flight), plus with
    ``record="path"`` ``runs`` × (steps + 1) × :data:`PATH_BYTES_PER_STEP`.
    """
    runs = _validate.count(runs, "runs")
    steps = _validate.steps(steps)
    _validate.choice(record, "record", ("summary", "path"))
    in_flight = runs if record == "path" else min(runs, max(1, int(SUMMARY_BLOCK_RUNS)))
    total = runs * RESULT_BYTES_PER_RUN + in_flight * KERNEL_BYTES_PER_RUN
    if record == "path":
        total += runs * (steps + 1) * PATH_BYTES_PER_STEP
    return total


def _recorded(out: _KernelOutput) -> _Paths:
    """The paths of a kernel run whose plan recorded them."""
    if out.paths is None:
        raise ValueError("the kernel recorded no paths: its plan needs record_path=True")
    return out.paths


def _convert_path_velocities(
    out: _KernelOutput, lr: FloatArray, beta: FloatArray, plan: _KernelPlan
) -> None:
    """Turn the kernel's pytorch-convention path velocities into ``plan.convention``'s, in place.

    A stopped run's velocity is 0 from the step it diverged at (the kernel
    keeps adding gradients to it there, which could overflow once scaled). In
    place: the paths are the big arrays, and a scaled copy would double them.
    """
    paths = _recorded(out)
    failed = out.diverged_step[..., None]
    stopped = (failed >= 0) & (np.arange(plan.steps + 1) >= failed)
    if stopped.any():
        np.copyto(paths.velocities, 0.0, where=stopped[..., None])
    velocities = paths.velocities  # the array itself: frozen _Paths allows no `paths.x *=`
    velocities *= _scaling.unchecked_velocity_scale(lr, beta, plan.convention)[..., None, None]


def _check_common(
    surface: Surface, lr: ArrayLike, beta: ArrayLike, steps: int, convention: str, nesterov: bool
) -> tuple[FloatArray, FloatArray, int]:
    if not isinstance(surface, Surface):
        raise TypeError(
            f"surface must be a momentum_math.surfaces.Surface (e.g. surfaces.get('ravine')), "
            f"got {surface!r}"
        )
    lr_array = _validate.learning_rate(lr)
    beta_array = _validate.momentum(beta)
    _validate.choice(convention, "convention", CONVENTIONS)
    _validate.flag(nesterov, "nesterov")
    return lr_array, beta_array, _validate.steps(steps)


def simulate(
    surface: Surface,
    start: ArrayLike,
    lr: float,
    beta: float = 0.0,
    steps: int = 100,
    convention: str = "pytorch",
    nesterov: bool = False,
    bound: float = DIVERGENCE_BOUND,
    max_bytes: int | None = None,
) -> Trajectory:
    r"""Run gradient descent with momentum from ``start`` for ``steps`` steps.

    Parameters
    ----------
    surface : Surface
        The loss, e.g. ``surfaces.ravine()``.
    start : (2,) array
        θ₀, finite.
    lr : float
        α, finite and > 0.
    beta : float
        β (μ in the classical convention), in [0, 1); 0 is plain gradient descent.
    steps : int
        Number of steps, in [0, 1 000 000].
    convention : {"pytorch", "lesson", "ema", "classical"}
        How the velocity is scaled (see :mod:`momentum_math.rules`).
    nesterov : bool
        Step along ∇L + βv as PyTorch's ``nesterov=True`` does.
    bound : float
        A coordinate beyond ±bound counts as divergence (so does a position
        where L or ∇L is not finite). ``start`` must lie within ±bound, where
        L and ∇L are finite.
    max_bytes : int or None
        The memory budget, as in :func:`simulate_batch` (a run needs about
        :data:`SINGLE_RUN_BYTES_PER_STEP` bytes a step: 1 000 000 steps fit
        the default 2 GiB).

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> from momentum_math import simulate, surfaces
    >>> run = simulate(surfaces.ravine(), [-2.4, 0.2], lr=0.1, beta=0.8, steps=50)
    >>> run.positions.shape, f"{run.final_loss:.3e}"
    ((51, 2), '2.868e-05')
    """
    lr_array, beta_array, step_count = _check_common(surface, lr, beta, steps, convention, nesterov)
    if lr_array.shape != () or beta_array.shape != ():
        raise ValueError(
            f"lr and beta must be single numbers in simulate (use simulate_batch for "
            f"arrays), got lr={lr!r}, beta={beta!r}"
        )
    start_array = _validate.points(start, "start", surface.dimension)
    if start_array.shape != (surface.dimension,):
        raise ValueError(
            f"start must be one point of shape ({surface.dimension},) in simulate "
            f"(use simulate_batch for many), got shape {start_array.shape} from {start!r}"
        )
    bound_value = _validate.positive(bound, "bound")
    check_budget(
        SINGLE_RUN_BYTES_PER_STEP * (step_count + 1),
        f"simulate for {step_count} steps",
        "ask for fewer steps",
        max_bytes,
    )
    _check_starts(surface, start_array, bound_value)
    plan = _KernelPlan(
        surface=surface,
        steps=step_count,
        convention=convention,
        nesterov=bool(nesterov),
        threshold=None,
        record_path=True,
        bound=bound_value,
        check_values=_values_may_overflow(surface, bound_value),
    )
    with np.errstate(all="ignore"):
        out = _run_kernel(plan, start_array, lr_array, beta_array)
        paths = _recorded(out)
        scale = _scaling.unchecked_velocity_scale(lr_array, beta_array, convention)
        velocities = paths.velocities * scale
    failed_at = int(out.diverged_step)
    stored = step_count + 1 if failed_at < 0 else failed_at
    return Trajectory(
        surface=surface,
        start=start_array.copy(),
        lr=float(lr_array),
        beta=float(beta_array),
        steps=step_count,
        convention=convention,
        nesterov=bool(nesterov),
        positions=paths.positions[:stored].copy(),
        velocities=velocities[:stored].copy(),
        gradients=paths.gradients[:stored].copy(),
        losses=paths.losses[:stored].copy(),
        diverged_step=None if failed_at < 0 else failed_at,
    )


def simulate_batch(
    surface: Surface,
    start: ArrayLike,
    lr: ArrayLike,
    beta: ArrayLike = 0.0,
    steps: int = 100,
    convention: str = "pytorch",
    nesterov: bool = False,
    threshold: float | None = None,
    record: Record = "summary",
    bound: float = DIVERGENCE_BOUND,
    max_bytes: int | None = None,
) -> BatchResult:
    """Run many momentum runs at once; ``start`` (..., 2), ``lr`` and ``beta`` broadcast.

    The batch shape B is ``broadcast_shapes(start.shape[:-1], lr.shape, beta.shape)``.
    Every run equals :func:`simulate` with the same arguments. Broadcast
    arguments (``np.broadcast_to`` views, or shapes like ``lr[:, None]``) are
    checked without being copied.

    Parameters
    ----------
    surface, steps, convention, nesterov, bound
        As in :func:`simulate`.
    start : (..., 2) array
        Start points, each within ±bound.
    lr, beta : array_like
        Step sizes (> 0) and momenta (in [0, 1)), any shapes that broadcast.
    threshold : float or None
        When given, ``steps_to_converge`` holds each run's first step with
        loss < threshold (−1 for none).
    record : {"summary", "path"}
        ``"summary"`` keeps only final positions and losses, divergence and
        steps to converge: memory O(B), for big sweeps. ``"path"`` also keeps
        every step of every run: memory O(B · steps).
    max_bytes : int or None
        The memory budget: a batch whose estimated peak (:func:`batch_bytes`,
        about 72 bytes a run for a summary, plus 56 bytes a run and step for
        paths) exceeds it is refused with a ValueError before anything is
        allocated. None uses the environment variable
        ``MOMENTUM_MATH_MAX_BATCH_BYTES`` if set, else :data:`MAX_BATCH_BYTES`
        (2 GiB).

    Returns
    -------
    BatchResult

    Examples
    --------
    >>> import numpy as np
    >>> from momentum_math import simulate_batch, surfaces
    >>> sweep = simulate_batch(surfaces.stretched_bowl(), [-4.0, 1.5], lr=0.18,
    ...     beta=np.array([0.0, 0.9]), steps=300, convention="ema", threshold=1e-3)
    >>> sweep.steps_to_converge.tolist()
    [185, 159]
    """
    lr_array, beta_array, step_count = _check_common(surface, lr, beta, steps, convention, nesterov)
    start_array = _validate.points(start, "start", surface.dimension)
    threshold_value = None if threshold is None else _validate.positive(threshold, "threshold")
    _validate.choice(record, "record", ("summary", "path"))
    bound_value = _validate.positive(bound, "bound")
    max_batch_bytes(max_bytes)  # a bad max_bytes is refused whatever the batch
    try:
        shape = np.broadcast_shapes(start_array.shape[:-1], lr_array.shape, beta_array.shape)
    except ValueError:
        raise ValueError(
            f"start (shape {start_array.shape[:-1]} + (2,)), lr (shape {lr_array.shape}) and "
            f"beta (shape {beta_array.shape}) must broadcast to one batch shape"
        ) from None
    runs = math.prod(shape)
    check_budget(
        batch_bytes(runs, step_count, record),
        f"simulate_batch(record={record!r}) for {runs} runs (batch shape {shape}) of "
        f"{step_count} steps",
        "use record='summary' for big sweeps, split the batch"
        if record == "path"
        else "split the batch",
        max_bytes,
    )
    _check_starts(surface, start_array, bound_value)
    plan = _KernelPlan(
        surface=surface,
        steps=step_count,
        convention=convention,
        nesterov=bool(nesterov),
        threshold=threshold_value,
        record_path=record == "path",
        bound=bound_value,
        check_values=_values_may_overflow(surface, bound_value),
    )
    starts = np.broadcast_to(start_array, (*shape, surface.dimension)).copy()
    lr_full = np.broadcast_to(lr_array, shape).copy()
    beta_full = np.broadcast_to(beta_array, shape).copy()
    with np.errstate(all="ignore"):
        if plan.record_path:
            out = _run_kernel(plan, starts, lr_full, beta_full)
            _convert_path_velocities(out, lr_full, beta_full, plan)
        else:
            out = _run_summary_in_blocks(plan, starts, lr_full, beta_full)
    paths = out.paths
    return BatchResult(
        surface=surface,
        starts=starts,
        lr=lr_full,
        beta=beta_full,
        steps=step_count,
        convention=convention,
        nesterov=bool(nesterov),
        threshold=threshold_value,
        final_positions=out.final_positions,
        final_losses=np.asarray(out.final_losses),
        diverged_step=out.diverged_step,
        steps_to_converge=out.steps_to_converge,
        positions=None if paths is None else paths.positions,
        velocities=None if paths is None else paths.velocities,
        gradients=None if paths is None else paths.gradients,
        losses=None if paths is None else paths.losses,
    )
