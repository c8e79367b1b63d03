"""Narration for your own experiment's clip, written from its figures (never typed in).

Every number said comes from :func:`lessonkit.experiment.figures`: the start, the
threshold, the steps, each run's finishing step, divergence step or lowest loss,
and the winner's margin. ``tests/test_clip.py`` and ``tests/test_experiment.py`` check
every spoken number against runs they compute themselves.

The clip lasts at most a minute, so the narration says as much as fits
:data:`MAX_SPEECH_S` at the voice's pace: every run's outcome on its own when there
is room, else the runs grouped by what became of them, else the leaders and a count
of the rest (the legend names every run and the figures file has every number).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lessonkit.captions import reading_duration
from lessonkit.experiment import ClipFigures, RunFigures
from lessonkit.formatting import said_number

__all__ = ["MAX_SPEECH_S", "ClipScript", "said", "script", "speech_seconds", "spoken_name"]

_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight")
#: The most seconds of speech a clip's lines may take at the voice's pace (the clip's 60 s
#: hold them, the race's shortest run, the fades and the end).
MAX_SPEECH_S = 44.0
#: How many finishers the shortest telling names (the rest are counted).
_LEADERS = 3


#: A hyper-parameter, threshold or loss as the narration says it (exactly as written).
said = said_number


def spoken_name(run: RunFigures) -> str:
    """How the narration names a run: its label when the file gives one, else its optimizer
    with what sets it apart (β for momentum, then the settings where two runs are alike)."""
    return run.spoken or run.label


def _steps(count: int) -> str:
    return f"{count} step{'' if count == 1 else 's'}"


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


def speech_seconds(lines: ClipScript) -> float:
    """How long the voice takes to say ``lines`` (at the pace silent clips are timed by)."""
    return sum(reading_duration(line) for line in lines.lines())


def _listed(names: Sequence[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _capital(text: str) -> str:
    return text[0].upper() + text[1:] if text else text


def _never(run: RunFigures) -> bool:
    """A run that neither finished, diverged nor left the map."""
    return run.steps_to_threshold is None and run.diverged_step is None and run.left_step is None


def _finished_clause(run: RunFigures, threshold: str, first: bool) -> str:
    if run.steps_to_threshold == 0:
        return f"{spoken_name(run)} starts below {threshold}"
    reach = f"reaches a loss below {threshold} " if first else ""
    return f"{spoken_name(run)} {reach}after {_steps(run.steps_to_threshold or 0)}"


def _each(figs: ClipFigures, threshold: str) -> list[str]:
    """Every run's outcome on its own (the runs that simply never got there together)."""
    runs, steps = figs.runs, figs.experiment.steps
    clauses = [
        _finished_clause(runs[index], threshold, position == 0)
        for position, index in enumerate(figs.finishers)
    ]
    for run in runs:
        if run.steps_to_threshold is not None:
            continue
        if run.diverged_step is not None:
            clauses.append(f"{spoken_name(run)} diverges at step {run.diverged_step}")
        elif run.left_step is not None:
            clauses.append(
                f"{spoken_name(run)} leaves the map at step {run.left_step} and does not "
                f"finish within {_steps(steps)}"
            )
    clauses += _never_clause(figs, threshold)
    return clauses


def _never_clause(figs: ClipFigures, threshold: str) -> list[str]:
    never = [spoken_name(run) for run in figs.runs if _never(run)]
    if not never:
        return []
    verb = "does" if len(never) == 1 else "do"
    reach = "get there" if figs.finishers else f"get below {threshold}"
    return [f"{_listed(never)} {verb} not {reach} within {_steps(figs.experiment.steps)}"]


def _in_order(figs: ClipFigures, finishers: Sequence[int], threshold: str) -> list[str]:
    """One clause: the first of ``finishers`` with the threshold, then the others' steps."""
    if not finishers:
        return []
    first, *rest = finishers
    text = _finished_clause(figs.runs[first], threshold, True)
    if rest:
        later = [figs.runs[index] for index in rest]
        text += "".join(
            f", then {spoken_name(run)} after {_steps(run.steps_to_threshold or 0)}"
            for run in later
        )
    return [text]


