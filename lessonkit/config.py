"""Your own parameters: a TOML file that overrides the published experiments, without editing code.

Example ``lesson.toml``::

    [presets.stretched_bowl_race]
    lr = 0.15
    betas = [0.0, 0.8, 0.99]
    threshold = 1e-4

    [presets.ravine_zigzag]
    start = [-3.0, 0.3]
    steps = 60

Each table is a preset of :mod:`momentum_math.presets` that a chapter of the
lesson reads (:data:`lesson_narration.registry.PRESET_KEYS`), by name; its keys
are those the chapters read of it, among ``surface`` (a name from
:mod:`momentum_math.surfaces`, or a formula with its window,
``{ formula = "x**2/16 + 9*y**2", x = [-3.6, 3.6], y = [-0.4, 0.4] }``, parsed by
:mod:`momentum_math.formula`'s own grammar), ``start``, ``lr``, ``betas``, ``steps``,
``convention`` and ``threshold``. The file is data only: it is parsed with
:mod:`tomllib`, nothing in it is run. :func:`load` checks every value with
``momentum_math``'s own validation and names the key of the first bad one; a
preset or a key that no chapter reads is an error too (it would be ignored).
Scenes read the experiments through :func:`experiment`, which applies the file
named by ``MOMENTUM_LESSON_CONFIG`` (the lesson build sets it for ``--config``).

What a value means for a chapter is checked by the chapter itself: its
``figures()`` refuses, with a :class:`ChapterConfigError` naming the file, the
preset, the key and the chapter, a value it cannot show (through a
:class:`Needs`, which reads what the file set with :func:`active_file` and
:func:`active_overrides`).
"""

from __future__ import annotations

import dataclasses
import functools
import json
import math
import os
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
from numpy.typing import NDArray

from lesson_narration.registry import LESSON, PRESET_KEYS
from lessonkit.errors import ConfigError
from lessonkit.formatting import MINUS, spoken_number
from momentum_math import Trajectory, presets, surfaces
from momentum_math.formula import formula_surface
from momentum_math.presets import Experiment

__all__ = [
    "CONFIG_ENV",
    "FINISH_KEYS",
    "KEYS",
    "MAX_SPOKEN_DIGITS",
    "MIN_CONDITION",
    "RUN_KEYS",
    "ChapterConfigError",
    "ConfigError",
    "Needs",
    "active_file",
    "active_overrides",
    "apply",
    "configured",
    "digits_said",
    "experiment",
    "load",
]

#: Environment variable naming the TOML file that render-time experiments read.
CONFIG_ENV = "MOMENTUM_LESSON_CONFIG"
#: The keys a preset's table may set.
KEYS = ("surface", "start", "lr", "betas", "steps", "convention", "threshold")

Overrides = dict[str, dict[str, Any]]


class ChapterConfigError(ConfigError):
    """A configured value that a chapter cannot show, raised by the chapter's ``figures()``.

    The message names the file, the preset, the key, its value and what the chapter
    needs; the attributes say the same for a program.
    """

    def __init__(
        self, message: str, *, file: str | None, preset: str, key: str, chapter: str
    ) -> None:
        super().__init__(message)
        self.file = file
        self.preset = preset
        self.key = key
        self.chapter = chapter


