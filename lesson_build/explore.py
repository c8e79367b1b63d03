"""The explorable half of the lesson page: what its playground, (α, β) map, transcript and
quiz show, computed at build time from ``momentum_math`` and the chapters' figures.

:func:`explore_data` returns plain JSON data that the page embeds (``templates/explore.js``
reads it):

- ``surfaces``: every surface a chapter's "Try it" opens, with its window, the videos'
  contour levels (:func:`lessonkit.levels.contour_levels`), its contour lines traced here
  (contourpy) or, for a quadratic, its Hessian (the page draws exact ellipses), its minima,
  and the ``kind`` the page computes it as (``"quadratic"`` or ``"qfsp"``, checked here bit
  for bit against the surface on sample points; ``None``: the page cannot compute it).
- ``tries``: each chapter's own experiment (surface, start, steps, threshold and its runs'
  α, β and convention), read from the chapter's figures as the manifest holds them.
- ``heatmap``: steps to the threshold over a grid of α and β for the race's surface, start,
  steps and convention, every cell from :func:`momentum_math.simulate_batch`, with the
  theory's optimum (α*, β*) in the race's convention and the race's own settings.
- ``presets``: what a downloaded ``lesson.toml`` may set (``lesson_narration.registry``).

:func:`transcript` groups the flagship's captions by chapter, and :func:`quiz` is the recap's
three questions with their choices (``lesson_narration.recap.quiz``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lesson_narration.registry import LESSON, PRESET_KEYS
from lessonkit import levels, palette
from momentum_math import DIVERGENCE_BOUND, Surface, simulate_batch, surfaces, theory
from momentum_math.presets import Experiment

__all__ = [
    "COLORS",
    "DEFAULT_THRESHOLD",
    "HEATMAP_BETAS",
    "HEATMAP_LR_COUNT",
    "TranscriptLine",
    "explore_data",
    "heatmap",
    "js_kind",
    "quiz",
    "transcript",
    "tries",
]

#: The playground's colours, by meaning, the videos' own (:mod:`lessonkit.palette`).
COLORS: dict[str, str] = {
    "background": palette.BACKGROUND,
    "text": palette.TEXT,
    "muted": palette.MUTED_TEXT,
    "panel": palette.PANEL,
    "border": palette.PANEL_BORDER,
    "axis": palette.AXIS,
    "contour_low": palette.CONTOUR_LOW,
    "contour_high": palette.CONTOUR_HIGH,
    "minimum": palette.MINIMUM,
    "gd": palette.GD,
    "light_momentum": palette.LIGHT_MOMENTUM,
    "momentum": palette.MOMENTUM,
    "long_momentum": palette.LONG_MOMENTUM,
    "overshoot": palette.OVERSHOOT,
    "gradient": palette.GRADIENT,
    "velocity": palette.VELOCITY,
    "highlight": palette.HIGHLIGHT,
}

#: The videos' bands of β (:data:`lessonkit.palette.RUN_BANDS`) as the page colours runs: for
#: β > 0, the first band whose bound is above β; each with its key in :data:`COLORS`.
RUN_BANDS: list[dict[str, Any]] = [
    {
        "below": bound,
        "low": low,
        "key": next(key for key, value in COLORS.items() if value == color),
        "name": meaning,
    }
    for (low, _, _), (bound, color, meaning) in zip(
        palette.RUN_BANDS[:-1], palette.RUN_BANDS[1:], strict=True
    )
]

#: The finish line a chapter without one is tried with (the race's, in the published lesson).
DEFAULT_THRESHOLD = 1e-3
#: The (α, β) map's momenta: 0 to 0.98 in steps of 0.02 (each as written, e.g. 0.9 not
#: 0.9000000000000001).
HEATMAP_BETAS: tuple[float, ...] = tuple(round(0.02 * k, 2) for k in range(50))
#: How many step sizes the (α, β) map has, log-spaced.
HEATMAP_LR_COUNT = 48
#: Grid points a side of the traced contour lines, and the digits their points keep.
CONTOUR_RESOLUTION = 120
CONTOUR_DIGITS = 4


# --- surfaces -------------------------------------------------------------------------------


def _sample_points(surface: Surface) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(20261202)
    (x0, x1), (y0, y1) = surface.x_range, surface.y_range
    scale = 4.0
    xs = rng.uniform(scale * x0, scale * x1, 64)
    ys = rng.uniform(scale * y0, scale * y1, 64)
    return np.concatenate([xs, [0.0, 1e6, -3e9]]), np.concatenate([ys, [0.0, -2e5, 7e9]])


def _quadratic_js(h: Sequence[float], x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """The quadratic's L and ∇L in the page's order of operations (explore.js ``quadratic``)."""
    h_xx, h_xy, h_yx, h_yy = h
    gx = x * h_xx
    gy = y * h_yy
    if not (h_xy == 0.0 and h_yx == 0.0):
        gx = gx + y * h_yx
        gy = x * h_xy + gy
    value = (gx * x + gy * y) * 0.5
    return value, gx, gy


def _qfsp_js(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
    """The bumpy bowl's L and ∇L in the page's order of operations (explore.js ``qfsp``)."""
    sx, cx, sy, cy = np.sin(x), np.cos(x), np.sin(y), np.cos(y)
    return x * x + y * y + 10.0 * sx * sy, 2.0 * x + 10.0 * cx * sy, 2.0 * y + 10.0 * sx * cy


def js_kind(surface: Surface) -> tuple[str | None, list[float] | None]:
    """How the page computes ``surface``: ``("quadratic", [hxx, hxy, hyx, hyy])``,
    ``("qfsp", None)``, or ``(None, None)`` when it cannot.

    A kind is taken only when its formula, in the page's order of operations, equals the
    surface's own L and ∇L bit for bit on sample points (in and far outside the window).
    """
    x, y = _sample_points(surface)
    points = np.stack((x, y), axis=-1)
    with np.errstate(all="ignore"):
        value, gradient = surface.value(points), surface.gradient(points)

    def same(candidate: tuple[np.ndarray, ...]) -> bool:
        return all(
            np.array_equal(a, b, equal_nan=True)
            for a, b in zip(candidate, (value, gradient[:, 0], gradient[:, 1]), strict=True)
        )

    with np.errstate(all="ignore"):
        if surface.hessian is not None:
            h = [float(v) for v in np.asarray(surface.hessian, dtype=float).reshape(4)]
            if same(_quadratic_js(h, x, y)):
                return "quadratic", h
        if same(_qfsp_js(x, y)):
            return "qfsp", None
    return None, None


def _rounded(values: np.ndarray) -> list[float]:
    return [float(f"{v:.{CONTOUR_DIGITS}g}") for v in values]


def _surface_data(surface: Surface) -> dict[str, Any]:
    """One surface as the playground draws and computes it."""
    import contourpy

    from lessonkit.config import surface_data

    x_range = (float(surface.x_range[0]), float(surface.x_range[1]))
    y_range = (float(surface.y_range[0]), float(surface.y_range[1]))
    rings = levels.contour_levels(surface, x_range, y_range)
    ellipses = levels.ellipses_fit(surface, x_range, y_range)
    kind, hessian = js_kind(surface)
    lines: list[list[Any]] = []
    if not ellipses:
        tracer = contourpy.contour_generator(
            *levels.grid(surface, x_range, y_range, CONTOUR_RESOLUTION)
        )
        for index, level in enumerate(rings):
            for segment in tracer.lines(float(level)):
                if len(segment) >= 3:
                    lines.append([index, _rounded(np.asarray(segment).reshape(-1))])
    data: dict[str, Any] = {
        "name": surface.name,
        "title": surface.title,
        "latex": surface.latex,
        "x_range": list(x_range),
        "y_range": list(y_range),
        "minima": np.asarray(surface.minima, dtype=float).reshape(-1, 2).tolist(),
        "levels": [float(v) for v in rings],
        "ellipses": bool(ellipses),
        "lines": lines,
        "kind": kind,
        "hessian": hessian,
        "config": surface_data(surface),
    }
    if ellipses:
        eigenvalues, eigenvectors = np.linalg.eigh(np.asarray(surface.hessian, dtype=float))
        data["eigen"] = {
            "values": [float(v) for v in eigenvalues],
            "vectors": eigenvectors.T.tolist(),
            "min_value": float(surface.min_value),
        }
    return data


# --- each chapter's own experiment ----------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    lr: float
    beta: float
    convention: str
    nesterov: bool = False


@dataclass(frozen=True)
class _Try:
    surface: Surface
    start: tuple[float, float]
    steps: int
    threshold: float
    runs: tuple[_Run, ...]
    preset: str | None
    note: str = ""


def _trajectory_run(data: Mapping[str, Any]) -> _Run:
    return _Run(
        float(data["lr"]),
        float(data["beta"]),
        str(data["convention"]),
        bool(data.get("nesterov", False)),
    )


def _pair(
    experiment: Experiment,
    momentum_beta: float,
    other_beta: float,
    *,
    lr: float | None = None,
    start: Sequence[float] | None = None,
    steps: int | None = None,
    threshold: float | None = None,
    preset: str | None = None,
    note: str = "",
) -> _Try:
    """Momentum (β = ``momentum_beta``) against ``other_beta`` on ``experiment``'s set-up."""
    rate = float(experiment.lr if lr is None else lr)
    finish = threshold if threshold is not None else experiment.threshold
    where = experiment.start if start is None else start
    return _Try(
        surface=experiment.surface,
        start=(float(where[0]), float(where[1])),
        steps=int(experiment.steps if steps is None else steps),
        threshold=float(DEFAULT_THRESHOLD if finish is None else finish),
        runs=(
            _Run(rate, float(momentum_beta), experiment.convention),
            _Run(rate, float(other_beta), experiment.convention),
        ),
        preset=preset or experiment.name,
        note=note,
    )


