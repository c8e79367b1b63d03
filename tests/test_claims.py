"""What the narration asserts, checked against the runs the viewer sees.

Each test recomputes a chapter's claim from ``momentum_math`` directly (not from the
chapter's own figures) and checks that the sentence the chapter speaks says what the runs
show: which rule a run follows and what "same α" means, which run wins at which finish
line, "not within N steps" (and where the run does cross), which direction's wobble lasts
longer, what the velocity does across and along. A preset change that makes a sentence false
fails here. Run under the lesson's own presets and under a configuration that changes them.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from lesson_chapters import race as race_board
from lesson_narration import overshoot, race, recap, velocity, worked_example
from lesson_narration.registry import LESSON
from lessonkit.config import configured, experiment
from momentum_math import rules, simulate, theory

#: A configuration that moves the race and the ravine away from the published numbers.
OTHER_CONFIG = """
[presets.stretched_bowl_race]
lr = 0.15
start = [-3.5, 1.2]
betas = [0.0, 0.8, 0.99]

[presets.ravine_zigzag]
start = [-3.0, 0.25]
"""


@pytest.fixture(params=["published", "configured"])
def lesson_config(request, tmp_path):
    """Each claim is checked on the lesson's presets and on another configuration."""
    if request.param == "published":
        with configured(None):
            yield None
        return
    path = tmp_path / "lesson.toml"
    path.write_text(OTHER_CONFIG, encoding="utf-8")
    with configured(str(path)):
        yield str(path)


def _plain(text: str) -> str:
    return re.sub(r"<bookmark[^>]*/>", "", text)


def _steps_to(
    convention: str, beta: float, threshold: float, steps: int | None = None
) -> int | None:
    preset = experiment("stretched_bowl_race")
    run = simulate(
        preset.surface,
        np.array(preset.start),
        lr=preset.lr,
        beta=beta,
        steps=preset.steps if steps is None else steps,
        convention=convention,
    )
    return run.steps_to_converge(threshold)


# --- the race -------------------------------------------------------------------------------


def test_the_race_names_and_shows_the_rule_its_runs_follow(lesson_config):
    figs = race.figures()
    preset = experiment("stretched_bowl_race")
    lines = race.script(figs)
    # both runs follow the preset's rule, at the same α, and the screen writes that rule
    for run in (figs.gd_run, figs.momentum_run):
        assert run.convention == preset.convention and run.lr == preset.lr
    assert race.RULE_NAMES[preset.convention] in lines.setup
    shown = race_board.rule_tex(figs.convention)
    rule = rules.rule(preset.convention)
    assert rule.velocity_latex.replace(r"\nabla L(\theta)", r"\nabla L") in shown
    assert rule.position_latex in shown
    # "same alpha": each lane's label carries α
    from lessonkit.race import run_label

    assert all(f"α = {preset.lr:g}" in run_label(b, figs.lr) for b in preset.betas[:2])


def test_the_race_verdict_is_the_runs_own(lesson_config):
    figs = race.figures()
    preset = experiment("stretched_bowl_race")
    threshold = float(preset.threshold)
    gd = _steps_to(preset.convention, 0.0, threshold)
    momentum = _steps_to(preset.convention, preset.betas[1], threshold)
    assert gd is not None and momentum is not None and momentum < gd
    verdict = _plain(race.script(figs).verdict)
    assert f"Momentum finishes in {momentum} steps, plain descent in {gd}" in verdict
    assert f"{gd - momentum} steps sooner" in verdict


def test_what_same_alpha_means_under_each_rule(lesson_config):
    """Under the moving average momentum really steps α(1 − β); under the lesson's rule, same
    α and β, it takes the steps the chapter says."""
    figs = race.figures()
    preset = experiment("stretched_bowl_race")
    beta = preset.betas[1]
    assert figs.averaged_step == pytest.approx(preset.lr * (1 - beta), rel=1e-12)
    other = race.other_rule(preset.convention)
    other_steps = _steps_to(other, beta, float(preset.threshold))
    line = _plain(race.script(figs).rule)
    assert race.RULE_NAMES[other] in line
    if other_steps is None:
        assert f"is not there within {preset.steps}" in line
    else:
        assert f"momentum finishes in {other_steps} steps" in line
    # and the lesson's rule is the pytorch recurrence at the same α: the same path
    pytorch = simulate(
        preset.surface, np.array(preset.start), lr=preset.lr, beta=beta, steps=preset.steps,
        convention="pytorch",
    )  # fmt: skip
    lesson = figs.other_run if other == "lesson" else None
    if lesson is not None:
        np.testing.assert_allclose(lesson.positions, pytorch.positions, rtol=1e-12, atol=1e-15)


