"""Your own experiment: a TOML file of a surface, a start and up to eight optimizer runs.

Example ``experiment.toml``::

    title = "Rosenbrock's valley"
    surface = { formula = "(1 - x)**2 + 100*(y - x**2)**2", x = [-2.0, 2.0], y = [-1.0, 3.0] }
    # or: surface = "rosenbrock"   (a named surface, on its own window)
    start = [-1.5, 2.0]
    steps = 400
    threshold = 1e-3

    [[runs]]
    optimizer = "gd"
    lr = 0.001

    [[runs]]
    optimizer = "momentum"   # the pytorch convention unless `convention` says otherwise
    lr = 0.001
    beta = 0.9

    [[runs]]
    optimizer = "adam"       # betas = [0.9, 0.999], eps = 1e-8 unless given (torch.optim.Adam)
    lr = 0.02

The file is data only: it is parsed with :mod:`tomllib`, and a formula with
:mod:`momentum_math.formula`'s own grammar (nothing in it is run). :func:`load`
checks every value before anything is computed and raises a
:class:`~lessonkit.errors.ConfigError` naming the file, the key and what is
allowed. :func:`figures` computes every number the clip shows or says with
``momentum_math``; :func:`figures_data` is the same as plain JSON data.

This module imports no manim: the ``momentum-lesson clip`` command checks a
file and writes its figures without the video stack.
"""

from __future__ import annotations

import dataclasses
import math
import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from slugify import slugify

from lessonkit.errors import ConfigError
from lessonkit.formatting import said_number, shown_number
from momentum_math import Surface, Trajectory, surfaces
from momentum_math.formula import formula_surface
from momentum_math.optimizers import OPTIMIZERS, Optimizer, optimize, optimizer

__all__ = [
    "EXPERIMENT_ENV",
    "KEYS",
    "MAX_RUNS",
    "MAX_STEPS",
    "ClipFigures",
    "Experiment",
    "Run",
    "RunFigures",
    "figures",
    "figures_data",
    "check_map",
    "load",
    "loads",
    "parse",
    "read_text",
    "setting_text",
]