def _experiment(name: str) -> Experiment:
    from lessonkit.config import experiment

    return experiment(name)


def _ravine_try(_figures: Mapping[str, Any]) -> _Try:
    zigzag = _experiment("ravine_zigzag")
    return _pair(zigzag, zigzag.betas[1], zigzag.betas[0])


def _zigzag_try(figures: Mapping[str, Any]) -> _Try:
    zigzag = _experiment("ravine_zigzag")
    run = figures["run"]
    return _pair(
        zigzag,
        zigzag.betas[1],
        float(run["beta"]),
        lr=run["lr"],
        start=run["start"],
        steps=run["steps"],
    )


def _refresher_try(figures: Mapping[str, Any]) -> _Try:
    curvature = float(figures["curvature"])
    bowl = surfaces.quadratic([curvature, curvature])
    return _Try(
        surface=bowl,
        start=(float(figures["start"]), 0.0),
        steps=30,
        threshold=DEFAULT_THRESHOLD,
        runs=(_Run(float(figures["lr"]), 0.0, "pytorch"),),
        preset=None,
        note="the refresher's parabola as a round bowl, its start on the x axis",
    )


def _velocity_try(figures: Mapping[str, Any]) -> _Try:
    zigzag = _experiment("ravine_zigzag")
    return _pair(
        zigzag,
        float(figures["beta"]),
        0.0,
        lr=figures["lr"],
        start=figures["start"],
        steps=figures["steps"],
    )