def _winner_words(gd: int | None, momentum: int | None) -> str:
    if gd is not None and (momentum is None or gd < momentum):
        return "plain descent wins"
    if momentum is not None and (gd is None or momentum < gd):
        return "momentum wins"
    return "a tie" if gd is not None else "neither gets there"


def test_the_finish_line_is_a_choice_and_the_verdicts_follow_the_runs(lesson_config):
    figs = race.figures()
    preset = experiment("stretched_bowl_race")
    finish = float(preset.threshold) * race.OTHER_FINISH_FACTOR
    other = race.other_rule(preset.convention)
    gd = _steps_to(preset.convention, 0.0, finish)
    momentum = _steps_to(preset.convention, preset.betas[1], finish)
    other_momentum = _steps_to(other, preset.betas[1], finish)
    line = _plain(race.script(figs).finish_choice)
    said_here, said_other = line.split(f"under {race.RULE_NAMES[preset.convention]}")
    assert _winner_words(gd, momentum) in said_here, line
    assert _winner_words(gd, other_momentum) in said_other, line
    for count in (gd, momentum, other_momentum):
        if count is not None:
            assert str(count) in line


def test_the_published_race_under_both_rules_and_both_finish_lines():
    """The brief's figures: 185 / 159 under the moving average, 69 under the lesson's rule; at
    0.1 plain descent wins 58 to 60 under the moving average and loses 13 to 58 otherwise."""
    with configured(None):
        figs = race.figures()
    assert (figs.gd_steps, figs.momentum_steps, figs.other_momentum_steps) == (185, 159, 69)
    assert (figs.other_finish_gd_steps, figs.other_finish_momentum_steps) == (58, 60)
    assert figs.other_finish_other_steps == 13
    assert round(figs.averaged_step, 3) == 0.018


# --- too much momentum: not within N is not never -----------------------------------------


def test_too_much_momentum_is_not_within_its_steps_and_the_chapter_says_where_it_crosses(
    lesson_config,
):
    figs = overshoot.figures()
    preset = experiment("stretched_bowl_race")
    threshold = float(preset.threshold)
    beta = preset.betas[2]
    assert _steps_to(preset.convention, beta, threshold) is None
    late = _steps_to(preset.convention, beta, threshold, overshoot.LATE_RUN_FACTOR * preset.steps)
    verdict = _plain(overshoot.script(figs).verdict)
    assert f"within {preset.steps} steps" in verdict
    if late is None:
        assert "has not" in verdict
    else:
        assert late > preset.steps and f"crosses at step {late}" in verdict


def test_no_chapter_says_never_where_it_means_not_within_its_steps():
    with configured(None):
        for entry in LESSON.chapters:
            module = __import__(f"lesson_narration.{entry.name}", fromlist=["script"])
            lines = module.script(module.figures()).lines()
            for line in lines:
                assert (
                    not re.search(r"\bnever\b", _plain(line), re.I)
                    or "never grows" in line
                    or ("never builds" in line or "never gets past" in line)
                ), f"{entry.name}: {line!r}"
    recap_lines = recap.script(recap.figures())
    assert "did not get there within" in recap_lines.race


# --- across and along the ravine ---------------------------------------------------------


def _across_settles(run, fraction: float = 0.01) -> int:
    """The first step after which the run's distance across (|y|) stays below ``fraction``
    of where it started."""
    across = np.abs(run.positions[:, 1])
    above = np.nonzero(across > fraction * across[0])[0]
    return int(above[-1]) + 1 if above.size else 0


