"""Chapter: the zigzag of plain gradient descent in a ravine.

Render: ``manim render scenes/zigzag.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Create,
    LaggedStart,
    MathTex,
    Text,
    VGroup,
    VMobject,
)

from lesson_narration import zigzag as narration
from lessonkit import style
from lessonkit.boxes import highlight_box
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.maps import MapLayers, ravine_map_frame
from lessonkit.motion import StepArrows, TrajectoryTrail
from lessonkit.narration import LessonScene
from lessonkit.panels import Readout, equation_panel, math_label, text_label, title_text

#: Gaps (scene units): the surface's formula under the title; the update rule right of the
#: formula, raised a little above its top.
FORMULA_GAP = 0.3
RULE_GAP = 0.6
RULE_RAISE = 0.1


@dataclass(frozen=True, eq=False)
class ZigzagView:
    """The ravine map, the surface's formula and the update rule, and the run drawn on them."""

    title: Text
    layers: MapLayers
    formula: MathTex
    trail: TrajectoryTrail
    update_rule: VGroup
    readout: Readout
    arrows: StepArrows
    cap: MathTex
    over_trail: TrajectoryTrail
    over_label: Text

    def loss_box(self) -> VMobject:
        """A box around the readout's loss line, as it reads now."""
        return highlight_box(self.readout.lines[1], buff=0.08)


def zigzag_view(figs: narration.ZigzagFigures, title: str) -> ZigzagView:
    """Every picture of the chapter, placed: title and formula top left, readout top right."""
    experiment, run = figs.experiment, figs.run
    frame = ravine_map_frame(experiment.surface)
    heading = title_text(title).to_corner(UL, buff=style.MARGIN)
    layers = MapLayers.for_surface(experiment.surface, frame)
    formula = math_label(experiment.surface.latex)
    formula.next_to(heading, DOWN, aligned_edge=LEFT, buff=FORMULA_GAP)
    trail = TrajectoryTrail(run, frame)
    update_rule = equation_panel(
        [
            r"\theta \leftarrow \theta - \alpha\,\nabla L(\theta)",
            rf"\alpha = {run.lr:g}",  # β comes later, with momentum
        ],
        font_size=style.LABEL_SIZE + 2,
    )
    update_rule.next_to(formula, RIGHT, buff=RULE_GAP).align_to(formula, UP).shift(UP * RULE_RAISE)
    readout = Readout(run, trail.progress, title="plain gradient descent")
    readout.to_corner(UR, buff=style.MARGIN)
    readout.set_z_index(4)
    arrows = StepArrows(
        run.positions[:-1],
        run.displacements,
        frame,
        trail.progress,
        color=style.GRADIENT_COLOR,
        label=r"-\alpha\nabla L",
    )
    style.mark(arrows, "gradient")
    cap = math_label(
        rf"\alpha < 2/\lambda_{{\max}} = 2/{figs.steepest:g} "
        rf"\approx {figs.cap_said:g}",
        size=style.BODY_SIZE,
    )
    cap.next_to(formula, RIGHT, buff=RULE_GAP).align_to(formula, UP).shift(UP * RULE_RAISE)
    over_trail = TrajectoryTrail(figs.over_run, frame)
    over_label = style.paint_run(
        text_label(
            f"plain GD, α = {figs.over_lr:g}: each bounce ×{figs.over_rate:.4g}",
            size=style.LABEL_SIZE,
        ),
        figs.over_run.beta,
    )
    over_label.to_corner(UR, buff=style.MARGIN)
    return ZigzagView(
        heading, layers, formula, trail, update_rule, readout, arrows, cap, over_trail, over_label
    )