def _number(where: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{where} = {value!r}: must be a number")
    if not math.isfinite(value):
        raise ConfigError(f"{where} = {value!r}: must be finite")
    return float(value)


#: The keys of a formula surface's table:
#: ``{ formula = "x**2/16 + 9*y**2", x = [-3.6, 3.6], y = [-0.4, 0.4] }``.
FORMULA_KEYS = ("formula", "x", "y")


def _window(at: str, value: Any) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ConfigError(f"{at} = {value!r}: must be a list of two numbers [low, high]")
    low, high = (_number(f"{at}[{index}]", item) for index, item in enumerate(value))
    if not low < high:
        raise ConfigError(f"{at} = {value!r}: must be [low, high] with low < high")
    return low, high


def _surface(at: str, value: Any) -> surfaces.Surface:
    """A named surface, or a formula with its map window (the formula's own grammar parses
    it: nothing in it is run)."""
    if isinstance(value, str) and value in surfaces.NAMES:
        return surfaces.get(value)
    if not isinstance(value, dict):
        raise ConfigError(
            f"{at} = {value!r}: must be one of {', '.join(surfaces.NAMES)}, or a table "
            f'{{ formula = "x**2/16 + 9*y**2", x = [-3.6, 3.6], y = [-0.4, 0.4] }}'
        )
    for key in value:
        if key not in FORMULA_KEYS:
            raise ConfigError(f"{at}.{key}: unknown key; allowed keys: {', '.join(FORMULA_KEYS)}")
    missing = [key for key in FORMULA_KEYS if key not in value]
    if missing:
        raise ConfigError(
            f"{at}: missing {', '.join(missing)}; a formula surface needs formula, x and y "
            "(its map window)"
        )
    text = value["formula"]
    if not isinstance(text, str):
        raise ConfigError(f'{at}.formula = {text!r}: must be a string such as "x**2 + y**2"')
    x_range, y_range = _window(f"{at}.x", value["x"]), _window(f"{at}.y", value["y"])
    try:
        surface = formula_surface(text, x_range, y_range)
    except ValueError as error:  # a FormulaError (text and position) or an unusable window
        raise ConfigError(f"{at}.formula: {error}") from None
    from lessonkit.experiment import check_map

    try:
        check_map(surface, (x_range, y_range), fitted=False)
    except ConfigError as error:
        raise ConfigError(f"{at}: {str(error).removeprefix('surface: ')}") from None
    return surface


def surface_data(surface: surfaces.Surface) -> Any:
    """A surface as the configuration file writes it: its name, or its formula table."""
    formula = getattr(surface, "formula", None)
    if formula is None:
        return surface.name
    return {"formula": formula, "x": list(surface.x_range), "y": list(surface.y_range)}


def apply(base: Experiment, changes: Mapping[str, Any], where: str = "config") -> Experiment:
    """``base`` with ``changes`` applied, each value checked; errors name ``where.key``."""
    values: dict[str, Any] = {}
    for key, value in changes.items():
        at = f"{where}.{key}"
        if key not in KEYS:
            raise ConfigError(f"{at}: unknown key; allowed keys: {', '.join(KEYS)}")
        if key == "surface":
            values[key] = _surface(at, value)
        elif key == "start":
            if not isinstance(value, list) or len(value) != 2:
                raise ConfigError(f"{at} = {value!r}: must be a list of two numbers [x, y]")
            values[key] = tuple(_number(f"{at}[{index}]", item) for index, item in enumerate(value))
        elif key == "betas":
            if not isinstance(value, list) or not value:
                raise ConfigError(f"{at} = {value!r}: must be a non-empty list of numbers")
            values[key] = tuple(_number(f"{at}[{index}]", item) for index, item in enumerate(value))
            for index, beta in enumerate(values[key]):
                if not 0 <= beta < 1:
                    raise ConfigError(
                        f"{at}[{index}] = {beta!r}: must be in [0, 1) (0: no momentum)"
                    )
        elif key == "steps":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"{at} = {value!r}: must be a whole number of steps")
            values[key] = value
        elif key == "convention":
            values[key] = value
        else:  # lr, threshold
            values[key] = _number(at, value)
            if not values[key] > 0:
                raise ConfigError(f"{at} = {value!r}: must be > 0")
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
    except UnicodeDecodeError as error:
        raise ConfigError(
            f"{file}: not UTF-8 text (byte {error.object[error.start]:#04x} at offset "
            f"{error.start}); save it as UTF-8"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file}: not valid TOML ({error})") from error
    unknown = sorted(set(data) - {"presets"})
    if unknown:
        raise ConfigError(
            f"{file}: unknown table(s) {unknown}; put overrides under [presets.<name>]"
        )
    tables = data.get("presets", {})
    if not isinstance(tables, dict):
        raise ConfigError(
            f"{file.name}: presets = {tables!r}: must be a table of presets, "
            f"[presets.<name>] with <name> one of {', '.join(PRESET_KEYS)}"
        )
    overrides: Overrides = {}
    for name, changes in tables.items():
        where = f"{file.name}: presets.{name}"
        if name not in presets.NAMES:
            raise ConfigError(
                f"{where}: unknown preset; presets the lesson reads: {', '.join(PRESET_KEYS)}"
            )
        if name not in PRESET_KEYS:
            raise ConfigError(
                f"{where}: no chapter of the lesson reads this preset, so its values would be "
                f"ignored; presets the lesson reads: {', '.join(PRESET_KEYS)}"
            )
        if not isinstance(changes, dict):
            raise ConfigError(
                f"{where} = {changes!r}: must be a table of keys ({', '.join(PRESET_KEYS[name])})"
            )
        for key in changes:
            if key not in KEYS:
                raise ConfigError(
                    f"{where}.{key}: unknown key; keys of this preset the lesson reads: "
                    f"{', '.join(PRESET_KEYS[name])}"
                )
            if key not in PRESET_KEYS[name]:
                readers = ", ".join(e.name for e in LESSON.chapters if name in e.presets)
                raise ConfigError(
                    f"{where}.{key}: no chapter reads this key of the preset (its chapters "
                    f"{readers} read {', '.join(PRESET_KEYS[name])}), so it would be ignored"
                )
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


