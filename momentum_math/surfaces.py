"""Loss surfaces L(x, y): small immutable objects of pure, vectorised functions.

Every surface takes one point of shape ``(2,)`` or any batch ``(..., 2)``;
``value`` returns shape ``()`` / ``(...)`` and ``gradient`` shape ``(2,)`` /
``(..., 2)``.

>>> from momentum_math import surfaces
>>> ravine = surfaces.ravine()
>>> float(ravine.value([4.0, 0.0]))
1.0
>>> ravine.gradient([[8.0, 1.0], [0.0, 0.0]]).tolist()
[[1.0, 18.0], [0.0, 0.0]]
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from momentum_math import _budget, _validate

FloatArray = NDArray[np.float64]
PointFunction = Callable[[FloatArray], FloatArray]
#: ``(x, y) -> (L, ∂L/∂x, ∂L/∂y)`` on same-shape coordinate arrays.
ComponentFunction = Callable[[FloatArray, FloatArray], tuple[FloatArray, FloatArray, FloatArray]]
#: ``(x, y, value, grad_x, grad_y, scratch) -> None``: the same, written into given buffers.
ComponentIntoFunction = Callable[
    [FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray], None
]


def _frozen(array: ArrayLike) -> FloatArray:
    out = np.array(array, dtype=np.float64)
    out.flags.writeable = False
    return out


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2-D loss surface.

    Attributes
    ----------
    name : str
        Short identifier used by :func:`get` (``"ravine"``, ``"qfsp"``, ...).
    title : str
        Human-readable name for titles and narration.
    latex : str
        The formula of L(x, y) in LaTeX (math mode, no dollar signs).
    value_fn, gradient_fn : callable
        Unchecked functions of a ``(..., 2)`` float array; use :meth:`value`
        and :meth:`gradient` unless you need the raw speed.
    x_range, y_range : tuple of float
        The plot window ``(low, high)`` in each coordinate.
    minima : (k, 2) array
        Known global minima.
    hessian : (2, 2) array or None
        The constant Hessian of a quadratic surface, else None.
    evaluate_xy : callable or None
        Optional ``(x, y) -> (L, ∂L/∂x, ∂L/∂y)`` on coordinate arrays of one
        shape; the built-in surfaces define ``value_fn`` and ``gradient_fn``
        through it, so both give bit-identical numbers. The simulation kernel
        uses it (on contiguous per-coordinate arrays) when present.
    evaluate_into : callable or None
        Optional ``(x, y, value, grad_x, grad_y, scratch) -> None``: the
        arithmetic of ``evaluate_xy`` written into given (n,) buffers, so the
        simulation loop allocates nothing (the quadratics define it).
    """

    name: str
    title: str
    latex: str
    value_fn: PointFunction = field(repr=False)
    gradient_fn: PointFunction = field(repr=False)
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: FloatArray = field(repr=False)
    hessian: FloatArray | None = field(default=None, repr=False)
    dimension: int = 2
    evaluate_xy: ComponentFunction | None = field(default=None, repr=False)
    evaluate_into: ComponentIntoFunction | None = field(default=None, repr=False)

    def value(self, points: ArrayLike, max_bytes: int | None = None) -> FloatArray:
        """L at ``points`` of shape (2,) or (..., 2); returns shape () or (...).

        Points whose L exceeds the float64 range (or is not finite) are refused
        with a ValueError naming the first such point. So is a batch of points
        whose evaluation would need more than the memory budget (about
        :data:`BYTES_PER_POINT` bytes a point; ``max_bytes`` as in
        :func:`momentum_math.simulate_batch`), before anything is allocated.
        """
        checked = _validate.points(points, "points", self.dimension)
        _check_points_budget(checked, max_bytes)
        with np.errstate(all="ignore"):
            result = self.value_fn(checked)
        self._check_finite("value L", checked, np.isfinite(result))
        return result

    def gradient(self, points: ArrayLike, max_bytes: int | None = None) -> FloatArray:
        """∇L at ``points`` of shape (2,) or (..., 2); returns the same shape.

        Points whose ∇L exceeds the float64 range (or is not finite) are
        refused with a ValueError naming the first such point; so is a batch
        over the memory budget, as in :meth:`value`.
        """
        checked = _validate.points(points, "points", self.dimension)
        _check_points_budget(checked, max_bytes)
        with np.errstate(all="ignore"):
            result = self.gradient_fn(checked)
        self._check_finite("gradient ∇L", checked, np.all(np.isfinite(result), axis=-1))
        return result

    def _check_finite(self, what: str, points: FloatArray, finite: NDArray[np.bool_]) -> None:
        if np.all(finite):
            return
        index = tuple(int(i) for i in np.unravel_index(int(np.argmin(finite)), finite.shape))
        row: tuple[int | slice, ...] = (*index, slice(None))  # the point at index
        point = np.asarray(points)[row] if points.ndim > 1 else points
        where = f" (index {index})" if index else ""
        raise ValueError(
            f"points must be where the {self.name} surface's {what} is finite, got "
            f"{point.tolist()}{where} from points of shape {points.shape}: there it exceeds "
            f"the float64 range"
        )

    @property
    def is_quadratic(self) -> bool:
        """True when the surface is a quadratic with a constant Hessian."""
        return self.hessian is not None

    @property
    def hessian_eigenvalues(self) -> FloatArray:
        """Eigenvalues of the Hessian, ascending (quadratics only)."""
        if self.hessian is None:
            raise ValueError(f"surface {self.name!r} is not quadratic: it has no constant Hessian")
        # float64 in, float64 out (the stubs only promise some float): no copy is made.
        return np.asarray(np.linalg.eigvalsh(self.hessian), dtype=np.float64)

    @property
    def condition_number(self) -> float:
        """κ = λ_max / λ_min of the Hessian (quadratics only)."""
        low, high = self.hessian_eigenvalues[[0, -1]]
        with np.errstate(all="ignore"):
            kappa = float(high / low)
        if not (math.isfinite(kappa) and kappa > 0):
            raise ValueError(
                f"surface {self.name!r} must have a positive definite Hessian for a condition "
                f"number, got eigenvalues {low!r} and {high!r}"
            )
        return kappa

    @property
    def min_value(self) -> float:
        """L at the known global minima."""
        return float(self.value_fn(self.minima[0]))


