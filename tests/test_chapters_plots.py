"""The velocity and choosing-β chapters' figures, and the line plots they draw with.

Figures tests recompute what each chapter shows from ``momentum_math`` (or the
brief's published numbers) and check that every number the narration speaks
is one the chapter computed. Plot tests build :class:`lessonkit.plots.LinePlot`
without rendering and check where data lands on screen.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from conftest import chapter_module
from manim import RIGHT

from lesson_narration import choosing_beta, velocity
from lessonkit import style
from lessonkit.captions import normalize_text, reading_duration
from lessonkit.formatting import MINUS, spoken_number
from lessonkit.plots import LinePlot, nice_step
from momentum_math import presets, rules, simulate, surfaces, theory

NUMBER = re.compile(r"[−-]?\d+(?:\.\d+)?")


def spoken_numbers(lines: list[str]) -> list[str]:
    """Every number written in the narration lines, as written."""
    return [match for line in lines for match in NUMBER.findall(normalize_text(line))]


def allowed_numbers(values: list[float], digits: tuple[int, ...] = (2, 3)) -> set[str]:
    """The ways the narration may write ``values`` (spoken_number at each digit count)."""
    allowed = set()
    for value in values:
        for count in digits:
            allowed.add(spoken_number(float(value), count))
    return allowed


# --- velocity chapter ----------------------------------------------------------------


@pytest.fixture(scope="module")
def velocity_figs() -> velocity.VelocityFigures:
    return velocity.figures()


def test_velocity_weights_shrink_by_beta_and_sum_toward_alpha_over_one_minus_beta(velocity_figs):
    figs = velocity_figs
    alpha, beta = figs.rule_lr, figs.rule_beta
    weights = np.array(figs.weights)
    assert (alpha, beta) == (0.01, 0.9)
    np.testing.assert_allclose(weights, alpha * beta ** np.arange(len(weights)), rtol=1e-12)
    np.testing.assert_allclose(weights[1:] / weights[:-1], beta, rtol=1e-12)
    assert figs.partial_sum == pytest.approx(weights.sum(), rel=1e-12)
    assert figs.partial_sum == pytest.approx(
        alpha * (1 - beta ** len(weights)) / (1 - beta), rel=1e-12
    )
    assert figs.partial_sum < figs.effective_step
    # The brief's rule of thumb: α = 0.01, β = 0.9 → 0.1, a memory of 10 steps.
    assert figs.effective_step == pytest.approx(0.1, abs=1e-12)
    assert figs.memory_window == pytest.approx(10.0, abs=1e-12)
    assert figs.effective_step == pytest.approx(figs.memory_window * alpha, rel=1e-12)


def test_velocity_ravine_runs_match_the_blog_post(velocity_figs):
    figs = velocity_figs
    experiment = presets.ravine_zigzag()
    assert figs.plot_betas == (0.0, 0.8, 0.9)
    assert (figs.lr, figs.beta, figs.start, figs.steps) == (0.1, 0.8, (-2.4, 0.2), 50)
    losses = [run.final_loss for run in figs.plot_runs]
    assert losses[0] == pytest.approx(0.1023, abs=5e-5)
    assert losses[1] == pytest.approx(2.868e-5, rel=1e-3)
    assert losses[2] == pytest.approx(3.6e-4, rel=0.02)
    assert figs.run.beta == 0.8
    np.testing.assert_array_equal(figs.run.positions, experiment.run(0.8).positions)


def test_velocity_is_the_lesson_convention_and_its_arrows_are_the_steps(velocity_figs):
    figs = velocity_figs
    run = figs.run
    # pytorch → lesson: v_lesson = α · v_pytorch, and θ ← θ − v moves by −v.
    np.testing.assert_allclose(figs.velocities, run.lr * run.velocities, rtol=1e-12)
    np.testing.assert_allclose(-figs.velocities[1:], run.displacements, atol=1e-12)
    lesson_run = simulate(
        run.surface, run.start, lr=run.lr, beta=run.beta, steps=run.steps, convention="lesson"
    )
    np.testing.assert_allclose(figs.velocities, lesson_run.velocities, atol=1e-12)


def test_velocity_builds_up_along_the_floor_but_not_across(velocity_figs):
    figs = velocity_figs
    gd_x, working_x, too_much_x = (abs(peak) for peak in figs.vx_peaks)
    first_x = abs(figs.plot_velocities[0][1, 0])
    assert gd_x == pytest.approx(first_x)  # plain GD never beats its first step in x
    assert working_x > 3 * gd_x and too_much_x > working_x
    for velocities in figs.plot_velocities:
        across = np.abs(velocities[1:, 1])
        assert across.max() == pytest.approx(abs(figs.vy_first), rel=1e-12)
    # Plain GD's y velocity flips sign every step.
    gd_y = figs.plot_velocities[0][1:, 1]
    assert np.all(np.sign(gd_y[1:]) == -np.sign(gd_y[:-1]))
    assert figs.vx_peak == pytest.approx(figs.vx_peaks[1])
    assert figs.vx_peak_step == int(np.argmax(np.abs(figs.velocities[:, 0])))


def test_velocity_script_speaks_only_the_chapters_numbers(velocity_figs):
    figs = velocity_figs
    lines = velocity.script(figs).lines()
    values = [
        figs.beta,
        figs.vx_first,
        figs.vx_peak,
        figs.vx_peak_step,
        figs.arrow_scale,
        figs.rule_lr,
        figs.rule_beta,
        len(figs.weights),
        figs.partial_sum,
        figs.effective_step,
        figs.memory_window,
        figs.vy_first,
        *figs.plot_betas,
        *figs.vx_peaks,
    ]
    allowed = allowed_numbers(values)
    spoken = spoken_numbers(lines)
    assert set(spoken) <= allowed, set(spoken) - allowed
    for expected in ("0.1", "10", f"{MINUS}0.108", f"{MINUS}0.03", "9", "6", "0.8", "0.01", "0.9"):
        assert expected in spoken, expected


def test_velocity_chapter_draws_the_lesson_rule_and_the_four_conventions(velocity_figs):
    module = chapter_module("velocity")
    assert " ".join(module.LESSON_VELOCITY_PARTS) == rules.rule("lesson").velocity_latex
    assert " ".join(module.LESSON_POSITION_PARTS) == rules.rule("lesson").position_latex
    assert [rule.convention for rule in velocity_figs.conventions] == [
        "lesson",
        "pytorch",
        "ema",
        "classical",
    ]
    assert set(module.CONVENTION_NAMES) == set(rules.CONVENTIONS)
    assert module.VelocityChapter().title == "Velocity"


# --- choosing-β chapter --------------------------------------------------------------


@pytest.fixture(scope="module")
def beta_figs() -> choosing_beta.ChoosingBetaFigures:
    return choosing_beta.figures()


def test_choosing_beta_memory_windows_and_effective_steps(beta_figs):
    assert beta_figs.betas == (0.5, 0.9, 0.99)
    np.testing.assert_allclose(beta_figs.memory_windows, (2.0, 10.0, 100.0), rtol=1e-9)
    np.testing.assert_allclose(beta_figs.effective_steps, (0.02, 0.1, 1.0), rtol=1e-9)


def test_choosing_beta_optimum_matches_the_brief(beta_figs):
    figs = beta_figs
    assert (figs.smallest, figs.largest) == (0.1, 10.0)
    assert figs.condition_number == pytest.approx(100.0)
    assert round(figs.best_beta, 3) == 0.669
    assert round(figs.best_lr, 3) == 0.331
    assert round(figs.best_rate, 3) == 0.818
    assert round(figs.gd_rate, 3) == 0.980
    # The closed forms, recomputed.
    root_kappa = math.sqrt(figs.condition_number)
    assert figs.best_beta == pytest.approx(((root_kappa - 1) / (root_kappa + 1)) ** 2)
    assert figs.best_lr == pytest.approx(4 / (math.sqrt(10.0) + math.sqrt(0.1)) ** 2)
    assert figs.best_rate == pytest.approx(
        float(theory.spectral_radius(10.0, figs.best_lr, figs.best_beta))
    )


def reference_settled(losses: np.ndarray, threshold: float) -> int:
    """The first step from which every loss is below ``threshold`` (−1 if the last is not)."""
    if not losses[-1] < threshold:
        return -1
    step = len(losses)
    while step > 0 and losses[step - 1] < threshold:
        step -= 1
    return step


def test_settled_steps_examples():
    losses = np.array([[5.0, 0.5, 2e-4, 5e-3, 1e-4, 1e-5], [5.0, 1.0, 0.1, 0.01, 0.005, 0.002]])
    np.testing.assert_array_equal(choosing_beta.settled_steps(losses, 1e-3), [4, -1])
    np.testing.assert_array_equal(choosing_beta.settled_steps([1e-4, 1e-5], 1e-3), [0])


def test_choosing_beta_sweep_agrees_with_single_runs_and_the_theory(beta_figs):
    figs = beta_figs
    surface = surfaces.stretched_bowl()
    for beta in (0.66, figs.fastest_beta, 0.9, 0.95):
        index = int(np.argmin(np.abs(figs.sweep_betas - beta)))
        run = simulate(
            surface,
            np.array(figs.start),
            lr=figs.best_lr,
            beta=float(figs.sweep_betas[index]),
            steps=choosing_beta.SWEEP_MAX_STEPS,
        )
        assert figs.sweep_steps[index] == reference_settled(run.losses, figs.threshold)
    # The fastest simulated β sits near the theory's β*, and beats the best plain GD by far.
    assert abs(figs.fastest_beta - figs.best_beta) < 0.05
    assert figs.fastest_steps == figs.sweep_steps[figs.sweep_steps >= 0].min()
    gd = simulate(
        surface, np.array(figs.start), lr=figs.gd_lr, beta=0.0, steps=choosing_beta.SWEEP_MAX_STEPS
    )
    assert (
        figs.gd_steps
        == gd.steps_to_converge(figs.threshold)
        == reference_settled(gd.losses, figs.threshold)
    )
    assert figs.gd_steps > 5 * figs.fastest_steps
    # Below the stability edge the runs fail; above it they all settle.
    failed = figs.sweep_betas <= figs.last_failed_beta
    assert np.all(figs.sweep_steps[failed] == -1)
    assert np.all(figs.sweep_steps[~failed] > 0)
    edge = figs.best_lr * figs.largest / 2 - 1  # heavy ball is stable iff αL < 2(1 + β)
    assert figs.last_failed_beta < edge + 0.01


def test_choosing_beta_script_speaks_only_the_chapters_numbers(beta_figs):
    figs = beta_figs
    lines = choosing_beta.script(figs).lines()
    values = [
        figs.lr,
        *figs.betas,
        *figs.memory_windows,
        *figs.effective_steps,
        figs.condition_number,
        figs.best_beta,
        figs.best_lr,
        figs.best_rate,
        figs.gd_rate,
        figs.threshold,
        float(figs.sweep_betas[0]),
        float(figs.sweep_betas[-1]),
        figs.fastest_steps,
        figs.fastest_beta,
        figs.gd_steps,
        figs.gd_lr,
        figs.largest,
    ]
    allowed = allowed_numbers(values)
    spoken = spoken_numbers(lines)
    assert set(spoken) <= allowed, set(spoken) - allowed
    for expected in ("2", "10", "100", "0.02", "1", "0.669", "0.818", "0.98", "235"):
        assert expected in spoken, expected
    assert str(figs.fastest_steps) in spoken
    # α* and plain descent's best α are on screen with the theory, and said (the sweep runs
    # at α*, past plain descent's cap)
    assert choosing_beta.theory_number(figs.best_lr) in spoken
    assert choosing_beta.theory_number(figs.gd_lr) in spoken


# --- lengths and the lesson configuration ----------------------------------------------


@pytest.mark.parametrize(
    ("module_name", "chapter_name", "narration", "pause_names", "low", "high"),
    [
        (
            "velocity",
            "VelocityChapter",
            velocity,
            ("sum_pause_s", "plots_pause_s", "conventions_pause_s"),
            72.0,
            80.0,
        ),
        (
            "choosing_beta",
            "ChoosingBetaChapter",
            choosing_beta,
            ("theory_pause_s", "sweep_pause_s"),
            56.0,
            61.0,
        ),
    ],
)
def test_chapter_lasts_its_target_at_the_voice_pace(
    module_name, chapter_name, narration, pause_names, low, high
):
    """Silent length = lines read at the voice's pace + the chapter's pauses + its fade-out
    (within 0.2 s of the silent -ql renders: velocity 65.3 s, choosing β 43.3 s)."""
    from lessonkit.chapters import Chapter
    from lessonkit.modes import SILENT_WORDS_PER_MINUTE

    assert SILENT_WORDS_PER_MINUTE == 160
    chapter = getattr(chapter_module(module_name), chapter_name)
    lines = narration.script(narration.figures()).lines()
    spoken = sum(reading_duration(line, SILENT_WORDS_PER_MINUTE) for line in lines)
    pauses = [getattr(chapter, name) for name in pause_names]
    assert all(1.5 <= pause <= 2.5 for pause in pauses), pauses
    total = spoken + sum(pauses) + Chapter.fade_out_s
    assert low <= total <= high, f"{module_name}: about {total:.1f} s silent, target {low}-{high} s"


def test_velocity_and_choosing_beta_read_the_lesson_configuration(tmp_path, monkeypatch):
    from lessonkit.config import CONFIG_ENV

    config = tmp_path / "lesson.toml"
    config.write_text(
        "[presets.ravine_zigzag]\nsteps = 40\n\n[presets.stretched_bowl_race]\nthreshold = 0.01\n",
        encoding="utf-8",
    )
    monkeypatch.setenv(CONFIG_ENV, str(config))
    ravine = velocity.figures()
    assert ravine.steps == ravine.run.num_steps == 40
    assert all(run.num_steps == 40 for run in ravine.plot_runs)
    sweep = choosing_beta.figures()
    assert sweep.threshold == 0.01
    assert sweep.gd_steps < 235
    # The spoken finish line follows the configured threshold.
    assert "0.01" in choosing_beta.script(sweep).sweep


# --- line plots ------------------------------------------------------------------------


def test_a_plotted_point_lands_at_the_axes_coordinates():
    plot = LinePlot((0, 50), (-0.5, 0.5), width=5.0, height=3.0)
    xs = np.arange(6.0)
    ys = np.array([0.1, -0.2, 0.3, -0.4, 0.25, 0.0])
    series = plot.add_series(xs, ys, style.MOMENTUM_COLOR, "β = 0.8")
    expected = np.array([plot.axes.c2p(x, y) for x, y in zip(xs, ys, strict=True)])
    np.testing.assert_allclose(series.scene_points, expected, atol=1e-12)
    # The line drawn whole passes through every point, in order.
    np.testing.assert_allclose(series.line.get_start_anchors(), expected[:-1], atol=1e-9)
    np.testing.assert_allclose(series.line.get_end_anchors()[-1], expected[-1], atol=1e-9)
    # Moving the plot moves the data with it.
    plot.shift(2 * RIGHT)
    np.testing.assert_allclose(series.scene_points, expected + 2 * RIGHT, atol=1e-12)
    assert plot.c2p(3.0, 0.3) == pytest.approx(np.array(plot.axes.c2p(3.0, 0.3)))


def test_the_x_axis_runs_along_the_bottom_and_zero_keeps_its_place():
    plot = LinePlot((0, 10), (-1.0, 1.0), width=4.0, height=2.0)
    bottom = plot.c2p(0.0, -1.0)[1]
    assert plot.axes.x_axis.get_center()[1] == pytest.approx(bottom)
    assert plot.c2p(5.0, 0.0)[1] - bottom == pytest.approx(1.0)
    assert plot.c2p(10.0, 1.0)[0] - plot.c2p(0.0, 1.0)[0] == pytest.approx(4.0)


def test_log_axis_spaces_decades_evenly():
    plot = LinePlot((0, 300), (1e-6, 10), log_y=True, width=6.0, height=3.5)
    heights = [plot.c2p(0.0, 10.0**k)[1] for k in range(-6, 2)]
    gaps = np.diff(heights)
    np.testing.assert_allclose(gaps, gaps[0], rtol=1e-9)
    assert gaps[0] == pytest.approx(3.5 / 7)
    assert plot.c2p(10.0, 1e-3) == pytest.approx(np.array(plot.axes.c2p(10.0, -3.0)))
    # A value between decades sits at its logarithm.
    assert plot.c2p(0.0, 2e-3)[1] == pytest.approx(heights[3] + math.log10(2) * gaps[0])
    series = plot.add_series([0, 100, 200], [1.0, 1e-2, 1e-4], style.GD_COLOR)
    np.testing.assert_allclose(
        series.scene_points[:, 1], [heights[6], heights[4], heights[2]], atol=1e-12
    )


def test_log_axis_widens_to_whole_decades_and_labels_each():
    plot = LinePlot((0, 10), (3e-5, 2.0), log_y=True)
    assert plot.y_range == pytest.approx((1e-5, 10.0))
    assert len(plot.y_ticks) == 7  # 10^-5 … 10^1


@pytest.mark.parametrize(
    ("log_y", "ys", "message"),
    [
        (False, [1.0, math.nan], "ys must be finite"),
        (False, [1.0, math.inf], "ys must be finite"),
        (True, [1.0, 0.0], "ys must be > 0 on a log axis"),
        (True, [1.0, -1e-3], "ys must be > 0 on a log axis"),
    ],
)
def test_bad_series_values_raise_naming_the_parameter(log_y, ys, message):
    plot = LinePlot((0, 1), (1e-3, 10.0) if log_y else (-1.0, 1.0), log_y=log_y)
    with pytest.raises(ValueError, match=message):
        plot.add_series([0.0, 1.0], ys, style.GD_COLOR)


def test_other_bad_inputs_raise_naming_the_parameter():
    with pytest.raises(ValueError, match="y_range must be > 0 on a log axis"):
        LinePlot((0, 1), (0.0, 10.0), log_y=True)
    with pytest.raises(ValueError, match="x_range must be finite"):
        LinePlot((0, math.nan), (0.0, 1.0))
    with pytest.raises(ValueError, match="x_range must be increasing"):
        LinePlot((1, 0), (0.0, 1.0))
    plot = LinePlot((0, 1), (1e-3, 10.0), log_y=True)
    with pytest.raises(ValueError, match="y must be > 0 on a log axis"):
        plot.add_threshold(0.0, "zero")
    with pytest.raises(ValueError, match="xs must be finite"):
        plot.add_series([0.0, math.nan], [1.0, 1.0], style.GD_COLOR)
    with pytest.raises(ValueError, match="same length"):
        plot.add_series([0.0, 1.0, 2.0], [1.0, 1.0], style.GD_COLOR)
    with pytest.raises(ValueError, match="legend needs at least one series with a label"):
        plot.legend()


def test_progressive_series_reveals_up_to_its_tracker():
    plot = LinePlot((0, 10), (0.0, 10.0))
    xs = np.arange(11.0)
    series = plot.add_series(xs, xs**2 / 10, style.MOMENTUM_COLOR, progressive=True)
    points = series.scene_points
    series.progress.set_value(2.5)
    series.line.update()
    corners = np.vstack((series.line.get_start_anchors(), series.line.get_end_anchors()[-1:]))
    np.testing.assert_allclose(corners[:3], points[:3], atol=1e-9)
    np.testing.assert_allclose(corners[-1], 0.5 * (points[2] + points[3]), atol=1e-9)
    assert len(corners) == 4
    series.progress.set_value(series.last_index)
    series.freeze()
    assert not series.line.get_updaters()
    end = series.line.get_end_anchors()[-1]
    np.testing.assert_allclose(end, points[-1], atol=1e-9)


def test_threshold_marker_and_legend_geometry():
    plot = LinePlot((0, 300), (1e-6, 10), log_y=True)
    plot.add_series([0, 300], [1.0, 1e-5], style.GD_COLOR, "plain GD")
    plot.add_series([0, 300], [1.0, 1e-6], style.MOMENTUM_COLOR, "β = 0.9")
    threshold = plot.add_threshold(1e-3, "0.001")
    line = threshold[0]
    assert line.get_start()[1] == pytest.approx(plot.c2p(0, 1e-3)[1])
    assert line.get_start()[0] == pytest.approx(plot.c2p(0, 1e-3)[0])
    assert line.get_end()[0] == pytest.approx(plot.c2p(300, 1e-3)[0])
    marker = plot.add_marker(159, 1e-3, "159")
    np.testing.assert_allclose(marker[0].get_center(), plot.c2p(159, 1e-3), atol=1e-9)
    vertical = plot.add_marker(100)
    assert vertical[0].get_start()[0] == pytest.approx(plot.c2p(100, 1.0)[0])
    assert vertical[0].get_end()[1] == pytest.approx(plot.c2p(100, 10.0)[1])
    legend = plot.add_legend()
    assert len(legend[1]) == 2
    box_top = plot.c2p(300, 10.0)
    assert legend.get_right()[0] <= box_top[0] + 1e-9 and legend.get_top()[1] <= box_top[1] + 1e-9
    unattached = plot.add_marker(50, 1e-2, attach=False)
    assert unattached not in plot.static


def test_nice_step():
    assert nice_step(50) == 10
    assert nice_step(1.0) == pytest.approx(0.2)
    assert nice_step(300) == 100
    assert nice_step(0.25) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="span must be finite and > 0"):
        nice_step(0.0)