def test_across_the_velocity_never_grows_past_its_first_push_and_along_it_builds(lesson_config):
    figs = velocity.figures()
    preset = experiment("ravine_zigzag")
    for beta in preset.betas:
        run = preset.run(beta)
        v = velocity.lesson_velocities(run)
        assert np.all(np.abs(v[1:, 1]) <= abs(v[1, 1])), beta
        # across, the velocity keeps flipping sign (every step or, through 0, every other)
        signs = np.sign(np.where(np.abs(v[1:, 1]) > 1e-12 * abs(v[1, 1]), v[1:, 1], 0))
        nonzero = signs[signs != 0]
        assert np.count_nonzero(nonzero[1:] != nonzero[:-1]) >= len(nonzero) // 2 - 1, beta
        if beta > 0:  # along the floor it grows past its first value
            assert np.abs(v[:, 0]).max() > abs(v[1, 0])
    lines = velocity.script(figs)
    assert "never grows past its first push" in lines.plots_y


def test_which_wobble_lasts_longer_across_is_what_the_runs_show(lesson_config):
    figs = velocity.figures()
    preset = experiment("ravine_zigzag")
    plain = _across_settles(preset.run(0.0))
    momentum = _across_settles(preset.run(figs.beta))
    line = velocity.script(figs).plots_y
    if momentum > plain:
        assert "wobbles longer than plain descent" in line, (plain, momentum)
    else:
        assert "dies out sooner" in line, (plain, momentum)
    # and the theory's per-step rates agree with the runs
    assert figs.momentum_wobbles_longer == (momentum > plain)


def test_the_published_ravine_wobbles_longer_with_momentum():
    """The brief: at α = 0.1 across (λ = 18) plain descent shrinks by 0.8 a step, β = 0.8 by
    √0.8 ≈ 0.894: momentum wobbles longer, so the lesson must not say it cancels the wobble."""
    with configured(None):
        figs = velocity.figures()
    rates = dict(zip(figs.plot_betas, figs.across_rates, strict=True))
    assert rates[0.0] == pytest.approx(0.8) and rates[0.8] == pytest.approx(0.8**0.5)
    assert figs.momentum_wobbles_longer
    assert "cancel" not in " ".join(velocity.script(figs).lines())


def test_the_worked_examples_second_column_flips_and_never_passes_its_first_value():
    figs = worked_example.figures()
    second = np.array([v[1] for v in figs.velocities])
    first = np.array([v[0] for v in figs.velocities])
    assert np.all(second[:-1] * second[1:] < 0)
    assert np.all(np.abs(second[1:]) <= abs(second[0]))
    assert np.all(np.diff(first) > 0)
    question = worked_example.script(figs).question
    assert "flips sign every step and never gets past its first value" in question
    assert "stays small" not in question


# --- the zigzag: the wall caps the step -----------------------------------------------------


def test_the_wall_caps_plain_descents_step_and_just_above_it_the_bounces_grow(lesson_config):
    from lesson_narration import zigzag

    figs = zigzag.figures()
    preset = experiment("ravine_zigzag")
    steepest = float(np.max(np.linalg.eigvalsh(np.asarray(preset.surface.hessian))))
    cap = 2.0 / steepest
    assert figs.cap == pytest.approx(cap, rel=1e-12)
    lines = zigzag.script(figs)
    assert f"{figs.cap_said:g}" in lines.cap and figs.cap_said < cap < figs.over_lr

    def across(lr: float) -> np.ndarray:
        run = simulate(
            preset.surface, np.array(preset.start), lr=lr, beta=0.0, steps=preset.steps,
            convention=preset.convention,
        )  # fmt: skip
        return np.abs(run.positions[:, 1])

    # at the cap as said the bounces shrink; just above it each bounce is bigger than the last
    assert across(figs.cap_said)[-1] < across(figs.cap_said)[0]
    over = across(figs.over_lr)
    assert np.all(np.diff(over) > 0), "each bounce bigger than the one before"
    assert f"At {figs.over_lr:g}, each bounce is bigger" in _plain(lines.over)
    (y_low, y_high) = preset.surface.y_range
    leaves = np.nonzero(over > max(abs(y_low), abs(y_high)))[0]
    if leaves.size:
        assert f"by step {int(leaves[0])} the run has climbed out" in lines.over
    else:
        assert "keep growing" in lines.over


# --- choosing β: the runs that grow are past momentum's cap -----------------------------


