"""Chapter: choosing β, from rules of thumb to the theory's best value.

β = 0.5, 0.9 and 0.99 as memory windows 1/(1 − β) and effective steps
α/(1 − β); then, for the stretched bowl (κ = 100), the best β and step from
the theory and the rate they buy, checked against a ``simulate_batch`` sweep
over β: steps until the loss stays below 0.001, against β, with the
theoretical optimum marked.

Render: ``manim render scenes/choosing_beta.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DL,
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Create,
    LaggedStart,
    Line,
    Polygon,
    VGroup,
    VMobject,
)

from lesson_narration.choosing_beta import (
    ChoosingBetaFigures,
    ChoosingBetaScript,
    figures,
    script,
    theory_number,
)
from lessonkit import style
from lessonkit.boxes import highlight_box
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import spoken_number
from lessonkit.formatting import tex_number as tex
from lessonkit.narration import LessonScene
from lessonkit.panels import math_label, text_label, title_text
from lessonkit.plots import LinePlot, PlotSeries
from lessonkit.table import GridTable

#: What each rule-of-thumb β is like (brief: short memory, usual default, long memory).
BETA_NOTES = ("little smoothing", "the usual default", "slow to turn, overshoots")
#: The sweep plot's step axis stops here; runs slower than this are left off.
STEPS_AXIS_MAX = 400

# --- layout (scene units) ---------------------------------------------------------------

#: The rules-of-thumb table: centres of the β, memory and step columns, then the notes'
#: left edge; the header's height, the first row's and the step between rows.
TABLE_COLUMNS_X = (-5.7, -3.5, -0.1, 2.3)
TABLE_HEADER_Y = 2.0
TABLE_FIRST_ROW_Y = 0.95
TABLE_ROW_STEP = 1.0
#: The theory's numbers hang this far below the top-left corner (under the title).
THEORY_DROP = 0.85
#: The sweep plot's size and height (it sits at the right edge).
SWEEP_PLOT_SIZE = {"width": 6.2, "height": 3.2}
SWEEP_PLOT_Y = 1.1
#: Where the plot's labels go, in its data: "grows" at this share of the step axis;
#: the fastest run's label (its lower-left corner) right of β* by this much, at this share.
UNSTABLE_LABEL_HEIGHT = 0.33
FASTEST_LABEL_OFFSET = 0.01
FASTEST_LABEL_HEIGHT = 0.375


# --- the chapter's pictures, each built in one place -------------------------------------


@dataclass(frozen=True, eq=False)
class RulesOfThumb:
    """β, its memory 1/(1 − β), its steady step α/(1 − β) and what it is like: one row per β."""

    table: GridTable
    usual: VMobject

    @property
    def header(self) -> VGroup:
        """The three column titles (β, memory, step)."""
        return self.table.header_row

    @property
    def rows(self) -> VGroup:
        """One row per β: its β, memory and step, and the note."""
        return self.table.body


def rules_of_thumb(figs: ChoosingBetaFigures) -> RulesOfThumb:
    """The table, each row in its β's colour, and the box around the usual default's row."""
    header = [
        math_label(r"\beta", style.MUTED_TEXT_COLOR),
        math_label(r"\text{memory } 1/(1-\beta)", style.MUTED_TEXT_COLOR),
        math_label(
            rf"\text{{step }} \alpha/(1-\beta),\ \alpha = {tex(figs.lr)}", style.MUTED_TEXT_COLOR
        ),
    ]
    numbers = zip(figs.betas, figs.memory_windows, figs.effective_steps, strict=True)
    rows = [
        [
            *[
                style.paint_run(math_label(tex(value), size=style.BODY_SIZE + 4), values[0])
                for value in values
            ],
            text_label(note, style.MUTED_TEXT_COLOR, style.LABEL_SIZE),
        ]
        for values, note in zip(numbers, BETA_NOTES, strict=True)
    ]
    table = GridTable(
        rows,
        TABLE_COLUMNS_X,
        TABLE_FIRST_ROW_Y,
        TABLE_ROW_STEP,
        header=header,
        header_y=TABLE_HEADER_Y,
        left_aligned=[3],
    )
    usual = highlight_box(table.body[1], buff=0.15, color=style.HIGHLIGHT_COLOR)
    return RulesOfThumb(table, usual)


@dataclass(frozen=True, eq=False)
class Theory:
    """The stretched bowl's eigenvalues, then κ, β*, α* and the rates, top left."""

    heading: VGroup
    lines: VGroup


