"""Chapter: choosing β, from rules of thumb to the theory's best value.

β = 0.5, 0.9 and 0.99 as memory windows 1/(1 − β) and effective steps
α/(1 − β); then, for the stretched bowl (κ = 100), the best β and step from
the theory and the rate they buy, checked against a ``simulate_batch`` sweep
over β: steps until the loss stays below 0.001, against β, with the
theoretical optimum marked.

Render: ``manim render scenes/choosing_beta.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Create,
    LaggedStart,
    Line,
    MathTex,
    Polygon,
    SurroundingRectangle,
    VGroup,
)

from lesson_narration.choosing_beta import (
    ChoosingBetaFigures,
    ChoosingBetaScript,
    figures,
    script,
    theory_number,
)
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import spoken_number
from lessonkit.formatting import tex_number as tex
from lessonkit.narration import LessonScene
from lessonkit.panels import text_label, title_text
from lessonkit.plots import LinePlot

#: Colour of each rule-of-thumb β: 0.9 is the one that works, 0.99 is too much.
BETA_COLORS = (style.TEXT_COLOR, style.MOMENTUM_COLOR, style.OVERSHOOT_COLOR)
#: What each rule-of-thumb β is like (brief: short memory, usual default, long memory).
BETA_NOTES = ("little smoothing", "the usual default", "slow to turn, overshoots")
#: The sweep plot's step axis stops here; runs slower than this are left off.
STEPS_AXIS_MAX = 400


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
        table = self.rules_of_thumb(scene, figs, lines)
        self.theory_and_sweep(scene, figs, lines, table)

    # --- beats: memory windows and effective steps ----------------------------------------

    def rules_of_thumb(
        self, scene: LessonScene, figs: ChoosingBetaFigures, lines: ChoosingBetaScript
    ) -> VGroup:
        """A table: β, its memory 1/(1 − β), its steady step α/(1 − β), what it is like."""
        columns_x = (-5.7, -3.5, -0.1)  # centres of the number columns
        notes_x = 2.3  # left edge of the notes
        header = VGroup(
            MathTex(r"\beta", font_size=style.BODY_SIZE, color=style.MUTED_TEXT_COLOR),
            MathTex(
                r"\text{memory } 1/(1-\beta)",
                font_size=style.BODY_SIZE,
                color=style.MUTED_TEXT_COLOR,
            ),
            MathTex(
                rf"\text{{step }} \alpha/(1-\beta),\ \alpha = {tex(figs.lr)}",
                font_size=style.BODY_SIZE,
                color=style.MUTED_TEXT_COLOR,
            ),
        )
        for cell, x in zip(header, columns_x, strict=True):
            cell.move_to([x, 2.0, 0])
        rows = []
        for index, (beta, window, step, note, color) in enumerate(
            zip(
                figs.betas,
                figs.memory_windows,
                figs.effective_steps,
                BETA_NOTES,
                BETA_COLORS,
                strict=True,
            )
        ):
            y = 0.9 - 1.05 * index
            beta_cell = MathTex(tex(beta), font_size=style.BODY_SIZE + 4, color=color).move_to(
                [columns_x[0], y, 0]
            )
            window_cell = MathTex(tex(window), font_size=style.BODY_SIZE + 4, color=color).move_to(
                [columns_x[1], y, 0]
            )
            step_cell = MathTex(tex(step), font_size=style.BODY_SIZE + 4, color=color).move_to(
                [columns_x[2], y, 0]
            )
            note_cell = text_label(note, style.MUTED_TEXT_COLOR, style.LABEL_SIZE)
            note_cell.move_to([0, y, 0]).align_to([notes_x, 0, 0], LEFT)
            rows.append(VGroup(beta_cell, window_cell, step_cell, note_cell))
        rule = VGroup(*[row for row in rows])
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
        usual = SurroundingRectangle(rows[1], color=style.MOMENTUM_COLOR, buff=0.15)
        with scene.voiceover(text=lines.steps) as tracker:
            scene.play(FadeIn(header[2]), run_time=0.6)
            scene.play(
                LaggedStart(*[FadeIn(row[2], shift=0.2 * LEFT) for row in rows], lag_ratio=0.6),
                run_time=max(tracker.duration * 0.45, 1.0),
            )
            scene.play(
                LaggedStart(*[FadeIn(row[3]) for row in rows], lag_ratio=0.5),
                run_time=max(tracker.get_remaining_duration() - 0.8, 1.0),
            )
            scene.play(Create(usual), run_time=0.6)
        return VGroup(header, rule, usual)

    # --- beats: the theory's best β, checked by a sweep -------------------------------------

    def theory_and_sweep(
        self,
        scene: LessonScene,
        figs: ChoosingBetaFigures,
        lines: ChoosingBetaScript,
        table: VGroup,
    ) -> None:
        """β*, α* and the rates, then steps-to-settle against β with β* marked."""
        theory_lines = VGroup(
            MathTex(
                rf"\kappa = \frac{{L}}{{\mu}} = {tex(figs.condition_number)}",
                font_size=style.LABEL_SIZE,
            ),
            MathTex(
                rf"\beta^* = \left(\frac{{\sqrt\kappa - 1}}{{\sqrt\kappa + 1}}\right)^2 = {theory_number(figs.best_beta)}",
                font_size=style.LABEL_SIZE,
            ),
            MathTex(
                rf"\alpha^* = \frac{{4}}{{(\sqrt L + \sqrt\mu)^2}} = {theory_number(figs.best_lr)}",
                font_size=style.LABEL_SIZE,
            ),
            MathTex(
                rf"\text{{rate }} \sqrt{{\beta^*}} = {theory_number(figs.best_rate)}",
                font_size=style.LABEL_SIZE,
            ),
            MathTex(
                rf"\text{{plain GD: }} \frac{{\kappa - 1}}{{\kappa + 1}} = {tex(figs.gd_rate)}",
                font_size=style.LABEL_SIZE,
            ),
        )
        theory_lines.arrange(DOWN, aligned_edge=LEFT, buff=0.12)
        for line, color in zip(
            theory_lines,
            (
                style.TEXT_COLOR,
                style.HIGHLIGHT_COLOR,
                style.TEXT_COLOR,
                style.MOMENTUM_COLOR,
                style.GD_COLOR,
            ),
            strict=True,
        ):
            line.set_color(color)
        caption = text_label("stretched bowl, eigenvalues", style.MUTED_TEXT_COLOR)
        eigen = MathTex(
            rf"\mu = {tex(figs.smallest)},\ L = {tex(figs.largest)}",
            font_size=style.LABEL_SIZE,
            color=style.MUTED_TEXT_COLOR,
        )
        heading = VGroup(caption, eigen).arrange(RIGHT, buff=0.15)
        theory_block = VGroup(heading, theory_lines).arrange(DOWN, aligned_edge=LEFT, buff=0.25)
        theory_block.to_corner(UL, buff=style.MARGIN).shift(0.85 * DOWN)

        with scene.voiceover(text=lines.theory) as tracker:
            scene.play(FadeOut(table), run_time=0.5)
            scene.play(FadeIn(heading), FadeIn(theory_lines[0]), run_time=0.8)
            scene.play(
                LaggedStart(
                    *[FadeIn(line, shift=0.15 * DOWN) for line in theory_lines[1:]], lag_ratio=0.8
                ),
                run_time=max(tracker.get_remaining_duration() - 0.2, 1.0),
            )
        scene.hold(*theory_lines)
        scene.pause(self.theory_pause_s)

        # The sweep, on a plot to the right of the theory.
        betas = figs.sweep_betas
        steps = figs.sweep_steps
        shown = (steps >= 0) & (steps <= STEPS_AXIS_MAX)
        plot = LinePlot(
            (float(betas[0]), 1.0),
            (0.0, float(STEPS_AXIS_MAX)),
            width=6.2,
            height=3.2,
            x_label=MathTex(r"\beta", font_size=style.BODY_SIZE, color=style.MUTED_TEXT_COLOR),
            y_label=f"steps until the loss stays below {spoken_number(figs.threshold)}",
            x_step=0.1,
            y_step=100,
        )
        plot.to_edge(RIGHT, buff=style.MARGIN).set_y(1.1)
        simulated = plot.add_series(betas[shown], steps[shown], style.MOMENTUM_COLOR)
        low = plot.c2p(float(betas[0]), 0.0)
        high = plot.c2p(figs.last_failed_beta, float(STEPS_AXIS_MAX))
        unstable = Polygon(low, [high[0], low[1], 0], high, [low[0], high[1], 0])
        unstable.set_fill(style.OVERSHOOT_COLOR, 0.18).set_stroke(width=0)
        unstable_label = text_label("blows up", style.OVERSHOOT_COLOR)
        unstable_label.move_to(
            plot.c2p(0.5 * (float(betas[0]) + figs.last_failed_beta), 0.4 * STEPS_AXIS_MAX)
        )
        best_mark = plot.add_marker(
            figs.best_beta,
            None,
            MathTex(
                rf"\beta^* = {theory_number(figs.best_beta)}",
                font_size=style.LABEL_SIZE,
                color=style.HIGHLIGHT_COLOR,
            ),
            attach=False,
        )
        # The fastest run: a dot, and its label up in the empty middle of the plot.
        fastest = plot.add_marker(
            figs.fastest_beta, float(figs.fastest_steps), color=style.MOMENTUM_COLOR, attach=False
        )
        fastest_label = text_label(
            f"{figs.fastest_steps} steps at β = {spoken_number(figs.fastest_beta)}",
            style.MOMENTUM_COLOR,
        )
        fastest_label.move_to(
            plot.c2p(figs.best_beta + 0.01, 0.375 * STEPS_AXIS_MAX), aligned_edge=DOWN + LEFT
        )
        leader = Line(
            fastest[0].get_center() + 0.1 * UP, fastest_label.get_corner(DOWN + LEFT) + 0.05 * DOWN
        ).set_stroke(style.MOMENTUM_COLOR, 1.5)
        fastest.add(leader, fastest_label)
        plain = plot.add_threshold(
            float(figs.gd_steps),
            f"best plain GD: {figs.gd_steps} steps",
            style.GD_COLOR,
            label_side=UP + LEFT,
            attach=False,
        )
        with scene.voiceover(text=lines.sweep) as tracker:
            scene.play(FadeIn(plot.axes), FadeIn(plot.static), run_time=0.8)
            scene.play(Create(simulated.line), run_time=max(tracker.duration * 0.3, 1.0))
            scene.wait_until_bookmark("diverge")
            scene.play(FadeIn(unstable), FadeIn(unstable_label), run_time=0.6)
            scene.wait_until_bookmark("fastest")
            scene.play(Create(best_mark), FadeIn(fastest), run_time=0.8)
            scene.play(Create(plain), run_time=0.6)
        scene.hold(plot.axes, plot.static, simulated.line, best_mark, fastest, plain)
        scene.pause(self.sweep_pause_s)
        with scene.voiceover(text=lines.advice):
            pass  # the result stays on screen while the advice is spoken
