"""Narration for the race chapter: plain gradient descent against β = 0.9 on the stretched bowl."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import RULE_NAMES, spoken_number
from momentum_math import Trajectory, rules

#: The most steps the race can draw: the clock runs them all within three lines.
MAX_STEPS = 1000
#: The warm-up race on the ravine the learner knows runs at most this many steps.
RAVINE_MAX_STEPS = 1000
#: The other finish line the chapter tries: this many times the race's threshold.
OTHER_FINISH_FACTOR = 100


def other_rule(convention: str) -> str:
    """The rule the race is compared with: the lesson's, or (for a race already on the
    lesson's scale of step) the moving average."""
    return "lesson" if convention == "ema" else "ema"


@dataclass(frozen=True)
class RaceFigures:
    """Every number the race shows or speaks, from the ``stretched_bowl_race`` experiment.

    ``gd_steps`` and ``momentum_steps`` are the first steps whose loss is
    below ``threshold``; ``margin`` is how many steps sooner momentum gets
    there. The runs themselves are kept for drawing (not compared).

    The rule: ``convention`` is the race's (the explainer figure's moving average);
    ``averaged_step`` is momentum's real step under the moving average in PyTorch's terms
    (θ ← θ − step·v with v the sum of gradients): α(1 − β), against α under the lesson's.
    ``other_convention`` is the rule it is compared with (:func:`other_rule`),
    ``other_momentum_steps`` momentum's steps to the threshold under it, same α, β, start
    (plain descent is the same run under every rule). The finish line: at
    ``other_threshold`` (:data:`OTHER_FINISH_FACTOR` times ``threshold``) plain descent
    takes ``other_finish_gd_steps`` and momentum ``other_finish_momentum_steps`` under the
    race's rule, ``other_finish_other_steps`` under the other one (``None``: not within the
    steps).

    The warm-up on the ravine (the ``ravine_zigzag`` preset the learner has watched, its
    α, its momentum β = ``ravine_beta`` and its rule, to the same ``threshold``):
    ``ravine_gd_steps`` and ``ravine_momentum_steps``, with the runs kept for drawing.

    ``kappa``: the bowl's condition number λ_max/λ_min, how many times more sharply it
    curves across than along (100 for the published bowl).
    """

    start: tuple[float, float]
    lr: float
    momentum_beta: float
    threshold: float
    gd_steps: int
    momentum_steps: int
    margin: int
    gd_loss_at_finish: float
    momentum_loss_at_finish: float
    convention: str
    averaged_step: float
    other_convention: str
    other_momentum_steps: int | None
    other_threshold: float
    other_finish_gd_steps: int | None
    other_finish_momentum_steps: int | None
    other_finish_other_steps: int | None
    ravine_lr: float
    ravine_beta: float
    ravine_convention: str
    ravine_gd_steps: int
    ravine_momentum_steps: int
    kappa: float
    gd_run: Trajectory = field(repr=False, compare=False)
    momentum_run: Trajectory = field(repr=False, compare=False)
    other_run: Trajectory = field(repr=False, compare=False)
    ravine_gd_run: Trajectory = field(repr=False, compare=False)
    ravine_momentum_run: Trajectory = field(repr=False, compare=False)