def _worked_example_try(figures: Mapping[str, Any]) -> _Try:
    zigzag = _experiment("ravine_zigzag")
    return _pair(
        zigzag,
        float(figures["beta"]),
        0.0,
        lr=figures["lr"],
        note="the worked example's α and β on the ravine",
    )


def _race_try(figures: Mapping[str, Any]) -> _Try:
    race = _experiment("stretched_bowl_race")
    return _pair(
        race,
        float(figures["momentum_beta"]),
        float(race.betas[0]),
        lr=figures["lr"],
        start=figures["start"],
        threshold=figures["threshold"],
    )


def _recap_try(figures: Mapping[str, Any]) -> _Try:
    race = _experiment("stretched_bowl_race")
    return _pair(
        race,
        float(figures["momentum_beta"]),
        float(race.betas[0]),
        steps=figures["race_steps"],
        threshold=figures["threshold"],
    )


def _overshoot_try(figures: Mapping[str, Any]) -> _Try:
    race = _experiment("stretched_bowl_race")
    betas = [float(b) for b in figures["betas"]]
    working = betas[1] if len(betas) > 1 else 0.0
    return _pair(
        race,
        float(figures["beta"]),
        working,
        lr=figures["lr"],
        start=figures["start"],
        steps=figures["steps"],
        threshold=figures["threshold"],
    )