#: Estimated peak bytes per point of :meth:`Surface.value` and :meth:`Surface.gradient`
#: (the result and the built-in surfaces' temporaries: at most 96 where measured).
BYTES_PER_POINT = 128


def _check_points_budget(points: FloatArray, max_bytes: int | None) -> None:
    """Refuse a batch of points whose evaluation would pass the memory budget."""
    count = math.prod(points.shape[:-1])
    _budget.check_budget(
        count * BYTES_PER_POINT,
        f"evaluating points of shape {points.shape} ({count} points)",
        "pass fewer points",
        max_bytes,
    )


def _point_functions(evaluate: ComponentFunction) -> tuple[PointFunction, PointFunction]:
    """``value_fn`` and ``gradient_fn`` on (..., 2) points, computed by ``evaluate``."""

    def value_fn(points: FloatArray) -> FloatArray:
        return evaluate(points[..., 0], points[..., 1])[0]

    def gradient_fn(points: FloatArray) -> FloatArray:
        _, grad_x, grad_y = evaluate(points[..., 0], points[..., 1])
        return np.stack((grad_x, grad_y), axis=-1)

    return value_fn, gradient_fn


# --- quadratics -------------------------------------------------------------


def _quadratic(
    name: str,
    title: str,
    latex: str,
    hessian: ArrayLike,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> Surface:
    matrix = _frozen(hessian)
    # ∇L = θᵀH written out element by element (no BLAS, so every batch shape
    # rounds the same way), and L = ½ θ·∇L.
    h_xx, h_xy = float(matrix[0, 0]), float(matrix[0, 1])
    h_yx, h_yy = float(matrix[1, 0]), float(matrix[1, 1])

    diagonal = h_xy == 0.0 and h_yx == 0.0

    def evaluate_into(
        x: FloatArray,
        y: FloatArray,
        value: FloatArray,
        grad_x: FloatArray,
        grad_y: FloatArray,
        scratch: FloatArray,
    ) -> None:
        # Axis-aligned Hessians skip the cross terms (that changes at most the
        # sign of a zero). Writing into given buffers lets the kernel run
        # without allocating.
        np.multiply(x, h_xx, out=grad_x)
        np.multiply(y, h_yy, out=grad_y)
        if not diagonal:
            np.multiply(y, h_yx, out=scratch)
            np.add(grad_x, scratch, out=grad_x)
            np.multiply(x, h_xy, out=scratch)
            np.add(scratch, grad_y, out=grad_y)
        np.multiply(grad_x, x, out=value)
        np.multiply(grad_y, y, out=scratch)
        np.add(value, scratch, out=value)
        np.multiply(value, 0.5, out=value)

    def evaluate_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        value, grad_x, grad_y, scratch = (np.empty(x.shape) for _ in range(4))
        evaluate_into(x, y, value, grad_x, grad_y, scratch)
        return value, grad_x, grad_y

    value_fn, gradient_fn = _point_functions(evaluate_xy)
    return Surface(
        name=name,
        title=title,
        latex=latex,
        value_fn=value_fn,
        gradient_fn=gradient_fn,
        x_range=x_range,
        y_range=y_range,
        minima=_frozen([[0.0, 0.0]]),
        hessian=matrix,
        evaluate_xy=evaluate_xy,
        evaluate_into=evaluate_into,
    )


def ravine() -> Surface:
    r"""The ravine :math:`L = x^2/16 + 9y^2`: Hessian diag(1/8, 18), κ = 144."""
    return _quadratic(
        "ravine",
        "Ravine",
        r"L(x, y) = \frac{x^2}{16} + 9y^2",
        [[1 / 8, 0.0], [0.0, 18.0]],
        (-3.6, 3.6),
        (-0.4, 0.4),
    )


def stretched_bowl() -> Surface:
    r"""The stretched bowl :math:`L = \tfrac12(0.1x^2 + 10y^2)`: κ = 100."""
    return _quadratic(
        "stretched_bowl",
        "Stretched bowl",
        r"L(x, y) = \tfrac{1}{2}\left(0.1\,x^2 + 10\,y^2\right)",
        [[0.1, 0.0], [0.0, 10.0]],
        (-5.0, 5.0),
        (-2.2, 2.2),
    )


def paraboloid() -> Surface:
    r"""The easy bowl :math:`L = x^2 + y^2`."""
    return _quadratic(
        "paraboloid",
        "Paraboloid",
        r"L(x, y) = x^2 + y^2",
        [[2.0, 0.0], [0.0, 2.0]],
        (-10.0, 10.0),
        (-10.0, 10.0),
    )


def quadratic(eigenvalues: ArrayLike, angle: float = 0.0) -> Surface:
    r"""The quadratic :math:`L = \tfrac12 \theta^T H \theta` with ``H = R diag(λ) Rᵀ``.

    Parameters
    ----------
    eigenvalues : (2,) array
        Hessian eigenvalues, each finite and > 0, with a finite ratio. Rotated,
        a ratio past about 1e15 can round the smaller eigenvalue away: where
        the float64 Hessian is then not positive definite it is refused.
    angle : float
        Rotation of the eigenvectors from the axes, in radians.
    """
    values = _validate.real_array("eigenvalues", eigenvalues)
    if values.shape != (2,) or not np.all(np.isfinite(values) & (values > 0)):
        raise ValueError(f"eigenvalues must be two finite numbers > 0, got {eigenvalues!r}")
    angle_array = _validate.real_array("angle", angle)
    if angle_array.shape != () or not math.isfinite(float(angle_array)):
        raise ValueError(f"angle must be one finite number of radians, got {angle!r}")
    rotation_angle = float(angle_array)
    cos, sin = math.cos(rotation_angle), math.sin(rotation_angle)
    rotation = np.array([[cos, -sin], [sin, cos]])
    with np.errstate(over="ignore", invalid="ignore"):  # near the float limit: refused below
        hessian = rotation @ np.diag(values) @ rotation.T
        # ½(H + Hᵀ); where the sum overflows (near the float limit), ½H + ½Hᵀ.
        total = hessian + hessian.T
        hessian = np.where(np.isfinite(total), 0.5 * total, 0.5 * hessian + 0.5 * hessian.T)
        ratio = values.max() / values.min()
    if not (np.all(np.isfinite(hessian)) and np.isfinite(ratio)):
        raise ValueError(
            f"eigenvalues must be two finite numbers > 0 whose ratio (the condition number) "
            f"and rotated Hessian are finite, got {eigenvalues!r}"
        )
    computed = np.linalg.eigvalsh(hessian)
    with np.errstate(all="ignore"):
        computed_ratio = computed[-1] / computed[0]
    if not (computed[0] > 0 and np.isfinite(computed_ratio)):
        raise ValueError(
            f"eigenvalues must keep the rotated Hessian positive definite in float64, got "
            f"{eigenvalues!r} at angle={angle!r}: rotated, a ratio this large rounds the "
            f"smaller eigenvalue away"
        )
    half_width = 5.0
    return _quadratic(
        "quadratic",
        f"Quadratic (λ = {values[0]:g}, {values[1]:g})",
        r"L(\theta) = \tfrac{1}{2}\,\theta^\top H\,\theta",
        hessian,
        (-half_width, half_width),
        (-half_width, half_width),
    )


# --- non-convex surfaces ----------------------------------------------------


def _qfsp_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    sin_x, cos_x, sin_y, cos_y = np.sin(x), np.cos(x), np.sin(y), np.cos(y)
    value = x * x + y * y + 10.0 * sin_x * sin_y
    return value, 2.0 * x + 10.0 * cos_x * sin_y, 2.0 * y + 10.0 * sin_x * cos_y


_qfsp_value, _qfsp_gradient = _point_functions(_qfsp_xy)


def _qfsp_minima() -> FloatArray:
    # The global minima lie on the anti-diagonal (t, -t), where the gradient
    # vanishes when 2t - 5 sin(2t) = 0; Newton's method from t = 1.3 finds t.
    t = 1.3
    for _ in range(50):
        residual = 2.0 * t - 5.0 * math.sin(2.0 * t)
        slope = 2.0 - 10.0 * math.cos(2.0 * t)
        t -= residual / slope
    return _frozen([[t, -t], [-t, t]])


def qfsp() -> Surface:
    r"""Quadratic with sinusoidal perturbation :math:`x^2 + y^2 + 10\sin x\sin y`."""
    return Surface(
        name="qfsp",
        title="Bumpy bowl (QFSP)",
        latex=r"L(x, y) = x^2 + y^2 + 10\sin x\,\sin y",
        value_fn=_qfsp_value,
        gradient_fn=_qfsp_gradient,
        x_range=(-8.0, 8.0),
        y_range=(-8.0, 8.0),
        minima=_qfsp_minima(),
        evaluate_xy=_qfsp_xy,
    )


def _ackley_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    radius = np.sqrt(0.5 * (x * x + y * y))
    decay = np.exp(-0.2 * radius)
    # Past 2**52 every float is an integer, where the cosines are 1 and the sines 0:
    # use 0 there, so 2πx neither overflows nor rounds into a meaningless angle.
    angle_x = 2.0 * np.pi * np.where(np.abs(x) < 2.0**52, x, 0.0)
    angle_y = 2.0 * np.pi * np.where(np.abs(y) < 2.0**52, y, 0.0)
    ripple = np.exp(0.5 * (np.cos(angle_x) + np.cos(angle_y)))
    value = -20.0 * decay - ripple + math.e + 20.0
    # d/dx of -20 exp(-0.2 r) is 2 x exp(-0.2 r) / r; the cone's tip (r = 0) gets 0.
    safe_radius = np.where(radius > 0.0, radius, 1.0)
    cone = np.where(radius > 0.0, 2.0 * decay / safe_radius, 0.0)
    waves = np.pi * ripple
    return value, cone * x + waves * np.sin(angle_x), cone * y + waves * np.sin(angle_y)


_ackley_value, _ackley_gradient = _point_functions(_ackley_xy)


def ackley() -> Surface:
    """The standard 2-D Ackley function: many local minima, global minimum 0 at the origin."""
    return Surface(
        name="ackley",
        title="Ackley",
        latex=(r"L = -20e^{-0.2\sqrt{(x^2+y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2} + e + 20"),
        value_fn=_ackley_value,
        gradient_fn=_ackley_gradient,
        x_range=(-5.0, 5.0),
        y_range=(-5.0, 5.0),
        minima=_frozen([[0.0, 0.0]]),
        evaluate_xy=_ackley_xy,
    )


def _rosenbrock_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    valley = y - x * x
    value = (1.0 - x) ** 2 + 100.0 * valley**2
    return value, -2.0 * (1.0 - x) - 400.0 * x * valley, 200.0 * valley


_rosenbrock_value, _rosenbrock_gradient = _point_functions(_rosenbrock_xy)


def rosenbrock() -> Surface:
    r"""Rosenbrock's banana :math:`(1-x)^2 + 100(y-x^2)^2`, minimum 0 at (1, 1)."""
    return Surface(
        name="rosenbrock",
        title="Rosenbrock",
        latex=r"L(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        value_fn=_rosenbrock_value,
        gradient_fn=_rosenbrock_gradient,
        x_range=(-2.0, 2.0),
        y_range=(-1.0, 3.0),
        minima=_frozen([[1.0, 1.0]]),
        evaluate_xy=_rosenbrock_xy,
    )


# --- classic test functions -------------------------------------------------------


def _beale_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    y_squared = y * y
    y_cubed = y_squared * y
    first = 1.5 - x + x * y
    second = 2.25 - x + x * y_squared
    third = 2.625 - x + x * y_cubed
    value = first * first + second * second + third * third
    grad_x = 2.0 * (first * (y - 1.0) + second * (y_squared - 1.0) + third * (y_cubed - 1.0))
    grad_y = 2.0 * x * (first + 2.0 * y * second + 3.0 * y_squared * third)
    return value, grad_x, grad_y


_beale_value, _beale_gradient = _point_functions(_beale_xy)


def beale() -> Surface:
    r"""Beale's function, a flat valley walled by steep sides: global minimum 0 at (3, 0.5).

    :math:`(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2`.
    """
    return Surface(
        name="beale",
        title="Beale",
        latex=r"L(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        value_fn=_beale_value,
        gradient_fn=_beale_gradient,
        x_range=(-4.5, 4.5),
        y_range=(-4.5, 4.5),
        minima=_frozen([[3.0, 0.5]]),
        evaluate_xy=_beale_xy,
    )


def _himmelblau_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    first = x * x + y - 11.0
    second = x + y * y - 7.0
    value = first * first + second * second
    return value, 4.0 * x * first + 2.0 * second, 2.0 * first + 4.0 * y * second


_himmelblau_value, _himmelblau_gradient = _point_functions(_himmelblau_xy)


def _newton(
    gradient: Callable[[float, float], tuple[float, float]],
    hessian: Callable[[float, float], tuple[float, float, float]],
    x: float,
    y: float,
) -> list[float]:
    """Newton's method for ∇L = 0 from (x, y): a minimum to full float precision."""
    for _ in range(20):
        g_x, g_y = gradient(x, y)
        h_xx, h_xy, h_yy = hessian(x, y)
        determinant = h_xx * h_yy - h_xy * h_xy
        x -= (h_yy * g_x - h_xy * g_y) / determinant
        y -= (h_xx * g_y - h_xy * g_x) / determinant
    return [x, y]


def _himmelblau_minima() -> FloatArray:
    def gradient(x: float, y: float) -> tuple[float, float]:
        first, second = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * x * first + 2.0 * second, 2.0 * first + 4.0 * y * second

    def hessian(x: float, y: float) -> tuple[float, float, float]:
        first, second = x * x + y - 11.0, x + y * y - 7.0
        return 4.0 * first + 8.0 * x * x + 2.0, 4.0 * (x + y), 2.0 + 4.0 * second + 8.0 * y * y

    starts = [(3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)]
    return _frozen([_newton(gradient, hessian, x, y) for x, y in starts])


def himmelblau() -> Surface:
    r"""Himmelblau's function :math:`(x^2 + y - 11)^2 + (x + y^2 - 7)^2`: four global minima.

    L = 0 at (3, 2), (−2.805118, 3.131312), (−3.779310, −3.283186) and
    (3.584428, −1.848126) (the last three refined by Newton's method).
    """
    return Surface(
        name="himmelblau",
        title="Himmelblau",
        latex=r"L(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        value_fn=_himmelblau_value,
        gradient_fn=_himmelblau_gradient,
        x_range=(-5.0, 5.0),
        y_range=(-5.0, 5.0),
        minima=_himmelblau_minima(),
        evaluate_xy=_himmelblau_xy,
    )


def _rastrigin_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    # cos 2πx depends on the fractional part of x only: fmod takes it exactly, so 2πx
    # neither overflows nor rounds into a meaningless angle for large x.
    angle_x = 2.0 * np.pi * np.fmod(x, 1.0)
    angle_y = 2.0 * np.pi * np.fmod(y, 1.0)
    value = 20.0 + x * x - 10.0 * np.cos(angle_x) + y * y - 10.0 * np.cos(angle_y)
    ripple = 20.0 * np.pi
    return value, 2.0 * x + ripple * np.sin(angle_x), 2.0 * y + ripple * np.sin(angle_y)


_rastrigin_value, _rastrigin_gradient = _point_functions(_rastrigin_xy)


def rastrigin() -> Surface:
    r"""Rastrigin's function (A = 10), a bowl of regular bumps: global minimum 0 at the origin.

    :math:`20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y`.
    """
    return Surface(
        name="rastrigin",
        title="Rastrigin",
        latex=r"L(x, y) = 20 + x^2 - 10\cos 2\pi x + y^2 - 10\cos 2\pi y",
        value_fn=_rastrigin_value,
        gradient_fn=_rastrigin_gradient,
        x_range=(-5.12, 5.12),
        y_range=(-5.12, 5.12),
        minima=_frozen([[0.0, 0.0]]),
        evaluate_xy=_rastrigin_xy,
    )


def _booth_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    first = x + 2.0 * y - 7.0
    second = 2.0 * x + y - 5.0
    value = first * first + second * second
    return value, 2.0 * first + 4.0 * second, 4.0 * first + 2.0 * second


_booth_value, _booth_gradient = _point_functions(_booth_xy)


def booth() -> Surface:
    r"""Booth's function :math:`(x + 2y - 7)^2 + (2x + y - 5)^2`: global minimum 0 at (1, 3).

    A quadratic whose minimum is not at the origin: L = ½(θ − θ*)ᵀH(θ − θ*)
    with the constant Hessian H = [[10, 8], [8, 10]] (κ = 9).
    """
    return Surface(
        name="booth",
        title="Booth",
        latex=r"L(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2",
        value_fn=_booth_value,
        gradient_fn=_booth_gradient,
        x_range=(-10.0, 10.0),
        y_range=(-10.0, 10.0),
        minima=_frozen([[1.0, 3.0]]),
        hessian=_frozen([[10.0, 8.0], [8.0, 10.0]]),
        evaluate_xy=_booth_xy,
    )


def _six_hump_camel_xy(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    x_squared = x * x
    y_squared = y * y
    value = (4.0 - 2.1 * x_squared + x_squared * x_squared / 3.0) * x_squared + x * y
    value += (4.0 * y_squared - 4.0) * y_squared
    grad_x = x * (8.0 - 8.4 * x_squared + 2.0 * x_squared * x_squared) + y
    grad_y = x + y * (16.0 * y_squared - 8.0)
    return value, grad_x, grad_y


_six_hump_camel_value, _six_hump_camel_gradient = _point_functions(_six_hump_camel_xy)


def _six_hump_camel_minima() -> FloatArray:
    def gradient(x: float, y: float) -> tuple[float, float]:
        return x * (8.0 - 8.4 * x * x + 2.0 * x**4) + y, x + y * (16.0 * y * y - 8.0)

    def hessian(x: float, y: float) -> tuple[float, float, float]:
        return 8.0 - 25.2 * x * x + 10.0 * x**4, 1.0, 48.0 * y * y - 8.0

    # L(-x, -y) = L(x, y): the second minimum mirrors the first exactly.
    x, y = _newton(gradient, hessian, 0.0898, -0.7126)
    return _frozen([[x, y], [-x, -y]])


def six_hump_camel() -> Surface:
    r"""The six-hump camel function: six local minima, two of them global.

    :math:`(4 - 2.1x^2 + x^4/3)x^2 + xy + (4y^2 - 4)y^2`, L ≈ −1.031628 at
    (0.089842, −0.712656) and (−0.089842, 0.712656) (refined by Newton's method).
    """
    return Surface(
        name="six_hump_camel",
        title="Six-hump camel",
        latex=(r"L(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)\,y^2"),
        value_fn=_six_hump_camel_value,
        gradient_fn=_six_hump_camel_gradient,
        x_range=(-3.0, 3.0),
        y_range=(-2.0, 2.0),
        minima=_six_hump_camel_minima(),
        evaluate_xy=_six_hump_camel_xy,
    )


_CONSTRUCTORS: dict[str, Callable[[], Surface]] = {
    "ravine": ravine,
    "stretched_bowl": stretched_bowl,
    "paraboloid": paraboloid,
    "qfsp": qfsp,
    "ackley": ackley,
    "rosenbrock": rosenbrock,
    "beale": beale,
    "himmelblau": himmelblau,
    "rastrigin": rastrigin,
    "booth": booth,
    "six_hump_camel": six_hump_camel,
}

#: Names accepted by :func:`get`.
NAMES: tuple[str, ...] = tuple(_CONSTRUCTORS)


def get(name: str) -> Surface:
    """The named surface; an unknown name is a ValueError listing the known ones."""
    return _CONSTRUCTORS[_validate.choice(name, "name", NAMES)]()
