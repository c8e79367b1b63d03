"""Narration for the recap and quiz: three takeaways, three questions with their answers."""

from __future__ import annotations

from dataclasses import dataclass, field

from lessonkit.config import Needs
from lessonkit.config import experiment as lesson_experiment
from lessonkit.formatting import format_number, spoken_number
from momentum_math import Trajectory, theory

#: The rule-of-thumb example: α and β of the PyTorch snippet.
THUMB_LR = 0.01
THUMB_BETA = 0.9


@dataclass(frozen=True)
class RecapFigures:
    """Every number the recap shows or speaks, computed by ``momentum_math``.

    Attributes
    ----------
    race_steps : int
        Steps each race run was given (300).
    threshold : float
        The loss below which a run counts as converged (0.001).
    momentum_beta, overshoot_beta : float
        The race's working momentum (0.9) and its too-much momentum (0.99).
    gd_steps, momentum_steps : int
        Steps to converge for plain GD (185) and for β = ``momentum_beta`` (159).
    overshoot_steps : int or None
        Steps to converge for β = ``overshoot_beta``: None, not within ``race_steps``.
    thumb_lr, thumb_beta : float
        α and β of the steady-step question.
    one_minus_beta : float
        1 − ``thumb_beta``.
    steady_step : float
        α/(1 − β), the step a constant unit gradient settles to (0.1).
    step_ratio : float
        ``steady_step`` / α, how many times α that is (10).
    """

    race_steps: int
    threshold: float
    momentum_beta: float
    overshoot_beta: float
    gd_steps: int
    momentum_steps: int
    overshoot_steps: int | None
    thumb_lr: float
    thumb_beta: float
    one_minus_beta: float
    steady_step: float
    step_ratio: float


def figures(lr: float = THUMB_LR, beta: float = THUMB_BETA) -> RecapFigures:
    """The race's step counts and the steady step α/(1 − β) for ``lr`` and ``beta``."""
    race = lesson_experiment("stretched_bowl_race")
    needs = Needs("recap", race)
    needs.betas(3, "the race's plain descent and momentum, and too much momentum")
    for each in race.betas[1:]:
        needs.said_as_given("betas", each, 2, "it says the βs with 2")
    needs.require(race.threshold is not None, ("threshold",), "a threshold: the race's finish")
    threshold = float(race.threshold or 0.0)
    gd_beta, momentum_beta, overshoot_beta = race.betas
    runs = {b: race.run(b) for b in race.betas}
    where = "it recalls the race's step counts"
    gd_steps = needs.finishes(runs[gd_beta], threshold, "plain descent", where)
    momentum_steps = needs.finishes(runs[momentum_beta], threshold, f"β = {momentum_beta:g}", where)
    needs.never_finishes(
        runs[overshoot_beta], threshold, f"β = {overshoot_beta:g}", "it says it does not get there"
    )
    counts = {b: runs[b].steps_to_converge(threshold) for b in race.betas}
    steady_step = float(theory.effective_step(lr, beta, "lesson"))
    return RecapFigures(
        race_steps=race.steps,
        threshold=threshold,
        momentum_beta=momentum_beta,
        overshoot_beta=overshoot_beta,
        gd_steps=gd_steps,
        momentum_steps=momentum_steps,
        overshoot_steps=counts[overshoot_beta],
        thumb_lr=lr,
        thumb_beta=beta,
        one_minus_beta=1.0 - beta,
        steady_step=steady_step,
        step_ratio=steady_step / lr,
    )


@dataclass(frozen=True)
class RecapClips:
    """The runs the recap replays beside its takeaways, as the chapters showed them.

    ``zigzag``: plain descent on the ravine (the ``ravine_zigzag`` preset, its α);
    ``glide``: the same start and α with the ravine's momentum (its second β); both up to
    ``ravine_steps``. ``race``: the race's runs (plain descent, its momentum, too much
    momentum) with ``race_stops``, where each stops: its finish, or its last step.
    """

    ravine_lr: float
    ravine_steps: int
    race_lr: float
    race_stops: tuple[int, ...]
    zigzag: Trajectory = field(repr=False, compare=False)
    glide: Trajectory = field(repr=False, compare=False)
    race: tuple[Trajectory, ...] = field(repr=False, compare=False)