def active_file() -> str | None:
    """The configuration file :func:`experiment` reads now (``None``: none, no overrides)."""
    active = _ACTIVE.get()
    return (os.environ.get(CONFIG_ENV, "") if active is None else active) or None


def active_overrides(name: str) -> dict[str, Any]:
    """The values the active configuration file sets for preset ``name`` (``{}``: none)."""
    return dict(_overrides_from(active_file() or "").get(name, {}))


def experiment(name: str) -> Experiment:
    """The preset ``name``, with the overrides of the file in ``MOMENTUM_LESSON_CONFIG`` applied
    (or of the file :func:`configured` names)."""
    base = presets.get(name)
    changes = active_overrides(name)
    return apply(base, changes, f"presets.{name}") if changes else base


def as_data(item: Experiment) -> dict[str, Any]:
    """An experiment's parameters as plain data (for manifests and logs)."""
    return {
        "preset": item.name,
        "surface": surface_data(item.surface),
        "start": [float(v) for v in np.asarray(item.start)],
        "lr": item.lr,
        "betas": list(item.betas),
        "steps": item.steps,
        "convention": item.convention,
        "threshold": item.threshold,
    }


# --- what a chapter can show ------------------------------------------------------------

#: The most digits a number the narration speaks may have ("0.00001" has six).
MAX_SPOKEN_DIGITS = 6
#: A surface the lesson calls a ravine or a stretched bowl bends at least this many times
#: more sharply across than along.
MIN_CONDITION = 10.0
#: The keys a run's path depends on, most likely culprit first.
RUN_KEYS = ("start", "lr", "steps", "betas", "convention", "surface")
#: The keys a finish (a loss below the threshold) depends on, most likely culprit first.
FINISH_KEYS = ("threshold", "steps", "lr", "start", "betas", "convention", "surface")


def digits_said(text: str) -> int:
    """How many digits a spoken number has (``"−0.00012"``: six)."""
    return sum(character.isdigit() for character in text)