#: The environment variable naming the experiment file that ``scenes/experiment.py`` renders.
EXPERIMENT_ENV = "MOMENTUM_EXPERIMENT"
#: The keys of the file's top level.
KEYS = ("title", "surface", "start", "steps", "threshold", "runs", "view")
#: The keys of a formula surface's table.
SURFACE_KEYS = ("formula", "x", "y", "name")
#: The most runs one clip compares (each gets a colour and a legend line).
MAX_RUNS = 8
#: The most steps a run may take (the clip shows them in its 20 to 60 seconds).
MAX_STEPS = 20_000
#: The longest title (it has one line above the map).
MAX_TITLE = 60
#: The views a clip can show: the map alone, or a 3-D view of the surface first.
VIEWS = ("map", "3d")
#: The largest coordinate a start or a window may have (the map's scale stays drawable).
COORDINATE_LIMIT = 1e6
#: The narrowest window, relative to its largest coordinate (or 1): finer is below what the
#: map and its numbers can tell apart.
MIN_RELATIVE_SPAN = 1e-6
#: The largest threshold either way (the loss plot's axis spans a few times it).
THRESHOLD_LIMIT = 1e100
#: The grid the map's contours are traced on (``lessonkit.maps.ContourMap``'s resolution).
MAP_GRID = 160
#: Control characters (a title or a label is one line of text on screen and in speech).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Keys of a run that are not hyper-parameters of its optimizer.
RUN_OWN_KEYS = ("optimizer", "label")
#: How each optimizer is named on screen and in the narration.
OPTIMIZER_NAMES = {
    "gd": "plain gradient descent",
    "momentum": "momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}
#: Short names for the legend.
OPTIMIZER_SHORT = {
    "gd": "plain GD",
    "momentum": "momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}

FloatArray = NDArray[np.float64]
Window = tuple[tuple[float, float], tuple[float, float]]


@dataclass(frozen=True)
class Run:
    """One run of the experiment: its optimizer (with every hyper-parameter) and its name."""

    optimizer: Optimizer
    label: str
    given_label: bool = False
    #: How the narration says ``label`` (the same words, symbols spelled out).
    spoken: str = ""
    #: The settings the label itself shows (``"lr"``, ``"betas"``, …): the legend does not
    #: repeat them.
    label_keys: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class Experiment:
    """A checked experiment file.

    ``surface`` is on ``window`` (the file's, the named surface's, or fitted to the
    runs when a formula gives none: ``window_given`` says which).
    """

    name: str
    title: str
    surface: Surface
    surface_data: dict[str, Any]
    window: Window
    window_given: bool
    start: tuple[float, float]
    steps: int
    threshold: float
    runs: tuple[Run, ...]
    view: str = "map"
    source: str | None = None


def _where(file: str | None) -> str:
    return f"{Path(file).name}: " if file else ""


def _number(at: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"{at} = {value!r}: must be a number")
    try:
        number = float(value)
    except OverflowError:  # a TOML integer past any float
        raise ConfigError(f"{at} = {value!r}: too large; must be a finite number") from None
    if not math.isfinite(number):
        raise ConfigError(f"{at} = {value!r}: must be finite")
    return number


def _pair(at: str, value: Any, increasing: bool = False) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) != 2:
        raise ConfigError(f"{at} = {value!r}: must be a list of two numbers")
    low, high = (_number(f"{at}[{index}]", item) for index, item in enumerate(value))
    for index, item in enumerate((low, high)):
        if abs(item) > COORDINATE_LIMIT:
            raise ConfigError(
                f"{at}[{index}] = {item!r}: must be between {-COORDINATE_LIMIT:g} and "
                f"{COORDINATE_LIMIT:g}"
            )
    if increasing:
        if not low < high:
            raise ConfigError(f"{at} = {value!r}: must be [low, high] with low < high")
        scale = max(1.0, abs(low), abs(high))
        if high - low < MIN_RELATIVE_SPAN * scale:
            raise ConfigError(
                f"{at} = {value!r}: too narrow to draw; high - low must be at least "
                f"{MIN_RELATIVE_SPAN * scale:g}"
            )
    return low, high


def _text(at: str, value: Any, longest: int) -> str:
    """A one-line text of 1 to ``longest`` characters (a title or a label)."""
    if not isinstance(value, str) or not 0 < len(value.strip()) <= longest:
        raise ConfigError(f"{at} = {value!r}: must be text of 1 to {longest} characters")
    if _CONTROL.search(value):
        raise ConfigError(f"{at} = {value!r}: must be one line of text, without control characters")
    return value.strip()


def _surface(
    value: Any, start: tuple[float, float], at: str = "surface"
) -> tuple[Surface, dict[str, Any], Window | None]:
    """The file's ``surface``: a name, or a table with a formula (and maybe a window)."""
    if isinstance(value, str):
        if value not in surfaces.NAMES:
            raise ConfigError(
                f"{at} = {value!r}: must be a formula table or one of {', '.join(surfaces.NAMES)}"
            )
        surface = surfaces.get(value)
        return surface, {"name": value}, (surface.x_range, surface.y_range)
    if not isinstance(value, dict) or at != "surface":
        raise ConfigError(
            f"{at} = {value!r}: must be a surface name (one of {', '.join(surfaces.NAMES)})"
            + (
                ' or a table { formula = "x**2 + y**2", x = [-1, 1], y = [-1, 1] }'
                if at == "surface"
                else ""
            )
        )
    for key in value:
        if key not in SURFACE_KEYS:
            raise ConfigError(
                f"surface.{key}: unknown key; allowed keys: {', '.join(SURFACE_KEYS)}"
            )
    if ("formula" in value) == ("name" in value):
        raise ConfigError(
            'surface: give exactly one of formula = "..." (with x and y if you like) or '
            'name = "..."'
        )
    window: Window | None = None
    if "x" in value or "y" in value:
        if not ("x" in value and "y" in value):
            raise ConfigError("surface: give both x = [low, high] and y = [low, high], or neither")
        window = (_pair("surface.x", value["x"], True), _pair("surface.y", value["y"], True))
    if "name" in value:
        surface, data, own = _surface(value["name"], start, "surface.name")
        chosen = window or own
        assert chosen is not None
        return dataclasses.replace(surface, x_range=chosen[0], y_range=chosen[1]), data, chosen
    text = value["formula"]
    if not isinstance(text, str):
        raise ConfigError(f'surface.formula = {text!r}: must be a string such as "x**2 + y**2"')
    # Without a window the map is fitted to the runs later; until then, the start's square.
    provisional = window or _around(start, 1.0)
    try:
        surface = formula_surface(text, provisional[0], provisional[1])
    except ValueError as error:  # a FormulaError (text and position) or an unusable window
        raise ConfigError(f"surface.formula: {error}") from None
    return surface, {"formula": text}, window


def _around(point: tuple[float, float], half: float) -> Window:
    return ((point[0] - half, point[0] + half), (point[1] - half, point[1] + half))


def _run(index: int, value: Any) -> Run:
    at = f"runs[{index}]"
    if not isinstance(value, dict):
        raise ConfigError(f'{at} = {value!r}: must be a table with optimizer = "..." and lr')
    name = value.get("optimizer")
    if name not in OPTIMIZERS:
        raise ConfigError(f"{at}.optimizer = {name!r}: must be one of {', '.join(OPTIMIZERS)}")
    label = value.get("label")
    if label is not None:
        label = _text(f"{at}.label", label, 32)
    hyper = {key: item for key, item in value.items() if key not in RUN_OWN_KEYS}
    try:
        chosen = optimizer(name, **hyper)
    except (TypeError, ValueError) as error:
        raise ConfigError(f"{at}: {error}") from None
    return Run(chosen, label or "", label is not None, label or "")


#: How the legend and the narration name a setting that tells two runs apart.
_SETTING_NAMES = {
    "lr": ("lr", "learning rate"),
    "beta": ("β", "beta"),
    "betas": ("betas", "betas"),
    "eps": ("ε", "epsilon"),
    "alpha": ("α", "alpha"),
    "weight_decay": ("weight decay", "weight decay"),
    "lr_decay": ("lr decay", "learning rate decay"),
    "dampening": ("dampening", "dampening"),
    "momentum": ("momentum", "momentum"),
    "initial_accumulator_value": ("initial accumulator", "initial accumulator"),
}


def setting_text(key: str, value: Any, spoken: bool = False, equals: bool = False) -> str:
    """One setting as the legend (or, ``spoken``, the narration) says it: ``lr 0.01``
    (``lr = 0.01`` with ``equals``, as a run's name has it), ``betas 0.8, 0.999``,
    ``amsgrad``, ``ema convention``."""
    screen, said = _SETTING_NAMES.get(key, (key.replace("_", " "), key.replace("_", " ")))
    name = said if spoken else screen
    number = said_number if spoken else shown_number
    if isinstance(value, bool):
        return name if value else f"no {name}"
    if isinstance(value, str):
        return f"{value} {key}"
    joiner = " = " if equals and not spoken else " "
    if isinstance(value, list | tuple):
        items = (number(float(item)) for item in value)
        return f"{name}{joiner}{(' and ' if spoken else ', ').join(items)}"
    return f"{name}{joiner}{number(float(value))}"


def _base_names(run: Run) -> tuple[str, str, tuple[str, ...]]:
    """A run's own name on screen and in speech, and the settings that name shows."""
    opt = run.optimizer
    if opt.name == "momentum":
        hyper = opt.hyperparameters
        prefix = "Nesterov momentum" if hyper.get("nesterov") else "momentum"
        beta = hyper["beta"]
        return (
            f"{prefix}, β = {shown_number(beta)}",
            f"{prefix} with beta {said_number(beta)}",
            ("beta", "nesterov"),
        )
    return OPTIMIZER_SHORT[opt.name], OPTIMIZER_NAMES[opt.name], ()


def _settings_of(run: Run) -> dict[str, Any]:
    return {"lr": run.optimizer.lr, **run.optimizer.hyperparameters}


def _clash(named: Sequence[Run], index: int) -> int | None:
    """The first other run whose name on screen or in speech is run ``index``'s too."""
    run = named[index]
    for other, candidate in enumerate(named):
        if other != index and (
            candidate.label.casefold() == run.label.casefold()
            or candidate.spoken.casefold() == run.spoken.casefold()
        ):
            return other
    return None


def _labels(runs: list[Run]) -> list[Run]:
    """Name every run: the file's label, else its optimizer's, with the settings that tell
    equal names apart (the learning rate first, then the others in torch's order), then
    the run's number in the file for runs alike in everything."""
    named = []
    for run in runs:
        if run.given_label:
            named.append(run)
            continue
        label, spoken, keys = _base_names(run)
        named.append(dataclasses.replace(run, label=label, spoken=spoken, label_keys=keys))
    groups: dict[str, list[int]] = {}
    for index, run in enumerate(named):
        if not run.given_label:
            groups.setdefault(run.label, []).append(index)
    for members in groups.values():
        if len(members) < 2:
            continue
        settings = [_settings_of(named[index]) for index in members]
        candidates = [key for key in settings[0] if key not in named[members[0]].label_keys]
        differing = [
            key for key in candidates if len({repr(item.get(key)) for item in settings}) > 1
        ]
        chosen: list[str] = []
        for key in differing:  # the fewest settings that tell the group apart, in order
            chosen.append(key)
            if len({tuple(repr(item.get(k)) for k in chosen) for item in settings}) == len(members):
                break
        for index, setting in zip(members, settings, strict=True):
            run = named[index]
            screen = "".join(
                f", {setting_text(key, setting.get(key), equals=True)}" for key in chosen
            )
            # Said as one phrase ("Adam with learning rate 0.01 and betas 0.8 and 0.999"):
            # a list of runs is said with commas, so a run's own name has none.
            joiner = " and " if " with " in run.spoken else " with "
            said = joiner + " and ".join(
                setting_text(key, setting.get(key), True) for key in chosen
            )
            named[index] = dataclasses.replace(
                run,
                label=run.label + screen,
                spoken=run.spoken + said,
                label_keys=run.label_keys + tuple(chosen),
            )
    given: dict[str, int] = {}
    for index, run in enumerate(named):
        if run.given_label:
            key = run.label.casefold()
            if key in given:
                raise ConfigError(
                    f"runs[{index}].label = {run.label!r}: runs[{given[key]}] has that "
                    "label too; each run needs its own"
                )
            given[key] = index

    alike = [
        index
        for index in range(len(named))
        if _clash(named, index) is not None and not named[index].given_label
    ]
    for index in alike:  # alike in everything (or named as a label is): their number in the file
        run = named[index]
        named[index] = dataclasses.replace(
            run, label=f"{run.label} (run {index + 1})", spoken=f"{run.spoken} number {index + 1}"
        )
    for index, run in enumerate(named):
        other = _clash(named, index)
        if other is not None:  # a file's label that is another run's name, numbered or not
            mine, theirs = (index, other) if run.given_label else (other, index)
            raise ConfigError(
                f"runs[{mine}].label = {named[mine].label!r}: it is also the name of "
                f"runs[{theirs}] ({named[theirs].label!r}); choose another"
            )
    return named


def parse(data: Mapping[str, Any], file: str | None = None, name: str = "experiment") -> Experiment:
    """The experiment of ``data`` (a parsed TOML table), every value checked.

    Errors are :class:`ConfigError` naming ``file``, the key and what is allowed.
    """
    where = _where(file)
    try:
        return _parse(data, file, name)
    except ConfigError as error:
        raise ConfigError(f"{where}{error}") from None


def _parse(data: Mapping[str, Any], file: str | None, name: str) -> Experiment:
    for key in data:
        if key not in KEYS:
            raise ConfigError(f"{key}: unknown key; allowed keys: {', '.join(KEYS)}")
    for key in ("surface", "start", "runs"):
        if key not in data:
            raise ConfigError(f"{key}: missing; an experiment needs surface, start and runs")
    title = _text("title", data.get("title", "Your experiment"), MAX_TITLE)
    start = _pair("start", data["start"])
    surface, surface_data, window = _surface(data["surface"], start)
    steps = data.get("steps", 200)
    if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
        raise ConfigError(f"steps = {steps!r}: must be a whole number from 1 to {MAX_STEPS}")
    threshold = _number("threshold", data.get("threshold", 1e-3))
    if abs(threshold) > THRESHOLD_LIMIT:
        raise ConfigError(
            f"threshold = {threshold!r}: must be between {-THRESHOLD_LIMIT:g} and "
            f"{THRESHOLD_LIMIT:g} (the loss plot shows it)"
        )
    view = data.get("view", "map")
    if view not in VIEWS:
        raise ConfigError(f"view = {view!r}: must be one of {', '.join(VIEWS)}")
    runs_value = data["runs"]
    if not isinstance(runs_value, list) or not 1 <= len(runs_value) <= MAX_RUNS:
        count = len(runs_value) if isinstance(runs_value, list) else runs_value
        raise ConfigError(
            f"runs: {count!r} given; an experiment has from 1 to {MAX_RUNS} [[runs]] tables"
        )
    runs = _labels([_run(index, value) for index, value in enumerate(runs_value)])
    if window is not None:
        (x_low, x_high), (y_low, y_high) = window
        if not (x_low <= start[0] <= x_high and y_low <= start[1] <= y_high):
            raise ConfigError(
                f"start = [{start[0]:g}, {start[1]:g}]: must lie on the map, x in "
                f"[{x_low:g}, {x_high:g}] and y in [{y_low:g}, {y_high:g}]"
            )
    try:
        surface.value(np.array(start))
        surface.gradient(np.array(start))
    except ValueError:
        raise ConfigError(
            f"start = [{start[0]:g}, {start[1]:g}]: the loss or its gradient is not finite there"
        ) from None
    return Experiment(
        name=slugify(name, separator="_") or "experiment",
        title=title,
        surface=surface,
        surface_data=surface_data,
        window=window or _around(start, 1.0),
        window_given=window is not None,
        start=start,
        steps=steps,
        threshold=threshold,
        runs=tuple(runs),
        view=view,
        source=file,
    )


def read_text(path: str | Path) -> str:
    """The experiment file's text (UTF-8), or a :class:`ConfigError` saying why not."""
    file = Path(path)
    try:
        return file.read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{file}: no such experiment file") from None
    except IsADirectoryError:
        raise ConfigError(f"{file}: is a folder, not an experiment file") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{file.name}: not UTF-8 text ({error.reason})") from None
    except OSError as error:
        raise ConfigError(f"{file}: cannot be read: {error.strerror or error}") from None


def loads(text: str, path: str | Path) -> Experiment:
    """The experiment in ``text``, the TOML of the file ``path`` (named after it)."""
    file = Path(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file.name}: not valid TOML: {error}") from None
    return parse(data, str(file), file.stem)


def load(path: str | Path) -> Experiment:
    """The experiment in the TOML file ``path``, every value checked (see :func:`parse`)."""
    return loads(read_text(path), path)


# --- the figures ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class RunFigures:
    """What the clip shows and says of one run.

    ``steps_to_threshold`` is the first step whose loss is below the threshold
    (the start is step 0), None if there is none. ``left_step`` is the first step
    off the map (the drawn path ends at the map's edge there), ``diverged_step``
    the step the run diverged at (``momentum_math``'s rule), each None if none.
    ``shown`` is the run as drawn on the map: up to the step where it leaves the map,
    or all. ``stop_step`` is where its counter and loss curve stop: its finish, or its
    last step.
    """

    label: str
    optimizer: str
    lr: float
    hyperparameters: dict[str, Any]
    steps_to_threshold: int | None
    final_loss: float
    lowest_loss: float
    diverged_step: int | None
    left_step: int | None
    stop_step: int
    run: Trajectory = field(repr=False)
    shown: Trajectory = field(repr=False)
    exit_point: tuple[float, float] | None = None
    #: How the narration names the run (see :class:`Run`).
    spoken: str = ""
    #: The settings its label shows, which the legend does not repeat.
    label_keys: tuple[str, ...] = ()

    @property
    def finished(self) -> bool:
        return self.steps_to_threshold is not None


@dataclass(frozen=True, eq=False)
class ClipFigures:
    """Every number of the clip, from ``momentum_math``: the runs and the verdict.

    ``finishers`` are the indexes of the runs that reach the threshold, first first
    (ties keep the file's order); ``winner`` is the first of them, or None.
    """

    experiment: Experiment
    surface: Surface
    window: Window
    runs: tuple[RunFigures, ...]
    finishers: tuple[int, ...]
    winner: int | None
    tied: tuple[int, ...]

    @property
    def threshold(self) -> float:
        return self.experiment.threshold


def _outside(positions: FloatArray, window: Window) -> NDArray[np.bool_]:
    (x_low, x_high), (y_low, y_high) = window
    return ~(
        (positions[:, 0] >= x_low)
        & (positions[:, 0] <= x_high)
        & (positions[:, 1] >= y_low)
        & (positions[:, 1] <= y_high)
    )


def _edge_point(inside: FloatArray, outside: FloatArray, window: Window) -> tuple[float, float]:
    """Where the segment from ``inside`` to ``outside`` crosses the window's edge."""
    (x_low, x_high), (y_low, y_high) = window
    fraction = 1.0
    delta = outside - inside
    for axis, (low, high) in enumerate(((x_low, x_high), (y_low, y_high))):
        if delta[axis] > 0 and outside[axis] > high:
            fraction = min(fraction, (high - inside[axis]) / delta[axis])
        elif delta[axis] < 0 and outside[axis] < low:
            fraction = min(fraction, (low - inside[axis]) / delta[axis])
    point = inside + max(0.0, min(1.0, fraction)) * delta
    return (
        float(min(max(point[0], x_low), x_high)),
        float(min(max(point[1], y_low), y_high)),
    )


def _fitted_window(runs: Sequence[Trajectory], start: tuple[float, float]) -> Window:
    """A window around every steady run's path and the start, a tenth wider on each side.

    A run that diverges is left out (it leaves the map, and the clip says so); when every
    run diverges, the window is the start's neighbourhood (half its distance from the
    origin each way, at least 1).
    """
    steady = [run for run in runs if not run.diverged]
    if not steady:
        return _around(start, max(1.0, 0.5 * math.hypot(*start)))
    points = np.vstack([run.positions for run in steady] + [np.array([start])])
    low, high = points.min(axis=0), points.max(axis=0)
    spread = np.maximum(high - low, 1e-3 * np.maximum(1.0, np.abs(high) + np.abs(low)))
    center = 0.5 * (low + high)
    half = np.maximum(0.5 * spread * 1.2, 0.1)
    return (
        (float(center[0] - half[0]), float(center[0] + half[0])),
        (float(center[1] - half[1]), float(center[1] + half[1])),
    )


def check_map(surface: Surface, window: Window, fitted: bool) -> None:
    """The loss must be finite and not flat on the whole map (its contours, its 3-D view and
    its colours are drawn from it): a clear error naming the window otherwise."""
    (x_low, x_high), (y_low, y_high) = window
    xs, ys = np.linspace(x_low, x_high, MAP_GRID), np.linspace(y_low, y_high, MAP_GRID)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        values = np.asarray(surface.value_fn(grid), dtype=float)
    where = f"x in [{x_low:g}, {x_high:g}], y in [{y_low:g}, {y_high:g}]"
    how = (
        "the window was fitted to the runs: give surface.x and surface.y where it is"
        if fitted
        else "choose surface.x and surface.y where it is"
    )
    bad = ~np.isfinite(values)
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ConfigError(
            f"surface: the loss is not a finite number everywhere on the map ({where}); "
            f"at ({xs[column]:g}, {ys[row]:g}) it is {values[row, column]!r}; {how}"
        )
    low, high = float(values.min()), float(values.max())
    # The contours are drawn up to the loss below which 80 % of the map lies (as
    # lessonkit.maps.contour_levels does): a map flat on that much of it has none to draw.
    most = float(np.quantile(values, 0.8))
    if not most - low > 1e-12 * max(1.0, abs(low), abs(most)):
        extent = "everywhere" if not high > low else "on most of it"
        raise ConfigError(
            f"surface: the loss is flat on the map ({where}: {low:g} {extent}), so there is "
            "nothing to draw or descend; give a formula that changes over the window"
        )


def _run_figures(run: Run, trajectory: Trajectory, window: Window, threshold: float) -> RunFigures:
    below = np.flatnonzero(trajectory.losses < threshold)  # any finite threshold: L may be < 0
    finish = int(below[0]) if below.size else None
    off = np.flatnonzero(_outside(trajectory.positions, window))
    left_step = int(off[0]) if off.size else None
    shown, exit_point = trajectory, None
    if left_step is not None:
        inside, outside = trajectory.positions[left_step - 1], trajectory.positions[left_step]
        exit_point = _edge_point(inside, outside, window)
        keep = left_step  # steps 0 .. left_step - 1, then the edge point
        positions = np.vstack((trajectory.positions[:keep], np.array([exit_point])))
        shown = dataclasses.replace(
            trajectory,
            positions=positions,
            velocities=trajectory.velocities[: keep + 1],
            gradients=trajectory.gradients[: keep + 1],
            losses=trajectory.losses[: keep + 1],
        )
    stop = finish if finish is not None else trajectory.num_steps
    opt = run.optimizer
    return RunFigures(
        label=run.label,
        optimizer=opt.name,
        lr=opt.lr,
        hyperparameters=dict(opt.hyperparameters),
        steps_to_threshold=finish,
        final_loss=trajectory.final_loss,
        lowest_loss=float(np.min(trajectory.losses)),
        diverged_step=trajectory.diverged_step,
        left_step=left_step,
        stop_step=stop,
        run=trajectory,
        shown=shown,
        exit_point=exit_point,
        spoken=run.spoken,
        label_keys=run.label_keys,
    )


def figures(experiment: Experiment) -> ClipFigures:
    """Run every optimizer of ``experiment`` with ``momentum_math`` and judge the race."""
    start = np.array(experiment.start)
    surface = experiment.surface
    try:
        trajectories = [
            optimize(surface, start, run.optimizer, steps=experiment.steps)
            for run in experiment.runs
        ]
    except ValueError as error:  # every value was checked: this names what momentum_math refused
        raise ConfigError(f"{_where(experiment.source)}{error}") from None
    window = experiment.window
    if not experiment.window_given:
        window = _fitted_window(trajectories, experiment.start)
        try:
            surface = formula_surface(
                experiment.surface_data["formula"], window[0], window[1], title=surface.title
            )
        except ValueError as error:
            raise ConfigError(
                f"{_where(experiment.source)}surface.formula (on the window fitted to the runs, "
                f"x in [{window[0][0]:g}, {window[0][1]:g}], y in [{window[1][0]:g}, "
                f"{window[1][1]:g}]): {error}; give surface.x and surface.y"
            ) from None
        trajectories = [
            dataclasses.replace(trajectory, surface=surface) for trajectory in trajectories
        ]
    try:
        check_map(surface, window, not experiment.window_given)
    except ConfigError as error:
        raise ConfigError(f"{_where(experiment.source)}{error}") from None
    runs = tuple(
        _run_figures(run, trajectory, window, experiment.threshold)
        for run, trajectory in zip(experiment.runs, trajectories, strict=True)
    )
    finishers = sorted(
        (index for index, run in enumerate(runs) if run.steps_to_threshold is not None),
        key=lambda index: (runs[index].steps_to_threshold, index),
    )
    winner = finishers[0] if finishers else None
    tied = tuple(
        index
        for index in finishers
        if winner is not None and runs[index].steps_to_threshold == runs[winner].steps_to_threshold
    )
    return ClipFigures(
        experiment=dataclasses.replace(experiment, surface=surface, window=window),
        surface=surface,
        window=window,
        runs=runs,
        finishers=tuple(finishers),
        winner=winner,
        tied=tied,
    )


def _plain(value: Any) -> Any:
    if isinstance(value, bool | str | int) or value is None:
        return value
    if isinstance(value, float | np.floating):
        return float(value)
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [_plain(item) for item in value]
    return str(value)


def figures_data(figs: ClipFigures) -> dict[str, Any]:
    """The clip's figures as plain JSON data (the ``<name>.json`` beside the MP4)."""
    experiment = figs.experiment
    return {
        "title": experiment.title,
        "surface": {
            **experiment.surface_data,
            "latex": figs.surface.latex,
            "x": list(figs.window[0]),
            "y": list(figs.window[1]),
            "window": "given" if experiment.window_given else "fitted to the runs",
        },
        "start": list(experiment.start),
        "steps": experiment.steps,
        "threshold": experiment.threshold,
        "runs": [
            {
                "label": run.label,
                "optimizer": run.optimizer,
                "lr": run.lr,
                "hyperparameters": _plain(run.hyperparameters),
                "steps_to_threshold": run.steps_to_threshold,
                "final_loss": run.final_loss,
                "final_step": run.run.num_steps,
                "lowest_loss": run.lowest_loss,
                "diverged": run.diverged_step is not None,
                "diverged_step": run.diverged_step,
                "left_map_step": run.left_step,
                "final_position": [float(value) for value in run.run.final_position],
            }
            for run in figs.runs
        ],
        "winner": None if figs.winner is None else figs.runs[figs.winner].label,
        "tied": [figs.runs[index].label for index in figs.tied],
        "finish_order": [figs.runs[index].label for index in figs.finishers],
    }
