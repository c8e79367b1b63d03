"""The memory budget every batch is sized against before anything is allocated.

A leaf module: it imports nothing else from the package, so every module
(``rules``, ``surfaces``, ``simulation``, ``theory``) can check the budget
without importing the others. The public names are re-exported, unchanged,
by :mod:`momentum_math.simulation` and :mod:`momentum_math`.
"""

from __future__ import annotations

import numbers
import os

import numpy as np

#: The memory budget of one :func:`~momentum_math.simulate_batch` call, in bytes:
#: a batch whose estimate (:func:`~momentum_math.simulation.batch_bytes`) exceeds
#: it is refused before anything is allocated. Override it per call with
#: ``max_bytes=``, or for the process with the environment variable named by
#: :data:`MAX_BATCH_BYTES_ENV` (an integer number of bytes); the keyword wins
#: over the variable, the variable over this.
MAX_BATCH_BYTES = 2 * 1024**3

#: The environment variable that overrides :data:`MAX_BATCH_BYTES`.
MAX_BATCH_BYTES_ENV = "MOMENTUM_MATH_MAX_BATCH_BYTES"


def max_batch_bytes(max_bytes: int | None = None) -> int:
    """The memory budget in bytes: ``max_bytes`` if given, else the environment
    variable :data:`MAX_BATCH_BYTES_ENV` if set, else :data:`MAX_BATCH_BYTES`."""
    if max_bytes is not None:
        # np.timedelta64 subclasses np.signedinteger: an Integral, but a time, not a count
        # (the same refusals as momentum_math._validate's, which this leaf cannot import)
        given: object = max_bytes  # typed int, but whatever a caller passed
        kind = getattr(getattr(given, "dtype", None), "kind", None)
        if isinstance(given, (np.timedelta64, np.datetime64)) or kind in ("m", "M"):
            raise TypeError(
                f"max_bytes must be an integer number of bytes or None, got {max_bytes!r}, "
                f"a NumPy time (timedelta64 or datetime64), not a number"
            )
        if isinstance(given, np.ma.MaskedArray):
            raise TypeError(
                f"max_bytes must be an integer number of bytes or None, got a masked array "
                f"in {max_bytes!r}: pass a plain integer"
            )
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
