"""Argument checks shared by the public functions.

Every failure names the parameter, the value given and what is allowed.
"""

from __future__ import annotations

import itertools
import math
import numbers
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Largest number of steps a single run may ask for.
MAX_STEPS = 1_000_000

#: Deepest nesting of lists and tuples searched for masked arrays (NumPy's most dimensions).
_MAX_NESTING = 64


def _is_real_number(value: Any) -> bool:
    # np.timedelta64 subclasses np.signedinteger, so it registers as numbers.Integral
    return isinstance(value, numbers.Real) and not isinstance(value, (bool, np.timedelta64))


def _nested_fault(value: Any) -> str | None:
    """What ``np.asarray`` would get wrong in ``value``'s lists and tuples, if anything.

    ``"masked"`` where it is, or holds, a masked array (``np.asarray`` drops the
    mask: a masked element silently becomes its data, or NaN); ``"cycle"`` where a
    list holds itself, or one list sits at two depths (never a rectangular array;
    ``np.asarray`` of ``a = [a, a]`` would fill memory). One nesting level at a
    time, the element types and ids collected at C speed.
    """
    if isinstance(value, np.ma.MaskedArray):
        return "masked"
    if not isinstance(value, (list, tuple)):
        return None
    level: list[Any] = [value]
    seen = [id(value)]
    for _ in range(_MAX_NESTING):
        items = list(itertools.chain.from_iterable(level))
        kinds = set(map(type, items))
        if any(issubclass(kind, np.ma.MaskedArray) for kind in kinds):
            return "masked"
        sequences = [kind for kind in kinds if issubclass(kind, (list, tuple))]
        if not sequences:
            return None
        if len(sequences) < len(kinds):  # ragged: np.asarray refuses it, but look inside
            items = [item for item in items if isinstance(item, (list, tuple))]
        ids = list(map(id, items))
        if _overlap(ids, seen):
            return "cycle"
        seen += ids
        level = items
    return None


def _overlap(ids: list[int], seen: list[int]) -> bool:
    """Whether two lists of object ids share one (sorted by NumPy when long: a set of
    many ids hashes slowly, their addresses sharing low bits)."""
    if len(ids) + len(seen) <= 1024:
        return not set(seen).isdisjoint(ids)
    return bool(np.isin(np.array(ids, dtype=np.uint64), np.array(seen, dtype=np.uint64)).any())


def _refuse_times_and_masks(
    name: str, value: Any, allowed: str, converted: NDArray[Any] | None = None
) -> None:
    """TypeError naming ``name`` for a masked array or a NumPy time (timedelta64, datetime64).

    NumPy converts both to numbers without complaint: a timedelta64 to its count
    of units (5 seconds becomes 5.0), a masked array to its data with the mask
    dropped. ``allowed`` says what ``name`` must be ("a real number", ...);
    ``converted``, where given, is ``np.asarray(value)``, whose dtype is checked.
    """
    fault = _nested_fault(value) if converted is None else None  # (looked at before)
    if fault == "masked":
        raise TypeError(
            f"{name} must be {allowed}, got a masked array in {value!r}: its mask would be "
            f"ignored; pass plain values (e.g. .filled(...) or .compressed())"
        )
    if fault == "cycle":
        raise TypeError(
            f"{name} must be {allowed}, got {value!r}, a list that holds itself (or one list "
            f"at two depths): not a rectangular array"
        )
    kind = getattr(getattr(value if converted is None else converted, "dtype", None), "kind", None)
    if isinstance(value, (np.timedelta64, np.datetime64)) or kind in ("m", "M"):
        raise TypeError(
            f"{name} must be {allowed}, got {value!r}, a NumPy time (timedelta64 or "
            f"datetime64), not a number: pass its value in the unit you mean "
            f"(e.g. duration / np.timedelta64(1, 's'))"
        )


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
    _refuse_times_and_masks(name, value, "a real number or array of real numbers")
    try:
        array = np.asarray(value)
    except (ValueError, TypeError, OverflowError):
        raise TypeError(
            f"{name} must be a real number or a rectangular array of real numbers, got {value!r}"
        ) from None
    _refuse_times_and_masks(name, value, "a real number or array of real numbers", array)
    # integers and floats only: not bool, complex, str, bytes, void, timedelta64 (which
    # np.issubdtype counts as an integer) or datetime64
    if array.dtype.kind not in ("i", "u", "f"):
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
    _refuse_times_and_masks(name, value, "an integer")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if not 0 <= int(value) <= maximum:
        raise ValueError(f"{name} must be an integer in [0, {maximum}], got {value!r}")
    return int(value)


def count(value: Any, name: str) -> int:
    """Check a count of things (runs, elements): an integer >= 0."""
    _refuse_times_and_masks(name, value, "an integer")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, got {value!r} ({type(value).__name__})")
    if int(value) < 0:
        raise ValueError(f"{name} must be an integer >= 0, got {value!r}")
    return int(value)


def positive(value: Any, name: str) -> float:
    """Check a finite scalar > 0 (a threshold, a bound)."""
    _refuse_times_and_masks(name, value, "a real number")
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
