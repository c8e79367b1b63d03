"""Your own experiment (issue 18): the file's checks, the figures and the narration written
from them, every number of which is checked against runs computed here."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT

from lesson_narration.experiment import said, script, spoken_name
from lessonkit import experiment as clip_experiment
from lessonkit.config import ConfigError
from lessonkit.experiment import figures, figures_data, load, parse
from lessonkit.formatting import MINUS
from momentum_math import surfaces
from momentum_math.optimizers import optimize, optimizer

ROSENBROCK = """
title = "Rosenbrock's valley"
surface = { formula = "(1 - x)**2 + 100*(y - x**2)**2", x = [-2.0, 2.0], y = [-1.0, 3.0] }
start = [-1.5, 2.0]
steps = 1000
threshold = 1e-3

[[runs]]
optimizer = "gd"
lr = 0.001

[[runs]]
optimizer = "momentum"
lr = 0.001
beta = 0.9

[[runs]]
optimizer = "adam"
lr = 0.1
"""


def _write(tmp_path: Path, text: str, name: str = "experiment.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _independent_runs(text: str) -> tuple[list, float, int]:
    """The file's runs, computed here from the TOML with momentum_math directly."""
    import tomllib

    data = tomllib.loads(text)
    surface_spec = data["surface"]
    if isinstance(surface_spec, str):
        surface = surfaces.get(surface_spec)
    else:
        from momentum_math.formula import formula_surface

        surface = formula_surface(surface_spec["formula"], surface_spec["x"], surface_spec["y"])
    runs = []
    for run in data["runs"]:
        hyper = {key: value for key, value in run.items() if key not in ("optimizer", "label")}
        chosen = optimizer(run["optimizer"], **hyper)
        runs.append(optimize(surface, np.array(data["start"]), chosen, steps=data["steps"]))
    return runs, float(data["threshold"]), int(data["steps"])


def _first_below(losses: np.ndarray, threshold: float) -> int | None:
    for step, loss in enumerate(losses):
        if loss < threshold:
            return step
    return None