def _choosing_beta_try(figures: Mapping[str, Any]) -> _Try:
    from lesson_narration.choosing_beta import SWEEP_MAX_STEPS

    race = _experiment("stretched_bowl_race")
    return _Try(
        surface=race.surface,
        start=(float(figures["start"][0]), float(figures["start"][1])),
        steps=int(SWEEP_MAX_STEPS),
        threshold=float(figures["threshold"]),
        runs=(
            _Run(float(figures["best_lr"]), float(figures["fastest_beta"]), "pytorch"),
            _Run(float(figures["gd_lr"]), 0.0, "pytorch"),
        ),
        preset="stretched_bowl_race",
        note="the sweep's fastest β at the theory's α*, against plain descent at its best α",
    )


def _beyond_try(figures: Mapping[str, Any]) -> _Try:
    escape = _experiment("qfsp_escape")
    plain = figures["plain"]["trajectory"]
    moving = figures["momentum"]["trajectory"]
    return _Try(
        surface=escape.surface,
        start=(float(figures["start"][0]), float(figures["start"][1])),
        steps=int(figures["steps"]),
        threshold=DEFAULT_THRESHOLD,
        runs=(_trajectory_run(moving), _trajectory_run(plain)),
        preset="qfsp_escape",
        note="the bumpy bowl seen from above",
    )


def _in_code_try(figures: Mapping[str, Any]) -> _Try:
    zigzag = _experiment("ravine_zigzag")
    pytorch, lesson = figures["pytorch"], figures["lesson"]
    return _Try(
        surface=zigzag.surface,
        start=(float(pytorch["start"][0]), float(pytorch["start"][1])),
        steps=int(pytorch["steps"]),
        threshold=DEFAULT_THRESHOLD,
        runs=(_trajectory_run(pytorch), _trajectory_run(lesson)),
        preset="ravine_zigzag",
        note="the same run written in PyTorch's convention and in the lesson's: one path",
    )


#: Each chapter's "Try it", from its figures (as JSON data) and its presets.
_TRIES: dict[str, Callable[[Mapping[str, Any]], _Try]] = {
    "opening": _ravine_try,
    "refresher": _refresher_try,
    "ravine_3d": _ravine_try,
    "zigzag": _zigzag_try,
    "velocity": _velocity_try,
    "worked_example": _worked_example_try,
    "race": _race_try,
    "overshoot": _overshoot_try,
    "choosing_beta": _choosing_beta_try,
    "beyond_ravines": _beyond_try,
    "in_code": _in_code_try,
    "recap": _recap_try,
}