def _grouped(figs: ClipFigures, threshold: str) -> list[str]:
    """The finishers in order, then the runs grouped by what became of them."""
    runs = figs.runs
    clauses = _in_order(figs, figs.finishers, threshold)
    diverged = [
        run for run in runs if run.steps_to_threshold is None and run.diverged_step is not None
    ]
    if diverged:
        verb = "diverges" if len(diverged) == 1 else "diverge"
        at = _listed([str(run.diverged_step) for run in diverged])
        clauses.append(
            f"{_listed([spoken_name(run) for run in diverged])} {verb} at step"
            f"{'s' if len(diverged) > 1 else ''} {at}"
        )
    left = [
        run
        for run in runs
        if run.steps_to_threshold is None
        and run.diverged_step is None
        and run.left_step is not None
    ]
    if left:
        verb = "leaves" if len(left) == 1 else "leave"
        clauses.append(
            f"{_listed([spoken_name(run) for run in left])} {verb} the map without finishing"
        )
    return clauses + _never_clause(figs, threshold)


def _counted(figs: ClipFigures, threshold: str, leaders: int = _LEADERS) -> list[str]:
    """The first ``leaders`` finishers by name, the rest of the runs counted by outcome."""
    runs, steps = figs.runs, figs.experiment.steps
    named = list(figs.finishers[:leaders])
    clauses = _in_order(figs, named, threshold)
    others = [run for index, run in enumerate(runs) if index not in named]
    if not others:
        return clauses
    best = runs[named[-1]].steps_to_threshold if named else None
    level = sum(
        run.steps_to_threshold is not None and run.steps_to_threshold == best for run in others
    )
    finishing = sum(run.steps_to_threshold is not None for run in others) - level
    diverging = sum(
        run.steps_to_threshold is None and run.diverged_step is not None for run in others
    )
    missing = len(others) - level - finishing - diverging
    kinds = [  # (how many, said of one, said of several)
        (level, "finishes at the same step", "finish at the same step"),
        (finishing, "finishes later", "finish later"),
        (diverging, "diverges", "diverge"),
        (
            missing,
            f"does not finish within {_steps(steps)}",
            f"do not finish within {_steps(steps)}",
        ),
    ]
    present = [kind for kind in kinds if kind[0]]
    other = f"the other {_COUNT_WORDS[len(others)]}" if len(others) > 1 else "the other run"
    if not named:
        other = f"all {_COUNT_WORDS[len(others)]}" if len(others) > 1 else "it"
    if len(present) == 1:
        _, one, several = present[0]
        clauses.append(f"{other} {several if len(others) > 1 else one}")
    else:
        parts = [f"{_COUNT_WORDS[n]} {one if n == 1 else several}" for n, one, several in present]
        clauses.append(f"of {other}, {_listed(parts)}")
    return clauses


def _lowest_said(lowest: float, threshold: float) -> str:
    """The lowest loss, with the fewest digits (3 or more) that keep it above the threshold
    when said (it never went below it), or "exactly" the threshold."""
    if lowest <= threshold:
        return f"exactly {said(threshold)}"
    for digits in range(3, 18):
        if float(f"{lowest:.{digits - 1}e}") > threshold:
            return said_number(lowest, digits)
    return said_number(lowest)