def theory(figs: ChoosingBetaFigures) -> Theory:
    """The theory's numbers: the rate at β* in that momentum's colour, plain GD's in its own."""
    latex = (
        rf"\kappa = \frac{{\lambda_{{\max}}}}{{\lambda_{{\min}}}} = {tex(figs.condition_number)}",
        rf"\beta^* = \left(\frac{{\sqrt\kappa - 1}}{{\sqrt\kappa + 1}}\right)^2"
        rf" = {theory_number(figs.best_beta)}",
        rf"\alpha^* = \frac{{4}}{{(\sqrt{{\lambda_{{\max}}}} + \sqrt{{\lambda_{{\min}}}})^2}}"
        rf" = {theory_number(figs.best_lr)}",
        rf"\text{{rate }} \sqrt{{\beta^*}} = {theory_number(figs.best_rate)}",
        rf"\text{{plain GD: }} \frac{{\kappa - 1}}{{\kappa + 1}} = {tex(figs.gd_rate)}"
        rf"\text{{ at }} \alpha = \frac{{2}}{{\lambda_{{\min}} + \lambda_{{\max}}}}"
        rf" = {theory_number(figs.gd_lr)}",
    )
    lines = VGroup(*[math_label(line, size=style.LABEL_SIZE) for line in latex])
    lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
    style.paint_run(lines[3], figs.best_beta)
    style.paint_run(lines[4], 0.0)
    caption = text_label("eigenvalues", style.MUTED_TEXT_COLOR)
    eigen = math_label(
        rf"\lambda_{{\min}} = {tex(figs.smallest)},\ \lambda_{{\max}} = {tex(figs.largest)}",
        style.MUTED_TEXT_COLOR,
        style.LABEL_SIZE,
    )
    heading = VGroup(caption, eigen).arrange(RIGHT, buff=0.15)
    block = VGroup(heading, lines).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
    block.to_corner(UL, buff=style.MARGIN).shift(THEORY_DROP * DOWN)
    return Theory(heading, lines)


@dataclass(frozen=True, eq=False)
class Sweep:
    """Steps until the loss settles, against β: the simulated line, where runs grow past the cap,
    β* and the fastest run marked, and the best plain GD's count as a threshold."""

    plot: LinePlot
    simulated: PlotSeries
    unstable: VGroup
    best_mark: VGroup
    fastest: VGroup
    plain: VGroup

    @property
    def parts(self) -> list[VMobject]:
        """What is left on screen at the end (the "grows" region fades with the chapter)."""
        plot = self.plot
        return [
            plot.axes,
            plot.static,
            self.simulated.line,
            self.best_mark,
            self.fastest,
            self.plain,
        ]


def _fastest_mark(figs: ChoosingBetaFigures, plot: LinePlot) -> VGroup:
    """The fastest run: a dot, and its label up in the empty middle of the plot, joined."""
    meaning = style.run_meaning(figs.fastest_beta)
    fastest = plot.add_marker(
        figs.fastest_beta, float(figs.fastest_steps), attach=False, meaning=meaning
    )
    label = text_label(f"{figs.fastest_steps} steps at β = {spoken_number(figs.fastest_beta)}")
    style.paint(label, meaning)
    label.move_to(
        plot.c2p(figs.best_beta + FASTEST_LABEL_OFFSET, FASTEST_LABEL_HEIGHT * STEPS_AXIS_MAX),
        aligned_edge=DOWN + LEFT,
    )
    leader = Line(fastest[0].get_center() + 0.1 * UP, label.get_corner(DOWN + LEFT) + 0.05 * DOWN)
    style.paint(leader.set_stroke(width=1.5), meaning)
    return fastest.add(leader, label)


def _unstable_region(figs: ChoosingBetaFigures, plot: LinePlot) -> VGroup:
    """The βs whose runs grow (past the cap 2(1 + β)/λ_max) or never settle, shaded,
    labelled."""
    low_beta = float(figs.sweep_betas[0])
    low = plot.c2p(low_beta, 0.0)
    high = plot.c2p(figs.last_failed_beta, float(STEPS_AXIS_MAX))
    region = Polygon(low, [high[0], low[1], 0], high, [low[0], high[1], 0])
    region.set_fill(style.MUTED_TEXT_COLOR, 0.16).set_stroke(width=0)
    label = VGroup(
        text_label("grows", style.TEXT_COLOR),
        text_label("α* above", style.TEXT_COLOR, style.SMALL_SIZE),
        math_label(r"2(1 + \beta)/\lambda_{\max}", style.TEXT_COLOR, style.SMALL_MATH_SIZE),
    ).arrange(DOWN, buff=0.1)
    label.move_to(
        plot.c2p(0.5 * (low_beta + figs.last_failed_beta), UNSTABLE_LABEL_HEIGHT * STEPS_AXIS_MAX)
    )
    return VGroup(region, label)


def sweep(figs: ChoosingBetaFigures) -> Sweep:
    """The sweep on a plot at the right edge, right of the theory."""
    betas, steps = figs.sweep_betas, figs.sweep_steps
    shown = (steps >= 0) & (steps <= STEPS_AXIS_MAX)
    plot = LinePlot(
        (float(betas[0]), 1.0),
        (0.0, float(STEPS_AXIS_MAX)),
        x_label=math_label(r"\beta", style.MUTED_TEXT_COLOR),
        y_label=(f"steps at α* until the loss stays below {spoken_number(figs.threshold)}"),
        x_step=0.1,
        y_step=100,
        **SWEEP_PLOT_SIZE,
    )
    plot.to_edge(RIGHT, buff=style.MARGIN).set_y(SWEEP_PLOT_Y)
    # One point per β: no single run's colour, the neutral one.
    simulated = plot.add_series(betas[shown], steps[shown], style.TEXT_COLOR)
    unstable = _unstable_region(figs, plot)
    best_label = math_label(
        rf"\beta^* = {theory_number(figs.best_beta)}", style.HIGHLIGHT_COLOR, style.LABEL_SIZE
    )
    best_mark = plot.add_marker(figs.best_beta, None, best_label, attach=False)
    fastest = _fastest_mark(figs, plot)
    plain = plot.add_threshold(
        float(figs.gd_steps),
        f"best plain GD: {figs.gd_steps}",
        label_side=UP + LEFT,
        attach=False,
        meaning=style.run_meaning(0.0),
    )
    # Its name just right of the β* line, clear of it and of the band's label.
    plain[1].move_to(plot.c2p(figs.best_beta, float(figs.gd_steps)), aligned_edge=DL)
    plain[1].shift(0.1 * RIGHT + 0.08 * UP)
    return Sweep(plot, simulated, unstable, best_mark, fastest, plain)


