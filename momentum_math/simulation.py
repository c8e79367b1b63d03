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
import numbers
import os
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from momentum_math import _validate
from momentum_math.rules import CONVENTIONS
from momentum_math.rules import _pytorch_step_size as pytorch_step_size
from momentum_math.rules import _velocity_scale as velocity_scale
from momentum_math.surfaces import Surface

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Record = Literal["path", "summary"]

#: A run whose coordinate leaves [-DIVERGENCE_BOUND, DIVERGENCE_BOUND] has diverged.
DIVERGENCE_BOUND = 1e10

#: The memory budget of one :func:`simulate_batch` call, in bytes: a batch whose
#: estimate (:func:`batch_bytes`) exceeds it is refused before anything is
#: allocated. Override it per call with ``max_bytes=``, or for the process with
#: the environment variable named by :data:`MAX_BATCH_BYTES_ENV` (an integer
#: number of bytes); the keyword wins over the variable, the variable over this.
MAX_BATCH_BYTES = 2 * 1024**3

#: The environment variable that overrides :data:`MAX_BATCH_BYTES`.
MAX_BATCH_BYTES_ENV = "MOMENTUM_MATH_MAX_BATCH_BYTES"

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
        return self.positions[-1]

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


@dataclass
class _KernelOutput:
    final_positions: FloatArray
    final_losses: FloatArray
    diverged_step: IntArray
    steps_to_converge: IntArray | None
    positions: FloatArray | None = None
    velocities: FloatArray | None = None
    gradients: FloatArray | None = None
    losses: FloatArray | None = None


def _componentwise(surface: Surface):
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


def _run_kernel(
    surface: Surface,
    starts: FloatArray,
    step_size: FloatArray,
    beta: FloatArray,
    steps: int,
    nesterov: bool,
    threshold: float | None,
    record_path: bool,
    bound: float,
    check_values: bool = True,
) -> _KernelOutput:
    """The pytorch-convention heavy-ball loop over a batch (all arrays broadcast to B).

    The runs are flattened to n = prod(B) and each coordinate is kept in its
    own contiguous (n,) array, so every step is a handful of same-shape ufunc
    calls whose per-element arithmetic does not depend on n: a batch of one
    (:func:`simulate`) rounds exactly like any larger batch.

    A run diverges at step k when θₖ leaves the bound or is not finite, or
    (with ``check_values``) when L or ∇L at θₖ is not finite; it then stays at
    θₖ₋₁. ``check_values=False`` is for surfaces where L and ∇L are provably
    finite inside the bound (see :func:`_values_may_overflow`).
    """
    shape = beta.shape
    count = math.prod(shape)
    evaluate = _componentwise(surface)
    flat_starts = starts.reshape(count, 2)
    x, y = flat_starts[:, 0].copy(), flat_starts[:, 1].copy()
    step = np.array(step_size, dtype=np.float64).reshape(count)  # 0 freezes a diverged run
    momentum = np.array(beta, dtype=np.float64).reshape(count)
    velocity_x, velocity_y = np.zeros(count), np.zeros(count)
    shift_x, shift_y = np.empty(count), np.empty(count)
    next_x, next_y = np.empty(count), np.empty(count)
    diverged_step = np.full(count, -1, dtype=np.int64)
    low = -bound

    # A surface that offers evaluate_into writes into these buffers: then the
    # loop allocates nothing.
    evaluate_into = surface.evaluate_into
    if evaluate_into is not None:
        loss, gradient_x, gradient_y, spare = (np.empty(count) for _ in range(4))
        evaluate_into(x, y, loss, gradient_x, gradient_y, spare)
    else:
        loss, gradient_x, gradient_y = evaluate(x, y)

    if record_path:
        path_positions = np.empty((steps + 1, count, 2))
        path_velocities = np.empty((steps + 1, count, 2))
        path_gradients = np.empty((steps + 1, count, 2))
        path_losses = np.empty((steps + 1, count))

        def store(k: int) -> None:
            path_positions[k, :, 0], path_positions[k, :, 1] = x, y
            path_velocities[k, :, 0], path_velocities[k, :, 1] = velocity_x, velocity_y
            path_gradients[k, :, 0], path_gradients[k, :, 1] = gradient_x, gradient_y
            path_losses[k] = loss

        store(0)

    converged_step: IntArray | None = None
    if threshold is not None:
        converged_step = np.where(loss < threshold, 0, -1).astype(np.int64)
        # Runs still waiting compare against the threshold, finished ones against
        # -inf (never true), so one comparison per step finds the new arrivals.
        waiting_limit = np.where(converged_step < 0, threshold, -np.inf)
        reached = np.empty(count, dtype=np.bool_)

    for k in range(1, steps + 1):
        np.multiply(velocity_x, momentum, out=velocity_x)
        np.add(velocity_x, gradient_x, out=velocity_x)
        np.multiply(velocity_y, momentum, out=velocity_y)
        np.add(velocity_y, gradient_y, out=velocity_y)
        if nesterov:
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
            diverged_step[escaped] = k
            next_x[escaped] = x[escaped]
            next_y[escaped] = y[escaped]
            step[escaped] = 0.0
            velocity_x[escaped] = 0.0
            velocity_y[escaped] = 0.0
        x, next_x = next_x, x
        y, next_y = next_y, y

        if evaluate_into is not None:
            evaluate_into(x, y, loss, gradient_x, gradient_y, spare)
        else:
            loss, gradient_x, gradient_y = evaluate(x, y)
        # A sum is not finite when any term is not (or, rarely, when it overflows:
        # then the exact check below finds nothing).
        if (
            check_values
            and count
            and not math.isfinite(loss.sum() + gradient_x.sum() + gradient_y.sum())
        ):
            failed = ~(np.isfinite(loss) & np.isfinite(gradient_x) & np.isfinite(gradient_y))
            if failed.any():
                # θₖ has no finite L or ∇L: the run diverged at k and stays at θₖ₋₁
                # (still in next_x, next_y after the swap).
                diverged_step[failed] = k
                x[failed] = next_x[failed]
                y[failed] = next_y[failed]
                step[failed] = 0.0
                velocity_x[failed] = 0.0
                velocity_y[failed] = 0.0
                if evaluate_into is not None:
                    evaluate_into(x, y, loss, gradient_x, gradient_y, spare)
                else:
                    loss, gradient_x, gradient_y = evaluate(x, y)
        if record_path:
            store(k)
        if converged_step is not None:
            np.less(loss, waiting_limit, out=reached)
            if reached.any():
                converged_step[reached] = k
                waiting_limit[reached] = -np.inf

    output = _KernelOutput(
        np.stack((x, y), axis=-1).reshape(*shape, 2),
        np.array(loss, dtype=np.float64).reshape(shape),
        diverged_step.reshape(shape),
        None if converged_step is None else converged_step.reshape(shape),
    )
    if record_path:
        output.positions = np.moveaxis(path_positions.reshape(steps + 1, *shape, 2), 0, -2)
        output.velocities = np.moveaxis(path_velocities.reshape(steps + 1, *shape, 2), 0, -2)
        output.gradients = np.moveaxis(path_gradients.reshape(steps + 1, *shape, 2), 0, -2)
        output.losses = np.moveaxis(path_losses.reshape(steps + 1, *shape), 0, -1)
    return output