def test_the_sweeps_failures_grow_exactly_past_momentums_cap(lesson_config):
    from lesson_narration import choosing_beta

    figs = choosing_beta.figures()
    preset = experiment("stretched_bowl_race")
    largest = float(np.max(np.linalg.eigvalsh(np.asarray(preset.surface.hessian))))
    line = _plain(choosing_beta.script(figs).sweep)
    assert "runs grow instead of settling" in line and "cap" in line
    for beta, steps in zip(figs.sweep_betas, figs.sweep_steps, strict=True):
        run = simulate(
            preset.surface, np.array(preset.start), lr=figs.best_lr, beta=float(beta),
            steps=choosing_beta.SWEEP_MAX_STEPS, convention="pytorch",
        )  # fmt: skip
        past_cap = figs.best_lr >= 2 * (1 + beta) / largest
        rate = float(theory.spectral_radius(largest, figs.best_lr, float(beta)))
        if steps < 0:  # shaded "grows": past the cap, and its loss ends above where it began
            assert past_cap and rate >= 1, (beta, rate)
            assert run.diverged or run.losses[-1] > run.losses[0], beta
        else:
            assert not run.diverged and not past_cap and rate < 1, beta
    # α* and plain descent's α are said with the digits the screen shows them
    assert choosing_beta.theory_number(figs.best_lr) in choosing_beta.script(figs).theory
    assert choosing_beta.theory_number(figs.gd_lr) in line


def test_the_warm_up_race_on_the_ravine_is_the_runs_own(lesson_config):
    figs = race.figures()
    preset = experiment("ravine_zigzag")
    threshold = float(experiment("stretched_bowl_race").threshold)
    counts = []
    for beta in preset.betas[:2]:
        run = simulate(
            preset.surface, np.array(preset.start), lr=preset.lr, beta=beta,
            steps=race.RAVINE_MAX_STEPS, convention=preset.convention,
        )  # fmt: skip
        counts.append(run.steps_to_converge(threshold))
        # it is called the lesson's rule: under it the path is the same, point for point
        lesson = simulate(
            preset.surface, np.array(preset.start), lr=preset.lr, beta=beta,
            steps=race.RAVINE_MAX_STEPS, convention="lesson",
        )  # fmt: skip
        if preset.convention == "pytorch":
            np.testing.assert_allclose(lesson.positions, run.positions, rtol=1e-12, atol=1e-15)
    gd, momentum = counts
    assert (figs.ravine_gd_steps, figs.ravine_momentum_steps) == (gd, momentum)
    lines = race.script(figs)
    assert (
        f"Momentum is there in {momentum} steps; plain descent needs {gd}" in lines.ravine_verdict
    )
    assert f"alpha {preset.lr:g}" in lines.ravine and f"beta {preset.betas[1]:g}" in lines.ravine


def test_the_published_ravine_race():
    """The brief's ravine at α = 0.1: plain descent 234 steps to 0.001, β = 0.8 37."""
    with configured(None):
        figs = race.figures()
    assert (figs.ravine_gd_steps, figs.ravine_momentum_steps) == (234, 37)


# --- the recap's replays ------------------------------------------------------------------


def test_the_recaps_replays_are_the_runs_its_takeaways_recall(lesson_config):
    figs, replays = recap.figures(), recap.clips()
    ravine, bowl = experiment("ravine_zigzag"), experiment("stretched_bowl_race")
    zigzag = simulate(
        ravine.surface, np.array(ravine.start), lr=ravine.lr, beta=0.0, steps=ravine.steps,
        convention=ravine.convention,
    )  # fmt: skip
    np.testing.assert_array_equal(replays.zigzag.positions, zigzag.positions)
    assert replays.glide.beta == ravine.betas[1] > 0
    threshold = float(bowl.threshold)
    # the race replay stops each run where the takeaway says: its finish, or "not within"
    gd, good, much = replays.race
    assert [run.beta for run in replays.race] == list(bowl.betas)
    assert replays.race_stops[:2] == (figs.gd_steps, figs.momentum_steps)
    assert replays.race_stops[2] == much.num_steps == figs.race_steps
    assert much.steps_to_converge(threshold) is None
    for run, stop in zip((gd, good), replays.race_stops[:2], strict=True):
        assert run.losses[stop] < threshold <= run.losses[stop - 1]
    takeaway = recap.screen(figs).takeaways[2].replace("\n", " ")
    assert f"{figs.gd_steps} steps plain, {figs.momentum_steps} with" in takeaway
    assert f"not within {figs.race_steps}" in takeaway