# --- the storyboard ------------------------------------------------------------------------


class ChoosingBetaChapter(Chapter):
    """Choosing β: memory, step size, and the best β for a quadratic bowl."""

    name = "choosing_beta"
    #: Silence after the theory's numbers, and after the sweep with β* marked (seconds).
    theory_pause_s = 1.5
    sweep_pause_s = 2.0

    def figures(self) -> ChoosingBetaFigures:
        """The chapter's numbers (:func:`lesson_narration.choosing_beta.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        scene.add(title)
        table = rules_of_thumb(figs)
        self._beat_windows(scene, lines, table)
        self._beat_steps(scene, lines, table)
        numbers = theory(figs)
        self._beat_theory(scene, lines, table, numbers)
        scene.hold(*numbers.lines)
        scene.pause(self.theory_pause_s)
        result = sweep(figs)
        self._beat_sweep(scene, lines, result)
        scene.hold(*result.parts)
        scene.pause(self.sweep_pause_s)
        scene.say(lines.advice)  # the result stays on screen while the advice is spoken

    @staticmethod
    def _beat_windows(scene: LessonScene, lines: ChoosingBetaScript, table: RulesOfThumb) -> None:
        """The βs, then their memories, row by row."""
        header, rows = table.header, table.rows
        with scene.voiceover(text=lines.windows) as tracker:
            scene.play(
                FadeIn(header[0]),
                FadeIn(header[1]),
                *[FadeIn(row[0]) for row in rows],
                run_time=1.0,
            )
            scene.play(
                LaggedStart(*[FadeIn(row[1], shift=0.2 * LEFT) for row in rows], lag_ratio=0.7),
                run_time=max(tracker.get_remaining_duration() - 0.2, 1.0),
            )

    @staticmethod
    def _beat_steps(scene: LessonScene, lines: ChoosingBetaScript, table: RulesOfThumb) -> None:
        """The steady steps, then what each β is like; the usual default boxed."""
        rows = table.rows
        with scene.voiceover(text=lines.steps) as tracker:
            scene.play(FadeIn(table.header[2]), run_time=0.6)
            scene.play(
                LaggedStart(*[FadeIn(row[2], shift=0.2 * LEFT) for row in rows], lag_ratio=0.6),
                run_time=max(tracker.duration * 0.45, 1.0),
            )
            scene.play(
                LaggedStart(*[FadeIn(row[3]) for row in rows], lag_ratio=0.5),
                run_time=max(tracker.get_remaining_duration() - 0.8, 1.0),
            )
            scene.play(Create(table.usual), run_time=0.6)

    @staticmethod
    def _beat_theory(
        scene: LessonScene, lines: ChoosingBetaScript, table: RulesOfThumb, numbers: Theory
    ) -> None:
        """The table gives way to the theory's β*, α* and rates, line by line."""
        theory_lines = numbers.lines
        with scene.voiceover(text=lines.theory) as tracker:
            scene.play(FadeOut(VGroup(table.header, table.rows, table.usual)), run_time=0.5)
            scene.play(FadeIn(numbers.heading), FadeIn(theory_lines[0]), run_time=0.8)
            scene.play(
                LaggedStart(
                    *[FadeIn(line, shift=0.15 * DOWN) for line in theory_lines[1:]], lag_ratio=0.8
                ),
                run_time=max(tracker.get_remaining_duration() - 0.2, 1.0),
            )

    @staticmethod
    def _beat_sweep(scene: LessonScene, lines: ChoosingBetaScript, result: Sweep) -> None:
        """The simulated sweep drawn, where it grows, then β* and the fastest run, then GD."""
        plot = result.plot
        with scene.voiceover(text=lines.sweep) as tracker:
            scene.play(FadeIn(plot.axes), FadeIn(plot.static), run_time=0.8)
            scene.play(Create(result.simulated.line), run_time=max(tracker.duration * 0.3, 1.0))
            scene.wait_until_bookmark("diverge")
            scene.play(FadeIn(result.unstable[0]), FadeIn(result.unstable[1]), run_time=0.6)
            scene.wait_until_bookmark("fastest")
            scene.play(Create(result.best_mark), FadeIn(result.fastest), run_time=0.8)
            scene.play(Create(result.plain), run_time=0.6)
