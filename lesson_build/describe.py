"""Chapter figures as JSON: the numbers a chapter shows, for the lesson's manifest."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["MAX_ARRAY_ITEMS", "to_json"]

#: Arrays longer than this are summarised by shape, first and last items (whole runs stay out).
MAX_ARRAY_ITEMS = 16


def _number(value: float) -> float | str:
    return value if math.isfinite(value) else str(value)


def to_json(value: Any, depth: int = 0) -> Any:
    """``value`` (dataclasses, named tuples, NumPy arrays, surfaces, runs) as plain JSON data.

    >>> to_json({"lr": np.float64(0.1), "betas": (0.0, 0.9), "never": None})
    {'lr': 0.1, 'betas': [0.0, 0.9], 'never': None}
    """
    if depth > 6:
        return repr(value)
    if value is None or isinstance(value, bool | str | int):
        return value
    if isinstance(value, float | np.floating):
        return _number(float(value))
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    if isinstance(value, np.ndarray):
        if value.size <= MAX_ARRAY_ITEMS:
            return to_json(value.tolist(), depth + 1)
        flat = value.reshape(-1)
        return {
            "shape": list(value.shape),
            "first": _number(float(flat[0])),
            "last": _number(float(flat[-1])),
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {
            field.name: getattr(value, field.name)
            for field in dataclasses.fields(value)
            if field.repr
        }
        return {
            "type": type(value).__name__,
            **{k: to_json(v, depth + 1) for k, v in fields.items()},
        }
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: to_json(v, depth + 1) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {str(k): to_json(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_json(item, depth + 1) for item in value]
    name = getattr(value, "name", None)
    return {"type": type(value).__name__, "name": name} if isinstance(name, str) else repr(value)
