"""Your own parameters: a TOML file that overrides the published experiments, without editing code.

Example ``lesson.toml``::

    [presets.stretched_bowl_race]
    lr = 0.15
    betas = [0.0, 0.8, 0.99]
    threshold = 1e-4

    [presets.ravine_zigzag]
    start = [-3.0, 0.3]
    steps = 60

Each table is a preset of :mod:`momentum_math.presets` by name; its keys are
``surface`` (a name from :mod:`momentum_math.surfaces`), ``start``, ``lr``,
``betas``, ``steps``, ``convention`` and ``threshold``. The file is data only:
it is parsed with :mod:`tomllib`, nothing in it is run. :func:`load` checks
every value with ``momentum_math``'s own validation and names the key of the
first bad one. Scenes read the experiments through :func:`experiment`, which
applies the file named by ``MOMENTUM_LESSON_CONFIG`` (the lesson build sets
it for ``--config``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
import os
import tomllib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import numpy as np

from momentum_math import presets, surfaces
from momentum_math.presets import Experiment

__all__ = ["CONFIG_ENV", "KEYS", "ConfigError", "apply", "configured", "experiment", "load"]

#: Environment variable naming the TOML file that render-time experiments read.
CONFIG_ENV = "MOMENTUM_LESSON_CONFIG"
#: The keys a preset's table may set.
KEYS = ("surface", "start", "lr", "betas", "steps", "convention", "threshold")

Overrides = dict[str, dict[str, Any]]


class ConfigError(ValueError):
    """A lesson configuration file is unreadable or holds a value that is not allowed."""


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} = {value!r}: must be a number")
    if not math.isfinite(value):
        raise ConfigError(f"{where} = {value!r}: must be finite")
    return float(value)


def apply(base: Experiment, changes: Mapping[str, Any], where: str = "config") -> Experiment:
    """``base`` with ``changes`` applied, each value checked; errors name ``where.key``."""
    values: dict[str, Any] = {}
    for key, value in changes.items():
        at = f"{where}.{key}"
        if key not in KEYS:
            raise ConfigError(f"{at}: unknown key; allowed keys: {', '.join(KEYS)}")
        if key == "surface":
            if not isinstance(value, str) or value not in surfaces.NAMES:
                raise ConfigError(f"{at} = {value!r}: must be one of {', '.join(surfaces.NAMES)}")
            values[key] = surfaces.get(value)
        elif key == "start":
            if not isinstance(value, list) or len(value) != 2:
                raise ConfigError(f"{at} = {value!r}: must be a list of two numbers [x, y]")
            values[key] = tuple(_number(f"{at}[{index}]", item) for index, item in enumerate(value))
        elif key == "betas":
            if not isinstance(value, list) or not value:
                raise ConfigError(f"{at} = {value!r}: must be a non-empty list of numbers")
            values[key] = tuple(_number(f"{at}[{index}]", item) for index, item in enumerate(value))
        elif key == "steps":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{at} = {value!r}: must be a whole number of steps")
            values[key] = value
        elif key == "convention":
            values[key] = value
        else:  # lr, threshold
            values[key] = _number(at, value)
    if "threshold" in values and not values["threshold"] > 0:
        raise ConfigError(f"{where}.threshold = {values['threshold']!r}: must be > 0")
    changed = dataclasses.replace(base, **values)
    for beta in changed.betas:  # momentum_math's own checks, on one cheap step
        try:
            changed.run(beta=beta, steps=1)
            if "steps" in values:
                from momentum_math import _validate

                _validate.steps(changed.steps)
        except (ValueError, TypeError) as error:
            raise ConfigError(f"{where}: {error}") from error
    return changed


def load(path: str | os.PathLike[str]) -> Overrides:
    """Read and check a lesson configuration file; returns ``{preset: {key: value}}``.

    Raises :class:`ConfigError` naming the file and the key of the first bad value.
    """
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{file}: cannot be read ({error.strerror or error})") from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: not valid TOML ({error})") from error
    unknown = sorted(set(data) - {"presets"})
    if unknown:
        raise ConfigError(
            f"{file}: unknown table(s) {unknown}; put overrides under [presets.<name>]"
        )
    tables = data.get("presets", {})
    overrides: Overrides = {}
    for name, changes in tables.items():
        where = f"{file.name}: presets.{name}"
        if name not in presets.NAMES:
            raise ConfigError(f"{where}: unknown preset; known presets: {', '.join(presets.NAMES)}")
        if not isinstance(changes, dict):
            raise ConfigError(f"{where}: must be a table of keys ({', '.join(KEYS)})")
        apply(presets.get(name), changes, where)
        overrides[name] = dict(changes)
    return overrides


@functools.lru_cache(maxsize=4)
def _overrides_from(path: str) -> Overrides:
    return load(path) if path else {}


#: The configuration file :func:`configured` chose (``None``: the environment decides).
_ACTIVE: ContextVar[str | None] = ContextVar("lesson_config", default=None)


@contextmanager
def configured(path: str | os.PathLike[str] | None) -> Iterator[None]:
    """Within the block, :func:`experiment` reads ``path`` (``None``: no overrides), not the
    environment: how the build computes the chapters' figures for its ``--config``."""
    token = _ACTIVE.set(str(path) if path else "")
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def experiment(name: str) -> Experiment:
    """The preset ``name``, with the overrides of the file in ``MOMENTUM_LESSON_CONFIG`` applied
    (or of the file :func:`configured` names)."""
    base = presets.get(name)
    active = _ACTIVE.get()
    changes = _overrides_from(os.environ.get(CONFIG_ENV, "") if active is None else active).get(
        name
    )
    return apply(base, changes, f"presets.{name}") if changes else base


def as_data(item: Experiment) -> dict[str, Any]:
    """An experiment's parameters as plain data (for manifests and logs)."""
    return {
        "preset": item.name,
        "surface": item.surface.name,
        "start": [float(v) for v in np.asarray(item.start)],
        "lr": item.lr,
        "betas": list(item.betas),
        "steps": item.steps,
        "convention": item.convention,
        "threshold": item.threshold,
    }
