"""Argument checks shared by the public functions.

Every failure names the parameter, the value given and what is allowed.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Largest number of steps a single run may ask for.
MAX_STEPS = 1_000_000


def _is_real_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _to_float(value: Any) -> float:
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def core(array: NDArray[Any]) -> NDArray[Any]:
    """The distinct elements of ``array``: a view without its zero-stride (broadcast) axes.

    ``np.broadcast_to(x, big)`` repeats ``x`` through zero strides; checking the
    repeated copies would allocate the whole broadcast shape, so checks look at
    this view instead (each broadcast axis cut to length 1). A plain array is
    returned as it is.
    """
    if array.size <= 1 or all(stride != 0 for stride in array.strides):
        return array
    return array[tuple(slice(0, 1) if stride == 0 else slice(None) for stride in array.strides)]


def real_array(name: str, value: ArrayLike) -> NDArray[np.float64]:
    """Return ``value`` as a float64 array, or raise TypeError naming ``name``.

    A float64 array is returned as it is (not copied: callers that keep it copy
    it); a broadcast view (zero strides) of another dtype becomes a read-only
    broadcast view of its converted distinct elements, so a huge
    ``np.broadcast_to`` argument is never materialised.
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be a real number or array of real numbers, got {value!r}")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise TypeError(
            f"{name} must be a real number or a rectangular array of real numbers, got {value!r}"
        ) from None
    if array.dtype == np.bool_ or not (
        np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
    ):
        if array.dtype == object and all(_is_real_number(item) for item in array.flat):
            # Python ints beyond int64 (or other real numbers NumPy keeps as objects):
            # their float values, ±inf past the float range (refused by the checks).
            return np.array([_to_float(item) for item in array.flat]).reshape(array.shape)
        raise TypeError(
            f"{name} must be a real number or array of real numbers, got {value!r} "
            f"(dtype {array.dtype})"
        )
    if array.dtype == np.float64:
        return array
    distinct = core(array)
    if distinct is not array:
        return np.broadcast_to(distinct.astype(np.float64), array.shape)
    with np.errstate(over="ignore"):  # a huge integer becomes inf, refused by the checks
        return np.asarray(array, dtype=np.float64)


def learning_rate(value: ArrayLike, name: str = "lr") -> NDArray[np.float64]:
    """Check a learning rate (scalar or array): finite and > 0."""
    array = real_array(name, value)
    distinct = core(array)
    if not np.all(np.isfinite(distinct) & (distinct > 0)):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return array


def momentum(value: ArrayLike, name: str = "beta") -> NDArray[np.float64]:
    """Check a momentum coefficient (scalar or array): in [0, 1)."""
    array = real_array(name, value)
    distinct = core(array)
    if not np.all((distinct >= 0) & (distinct < 1)):
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return array


def steps(value: Any, name: str = "steps", maximum: int = MAX_STEPS) -> int:
    """Check a step count: an integer in [0, maximum]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if not 0 <= int(value) <= maximum:
        raise ValueError(f"{name} must be an integer in [0, {maximum}], got {value!r}")
    return int(value)


def positive(value: Any, name: str) -> float:
    """Check a finite scalar > 0 (a threshold, a bound)."""
    if not _is_real_number(value):
        raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__})")
    number = _to_float(value)
    if not (math.isfinite(number) and number > 0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return number


def points(value: ArrayLike, name: str = "start", dimension: int = 2) -> NDArray[np.float64]:
    """Check a point (dimension,) or batch of points (..., dimension): finite."""
    array = real_array(name, value)
    if array.ndim == 0 or array.shape[-1] != dimension:
        raise ValueError(
            f"{name} must have shape ({dimension},) or (..., {dimension}), "
            f"got shape {array.shape} from {value!r}"
        )
    if not np.all(np.isfinite(core(array))):
        raise ValueError(f"{name} must be finite, got {value!r}")
    return array


def choice(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    """Check that ``value`` is one of the ``allowed`` strings."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, one of {allowed}, got {value!r}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    return value


def flag(value: Any, name: str) -> bool:
    """Check a boolean flag."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)
