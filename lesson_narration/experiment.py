"""Narration for your own experiment's clip, written from its figures (never typed in).

Every number said comes from :func:`lessonkit.experiment.figures`: the start, the
threshold, the steps, each run's finishing step, divergence step or lowest loss,
and the winner's margin. ``tests/test_clip.py`` checks every spoken number
against runs it computes itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from lessonkit.experiment import ClipFigures, RunFigures
from lessonkit.formatting import MINUS, spoken_number, spoken_point

__all__ = ["ClipScript", "said", "script", "spoken_name"]

_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")


def said(value: float) -> str:
    """A hyper-parameter or threshold as the narration says it: up to 3 significant digits,
    a small power of ten as ``10 to the −k``.

    >>> said(0.001), said(1e-8), said(0.0215)
    ('0.001', '10 to the −8', '0.0215')
    """
    if value > 0:
        exponent = math.log10(value)
        if exponent <= -5 and abs(exponent - round(exponent)) < 1e-12:
            return f"10 to the {MINUS}{-round(exponent)}"
    return spoken_number(value, 3)


def spoken_name(run: RunFigures) -> str:
    """How the narration names a run: its label when the file gives one, else its optimizer
    with what sets it apart (β for momentum, the learning rate where two runs are alike)."""
    label = run.label
    if run.optimizer == "momentum":
        beta = run.hyperparameters["beta"]
        prefix = "Nesterov momentum" if run.hyperparameters.get("nesterov") else "momentum"
        default = (
            f"{'Nesterov ' if run.hyperparameters.get('nesterov') else ''}momentum, β = {beta:g}"
        )
        if label.startswith(default):
            label = f"{prefix} with beta {said(beta)}" + label[len(default) :]
    elif run.optimizer == "gd" and label.startswith("plain GD"):
        label = "plain gradient descent" + label[len("plain GD") :]
    return label.replace(", lr = ", ", learning rate ").replace("β = ", "beta ")


@dataclass(frozen=True)
class ClipScript:
    """The clip's spoken lines, in the order they are played."""

    intro: str
    finish_line: str
    race: str
    results: str
    verdict: str
    #: Said over the 3-D view first, when the file asks for one (``view = "3d"``).
    landscape: str = ""

    def lines(self) -> list[str]:
        """Every line, in order."""
        first = [self.landscape] if self.landscape else []
        return [*first, self.intro, self.finish_line, self.race, self.results, self.verdict]


def _listed(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _outcome(run: RunFigures, threshold: str, steps: int, first: bool) -> str | None:
    """What became of ``run``; None for a run that simply never got there (said together)."""
    name = spoken_name(run)
    if run.steps_to_threshold is not None:
        reach = f"reaches a loss below {threshold} " if first else ""
        return f"{name} {reach}after {run.steps_to_threshold} steps"
    if run.diverged_step is not None:
        return f"{name} diverges at step {run.diverged_step}"
    if run.left_step is not None:
        return f"{name} leaves the map at step {run.left_step} and does not finish within {steps}"
    return None


def _never(run: RunFigures) -> bool:
    """A run that neither finished, diverged nor left the map."""
    return run.steps_to_threshold is None and run.diverged_step is None and run.left_step is None


def script(figs: ClipFigures) -> ClipScript:
    """The clip's narration for ``figs``."""
    experiment = figs.experiment
    runs = figs.runs
    threshold = said(figs.threshold)
    names = [spoken_name(run) for run in runs]
    count = _COUNT_WORDS[len(runs)]
    intro = (
        f"{experiment.title}. {count.capitalize()} run{'s' if len(runs) > 1 else ''} "
        f"from {spoken_point(experiment.start)}: {_listed(names)}."
    )
    finish_line = (
        f"A run finishes when its loss drops below {threshold}; "
        f"each has up to {experiment.steps} steps."
    )
    race = (
        "Here they go: each dot walks its path on the map, each curve its loss on the right, "
        "and the clock speeds up where little changes."
    )
    order = list(figs.finishers) + [i for i in range(len(runs)) if i not in figs.finishers]
    outcomes = []
    for position, index in enumerate(order):
        outcome = _outcome(runs[index], threshold, experiment.steps, first=position == 0)
        if outcome is not None:
            outcomes.append(outcome)
    never = [names[index] for index in order if _never(runs[index])]
    if never:
        verb = "does" if len(never) == 1 else "do"
        reach = f"get below {threshold}" if not figs.finishers else "get there"
        outcomes.append(f"{_listed(never)} {verb} not {reach} within {experiment.steps} steps")
    results = "; ".join(outcomes) + "."
    results = results[0].upper() + results[1:]
    if figs.winner is None:
        lowest = min(range(len(runs)), key=lambda index: runs[index].lowest_loss)
        verdict = (
            f"None of them gets there within {experiment.steps} steps; the lowest loss, "
            f"{spoken_number(runs[lowest].lowest_loss, 2)}, is {names[lowest]}'s."
        )
    elif len(figs.tied) > 1:
        verdict = (
            f"{_listed([names[index] for index in figs.tied])} tie for first, at "
            f"{runs[figs.winner].steps_to_threshold} steps."
        )
    elif len(figs.finishers) == 1:
        verdict = f"Only {names[figs.winner]} gets there."
    else:
        second = figs.finishers[1]
        margin = (runs[second].steps_to_threshold or 0) - (
            runs[figs.winner].steps_to_threshold or 0
        )
        verdict = (
            f"{names[figs.winner]} gets there first, {margin} step{'s' if margin != 1 else ''} "
            f"ahead of {names[second]}."
        )
    verdict = verdict[0].upper() + verdict[1:]
    what = figs.surface.title if "name" in experiment.surface_data else "your formula"
    landscape = (
        f"First the surface itself, {what}, with the path each run will take over it."
        if experiment.view == "3d"
        else ""
    )
    return ClipScript(intro, finish_line, race, results, verdict, landscape)