def figures() -> RaceFigures:
    """The race's numbers, computed now from the explainer-figure experiment (with the lesson
    configuration's overrides, if any)."""
    experiment = lesson_experiment("stretched_bowl_race")
    needs = Needs("race", experiment)
    needs.stretched_quadratic("the stretched bowl it races on")
    needs.betas(2, "plain descent on the left, momentum on the right", exact=False)
    needs.steps(1, MAX_STEPS, "the clock runs the race within three lines")
    window = (experiment.surface.x_range, experiment.surface.y_range)
    needs.start_inside(window)
    needs.require(experiment.threshold is not None, ("threshold",), "a threshold: the finish line")
    threshold = float(experiment.threshold or 0.0)
    needs.said_as_given("threshold", threshold, 1, "its finish line shows it with 1")
    needs.said_as_given("lr", experiment.lr, 2, "it says the learning rate with 2")
    gd_beta, momentum_beta = experiment.betas[0], experiment.betas[1]
    needs.said_as_given("betas", momentum_beta, 2, "it says the racing β with 2")
    gd_run, momentum_run = experiment.run(gd_beta), experiment.run(momentum_beta)
    needs.inside([gd_run, momentum_run], window, "a runner's path")
    gd_steps = needs.finishes(gd_run, threshold, "plain descent", "it stops at the finish line")
    momentum_steps = needs.finishes(
        momentum_run, threshold, f"β = {momentum_beta:g}", "it stops at the finish line"
    )
    needs.require(
        momentum_steps < gd_steps,
        ("betas", "threshold", "lr", "start", "convention", "surface"),
        f"momentum (β = {momentum_beta:g}) to finish before plain descent (it says how many "
        f"steps sooner); it takes {momentum_steps} steps, plain descent {gd_steps}",
    )
    other = other_rule(experiment.convention)
    other_run = dataclasses.replace(experiment, convention=other).run(momentum_beta)
    other_gd = dataclasses.replace(experiment, convention=other).run(gd_beta)
    needs.require(
        gd_beta == 0.0 and bool((other_gd.positions == gd_run.positions).all()),
        ("betas",),
        "plain descent (β = 0) first: the same run under every rule (it compares rules)",
    )
    ravine = ravine_race(threshold)
    other_threshold = threshold * OTHER_FINISH_FACTOR
    needs.said_as_given("threshold", other_threshold, 1, "it tries a finish line 100 times higher")
    return RaceFigures(
        start=(float(experiment.start[0]), float(experiment.start[1])),
        lr=float(experiment.lr),
        momentum_beta=float(momentum_beta),
        threshold=threshold,
        gd_steps=gd_steps,
        momentum_steps=momentum_steps,
        margin=gd_steps - momentum_steps,
        gd_loss_at_finish=float(gd_run.losses[gd_steps]),
        momentum_loss_at_finish=float(momentum_run.losses[momentum_steps]),
        convention=experiment.convention,
        averaged_step=float(rules.pytorch_step_size(experiment.lr, momentum_beta, "ema")),
        other_convention=other,
        other_momentum_steps=other_run.steps_to_converge(threshold),
        other_threshold=other_threshold,
        other_finish_gd_steps=gd_run.steps_to_converge(other_threshold),
        other_finish_momentum_steps=momentum_run.steps_to_converge(other_threshold),
        other_finish_other_steps=other_run.steps_to_converge(other_threshold),
        ravine_lr=float(ravine.lr),
        ravine_beta=float(ravine.betas[1]),
        ravine_convention=ravine.convention,
        ravine_gd_steps=ravine.gd_steps,
        ravine_momentum_steps=ravine.momentum_steps,
        kappa=float(experiment.surface.condition_number),
        gd_run=gd_run,
        momentum_run=momentum_run,
        other_run=other_run,
        ravine_gd_run=ravine.gd_run,
        ravine_momentum_run=ravine.momentum_run,
    )


@dataclass(frozen=True)
class _RavineRace:
    lr: float
    betas: tuple[float, ...]
    convention: str
    gd_steps: int
    momentum_steps: int
    gd_run: Trajectory
    momentum_run: Trajectory


def ravine_race(threshold: float) -> _RavineRace:
    """Plain descent against the ravine preset's momentum β, each to ``threshold``."""
    preset = lesson_experiment("ravine_zigzag")
    needs = Needs("race", preset)
    needs.stretched_quadratic("the ravine it races on first")
    needs.betas(2, "plain descent, then the momentum that races it", exact=False)
    needs.said_as_given("lr", preset.lr, 2, "it says the ravine's learning rate with 2")
    needs.said_as_given("betas", preset.betas[1], 2, "it says the racing β with 2")
    runs = [preset.run(beta, steps=RAVINE_MAX_STEPS) for beta in preset.betas[:2]]
    window = (preset.surface.x_range, preset.surface.y_range)
    gd_steps = needs.finishes(runs[0], threshold, "plain descent", "its warm-up race stops there")
    momentum_steps = needs.finishes(
        runs[1], threshold, f"β = {preset.betas[1]:g}", "its warm-up race stops there"
    )
    needs.inside(runs, window, "a runner's path on the ravine")
    return _RavineRace(
        float(preset.lr),
        tuple(float(b) for b in preset.betas),
        preset.convention,
        gd_steps,
        momentum_steps,
        runs[0],
        runs[1],
    )


