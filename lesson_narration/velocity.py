"""Narration for the velocity chapter: momentum as a velocity that remembers past gradients."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import spoken_number
from momentum_math import Trajectory, UpdateRule, rules, theory, worked_example

#: The conventions shown side by side, the lesson's own first.
CONVENTION_ORDER: tuple[str, ...] = ("lesson", "pytorch", "ema", "classical")
#: α and β of the unrolled-sum beat (the brief's rule of thumb: 0.01 and 0.9 give 0.1).
RULE_LR = 0.01
RULE_BETA = 0.9
#: How many weights are drawn as bars and stacked.
BAR_COUNT = 25
#: The ravine run whose velocity arrows ride on the map is the preset's second β, the one
#: that works there (0.8 in the published preset); the third is too much (0.9).
RAVINE_BETA = 0.8
#: The steps the chapter can draw: the arrows grow for a step or more, the path glides home
#: during one line.
MIN_STEPS = 2
MAX_STEPS = 200
#: The velocity plots as the storyboard draws them: v_x up to ``ALONG_TOP`` with a tick every
#: ``ALONG_TICK``, v_y with a tick every ``ACROSS_TICK``; at most ``MAX_TICKS`` ticks an axis.
ALONG_TOP = 0.05
ALONG_TICK = 0.05
ACROSS_TICK = 0.2
MAX_TICKS = 16
#: Significant digits the readout shows for a velocity like 0.108 (three decimals).
READOUT_DIGITS = 3
#: The velocity arrows on the map show the x velocity this many times larger (a display
#: choice: at true scale a step along the floor is hidden under the dot).
ARROW_SCALE = 6.0


@dataclass(frozen=True, eq=False)
class VelocityFigures:
    """Every number the velocity chapter shows or speaks, computed by ``momentum_math``.

    Ravine (the blog experiment, pytorch convention, shown in the lesson's scale):
    ``run`` is the run with the preset's second β, ``beta`` (``RAVINE_BETA`` as
    published); ``velocities`` its velocities in the lesson convention (v such that
    θ ← θ − v), shape (n + 1, 2);
    ``vx_first`` the x velocity after step 1, ``vx_peak`` / ``vx_peak_step`` the
    x velocity of largest size (signed) and its step; ``arrow_scale`` how many times
    larger than true scale the map's arrows draw the x velocity.

    Unrolled sum: ``weights[k]`` = α·βᵏ, the weight of the gradient k steps ago
    (read off the velocity under a constant unit gradient); ``partial_sum`` the
    sum of the ``len(weights)`` bars; ``effective_step`` α/(1 − β);
    ``memory_window`` 1/(1 − β) (= effective_step / α).

    Plots: ``plot_runs`` one run per β in ``plot_betas``; ``plot_velocities`` their
    lesson-scale velocities; ``vx_peaks`` / ``vy_peaks`` the x / y velocity of
    largest size in each (signed); ``vy_first`` the y velocity after step 1;
    ``across_rates`` each run's per-step contraction across the walls (the spectral radius
    along the steep eigen-direction, :func:`momentum_math.theory.spectral_radius`): plain
    descent's |1 − αλ|, momentum's √β once its roots are complex, so a larger rate is a
    wobble that lasts longer.
    """

    lr: float
    beta: float
    start: tuple[float, float]
    steps: int
    run: Trajectory
    velocities: NDArray[np.float64]
    vx_first: float
    vx_peak: float
    vx_peak_step: int
    arrow_scale: float
    conventions: tuple[UpdateRule, ...]
    rule_lr: float
    rule_beta: float
    weights: tuple[float, ...]
    partial_sum: float
    effective_step: float
    memory_window: float
    plot_betas: tuple[float, ...]
    plot_runs: tuple[Trajectory, ...]
    plot_velocities: tuple[NDArray[np.float64], ...]
    vx_peaks: tuple[float, ...]
    vy_peaks: tuple[float, ...]
    vy_first: float
    across_rates: tuple[float, ...]

    @property
    def momentum_wobbles_longer(self) -> bool:
        """Whether the momentum run on the map wobbles across longer than plain descent."""
        rates = dict(zip(self.plot_betas, self.across_rates, strict=True))
        return rates[self.beta] > rates[self.plot_betas[0]]


def lesson_velocities(run: Trajectory) -> NDArray[np.float64]:
    """A run's velocities in the lesson convention (θ ← θ − v), whatever its own convention.

    Converts back to the pytorch scale with the run's own factor, then to the lesson's.
    """
    pytorch = run.velocities / rules.velocity_scale(run.lr, run.beta, run.convention)
    step = rules.pytorch_step_size(run.lr, run.beta, run.convention)
    return pytorch * rules.velocity_scale(step, run.beta, "lesson")


def _signed_peak(values: NDArray[np.float64]) -> float:
    """The value of largest size, with its sign."""
    return float(values[int(np.argmax(np.abs(values)))])


def figures() -> VelocityFigures:
    """The chapter's numbers, computed now from the ravine experiment and the theory."""
    experiment = lesson_experiment("ravine_zigzag")
    needs = Needs("velocity", experiment)
    needs.stretched_quadratic("the ravine whose floor the velocity builds up along")
    needs.betas(3, "plain descent, the momentum whose arrows ride on the map, a larger one")
    needs.steps(MIN_STEPS, MAX_STEPS, "the path glides home during one line")
    window = (experiment.surface.x_range, experiment.surface.y_range)
    needs.start_inside(window)
    for beta in experiment.betas:
        needs.said_as_given("betas", beta, 2, "it says and shows each β with 2")
    working = experiment.betas[1]
    runs = experiment.runs()
    run = runs[working]
    needs.inside([run], window, "the momentum path its arrows ride on")
    velocities = lesson_velocities(run)
    peak_step = int(np.argmax(np.abs(velocities[:, 0])))
    needs.require(
        peak_step >= 2 and abs(velocities[peak_step, 0]) > abs(velocities[1, 0]),
        ("start", "lr", "betas", "steps", "convention"),
        "the velocity along the floor to grow after the first step (it says the arrow grows "
        f"from one number to a larger one); it is largest at step {peak_step}",
    )

    # The velocity under a constant unit gradient is the running sum of the weights.
    constant = worked_example(lr=RULE_LR, beta=RULE_BETA, steps=BAR_COUNT).velocities[:, 0]
    weights = np.diff(constant, prepend=0.0)

    plot_betas = tuple(float(beta) for beta in experiment.betas)
    plot_runs = tuple(runs[beta] for beta in experiment.betas)
    plot_velocities = tuple(lesson_velocities(each) for each in plot_runs)
    _check_plots(needs, plot_runs, plot_velocities)
    for each_run, each in zip(plot_runs, plot_velocities, strict=True):
        across = np.abs(each[1:, 1])
        needs.require(
            bool(np.all(across <= across[0])),
            ("lr", "betas", "start", "convention"),
            f"the velocity across (β = {each_run.beta:g}) never to grow past its first push "
            f"(it says so); it reaches {float(across.max()):.3g} after {float(across[0]):.3g}",
        )
    steep = float(experiment.surface.hessian[1, 1])
    across_rates = tuple(
        float(theory.spectral_radius(steep, experiment.lr, beta, experiment.convention))
        for beta in plot_betas
    )
    needs.spoken(velocities[1, 0], 2, "the first velocity along the floor")
    needs.spoken(velocities[peak_step, 0], READOUT_DIGITS, "the peak velocity along the floor")
    return VelocityFigures(
        lr=experiment.lr,
        beta=float(working),
        start=(float(experiment.start[0]), float(experiment.start[1])),
        steps=experiment.steps,
        run=run,
        velocities=velocities,
        vx_first=float(velocities[1, 0]),
        vx_peak=float(velocities[peak_step, 0]),
        vx_peak_step=peak_step,
        arrow_scale=ARROW_SCALE,
        conventions=tuple(rules.rule(name) for name in CONVENTION_ORDER),
        rule_lr=RULE_LR,
        rule_beta=RULE_BETA,
        weights=tuple(float(weight) for weight in weights),
        partial_sum=float(constant[-1]),
        effective_step=float(theory.effective_step(RULE_LR, RULE_BETA)),
        memory_window=float(theory.memory_window(RULE_BETA)),
        plot_betas=plot_betas,
        plot_runs=plot_runs,
        plot_velocities=plot_velocities,
        vx_peaks=tuple(_signed_peak(each[:, 0]) for each in plot_velocities),
        vy_peaks=tuple(_signed_peak(each[:, 1]) for each in plot_velocities),
        vy_first=float(plot_velocities[0][1, 1]),
        across_rates=across_rates,
    )