class ZigzagChapter(Chapter):
    """Plain gradient descent bounces across the ravine and creeps along its floor."""

    name = "zigzag"

    def figures(self) -> narration.ZigzagFigures:
        """Plain gradient descent on the ravine preset, computed now."""
        return narration.figures()

    #: Steps shown one by one, slowly, before the rest of the run speeds up.
    slow_steps = 6
    #: Silence on the verdict (seconds).
    verdict_pause_s = 1.5

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = narration.script(figs)
        view = zigzag_view(figs, self.title)
        self._beat_ravine(scene, lines, view)
        self._beat_start(scene, lines, view)
        self._beat_first_step(scene, lines, view)
        self._beat_bounce(scene, lines, view, self.slow_steps)
        self._beat_crawl(scene, lines, view)
        loss_box = view.loss_box()
        self._beat_verdict(scene, lines, view, loss_box)
        scene.hold(view.readout)
        scene.pause(self.verdict_pause_s)
        self._beat_cap(scene, lines, view, loss_box, figs)
        self._beat_teaser(scene, lines, view)

    @staticmethod
    def _beat_ravine(scene: LessonScene, lines: narration.ZigzagScript, view: ZigzagView) -> None:
        """The ravine as contour lines, with its formula and its minimum."""
        layers = view.layers
        with scene.voiceover(text=lines.ravine) as tracker:
            scene.play(FadeIn(view.title), FadeIn(layers.border), run_time=0.6)
            scene.play(
                LaggedStart(*[Create(ring) for ring in layers.contours], lag_ratio=0.15),
                FadeIn(view.formula),
                run_time=max(tracker.duration * 0.6, 1.0),
            )
            scene.play(FadeIn(layers.minimum, scale=2), run_time=0.6)

    @staticmethod
    def _beat_start(scene: LessonScene, lines: narration.ZigzagScript, view: ZigzagView) -> None:
        """Where we start and with which step size."""
        with scene.voiceover(text=lines.start):
            scene.play(FadeIn(view.update_rule), FadeIn(view.trail), FadeIn(view.readout))

    @staticmethod
    def _beat_first_step(
        scene: LessonScene, lines: narration.ZigzagScript, view: ZigzagView
    ) -> None:
        """One step, shown as the downhill arrow, jumps across the floor."""
        with scene.voiceover(text=lines.first_step) as tracker:
            scene.play(FadeIn(view.arrows), run_time=0.5)
            scene.wait_until_bookmark("jump")
            scene.play(view.trail.walk(1, run_time=max(tracker.get_remaining_duration(), 0.5)))

    @staticmethod
    def _beat_bounce(
        scene: LessonScene, lines: narration.ZigzagScript, view: ZigzagView, slow_steps: int
    ) -> None:
        """The arrow flips each step: the zigzag."""
        with scene.voiceover(text=lines.bounce) as tracker:
            scene.play(view.trail.walk(slow_steps, run_time=tracker.duration))

    @staticmethod
    def _beat_crawl(scene: LessonScene, lines: narration.ZigzagScript, view: ZigzagView) -> None:
        """The crawl along the floor, to the end of the run."""
        trail = view.trail
        with scene.voiceover(text=lines.crawl) as tracker:
            scene.play(trail.walk(trail.last_step, run_time=tracker.duration))

    @staticmethod
    def _beat_verdict(
        scene: LessonScene, lines: narration.ZigzagScript, view: ZigzagView, loss_box: VMobject
    ) -> None:
        """The verdict, read off the readout: its loss line boxed."""
        with scene.voiceover(text=lines.verdict):
            scene.play(FadeOut(view.arrows), Create(loss_box))

    def _beat_cap(
        self,
        scene: LessonScene,
        lines: narration.ZigzagScript,
        view: ZigzagView,
        loss_box: VMobject,
        figs: narration.ZigzagFigures,
    ) -> None:
        """Why it crawls: the wall's cap on the step, and a run just above it that grows."""
        with scene.voiceover(text=lines.cap):
            scene.play(FadeOut(loss_box), FadeOut(view.update_rule), run_time=0.5)
            scene.play(FadeIn(view.cap), run_time=0.8)
            scene.hold(view.cap)
        last = figs.over_run.num_steps if figs.over_leaves_at is None else figs.over_leaves_at - 1
        with scene.voiceover(text=lines.over) as tracker:
            scene.wait_until_bookmark("over")
            scene.play(
                FadeOut(view.trail),
                FadeOut(view.readout),
                FadeIn(view.over_label),
                FadeIn(view.over_trail),
                run_time=0.6,
            )
            scene.play(
                view.over_trail.walk(last, run_time=max(tracker.get_remaining_duration(), 1.0))
            )
            scene.hold(view.cap, view.over_label)
        with scene.voiceover(text=lines.crawl_why):
            scene.play(FadeOut(view.over_trail), FadeOut(view.over_label), run_time=0.8)

    @staticmethod
    def _beat_teaser(scene: LessonScene, lines: narration.ZigzagScript, view: ZigzagView) -> None:
        """What comes next."""
        with scene.voiceover(text=lines.teaser):
            scene.play(FadeOut(view.cap), run_time=0.5)