def _numbers(text: str) -> list[float]:
    text = text.replace(MINUS, "-")
    text = re.sub(r"(\d(?:\.\d+)?) times 10 to the (-?\d+)", r"\1e\2", text)
    text = text.replace("10 to the -", "1e-")
    return [float(match) for match in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", text)]


def test_the_readme_example_loads_with_torch_defaults(tmp_path):
    spec = load(_write(tmp_path, ROSENBROCK))
    assert spec.title == "Rosenbrock's valley"
    assert spec.window == ((-2.0, 2.0), (-1.0, 3.0)) and spec.window_given
    adam = spec.runs[2].optimizer
    assert adam.name == "adam" and adam.lr == 0.1
    assert adam.hyperparameters["betas"] == (0.9, 0.999) or list(adam.hyperparameters["betas"]) == [
        0.9,
        0.999,
    ]
    assert adam.hyperparameters["eps"] == 1e-8
    assert [run.label for run in spec.runs] == ["plain GD", "momentum, β = 0.9", "Adam"]


def test_every_figure_is_the_runs_and_every_spoken_number_too(tmp_path):
    figs = figures(load(_write(tmp_path, ROSENBROCK)))
    runs, threshold, steps = _independent_runs(ROSENBROCK)
    lines = script(figs)
    text = " ".join(lines.lines())
    allowed = {threshold, float(steps), -1.5, 2.0, 0.9, 0.001, 0.1, 3.0}
    for run, mine in zip(figs.runs, runs, strict=True):
        np.testing.assert_array_equal(run.run.positions, mine.positions)
        finish = _first_below(mine.losses, threshold)
        assert run.steps_to_threshold == finish
        assert run.final_loss == mine.final_loss
        name = spoken_name(run)
        if finish is not None:
            allowed.add(float(finish))
            assert re.search(
                rf"{re.escape(name)} (reaches a loss below [^;]* )?after {finish} steps",
                text,
                re.IGNORECASE,
            )
        elif mine.diverged_step is not None:
            allowed.add(float(mine.diverged_step))
            assert f"{name} diverges at step {mine.diverged_step}" in text
        else:
            assert (
                re.search(
                    rf"{re.escape(name)}[^;.]* not get (there|below [^ ]+) within {steps} steps",
                    text,
                    re.IGNORECASE,
                )
                or f"{name} leaves the map" in text
            )
    finishing = sorted(
        (r.steps_to_threshold, i)
        for i, r in enumerate(figs.runs)
        if r.steps_to_threshold is not None
    )
    if len(finishing) >= 2:
        allowed.add(float(finishing[1][0] - finishing[0][0]))
    for number in _numbers(text):
        assert number in allowed, (number, text)
    # The verdict names the run that really finished first.
    if finishing:
        winner = figs.runs[finishing[0][1]]
        assert lines.verdict.lower().startswith(spoken_name(winner).lower())


def test_the_json_counts_the_start_as_step_zero_and_says_who_won(tmp_path):
    text = ROSENBROCK.replace("threshold = 1e-3", "threshold = 500.0")
    data = figures_data(figures(load(_write(tmp_path, text))))
    start_loss = (1 + 1.5) ** 2 + 100 * (2.0 - 2.25) ** 2  # 12.5: below 500 at step 0
    assert start_loss < 500
    assert [run["steps_to_threshold"] for run in data["runs"]] == [0, 0, 0]
    assert data["tied"] == ["plain GD", "momentum, β = 0.9", "Adam"]
    json.dumps(data)  # plain data


def test_a_diverging_run_and_a_run_that_leaves_the_map_are_said_so(tmp_path):
    text = """
title = "Too fast"
surface = "ravine"
start = [-2.4, 0.2]
steps = 60
threshold = 1e-3
[[runs]]
optimizer = "gd"
lr = 0.2
[[runs]]
optimizer = "momentum"
lr = 0.1
beta = 0.8
"""
    figs = figures(load(_write(tmp_path, text)))
    wild, good = figs.runs
    assert wild.left_step is not None and wild.steps_to_threshold is None
    (x_low, x_high), (y_low, y_high) = figs.window
    x, y = wild.exit_point
    assert (x in (x_low, x_high) or y in (y_low, y_high)) and x_low <= x <= x_high
    assert y_low <= y <= y_high
    assert wild.shown.num_steps == wild.left_step
    lines = script(figs)
    if wild.diverged_step is not None:
        assert f"diverges at step {wild.diverged_step}" in lines.results
    else:
        assert f"leaves the map at step {wild.left_step}" in lines.results
    assert good.steps_to_threshold == 37  # issue 16's ravine race: β = 0.8 reaches 0.001 at 37
    assert lines.verdict.startswith("Only momentum with beta 0.8 gets there")


def test_a_formula_without_a_window_gets_one_fitted_to_its_runs(tmp_path):
    text = """
surface = { formula = "x**2/16 + 9*y**2" }
start = [-2.4, 0.2]
steps = 80
[[runs]]
optimizer = "momentum"
lr = 0.1
beta = 0.8
[[runs]]
optimizer = "rmsprop"
lr = 0.01
"""
    figs = figures(load(_write(tmp_path, text)))
    assert not figs.experiment.window_given
    (x_low, x_high), (y_low, y_high) = figs.window
    for run in figs.runs:
        assert run.left_step is None
        positions = run.run.positions
        assert positions[:, 0].min() >= x_low and positions[:, 0].max() <= x_high
        assert positions[:, 1].min() >= y_low and positions[:, 1].max() <= y_high
    assert figs.surface.x_range == figs.window[0]


def test_runs_of_the_same_optimizer_get_names_that_tell_them_apart(tmp_path):
    text = ROSENBROCK + '\n[[runs]]\noptimizer = "adam"\nlr = 0.05\n'
    spec = load(_write(tmp_path, text))
    labels = [run.label for run in spec.runs]
    assert labels[2:] == ["Adam, lr = 0.1", "Adam, lr = 0.05"]
    assert len(set(labels)) == len(labels)


def test_said_numbers():
    assert said(0.001) == "0.001"
    assert said(1e-8) == f"10 to the {MINUS}8"
    assert said(0.9) == "0.9"


#: The bad files: (id, {part: its text}, what the error must say). Each replaces those parts
#: of BASE (a part of "" is left out) and adds what BASE lacks.
BAD_FILES = [
    ("unknown-key", {"extra": 'colour = "red"'}, ["colour", "unknown key"]),
    ("no-runs", {"runs": "runs = []"}, ["runs", "1 to 8"]),
    ("a-surface-nobody-knows", {"surface": 'surface = "banana"'}, ["'banana'", "rosenbrock"]),
    (
        "a-formula-with-caret",
        {"surface": 'surface = { formula = "x^2 + y", x = [-3, 3], y = [-1, 1] }'},
        ["surface.formula", "x^2 + y", "position"],
    ),
    (
        "a-formula-that-calls",
        {"surface": 'surface = { formula = "__import__(1)", x = [-3, 3], y = [-1, 1] }'},
        ["surface.formula", "position"],
    ),
    (
        "a-window-backwards",
        {"surface": 'surface = { formula = "x*x", x = [1, -1], y = [-1, 1] }'},
        ["surface.x", "low < high"],
    ),
    (
        "x-without-y",
        {"surface": 'surface = { formula = "x*x", x = [-3, 3] }'},
        ["both x", "and y"],
    ),
    (
        "unknown-optimizer",
        {"runs": '[[runs]]\noptimizer = "lbfgs"\nlr = 0.1'},
        ["runs[0].optimizer", "adam"],
    ),
    ("negative-lr", {"runs": '[[runs]]\noptimizer = "gd"\nlr = -0.1'}, ["runs[0]", "lr"]),
    (
        "beta-too-big",
        {"runs": '[[runs]]\noptimizer = "momentum"\nlr = 0.1\nbeta = 1.5'},
        ["runs[0]", "1.5"],
    ),
    (
        "adam-with-a-typo",
        {"runs": '[[runs]]\noptimizer = "adam"\nlr = 0.1\nbeta1 = 0.8'},
        ["runs[0]", "beta1"],
    ),
    (
        "eps-a-string",
        {"runs": '[[runs]]\noptimizer = "adam"\neps = "small"'},
        ["runs[0]", "eps"],
    ),
    ("steps-0", {"steps": "steps = 0"}, ["steps = 0", "1 to 20000"]),
    ("a-million-steps", {"steps": "steps = 1000000"}, ["steps = 1000000"]),
    ("threshold-a-string", {"extra": 'threshold = "low"'}, ["threshold = 'low'", "number"]),
    ("threshold-infinite", {"extra": "threshold = inf"}, ["threshold = inf", "finite"]),
    ("start-off-the-map", {"start": "start = [9.0, 0.0]"}, ["start = [9, 0]", "on the map"]),
    ("no-start", {"start": ""}, ["start: missing"]),
    ("title-too-long", {"extra": f'title = "{"x" * 80}"'}, ["title", "1 to 60"]),
    ("a-view-nobody-has", {"extra": 'view = "vr"'}, ["view = 'vr'", "3d"]),
]

BASE_PARTS = {
    "surface": 'surface = "ravine"',
    "start": "start = [-2.4, 0.2]",
    "steps": "steps = 50",
    "extra": "",
    "runs": '[[runs]]\noptimizer = "gd"\nlr = 0.1',
}
BASE = "\n".join(part for part in BASE_PARTS.values() if part) + "\n"


def _bad_file(parts: dict[str, str]) -> str:
    chosen = {**BASE_PARTS, **parts}
    return "\n".join(part for part in chosen.values() if part) + "\n"


@pytest.mark.parametrize(
    ("case", "text", "needles"), BAD_FILES, ids=[case[0] for case in BAD_FILES]
)
def test_a_bad_file_is_refused_naming_its_key(tmp_path, case, text, needles):
    path = _write(tmp_path, _bad_file(text))
    with pytest.raises(ConfigError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith("experiment.toml: ")
    for needle in needles:
        assert needle in message, (needle, message)


def test_nine_runs_are_refused(tmp_path):
    text = BASE + "".join(
        f'\n[[runs]]\noptimizer = "gd"\nlr = {0.01 * (i + 1)}\n' for i in range(8)
    )
    with pytest.raises(ConfigError, match="runs: 9 given"):
        load(_write(tmp_path, text))


def test_files_that_are_not_toml_or_text_or_there(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        load(_write(tmp_path, "surface = \n"))
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"title = '\xff'\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load(binary)
    with pytest.raises(ConfigError, match="no such experiment file"):
        load(tmp_path / "missing.toml")


def test_a_start_where_the_loss_is_not_finite(tmp_path):
    text = 'surface = { formula = "log(x) + y*y", x = [-1, 1], y = [-1, 1] }\n'
    text += 'start = [-0.5, 0.0]\n[[runs]]\noptimizer = "gd"\nlr = 0.1\n'
    with pytest.raises(ConfigError, match="not finite there"):
        load(_write(tmp_path, text))


def test_parse_takes_plain_data_too():
    spec = parse(
        {"surface": "booth", "start": [-5.0, 5.0], "runs": [{"optimizer": "adagrad", "lr": 0.5}]}
    )
    assert spec.runs[0].optimizer.hyperparameters["eps"] == 1e-10
    assert spec.threshold == 1e-3 and spec.steps == 200
    assert clip_experiment.MAX_RUNS == 8


def test_the_clip_command_refuses_a_bad_file_before_rendering(tmp_path):
    path = _write(tmp_path, BASE.replace("lr = 0.1", "lr = 0"))
    out = tmp_path / "clips"
    began = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "lesson_build", "clip", str(path), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "experiment.toml: runs[0]" in result.stderr and "lr" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert time.monotonic() - began < 30


# --- inputs the clip could not draw: refused before anything renders, naming what is wrong


def _experiment(**parts):
    data = {"surface": "ravine", "start": [-2.4, 0.2], "steps": 50}
    data["runs"] = [{"optimizer": "gd", "lr": 0.1}]
    data.update(parts)
    return data


@pytest.mark.parametrize(
    ("surface", "start", "needles"),
    [
        ({"formula": "log(x) + y**2", "x": [-1, 2], "y": [-1, 1]}, [1.0, 0.5], ["not a finite"]),
        ({"formula": "sqrt(x) + y**2", "x": [-0.5, 3], "y": [-1, 1]}, [2.0, 0.5], ["not a finite"]),
        ({"formula": "log(x) + y**2"}, [1.0, 1.0], ["fitted to the runs", "surface.x"]),
        ({"formula": "3"}, [1.0, 1.0], ["flat"]),
        ({"formula": "0*x + 0*y + 2.5", "x": [-1, 1], "y": [-1, 1]}, [0.5, 0.5], ["flat"]),
        (
            {"formula": "exp(-100000*(x**2+y**2))", "x": [-1, 1], "y": [-1, 1]},
            [0.0, 0.0],
            ["flat", "on most of it"],
        ),
    ],
    ids=[
        "log-on-a-window-with-x<0",
        "sqrt-on-x<0",
        "log-fitted",
        "constant",
        "zero-terms",
        "a-spike-on-a-flat-map",
    ],
)
def test_a_map_where_the_loss_cannot_be_drawn_is_refused(surface, start, needles):
    spec = parse(_experiment(surface=surface, start=start), "mine.toml", "mine")
    _assert_refused(lambda: figures(spec), "mine.toml: surface", needles)


def _assert_refused(call, prefix: str, needles: list[str]) -> None:
    with pytest.raises(ConfigError) as caught:
        call()
    message = str(caught.value)
    assert message.startswith(prefix), message
    for needle in needles:
        assert needle in message, message


@pytest.mark.parametrize(
    ("parts", "needles"),
    [
        ({"start": [1e11, 0.0]}, ["start[0] = 1", "1e+06"]),
        ({"start": [0.0, -3e7]}, ["start[1]", "1e+06"]),
        (
            {"surface": {"formula": "x*x + y*y", "x": [-1e308, 1e308], "y": [-1, 1]}},
            ["surface.x[0]", "1e+06"],
        ),
        (
            {"surface": {"formula": "x*x + y*y", "x": [0, 1e-300], "y": [-1, 1]}, "start": [0, 0]},
            ["surface.x", "too narrow"],
        ),
        (
            {"surface": {"name": "booth", "x": [5, 5.0000000001], "y": [-1, 1]}, "start": [5, 0]},
            ["surface.x", "too narrow"],
        ),
        ({"surface": {}}, ["surface", "exactly one of formula"]),
        ({"threshold": 1e308}, ["threshold = 1e+308", "1e+100"]),
        ({"threshold": -1.7e308}, ["threshold", "1e+100"]),
        ({"threshold": 10**400}, ["threshold", "too large"]),
        ({"start": [10**400, 0]}, ["start[0]", "too large"]),
        (
            {"surface": {"formula": "x*x + y*y", "x": [0, 10**400], "y": [-1, 1]}},
            ["surface.x[1]", "too large"],
        ),
        ({"surface": {"name": 5}}, ["surface.name = 5", "rosenbrock"]),
        ({"title": "two\nlines"}, ["title", "control characters"]),
        (
            {"runs": [{"optimizer": "gd", "lr": 0.1, "label": "a\tb"}]},
            ["runs[0].label", "control characters"],
        ),
        (
            {
                "runs": [
                    {"optimizer": "gd", "lr": 0.1, "label": "mine"},
                    {"optimizer": "adam", "lr": 0.1, "label": "mine"},
                ]
            },
            ["runs[1].label = 'mine'", "runs[0]"],
        ),
    ],
    ids=[
        "start-beyond-x",
        "start-beyond-y",
        "window-overflow",
        "window-tiny",
        "named-window-tiny",
        "empty-table",
        "threshold-huge",
        "threshold-hugely-negative",
        "threshold-an-int-past-floats",
        "start-an-int-past-floats",
        "window-an-int-past-floats",
        "name-a-number",
        "title-control",
        "label-control",
        "labels-equal",
    ],
)
def test_values_the_clip_cannot_draw_are_refused_at_parse(parts, needles):
    _assert_refused(
        lambda: parse(_experiment(**parts), "mine.toml", "mine"), "mine.toml: ", needles
    )


@pytest.mark.parametrize(
    ("window", "start"),
    [(([0.0, 2.0], [-1.0, 1.0]), [1.0, 0.5]), (([1.0, 2.0], [1.0, 3.0]), [1.5, 1.5])],
    ids=["minimum-on-the-edge", "minimum-off-the-map"],
)
def test_a_quadratic_whose_minimum_is_not_inside_the_map_gets_contours_inside_it(window, start):
    from lessonkit.maps import ContourMap, MapFrame

    surface = {"formula": "x**2 + 4*y**2", "x": window[0], "y": window[1]}
    figs = figures(parse(_experiment(surface=surface, start=start), "q.toml", "q"))
    frame = MapFrame(*figs.window, center=(0.0, 0.0), width=6.0, height=4.0)
    contours = ContourMap(figs.surface, frame)
    assert len(contours.submobjects) >= 3
    points = np.vstack([line.points for line in contours.submobjects])
    assert np.isfinite(points).all()
    half_w, half_h = 3.0 * 1.01, 2.0 * 1.01  # a traced line is smoothed: a hair over
    assert np.abs(points[:, 0]).max() <= half_w and np.abs(points[:, 1]).max() <= half_h


def test_a_formula_in_config_with_a_window_it_cannot_be_drawn_on_is_a_config_error():
    from lessonkit.config import _surface

    with pytest.raises(ConfigError, match="stretched.surface: the loss is not a finite"):
        _surface("stretched.surface", {"formula": "log(x) + y*y", "x": [-1, 1], "y": [-1, 1]})
    with pytest.raises(ConfigError, match="stretched.surface.formula"):
        _surface("stretched.surface", {"formula": "x*x", "x": [-1e308, 1e308], "y": [-1, 1]})


# --- names: every run told apart, the file's own labels kept as written


def test_runs_alike_but_for_one_setting_are_named_by_it_and_identical_runs_by_number():
    runs = [
        {"optimizer": "adam", "lr": 0.1},
        {"optimizer": "adam", "lr": 0.1, "betas": [0.8, 0.999]},
        {"optimizer": "adam", "lr": 0.1, "betas": [0.8, 0.999]},
        {"optimizer": "rmsprop", "lr": 0.00001},
        {"optimizer": "rmsprop", "lr": 0.001},
        {"optimizer": "gd", "lr": 0.1, "label": "Adam"},
    ]
    spec = parse(_experiment(runs=runs, surface="booth", start=[1.0, 1.0]), "n.toml", "n")
    labels = [run.label for run in spec.runs]
    assert len(set(labels)) == len(labels)
    assert labels[0] == "Adam, betas = 0.9, 0.999"
    assert labels[1:3] == ["Adam, betas = 0.8, 0.999 (run 2)", "Adam, betas = 0.8, 0.999 (run 3)"]
    assert labels[3:5] == ["RMSprop, lr = 1×10⁻⁵", "RMSprop, lr = 0.001"]
    assert labels[5] == "Adam"  # the file's label, as written
    spoken = [run.spoken for run in spec.runs]
    assert spoken[2] == "Adam with betas 0.8 and 0.999 number 3"
    assert spoken[3] == "RMSprop with learning rate 10 to the −5"
    assert spoken[5] == "Adam"
    assert "(" not in " ".join(spoken) and not any("," in name for name in spoken)


def test_a_label_the_file_gives_is_said_and_shown_as_written():
    from lesson_narration.experiment import spoken_name

    runs = [
        {"optimizer": "momentum", "lr": 0.001, "beta": 0.9, "label": "momentum, β = 0.9, lr = 1"},
        {"optimizer": "gd", "lr": 0.001},
    ]
    figs = figures(parse(_experiment(runs=runs, surface="rosenbrock", start=[-1.5, 2]), "l", "l"))
    assert figs.runs[0].label == "momentum, β = 0.9, lr = 1"
    assert spoken_name(figs.runs[0]) == "momentum, β = 0.9, lr = 1"
    assert figs.runs[0].label_keys == ()  # so the legend still shows its real lr


# --- the narration: true of the runs, grammatical, and short enough for one minute


def _said_steps_are_grammatical(text: str) -> None:
    assert not re.search(r"\b1 steps\b", text), text
    assert not re.search(r"within \d+[.;,]", text), text


NARRATED = [
    _experiment(
        surface={"formula": "x**2+y**2"},
        start=[1.0, 1.0],
        runs=[{"optimizer": "gd", "lr": 5}, {"optimizer": "momentum", "lr": 3, "beta": 0.9}],
    ),
    _experiment(
        surface="rosenbrock",
        start=[-1.5, 2.0],
        steps=50,
        runs=[{"optimizer": "gd", "lr": 0.001}, {"optimizer": "adam", "lr": 0.01}],
    ),
    _experiment(surface="booth", start=[1.0, 1.0], steps=1),
    _experiment(surface="booth", start=[1.0, 1.0], steps=5, runs=[{"optimizer": "adam"}]),
    _experiment(
        surface="booth",
        start=[1.0, 1.0],
        steps=300,
        runs=[{"optimizer": "adam", "lr": 0.1}, {"optimizer": "adam", "lr": 0.1, "label": "twin"}],
    ),
    _experiment(
        surface="himmelblau",
        start=[0.0, 0.0],
        steps=500,
        view="3d",
        runs=[
            {"optimizer": name, "lr": lr, **({"beta": 0.9} if name == "momentum" else {})}
            for name in ("gd", "adam", "rmsprop", "momentum")
            for lr in (0.001, 0.01)
        ],
    ),
    _experiment(
        surface="six_hump_camel",
        start=[1.5, 0.8],
        steps=2000,
        runs=[
            {"optimizer": name, "lr": 0.0123456}
            for name in ("gd", "adam", "rmsprop", "adagrad", "adamw")
        ]
        + [
            {"optimizer": "momentum", "lr": 0.0123456, "beta": 0.95},
            {"optimizer": "gd", "lr": 0.5},
            {"optimizer": "adam", "lr": 3.0},
        ],
    ),
    _experiment(surface="ravine", start=[-2.4, 0.2], steps=20, threshold=-1.0),
    _experiment(  # eight long labels, all tied, a long title, the 3-D view: the longest telling
        title="A rather long title for an experiment of eight equal run",
        surface="booth",
        start=[-5.123, 5.456],
        steps=300,
        threshold=1.23456e-5,
        view="3d",
        runs=[
            {"optimizer": "adam", "lr": 0.1, "label": f"Adam with a very long label nr {k}"}
            for k in range(8)
        ],
    ),
    _experiment(
        surface="booth",
        start=[1.0, 3.0],
        threshold=1.0,
        runs=[  # at the minimum
            {"optimizer": "gd", "lr": 0.01},
            {"optimizer": "adam", "lr": 0.1},
        ],
    ),
    _experiment(
        surface="booth",
        start=[0.0, 0.0],
        runs=[
            {"optimizer": "adam", "lr": 0.1, "label": "plain gradient descent"},
            {"optimizer": "gd", "lr": 0.01},
            {"optimizer": "momentum", "lr": 0.01, "beta": 0.9},
            {"optimizer": "momentum", "lr": 0.01, "beta": 0.9000001},
        ],
    ),
]


@pytest.mark.parametrize("data", NARRATED, ids=[f"case-{i}" for i in range(len(NARRATED))])
def test_the_narration_is_true_of_the_runs_and_fits_the_clip(data):
    from lesson_narration.experiment import MAX_SPEECH_S, speech_seconds

    figs = figures(parse(data, "n.toml", "n"))
    lines = script(figs)
    text = " ".join(lines.lines())
    assert speech_seconds(lines) <= MAX_SPEECH_S
    _said_steps_are_grammatical(text)
    steps = figs.experiment.steps
    allowed = {figs.threshold, float(steps), *figs.experiment.start, 0.0}
    for run in figs.runs:
        allowed |= {run.lr, *(float(v) for v in re.findall(r"\d+(?:\.\d+)?", run.spoken))}
        if run.steps_to_threshold is not None:
            allowed.add(float(run.steps_to_threshold))
        if run.diverged_step is not None:
            allowed.add(float(run.diverged_step))
        if run.left_step is not None:
            allowed.add(float(run.left_step))
    order = [figs.runs[i].steps_to_threshold for i in figs.finishers]
    if len(order) >= 2:
        allowed.add(float(order[1] - order[0]))
    if figs.winner is None:
        lowest = min(run.lowest_loss for run in figs.runs)
        said_numbers = set(_numbers(lines.verdict))
        for number in said_numbers - allowed:
            # a lowest loss, said above the threshold it never got below, and close to the runs'
            assert number > figs.threshold or number == lowest, lines.verdict
            assert abs(number - lowest) <= 5e-3 * abs(lowest), lines.verdict
            allowed.add(number)
        if all(run.diverged_step is not None for run in figs.runs):
            assert "diverge" in lines.verdict
    for number in _numbers(text):
        assert number in allowed, (number, text)
    spoken = [spoken_name(run).casefold() for run in figs.runs]
    assert len(set(spoken)) == len(spoken), spoken  # no two runs said alike
    labels = [run.label.casefold() for run in figs.runs]
    assert len(set(labels)) == len(labels), labels
    if re.search(r"finish(es)? later", lines.results):  # true only of runs after the named
        said = lines.results.casefold()
        named = [i for i in figs.finishers if spoken_name(figs.runs[i]).casefold() in said]
        last = max(figs.runs[i].steps_to_threshold for i in named)
        assert any(
            figs.runs[i].steps_to_threshold > last for i in figs.finishers if i not in named
        ), lines.results
    if figs.winner is not None and figs.runs[figs.winner].steps_to_threshold == 0:
        assert "start" in lines.verdict and "below" in lines.verdict, lines.verdict
    elif len(figs.tied) > 1:
        at = figs.runs[figs.winner].steps_to_threshold
        assert "tie for first" in lines.verdict and f"at {at} steps" in lines.verdict
    elif figs.winner is not None:
        winner = spoken_name(figs.runs[figs.winner])
        assert lines.verdict.lower().startswith(winner.lower())
        assert str(figs.runs[figs.winner].steps_to_threshold) in lines.results + lines.verdict


def test_a_lowest_loss_is_never_said_as_the_threshold_it_stayed_above():
    from lesson_narration.experiment import _lowest_said

    assert _lowest_said(0.0010004, 0.001) == "0.0010004"
    for lowest, threshold in [(0.0012004, 0.0012002), (0.0010000001, 0.00100000001)]:
        said = _lowest_said(lowest, threshold)
        assert float(said) > threshold, (said, threshold)
    assert _lowest_said(0.001, 0.001) == "exactly 0.001"
    assert _lowest_said(12.5, 1e-3) == "12.5"
    assert _lowest_said(1.23456e-7, 1e-7) == f"1.23 times 10 to the {MINUS}7"


def test_a_diverged_runs_final_loss_is_its_last_finite_step_and_the_json_is_strict():
    figs = figures(parse(NARRATED[0], "d.toml", "d"))
    data = figures_data(figs)
    json.dumps(data, allow_nan=False)
    for run, shown in zip(figs.runs, data["runs"], strict=True):
        assert run.diverged_step is not None
        assert shown["final_step"] == run.diverged_step - 1  # the last step it stayed finite
        assert shown["final_loss"] == float(run.run.losses[-1])
        assert len(run.run.losses) == run.diverged_step


def test_a_single_run_that_diverges_or_stalls_is_said_so_with_its_step():
    diverging = _experiment(
        surface={"formula": "x**2+y**2"}, start=[1.0, 1.0], runs=[{"optimizer": "gd", "lr": 5}]
    )
    figs = figures(parse(diverging, "d.toml", "d"))
    verdict = script(figs).verdict
    assert f"diverges at step {figs.runs[0].diverged_step}" in verdict and "never" not in verdict
    stalled = _experiment(surface="booth", start=[1.0, 3.0], threshold=-1.0)  # at the minimum
    figs = figures(parse(stalled, "s.toml", "s"))
    assert not figs.runs[0].lowest_loss < figs.runs[0].run.losses[0]
    assert script(figs).verdict == "In 50 steps it gets no lower than the loss it started from."