def tries(figures: Mapping[str, Any]) -> dict[str, Any]:
    """``{chapter: its "Try it" experiment}`` and the surfaces they use, as JSON data.

    ``figures`` is ``{chapter: figures as JSON data}`` (the manifest's ``parameters``); the
    lesson configuration that made them must be active (:func:`lessonkit.config.configured`).
    A chapter the table does not know is left out.
    """
    surface_keys: dict[tuple[Any, ...], str] = {}
    surface_table: dict[str, Any] = {}
    chapters: dict[str, Any] = {}
    for name, chapter_figures in figures.items():
        make = _TRIES.get(name)
        if make is None or not isinstance(chapter_figures, Mapping):
            continue
        attempt = make(chapter_figures)
        surface = attempt.surface
        identity = (
            surface.name,
            surface.latex,
            surface.x_range,
            surface.y_range,
            None if surface.hessian is None else tuple(np.ravel(surface.hessian)),
        )
        if identity not in surface_keys:
            key = f"s{len(surface_keys)}"
            surface_keys[identity] = key
            surface_table[key] = _surface_data(surface)
        if surface_table[surface_keys[identity]]["kind"] is None:
            continue  # a surface the page cannot compute bit for bit: no "Try it"
        chapters[name] = {
            "chapter": name,
            "title": LESSON.chapter(name).title,
            "surface": surface_keys[identity],
            "start": list(attempt.start),
            "steps": attempt.steps,
            "threshold": attempt.threshold,
            "preset": attempt.preset,
            "note": attempt.note,
            "runs": [
                {"lr": r.lr, "beta": r.beta, "convention": r.convention, "nesterov": r.nesterov}
                for r in attempt.runs
            ],
        }
    used = {entry["surface"] for entry in chapters.values()}
    return {
        "surfaces": {key: data for key, data in surface_table.items() if key in used},
        "tries": chapters,
    }


# --- the (α, β) map -------------------------------------------------------------------------


def heatmap(experiment: Experiment, momentum_beta: float | None = None) -> dict[str, Any]:
    """Steps to the threshold over α × β for ``experiment`` (the race), from ``simulate_batch``.

    α runs log-spaced from 1/30 to 30 times plain descent's largest stable step 2/λ_max
    (about three decades, so the map shows where momentum moves the edge); β over
    :data:`HEATMAP_BETAS`. ``steps`` is −1 where a run does not
    get below the threshold within the experiment's steps, ``diverged`` the step a run blew
    up at (−1 where it did not).
    """
    surface = experiment.surface
    threshold = float(DEFAULT_THRESHOLD if experiment.threshold is None else experiment.threshold)
    betas = np.array(HEATMAP_BETAS)
    eigenvalues = surface.hessian_eigenvalues if surface.hessian is not None else None
    largest = float(max(eigenvalues)) if eigenvalues is not None else 1.0
    cap = 2.0 / largest
    low, high = cap / 30.0, cap * 30.0
    lrs = np.geomspace(low, high, HEATMAP_LR_COUNT)
    lrs = np.array([float(f"{v:.4g}") for v in lrs])
    grid_lr, grid_beta = np.meshgrid(lrs, betas, indexing="ij")
    result = simulate_batch(
        surface,
        np.array(experiment.start, dtype=float),
        lr=grid_lr,
        beta=grid_beta,
        steps=experiment.steps,
        convention=experiment.convention,
        threshold=threshold,
        record="summary",
    )
    assert result.steps_to_converge is not None
    data: dict[str, Any] = {
        "start": [float(v) for v in experiment.start],
        "steps": int(experiment.steps),
        "threshold": threshold,
        "convention": experiment.convention,
        "lrs": lrs.tolist(),
        "betas": betas.tolist(),
        "steps_to": result.steps_to_converge.tolist(),
        "diverged": result.diverged_step.tolist(),
        "race": {
            "lr": float(experiment.lr),
            "beta": float(experiment.betas[1] if momentum_beta is None else momentum_beta),
        },
        "optimum": None,
    }
    if eigenvalues is not None:
        best = theory.optimal_momentum(float(min(eigenvalues)), float(max(eigenvalues)))
        # α* is the heavy ball's step; in the ema convention the same step is α*/(1 − β*).
        lr = best.lr / (1.0 - best.beta) if experiment.convention == "ema" else best.lr
        data["optimum"] = {"lr": float(lr), "beta": float(best.beta), "rate": best.rate}
    return data


# --- transcript and quiz --------------------------------------------------------------------