@dataclass(frozen=True)
class RaceScript:
    """The chapter's spoken lines, in the order they are played.

    Bookmarks: ``close`` in ``late`` (the race slows down before the finish),
    ``margin`` in ``verdict``, ``other_rule`` in ``rule`` (the other rule's row of the
    table), ``other_finish`` in ``finish_choice`` (the other finish line's rows).
    """

    ravine: str
    ravine_verdict: str
    setup: str
    finish_line: str
    early: str
    late: str
    verdict: str
    rule: str
    finish_choice: str
    teaser: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [
            self.ravine,
            self.ravine_verdict,
            self.setup,
            self.finish_line,
            self.early,
            self.late,
            self.verdict,
            self.rule,
            self.finish_choice,
            self.teaser,
        ]


def outcome(gd_steps: int | None, momentum_steps: int | None, steps: int) -> str:
    """Who wins a race between plain descent and momentum, and by what counts, in words."""
    if gd_steps is None and momentum_steps is None:
        return f"neither gets there within {steps} steps"
    if momentum_steps is None:
        return f"plain descent wins, {gd_steps} steps; momentum is not there within {steps}"
    if gd_steps is None:
        return f"momentum wins, {momentum_steps} steps; plain descent is not there within {steps}"
    if gd_steps == momentum_steps:
        return f"a tie, {gd_steps} steps each"
    if gd_steps < momentum_steps:
        return f"plain descent wins, {gd_steps} steps to {momentum_steps}"
    return f"momentum wins, {momentum_steps} steps to {gd_steps}"


def _steps_words(steps: int | None, within: int) -> str:
    return f"finishes in {steps} steps" if steps is not None else f"is not there within {within}"


def script(figs: RaceFigures) -> RaceScript:
    """The race narration for ``figs``."""
    steps = figs.gd_run.num_steps
    rule, other = RULE_NAMES[figs.convention], RULE_NAMES[figs.other_convention]
    averaged = (
        "averages the gradients instead of adding them up, so momentum's real step is "
        f"alpha times one minus beta, {spoken_number(figs.averaged_step, 2)}"
    )
    if figs.convention == "ema":
        why = (
            f"Why so close? This rule {averaged}. "
            f'<bookmark mark="other_rule"/>Under {other}, same alpha and beta, momentum '
            f"{_steps_words(figs.other_momentum_steps, steps)}."
        )
    else:
        why = (
            f'<bookmark mark="other_rule"/>Under {other}, which {averaged}, momentum '
            f"{_steps_words(figs.other_momentum_steps, steps)}."
        )
    ravine_rule = RULE_NAMES[
        "lesson" if figs.ravine_convention == "pytorch" else figs.ravine_convention
    ]
    return RaceScript(
        ravine=(
            "First, a race on the ravine you know, from the zigzag's start: plain descent above, "
            f"beta {spoken_number(figs.ravine_beta)} below, both at alpha "
            f"{spoken_number(figs.ravine_lr)} on {ravine_rule}, "
            f"to a loss below {spoken_number(figs.threshold)}."
        ),
        ravine_verdict=(
            f"Momentum is there in {figs.ravine_momentum_steps} steps; "
            f"plain descent needs {figs.ravine_gd_steps}."
        ),
        setup=(
            f"Now a stretched bowl, curving {spoken_number(figs.kappa, 3)} times more sharply "
            f"across than along; both runs on {rule}: plain descent left, "
            f"beta {spoken_number(figs.momentum_beta)} right, "
            f"same start, same alpha {spoken_number(figs.lr)}."
        ),
        finish_line=(
            f"A run finishes when its loss drops below {spoken_number(figs.threshold)}. "
            "Which finishes first?"
        ),
        early=(
            "Plain descent bounces from wall to wall. "
            "Momentum turns the bounces into smooth swings."
        ),
        late=(
            'Then the long slide in. <bookmark mark="close"/> '
            "Each counter stops as its run crosses the line."
        ),
        verdict=(
            f"Momentum finishes in {figs.momentum_steps} steps, plain descent in "
            f'{figs.gd_steps}: <bookmark mark="margin"/> {figs.margin} steps sooner.'
        ),
        rule=why,
        finish_choice=(
            "And the finish line is a choice. "
            f'<bookmark mark="other_finish"/>At {spoken_number(figs.other_threshold)}: '
            f"{outcome(figs.other_finish_gd_steps, figs.other_finish_momentum_steps, steps)} "
            f"under {rule}; under {other}, "
            f"{outcome(figs.other_finish_gd_steps, figs.other_finish_other_steps, steps)}."
        ),
        teaser="So why not more beta?",
    )