def _run_summary_in_blocks(
    surface: Surface,
    starts: FloatArray,
    lr: FloatArray,
    beta: FloatArray,
    convention: str,
    steps: int,
    nesterov: bool,
    threshold: float | None,
    bound: float,
    check_values: bool,
) -> _KernelOutput:
    """:func:`_run_kernel` without paths, over blocks of :data:`SUMMARY_BLOCK_RUNS` runs.

    The pytorch step size is computed block by block and each block's results
    are written into the outputs, so nothing but the outputs grows with B.
    """
    shape = beta.shape
    count = math.prod(shape)
    flat_starts = starts.reshape(count, 2)
    flat_lrs = lr.reshape(count)
    flat_betas = beta.reshape(count)
    final_positions = np.empty((count, 2))
    final_losses = np.empty(count)
    diverged_step = np.empty(count, dtype=np.int64)
    converged = None if threshold is None else np.empty(count, dtype=np.int64)
    block = max(1, int(SUMMARY_BLOCK_RUNS))
    for first in range(0, count, block):
        part = slice(first, first + block)
        out = _run_kernel(
            surface,
            flat_starts[part],
            pytorch_step_size(flat_lrs[part], flat_betas[part], convention),
            flat_betas[part],
            steps,
            nesterov,
            threshold,
            False,
            bound,
            check_values,
        )
        final_positions[part] = out.final_positions
        final_losses[part] = out.final_losses
        diverged_step[part] = out.diverged_step
        if converged is not None and out.steps_to_converge is not None:
            converged[part] = out.steps_to_converge
    return _KernelOutput(
        final_positions.reshape(*shape, 2),
        final_losses.reshape(shape),
        diverged_step.reshape(shape),
        None if converged is None else converged.reshape(shape),
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


def check_budget(needed: int, what: str, hint: str, max_bytes: int | None = None) -> None:
    """Refuse, with a ValueError naming the sizes, work estimated at ``needed`` bytes over budget.

    ``what`` says what would be allocated (with its sizes), ``hint`` how to
    fit; the budget is :func:`max_batch_bytes` of ``max_bytes``.
    """
    budget = max_batch_bytes(max_bytes)
    if needed > budget:
        raise ValueError(
            f"{what} would allocate about {needed / 1024**3:.3g} GiB ({needed} bytes), over "
            f"the memory budget max_bytes = {budget} bytes ({budget / 1024**3:.3g} GiB); "
            f"{hint}, or raise the budget with max_bytes= or {MAX_BATCH_BYTES_ENV}"
        )


def max_batch_bytes(max_bytes: int | None = None) -> int:
    """The memory budget in bytes: ``max_bytes`` if given, else the environment
    variable :data:`MAX_BATCH_BYTES_ENV` if set, else :data:`MAX_BATCH_BYTES`."""
    if max_bytes is not None:
        if isinstance(max_bytes, bool) or not isinstance(max_bytes, numbers.Integral):
            raise TypeError(
                f"max_bytes must be an integer number of bytes or None, got {max_bytes!r}"
            )
        if max_bytes < 0:
            raise ValueError(f"max_bytes must be an integer >= 0, got {max_bytes!r}")
        return int(max_bytes)
    text = os.environ.get(MAX_BATCH_BYTES_ENV)
    if text is None or not text.strip():
        return int(MAX_BATCH_BYTES)
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        value = -1
    if value < 0:
        raise ValueError(
            f"the environment variable {MAX_BATCH_BYTES_ENV} must be an integer number of "
            f"bytes >= 0, got {text!r}"
        )
    return value


def batch_bytes(runs: int, steps: int, record: str = "summary") -> int:
    """Estimated peak bytes :func:`simulate_batch` allocates for ``runs`` runs of ``steps`` steps.

    ``runs`` × :data:`RESULT_BYTES_PER_RUN` for the result, plus the kernel's
    working arrays (:data:`KERNEL_BYTES_PER_RUN` per run in flight), plus with
    ``record="path"`` ``runs`` × (steps + 1) × :data:`PATH_BYTES_PER_STEP`.
    """
    in_flight = runs if record == "path" else min(runs, max(1, int(SUMMARY_BLOCK_RUNS)))
    total = runs * RESULT_BYTES_PER_RUN + in_flight * KERNEL_BYTES_PER_RUN
    if record == "path":
        total += runs * (steps + 1) * PATH_BYTES_PER_STEP
    return total


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
    with np.errstate(all="ignore"):
        out = _run_kernel(
            surface,
            start_array,
            pytorch_step_size(lr_array, beta_array, convention),
            beta_array,
            step_count,
            bool(nesterov),
            None,
            True,
            bound_value,
            _values_may_overflow(surface, bound_value),
        )
        velocities = out.velocities * velocity_scale(lr_array, beta_array, convention)
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
        positions=out.positions[:stored].copy(),
        velocities=velocities[:stored].copy(),
        gradients=out.gradients[:stored].copy(),
        losses=out.losses[:stored].copy(),
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
    check_values = _values_may_overflow(surface, bound_value)
    starts = np.broadcast_to(start_array, (*shape, surface.dimension)).copy()
    lr_full = np.broadcast_to(lr_array, shape).copy()
    beta_full = np.broadcast_to(beta_array, shape).copy()
    with np.errstate(all="ignore"):
        if record == "path":
            out = _run_kernel(
                surface,
                starts,
                pytorch_step_size(lr_full, beta_full, convention),
                beta_full,
                step_count,
                bool(nesterov),
                threshold_value,
                True,
                bound_value,
                check_values,
            )
        else:
            out = _run_summary_in_blocks(
                surface,
                starts,
                lr_full,
                beta_full,
                convention,
                step_count,
                bool(nesterov),
                threshold_value,
                bound_value,
                check_values,
            )
        if out.velocities is not None:
            # A stopped run's velocity is 0 from the step it diverged at (the kernel
            # keeps adding gradients to it there, which could overflow once scaled).
            failed = out.diverged_step[..., None]
            stopped = (failed >= 0) & (np.arange(step_count + 1) >= failed)
            if stopped.any():
                np.copyto(out.velocities, 0.0, where=stopped[..., None])
            # In place: the paths are the big arrays, and a scaled copy would double them.
            out.velocities *= velocity_scale(lr_full, beta_full, convention)[..., None, None]
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
        positions=out.positions,
        velocities=out.velocities,
        gradients=out.gradients,
        losses=out.losses,
    )