def _check_plots(
    needs: Needs, runs: tuple[Trajectory, ...], velocities: tuple[NDArray[np.float64], ...]
) -> None:
    """Every run's velocities fit the two plots: v_x at most ``ALONG_TOP`` (the path rolls
    toward the minimum), each axis with at most ``MAX_TICKS`` ticks."""
    for run, each in zip(runs, velocities, strict=True):
        needs.require(
            not run.diverged and bool(np.all(np.isfinite(each))),
            ("lr", "betas", "start", "convention"),
            f"the run with β = {run.beta:g} not to diverge (it plots its velocity)",
        )
        needs.require(
            float(each[:, 0].max()) <= ALONG_TOP,
            ("start", "betas", "lr", "convention"),
            f"the run with β = {run.beta:g} to roll toward the minimum along the floor: its "
            f"plot shows v_x up to {ALONG_TOP:g}, and v_x reaches {float(each[:, 0].max()):.3g} "
            "(a start left of the minimum, x < 0)",
        )
    x_low = min(float(each[:, 0].min()) for each in velocities)
    y_size = max(float(np.abs(each[:, 1]).max()) for each in velocities)
    needs.require(
        (ALONG_TOP - x_low) / ALONG_TICK <= MAX_TICKS and 2 * y_size / ACROSS_TICK <= MAX_TICKS,
        ("lr", "start", "betas", "convention"),
        f"velocities its two plots can show with at most {MAX_TICKS} ticks: v_x down to "
        f"{ALONG_TOP - MAX_TICKS * ALONG_TICK:g} and v_y within "
        f"±{MAX_TICKS * ACROSS_TICK / 2:g}; they reach {x_low:.3g} and ±{y_size:.3g}",
    )