def _verdict(figs: ClipFigures, names: Sequence[str], threshold: str, compact: bool = False) -> str:
    """Who won (by how much), or why nobody did; ``compact`` names the runs less."""
    runs, steps = figs.runs, figs.experiment.steps
    if compact and figs.winner is None:
        return f"None of them gets below {threshold} within {_steps(steps)}."
    if figs.winner is not None and runs[figs.winner].steps_to_threshold == 0:
        if len(figs.tied) == len(runs):
            every = "It starts" if len(runs) == 1 else "Every run starts"
            return f"{every} below {threshold}: the race is over at step 0."
        starters = [names[index] for index in figs.tied]
        if compact or len(starters) > 3:
            return f"{_COUNT_WORDS[len(starters)].capitalize()} of them start below {threshold}."
        verb = "starts" if len(starters) == 1 else "start"
        return f"{_listed(starters)} {verb} below {threshold}, at step 0."
    if figs.winner is None and len(runs) == 1:
        run = runs[0]
        if run.diverged_step is not None:
            return f"It diverges at step {run.diverged_step}, before it gets below {threshold}."
        if not run.lowest_loss < float(run.run.losses[0]):
            return f"In {_steps(steps)} it gets no lower than the loss it started from."
        return f"Its lowest loss is {_lowest_said(run.lowest_loss, figs.threshold)}."
    if figs.winner is None:
        if all(run.diverged_step is not None for run in runs):
            return f"Every run diverges; none gets below {threshold}."
        start_loss = float(runs[0].run.losses[0])
        lowest = min(range(len(runs)), key=lambda index: runs[index].lowest_loss)
        if not runs[lowest].lowest_loss < start_loss:
            return (
                f"None of them gets below {threshold} within {_steps(steps)}, and none gets "
                "lower than the loss it started from."
            )
        return (
            f"None of them gets below {threshold} within {_steps(steps)}; the lowest loss "
            f"reached is {_lowest_said(runs[lowest].lowest_loss, figs.threshold)}, by "
            f"{names[lowest]}."
        )
    if len(figs.tied) > 1:
        at = _steps(runs[figs.winner].steps_to_threshold or 0)
        if compact or len(figs.tied) > 3:
            return f"{_COUNT_WORDS[len(figs.tied)].capitalize()} runs tie for first, at {at}."
        return f"{_listed([names[index] for index in figs.tied])} tie for first, at {at}."
    if len(runs) == 1:
        taken = _steps(runs[figs.winner].steps_to_threshold or 0)
        return f"{names[figs.winner]} gets there in {taken}."
    if len(figs.finishers) == 1:
        return f"Only {names[figs.winner]} gets there."
    second = figs.finishers[1]
    margin = (runs[second].steps_to_threshold or 0) - (runs[figs.winner].steps_to_threshold or 0)
    if compact:
        return f"{names[figs.winner]} gets there first, {_steps(margin)} ahead of the next."
    return f"{names[figs.winner]} gets there first, {_steps(margin)} ahead of {names[second]}."


def script(figs: ClipFigures) -> ClipScript:
    """The clip's narration for ``figs``: the most detailed telling that fits
    :data:`MAX_SPEECH_S`."""
    experiment = figs.experiment
    runs = figs.runs
    threshold = said(figs.threshold)
    names = [spoken_name(run) for run in runs]
    count = _COUNT_WORDS[len(runs)]
    start = f"({said_number(experiment.start[0])}, {said_number(experiment.start[1])})"
    plural = "s" if len(runs) > 1 else ""
    listed_intro = f"{experiment.title}. {count.capitalize()} run{plural} from {start}: " + (
        f"{_listed(names)}."
    )
    short_intro = (
        f"{experiment.title}. {count.capitalize()} run{plural} from {start}, "
        "each named in the legend on the right."
    )
    finish_line = (
        f"A run finishes when its loss drops below {threshold}; "
        f"each has up to {_steps(experiment.steps)}."
    )
    race = (
        "Here they go: each dot walks its path on the map, each curve its loss on the right, "
        "and the clock speeds up where little changes."
    )
    short_race = "Here they go; the clock speeds up where little changes."
    verdicts = [_capital(_verdict(figs, names, threshold, compact)) for compact in (False, True)]
    what = figs.surface.title if "name" in experiment.surface_data else "your formula"
    landscape = (
        f"First the surface itself, {what}, with the path each run will take over it."
        if experiment.view == "3d"
        else ""
    )

    def one_leader(figs: ClipFigures, threshold: str) -> list[str]:
        return _counted(figs, threshold, 1)

    tellings: list[tuple[str, str, Callable[[ClipFigures, str], list[str]], str]] = [
        (listed_intro, race, _each, verdicts[0]),
        (listed_intro, race, _grouped, verdicts[0]),
        (short_intro, race, _grouped, verdicts[0]),
        (short_intro, short_race, _grouped, verdicts[0]),
        (short_intro, short_race, _counted, verdicts[0]),
        (short_intro, short_race, one_leader, verdicts[0]),
        (short_intro, short_race, one_leader, verdicts[1]),
    ]
    lines = None
    for intro, race_line, telling, verdict in tellings:
        results = _capital("; ".join(telling(figs, threshold)) + ".")
        lines = ClipScript(intro, finish_line, race_line, results, verdict, landscape)
        if speech_seconds(lines) <= MAX_SPEECH_S:
            break
    assert lines is not None
    return lines