@dataclass(frozen=True)
class TranscriptLine:
    """One caption of the whole lesson: when it is spoken and what it says."""

    start: float
    end: float
    text: str


def transcript(
    captions: str | Path, chapters: Sequence[tuple[str, str, float]]
) -> list[dict[str, Any]]:
    """The flagship's captions grouped by chapter: ``[{name, title, start, lines}]``.

    ``chapters`` is each chapter's name, title and start in the lesson; a caption belongs to
    the last chapter that starts at or before it.
    """
    import webvtt

    from lessonkit.captions import vtt_seconds

    groups: list[dict[str, Any]] = [
        {"name": name, "title": title, "start": float(start), "lines": []}
        for name, title, start in chapters
    ]
    for cue in webvtt.read(str(captions)).captions:
        start, end = vtt_seconds(cue.start), vtt_seconds(cue.end)
        text = " ".join(cue.text.split())
        if not text:
            continue
        owner = 0
        for index, group in enumerate(groups):
            if group["start"] <= start + 1e-6:
                owner = index
        if groups:
            groups[owner]["lines"].append(TranscriptLine(start, end, text))
    return groups


def quiz(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The recap's questions with their choices and explanations (``recap.quiz``)."""
    from lesson_narration import recap

    if "recap" not in figures:
        return []
    import dataclasses

    data = figures["recap"]
    names = [field.name for field in dataclasses.fields(recap.RecapFigures)]
    figs = recap.RecapFigures(**{name: data[name] for name in names})  # the build's own figures
    return [question.as_data() for question in recap.quiz(figs)]


# --- all of it ------------------------------------------------------------------------------


def explore_data(figures: Mapping[str, Any], config_path: str | None = None) -> dict[str, Any]:
    """Everything the page's playground and (α, β) map need, as JSON data (see the module)."""
    from lessonkit.config import configured

    with configured(config_path):
        table = tries(figures)
        race = _experiment("stretched_bowl_race")
        data = {
            "colors": COLORS,
            "bound": DIVERGENCE_BOUND,
            "surfaces": table["surfaces"],
            "tries": table["tries"],
            "heatmap": heatmap(race),
            "run_bands": RUN_BANDS,
            "presets": {
                name: {
                    "keys": list(keys),
                    "values": _preset_values(_experiment(name)),
                }
                for name, keys in PRESET_KEYS.items()
            },
        }
    _check_finite(data, "explore data")
    return data


def _preset_values(item: Experiment) -> dict[str, Any]:
    """A preset's values as the page compares them (a lesson.toml writes only the changes)."""
    from lessonkit.config import as_data

    values = as_data(item)
    del values["preset"]
    return values


def _check_finite(value: Any, where: str) -> None:
    """Refuse NaN and infinities (JSON has none): a bug, named where it is."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"{where}: a number that is not finite ({value!r})")
    if isinstance(value, Mapping):
        for key, item in value.items():
            _check_finite(item, f"{where}.{key}")
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_finite(item, f"{where}[{index}]")


def lesson_page(manifest: Any, folder: str | Path, explore: Mapping[str, Any] | None = None) -> str:
    """The whole ``index.html`` of the lesson in ``folder`` described by ``manifest``: the video
    page with the playground (``explore``, or computed from the chapters' figures with no
    configuration), the transcript from the flagship's captions and the recap's quiz."""
    from lesson_build.page import render_page

    figures = {chapter.name: chapter.parameters for chapter in manifest.chapters}
    data = explore_data(figures) if explore is None else explore
    spoken: list[dict[str, Any]] = []
    captions = manifest.flagship.captions
    if captions and (Path(folder) / captions).is_file():
        groups = transcript(
            Path(folder) / captions, [(c.name, c.title, c.start) for c in manifest.chapters]
        )
        spoken = [{**group, "lines": [vars(line) for line in group["lines"]]} for group in groups]
    return render_page(manifest, explore=data, transcript=spoken, quiz=quiz(figures))