def clips() -> RecapClips:
    """The recap's replays, computed now from the ravine and race experiments (with the
    lesson configuration's overrides, if any)."""
    ravine = lesson_experiment("ravine_zigzag")
    ravine_needs = Needs("recap", ravine)
    ravine_needs.betas(2, "it replays plain descent and momentum on the ravine", exact=False)
    window = (ravine.surface.x_range, ravine.surface.y_range)
    ravine_needs.start_inside(window)
    zigzag, glide = ravine.run(ravine.betas[0]), ravine.run(ravine.betas[1])
    ravine_needs.inside([zigzag, glide], window, "a replayed path")
    race = lesson_experiment("stretched_bowl_race")
    race_needs = Needs("recap", race)
    race_needs.betas(3, "it replays the race's three runs")
    runs = tuple(race.run(beta) for beta in race.betas)
    race_needs.inside(list(runs), (race.surface.x_range, race.surface.y_range), "a replayed path")
    threshold = float(race.threshold or 0.0)
    stops: list[int] = []
    for run in runs:  # each stops at its finish, or at its last step
        finish = run.steps_to_converge(threshold)
        stops.append(run.num_steps if finish is None else finish)
    return RecapClips(
        ravine_lr=float(ravine.lr),
        ravine_steps=int(ravine.steps),
        race_lr=float(race.lr),
        race_stops=tuple(int(stop) for stop in stops),
        zigzag=zigzag,
        glide=glide,
        race=runs,
    )


def screen_number(value: float) -> str:
    """A recap number as the screen writes it (at most 2 significant digits, no trailing zeros)."""
    return spoken_number(value, 2) if value < 1e4 else format_number(value)


@dataclass(frozen=True)
class RecapScreen:
    """The on-screen sentences of the recap, built from the figures."""

    takeaways: tuple[str, str, str]
    questions: tuple[str, str, str]
    answers: tuple[str, str, str]


def screen(figs: RecapFigures) -> RecapScreen:
    """The takeaways, questions and answers as shown on screen."""
    n = screen_number
    return RecapScreen(
        takeaways=(
            "Plain GD zigzags across a ravine\nand crawls along its floor.",
            "Momentum keeps a velocity\nv ← βv + α∇L: across it never"
            "\nbuilds up, along it adds up.",
            f"Race: {figs.gd_steps} steps plain, {figs.momentum_steps} with\n"
            f"β = {n(figs.momentum_beta)}; β = {n(figs.overshoot_beta)}: not within "
            f"{figs.race_steps}.",
        ),
        questions=(
            "What does β control?",
            f"α = {n(figs.thumb_lr)} and β = {n(figs.thumb_beta)}.\n"
            "The gradient stays at 1.\nWhere does the step size settle?",
            f"With β = {n(figs.overshoot_beta)}, the run keeps\n"
            "swinging past the minimum.\nRaise β, or lower it?",
        ),
        answers=(
            "How much of the previous velocity\nis kept at each step.",
            f"α / (1 − β) = {n(figs.thumb_lr)} / {n(figs.one_minus_beta)} = {n(figs.steady_step)},"
            f"\n{n(figs.step_ratio)} times α.",
            f"Lower it: shorter memory turns sooner.\n"
            f"β = {n(figs.momentum_beta)} got there in {figs.momentum_steps} steps.",
        ),
    )


@dataclass(frozen=True)
class RecapScript:
    """The recap's spoken lines, in the order they are played."""

    zigzag: str
    velocity: str
    race: str
    question_1: str
    answer_1: str
    question_2: str
    answer_2: str
    question_3: str
    answer_3: str
    goodbye: str

    def lines(self) -> list[str]:
        """Every line, in order."""
        return [
            self.zigzag,
            self.velocity,
            self.race,
            self.question_1,
            self.answer_1,
            self.question_2,
            self.answer_2,
            self.question_3,
            self.answer_3,
            self.goodbye,
        ]