def _toml(value: Any) -> str:
    """``value`` as the configuration file would write it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{key} = {_toml(item)}" for key, item in value.items()) + " }"
    if isinstance(value, float | np.floating):
        return repr(float(value))
    return str(value)


def _stretched(hessian: NDArray[np.float64] | None) -> bool:
    """A diagonal Hessian, gentle along x and at least :data:`MIN_CONDITION` times steeper
    across y."""
    return (
        hessian is not None
        and hessian[0, 1] == 0
        and hessian[1, 0] == 0
        and 0 < MIN_CONDITION * hessian[0, 0] <= hessian[1, 1]
    )


def _preset_value(experiment: Experiment, key: str) -> Any:
    if key == "surface":
        return surface_data(experiment.surface)
    if key == "start":
        return [float(value) for value in experiment.start]
    if key == "betas":
        return [float(value) for value in experiment.betas]
    return getattr(experiment, key)


class Needs:
    """The checks of chapter ``chapter`` on ``experiment`` (a preset with the file's overrides).

    A value can pass :func:`load` and still be one a chapter cannot show:
    ``steps = 0`` leaves the velocity chapter no first step, one β leaves the race a
    single runner, a threshold no run reaches leaves it no finish, a far start walks
    off the map and has the narration say a 17-digit loss. So every chapter's
    ``figures()`` says what it needs through a ``Needs``: first what costs nothing to
    check (the βs, a bound on the steps it can draw in its time, the kind of surface
    it describes, a start on its map), then, on what it computed, what its narration
    claims (a threshold crossed where it says so, every drawn path inside its map,
    every spoken number short enough to say). A failure is a
    :class:`ChapterConfigError` naming the file, the preset, the key and the
    chapter::

        lesson.toml: presets.ravine_zigzag: steps = 0: chapter 'zigzag' needs between
        10 and 200 steps (...)

    The key named is the first of the keys the check depends on that the file sets
    (the preset's own value otherwise), so a threshold no run reaches after a change
    of ``lr`` names ``lr``. The build computes every chapter's figures before its
    first render, and a direct ``manim render`` computes them first too, so the error
    comes before any frame is drawn.
    """

    def __init__(self, chapter: str, experiment: Experiment) -> None:
        self.chapter = chapter
        self.experiment = experiment

    # --- the error -------------------------------------------------------------------------

    def refuse(self, keys: Sequence[str], need: str) -> NoReturn:
        """Raise the :class:`~lessonkit.config.ChapterConfigError` for ``need``.

        It names the first of ``keys`` the configuration file sets (else the first of
        them, at the preset's own value) and the other ones of ``keys`` the file sets.
        """
        preset = self.experiment.name
        changes = active_overrides(preset)
        given = [key for key in keys if key in changes]
        key = given[0] if given else keys[0]
        value = changes[key] if key in changes else _preset_value(self.experiment, key)
        file = active_file()
        where = f"{Path(file).name}: " if file else ""
        own = "" if key in changes else " (the preset's own value)"
        also = ", ".join(f"{other} = {_toml(changes[other])}" for other in given[1:])
        also_text = f" (the file also sets {also})" if also else ""
        raise ChapterConfigError(
            f"{where}presets.{preset}: {key} = {_toml(value)}{own}: chapter {self.chapter!r} "
            f"needs {need}{also_text}",
            file=file,
            preset=preset,
            key=key,
            chapter=self.chapter,
        )

    def require(self, ok: bool, keys: Sequence[str], need: str) -> None:
        """:meth:`refuse` unless ``ok``."""
        if not ok:
            self.refuse(keys, need)

    # --- before computing -------------------------------------------------------------------

    def steps(self, low: int, high: int, why: str) -> None:
        """Between ``low`` and ``high`` steps: what the chapter can draw in its time (``why``)."""
        steps = self.experiment.steps
        self.require(low <= steps <= high, ("steps",), f"between {low} and {high} steps ({why})")

    def betas(self, count: int, roles: str, exact: bool = True) -> None:
        """``count`` βs (at least ``count`` unless ``exact``), 0 (plain descent) first, then
        increasing: ``roles`` says the parts they play."""
        betas = self.experiment.betas
        self.require(
            (len(betas) == count if exact else len(betas) >= count)
            and betas[0] == 0
            and all(a < b for a, b in zip(betas, betas[1:], strict=False)),
            ("betas",),
            f"{'' if exact else 'at least '}{count} βs in increasing order, the first 0 "
            f"(plain descent): {roles}",
        )

    def stretched_quadratic(self, what: str) -> None:
        """A quadratic whose Hessian is diagonal, gentle along x and at least
        :data:`MIN_CONDITION` times steeper across y: what the chapter calls ``what``."""
        if not _stretched(self.experiment.surface.hessian):
            fitting = [name for name in surfaces.NAMES if _stretched(surfaces.get(name).hessian)]
            self.refuse(
                ("surface",),
                f"{what}: a quadratic, gentle along x and at least {MIN_CONDITION:g} times "
                f"steeper across y (surfaces that are: {', '.join(fitting)})",
            )

    def start_inside(self, window: tuple[tuple[float, float], tuple[float, float]]) -> None:
        """The start on the chapter's map ``window`` (``(x_range, y_range)``)."""
        (x_low, x_high), (y_low, y_high) = window
        x, y = (float(value) for value in self.experiment.start)
        self.require(
            x_low <= x <= x_high and y_low <= y <= y_high,
            ("start", "surface"),
            f"a start on its map, x in [{x_low:g}, {x_high:g}] and y in [{y_low:g}, {y_high:g}]",
        )

    # --- on what was computed ----------------------------------------------------------------

    def inside(
        self,
        runs: Sequence[Trajectory],
        window: tuple[tuple[float, float], tuple[float, float]],
        what: str,
    ) -> None:
        """Every run of ``runs`` (drawn as ``what``) finished and inside the map ``window``."""
        (x_low, x_high), (y_low, y_high) = window
        for run in runs:
            positions = run.positions
            ok = (
                not run.diverged
                and bool(np.all(np.isfinite(positions)))
                and bool(np.all((positions[:, 0] >= x_low) & (positions[:, 0] <= x_high)))
                and bool(np.all((positions[:, 1] >= y_low) & (positions[:, 1] <= y_high)))
            )
            if not ok:
                far = "diverges" if run.diverged else "leaves it"
                self.refuse(
                    RUN_KEYS,
                    f"{what} (the run with β = {run.beta:g}) to stay on its map, x in "
                    f"[{x_low:g}, {x_high:g}] and y in [{y_low:g}, {y_high:g}]; it {far}",
                )

    def finishes(self, run: Trajectory, threshold: float, who: str, where: str) -> int:
        """The first step at which ``run`` (``who``) gets below ``threshold``, which the chapter
        shows ``where``; refused when it never does within its steps."""
        step = run.steps_to_converge(threshold)
        if step is None:
            self.refuse(
                FINISH_KEYS,
                f"{who} to get below the threshold {threshold:g} within its "
                f"{self.experiment.steps} steps ({where}); its lowest loss is "
                f"{float(np.min(run.losses)):.3g}",
            )
        return step

    def never_finishes(self, run: Trajectory, threshold: float, who: str, where: str) -> None:
        """``run`` (``who``) never gets below ``threshold`` within its steps (``where``)."""
        step = run.steps_to_converge(threshold)
        if step is not None:
            self.refuse(
                FINISH_KEYS,
                f"{who} never to get below the threshold {threshold:g} within its "
                f"{self.experiment.steps} steps ({where}); it does at step {step}",
            )

    def spoken(
        self,
        value: float,
        digits: int,
        what: str,
        keys: Sequence[str] = RUN_KEYS,
        nonzero: bool = False,
    ) -> None:
        """``value``, said with ``digits`` significant digits, is finite and at most
        :data:`MAX_SPOKEN_DIGITS` digits long (and not 0, when ``nonzero``)."""
        value = float(value)
        said = spoken_number(value, digits) if math.isfinite(value) else repr(value)
        ok = math.isfinite(value) and digits_said(said) <= MAX_SPOKEN_DIGITS
        if nonzero:
            ok = ok and value != 0
        self.require(
            ok,
            keys,
            f"{what} to be a number it can say in at most {MAX_SPOKEN_DIGITS} digits"
            f"{' and not 0' if nonzero else ''}; it would say {said}",
        )

    def said_as_given(self, key: str, value: float, digits: int, how: str) -> None:
        """A value the file gives (``key``) that the chapter says or shows with ``digits``
        significant digits (``how``) reads back as itself: the chapter never rounds it."""
        said = spoken_number(float(value), digits)
        self.require(
            digits_said(said) <= MAX_SPOKEN_DIGITS,
            (key,),
            f"{key} to be a number it can say in at most {MAX_SPOKEN_DIGITS} digits; "
            f"it would say {said}",
        )
        self.require(
            math.isclose(float(said.replace(MINUS, "-")), float(value), rel_tol=1e-9),
            (key,),
            f"{key} with at most {digits} significant digit{'s' if digits > 1 else ''} "
            f"({how}), not rounded to {said}",
        )