def spoken_beta(beta: float) -> str:
    """β as the narration says it (``0``, ``0.8``, ``0.99``)."""
    return spoken_number(beta, 2)


@dataclass(frozen=True)
class VelocityScript:
    """The chapter's spoken lines, in the order they are played.

    Bookmarks: ``roll`` in ``ball``; ``peak`` and ``glide`` in ``build_up``; ``push`` and
    ``step`` in ``rule``; ``stack`` in ``total``.
    """

    ball: str
    arrows: str
    build_up: str
    rule: str
    conventions: str
    unroll: str
    total: str
    plots_intro: str
    plots_x: str
    plots_y: str
    teaser: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [
            self.ball,
            self.arrows,
            self.build_up,
            self.rule,
            self.conventions,
            self.unroll,
            self.total,
            self.plots_intro,
            self.plots_x,
            self.plots_y,
            self.teaser,
        ]


def script(figs: VelocityFigures) -> VelocityScript:
    """The velocity narration for ``figs``."""
    no_momentum, working, too_much = figs.plot_betas
    return VelocityScript(
        ball=(
            "What if descent remembered? Picture a heavy ball "
            '<bookmark mark="roll"/>rolling down a valley: where the floor keeps '
            "sloping the same way, its speed builds."
        ),
        arrows=(
            f"Give descent that memory, beta {spoken_beta(figs.beta)}. "
            "The blue arrow is its velocity along the floor, "
            f"drawn {spoken_number(figs.arrow_scale)} times larger."
        ),
        build_up=(
            "Across, the swings die down; along the floor, the arrow grows: "
            f'<bookmark mark="peak"/>from {spoken_number(figs.vx_first)} '
            f"to {spoken_number(figs.vx_peak, READOUT_DIGITS)} by step {figs.vx_peak_step}, "
            '<bookmark mark="glide"/>carrying the path home.'
        ),
        rule=(
            "The rule: keep beta times the old velocity, "
            '<bookmark mark="push"/>add alpha times the gradient, '
            '<bookmark mark="step"/>then step against it.'
        ),
        conventions=(
            "PyTorch and the classical form only scale v; the moving average also shrinks the step."
        ),
        unroll=(
            "Unrolled, velocity weighs past gradients: "
            "alpha, alpha beta, alpha beta squared, and so on."
        ),
        total=(
            f"With alpha {spoken_number(figs.rule_lr)} and beta {spoken_beta(figs.rule_beta)}, "
            f'<bookmark mark="stack"/>the first {len(figs.weights)} already add up to '
            f"{spoken_number(figs.partial_sum)}; all of them, to alpha over one minus beta: "
            f"{spoken_number(figs.effective_step)}, "
            f"{spoken_number(figs.memory_window)} times alpha."
        ),
        plots_intro=(
            f"Velocity in the ravine for beta {spoken_beta(no_momentum)}, "
            f"{spoken_beta(working)} and {spoken_beta(too_much)}: along the floor, and across."
        ),
        plots_x="Along the floor the gradient keeps its sign, so momentum builds up.",
        plots_y=(
            "Across, it flips sign and never grows past its first push; "
            + (
                "there momentum even wobbles longer than plain descent."
                if figs.momentum_wobbles_longer
                else "there its wobble dies out sooner than plain descent's."
            )
        ),
        teaser="Building along, bounded across. Next, by hand.",
    )