def script(figs: RecapFigures) -> RecapScript:
    """The recap narration for ``figs``."""
    n = screen_number
    return RecapScript(
        zigzag="Recap: in a ravine, plain descent zigzags and crawls.",
        velocity=("Momentum's velocity remembers: across, it never builds up; along, it adds up."),
        race=(
            f"The race: {figs.gd_steps} steps plain, "
            f"{figs.momentum_steps} with {n(figs.momentum_beta)}; "
            f"{n(figs.overshoot_beta)} did not get there within {figs.race_steps}."
        ),
        question_1="Quiz. Question one: what does beta control?",
        answer_1="How much of the previous velocity each step keeps.",
        question_2=(
            f"Question two: alpha {n(figs.thumb_lr)}, beta {n(figs.thumb_beta)}, "
            "the gradient stays at 1. Where does the step settle?"
        ),
        answer_2=(
            f"Alpha over one minus beta: {n(figs.steady_step)}, {n(figs.step_ratio)} times alpha."
        ),
        question_3=(
            f"Question three: beta {n(figs.overshoot_beta)} keeps swinging past the minimum. "
            "Raise it, or lower it?"
        ),
        answer_3=(
            f"Lower it: a shorter memory turns sooner. "
            f"{n(figs.momentum_beta)} took {figs.momentum_steps} steps."
        ),
        goodbye="That's momentum. Thanks for watching!",
    )


@dataclass(frozen=True)
class QuizQuestion:
    """One question of the page's quiz: its choices (one right), and why the right one is."""

    question: str
    choices: tuple[str, ...]
    answer: int
    explanation: str

    def as_data(self) -> dict[str, object]:
        """The question as JSON data."""
        return {
            "question": self.question,
            "choices": list(self.choices),
            "answer": self.answer,
            "explanation": self.explanation,
        }


def quiz(figs: RecapFigures) -> tuple[QuizQuestion, QuizQuestion, QuizQuestion]:
    """The recap's three questions as the lesson page asks them, with choices built from the
    figures (the wrong ones are the mistakes a learner makes: β taken for the step size, the
    step taken to stay α, momentum raised to cure an overshoot)."""
    n = screen_number
    lr, beta = figs.thumb_lr, figs.thumb_beta
    kept = round(100 * figs.momentum_beta)
    return (
        QuizQuestion(
            question="What does β control?",
            choices=(
                "The size of each step along the gradient",
                "How much of the previous velocity each step keeps",
                "The loss a run has to get below to finish",
            ),
            answer=1,
            explanation=(
                f"β multiplies the old velocity in v ← βv + α∇L: with β = {n(figs.momentum_beta)} "
                f"each step keeps {kept} % of the velocity before it, and β = 0 is plain "
                "descent. The step size is α; the finish line is the threshold."
            ),
        ),
        QuizQuestion(
            question=(
                f"α = {n(lr)} and β = {n(beta)}, and the gradient stays at 1. "
                "Where does the step size settle?"
            ),
            choices=(
                f"α = {n(lr)}: momentum does not change the step",
                f"α / (1 − β) = {n(figs.steady_step)}",
                f"α × β = {n(lr * beta)}",
            ),
            answer=1,
            explanation=(
                f"Each step adds α to a velocity that keeps β of itself, so it grows to "
                f"α / (1 − β) = {n(lr)} / {n(figs.one_minus_beta)} = {n(figs.steady_step)}: "
                f"{n(figs.step_ratio)} times α."
            ),
        ),
        QuizQuestion(
            question=(
                f"With β = {n(figs.overshoot_beta)} the run keeps swinging past the minimum. "
                "Raise β, or lower it?"
            ),
            choices=("Raise it", "Lower it"),
            answer=1,
            explanation=(
                f"Lower it: a shorter memory turns sooner. In the race, β = "
                f"{n(figs.overshoot_beta)} was not below {n(figs.threshold)} within "
                f"{figs.race_steps} steps; β = {n(figs.momentum_beta)} got there in "
                f"{figs.momentum_steps}."
            ),
        ),
    )
