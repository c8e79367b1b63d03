"""momentum_math stands alone: it never imports the video stack and never leaks NumPy warnings."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

from momentum_math import CONVENTIONS, simulate, simulate_batch, surfaces, theory

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("manim", "cairo", "manim_voiceover")

ISOLATION_SCRIPT = textwrap.dedent(
    """
    import sys

    already_loaded = set(sys.modules)  # whatever the interpreter's start-up brought in

    import importlib, json, pkgutil

    import momentum_math

    names = sorted(
        info.name for info in pkgutil.walk_packages(momentum_math.__path__, "momentum_math.")
    )
    for name in names:
        importlib.import_module(name)

    from momentum_math import presets, simulate, simulate_batch, surfaces, theory, worked_example

    run = simulate(surfaces.ravine(), (-2.4, 0.2), lr=0.1, beta=0.8, steps=50)
    race = presets.stretched_bowl_race()
    sweep = simulate_batch(race.surface, race.start, lr=race.lr, beta=[0.0, 0.9, 0.99],
                           steps=race.steps, convention=race.convention,
                           threshold=race.threshold)
    theory.spectral_radius(10.0, lr=0.1, beta=0.9)
    worked_example()
    loaded = sorted(
        name for name in sys.modules
        if name.split(".")[0] in {"manim", "cairo", "manim_voiceover", "matplotlib", "torch"}
    )
    print(json.dumps({
        "submodules": names,
        "final_loss": run.final_loss,
        "race": sweep.steps_to_converge.tolist(),
        "loaded": loaded,
        "top_level": sorted({name.split(".")[0] for name in sys.modules}),
        "new_top_level": sorted(
            {name.split(".")[0] for name in set(sys.modules) - already_loaded}
        ),
    }))
    """
)


def _run_isolated() -> dict:
    completed = subprocess.run(
        [sys.executable, "-c", ISOLATION_SCRIPT],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def isolated() -> dict:
    return _run_isolated()


def test_all_submodules_were_imported(isolated):
    expected = {
        f"momentum_math.{name}"
        for name in (
            "_budget",
            "_scaling",
            "_validate",
            "formula",
            "optimizers",
            "presets",
            "rules",
            "simulation",
            "surfaces",
            "theory",
            "worked_example",
        )
    }
    assert expected <= set(isolated["submodules"])


def test_the_short_runs_worked(isolated):
    assert f"{isolated['final_loss']:.3e}" == "2.868e-05"
    assert isolated["race"] == [185, 159, -1]


@pytest.mark.parametrize("module", FORBIDDEN)
def test_no_video_stack_is_imported(isolated, module):
    assert module not in isolated["top_level"]
    assert not [name for name in isolated["loaded"] if name.split(".")[0] == module]


def test_only_numpy_and_the_standard_library_are_imported(isolated):
    new = set(isolated["new_top_level"])
    third_party = new - set(sys.stdlib_module_names) - {"momentum_math"}
    # NumPy and its own helpers only; anything else would be a new dependency.
    assert {name for name in third_party if not name.startswith(("numpy", "_"))} == set()


# --- no RuntimeWarning escapes from diverging runs ------------------------------------


@pytest.fixture
def warnings_are_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


@pytest.mark.usefixtures("warnings_are_errors")
def test_diverging_single_run_emits_no_warning():
    run = simulate(surfaces.ravine(), (-2.4, 0.2), lr=5.0, steps=200)
    assert run.diverged
    assert np.all(np.isfinite(run.positions))
    assert np.all(np.isfinite(run.velocities))
    assert np.all(np.isfinite(run.gradients))
    assert np.all(np.isfinite(run.losses))
    assert run.steps_to_converge(1e-3) is None
    assert np.isfinite(run.final_loss)


@pytest.mark.usefixtures("warnings_are_errors")
@pytest.mark.parametrize("record", ["summary", "path"])
@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("name", surfaces.NAMES)
def test_diverging_sweep_emits_no_warning(name, convention, record):
    surface = surfaces.get(name)
    start = (surface.x_range[1] * 0.8, surface.y_range[0] * 0.6)
    # The smallest rate's first step is at most 0.1 long (Beale's walls are steep there).
    steepest = float(np.abs(surface.gradient(start)).max())
    lr = np.geomspace(min(1e-3, 0.1 / steepest), 50.0, 64)[:, None]
    beta = np.linspace(0.0, 0.99, 64)[None, :]
    sweep = simulate_batch(
        surface,
        start,
        lr=lr,
        beta=beta,
        steps=200 if record == "summary" else 60,
        convention=convention,
        nesterov=convention == "lesson",
        threshold=1e-3,
        record=record,
    )
    assert sweep.shape == (64, 64)
    if name != "ackley":  # Ackley's gradient is bounded: its runs wander but never blow up
        assert sweep.diverged.any()
    assert (~sweep.diverged).any()
    assert np.all(np.isfinite(sweep.final_positions))
    assert np.all(np.isfinite(sweep.final_losses))
    sweep.converged  # noqa: B018  (computing it must not warn either)
    if record == "path":
        assert sweep.positions is not None and sweep.losses is not None
        assert np.all(np.isfinite(sweep.positions))
        assert np.all(np.isfinite(sweep.losses))


@pytest.mark.usefixtures("warnings_are_errors")
def test_numpy_errors_set_to_raise_do_not_break_a_diverging_run():
    with np.errstate(all="raise"):
        run = simulate(surfaces.rosenbrock(), (-1.5, 2.5), lr=1.0, beta=0.9, steps=200)
        sweep = simulate_batch(
            surfaces.ravine(),
            (-2.4, 0.2),
            lr=np.linspace(0.01, 5.0, 64)[:, None],
            beta=np.linspace(0.0, 0.99, 64)[None, :],
            steps=200,
            threshold=1e-3,
        )
    assert run.diverged and sweep.diverged.any() and not sweep.diverged.all()


@pytest.mark.usefixtures("warnings_are_errors")
def test_theory_of_a_diverging_run_emits_no_warning():
    losses = theory.predicted_losses(surfaces.ravine(), (-2.4, 0.2), lr=5.0, steps=2000)
    assert losses[0] == pytest.approx(surfaces.ravine().value([-2.4, 0.2]))
    assert theory.predicted_steps_to_converge(surfaces.ravine(), (-2.4, 0.2), lr=5.0) is None
