"""Chapter: beyond ravines, momentum on a bumpy bowl, and why it is no guarantee.

The quadratic-with-sinusoidal-perturbation surface (the "ninja" post's
experiment, the ``"qfsp_escape"`` preset) stands in 3-D under a still camera.
Plain gradient descent from (7.11, 6.97) slides into a local minimum and
stays; momentum 0.5 from the same start rolls over the rim to a global
minimum. Then the honest part: a slightly larger momentum, found by a sweep
at render time, settles in yet another dip, and only some of the swept
momenta reach the bottom at all.

Render: ``manim render scenes/beyond_ravines.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    UL,
    UR,
    Mobject,
    Text,
    VGroup,
)

from lesson_narration.beyond_ravines import BeyondRavinesFigures, RunFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.config import experiment as lesson_experiment
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import spoken_number
from lessonkit.maps import MapFrame
from lessonkit.narration import LessonScene
from lessonkit.panels import Readout, equation_panel, title_text, trajectory_rows
from lessonkit.plots import hit_strip
from lessonkit.surface3d import LossSurface, SurfaceFrame, SurfacePath, minimum_crosses
from momentum_math import Surface


def sweep_strip(figs: BeyondRavinesFigures) -> VGroup:
    """One dot per swept momentum, lit where the run reaches the bottom, in one short row.

    ``VGroup(heading, dots, low, high)``: the heading says how many reach it.
    """
    return hit_strip(
        figs.sweep_reached,
        f"{figs.reached_count} of {len(figs.sweep_momenta)} reach the bottom in {figs.steps} steps",
        f"β = {spoken_number(figs.sweep_momenta[0])}",
        spoken_number(figs.sweep_momenta[-1]),
    )


@dataclass(frozen=True, eq=False)
class BumpyBowl:
    """The bumpy bowl under the still camera: the surface, its minima, the title and set-up."""

    landscape: LossSurface
    marks: VGroup
    title: Text
    setup: VGroup


@dataclass(frozen=True, eq=False)
class Walker:
    """One run over the surface (its dot and trail) and its readout, stacked under the last."""

    path: SurfacePath
    readout: Readout


class BeyondRavinesChapter(Chapter):
    """Plain GD trapped in a dip of the bumpy bowl, momentum rolling on, and the caveat."""

    name = "beyond_ravines"
    three_d = True
    camera_orientation = {"phi": 60 * DEGREES, "theta": -39 * DEGREES, "zoom": 0.85}
    #: The part of the surface shown: every run of the chapter stays inside it.
    window = (-4.5, 8.0)
    #: Faces along each side of the surface.
    resolution = 16
    #: Where the surface's base square sits on screen (scene units, before zoom) and its size.
    screen_center = (-2.6, 0.0)
    base_size = 7.0
    surface_height = 3.0
    #: Height (scene z) of the lowest loss: below 0 lowers the surface on screen.
    base_z = -1.3
    #: Gap between the stacked readouts (and above the first one).
    readout_gap = 0.2
    #: Silence after momentum escapes, and on the sweep (seconds).
    escape_pause_s = 1.5
    sweep_pause_s = 2.0

    def figures(self) -> BeyondRavinesFigures:
        """The numbers this chapter shows and speaks."""
        return figures()

    def surface_frame(self, surface: Surface) -> SurfaceFrame:
        """Data to scene: the window's base square placed at ``screen_center`` for this camera."""
        theta = self.camera_orientation["theta"]
        phi = self.camera_orientation["phi"]
        zoom = self.camera_orientation["zoom"]
        # Screen right and "into the screen" directions on the ground, for this camera.
        right = np.array([-np.sin(theta), np.cos(theta)])
        away = np.array([-np.cos(theta), -np.sin(theta)])
        center = (
            self.screen_center[0] / zoom * right
            + self.screen_center[1] / (zoom * np.cos(phi)) * away
        )
        flat = MapFrame(
            self.window,
            self.window,
            center=(float(center[0]), float(center[1])),
            width=self.base_size,
            height=self.base_size,
        )
        return SurfaceFrame.for_surface(surface, flat, height=self.surface_height, base=self.base_z)

    def bowl(self, figs: BeyondRavinesFigures, surface: Surface, frame: SurfaceFrame) -> BumpyBowl:
        """The surface and its minima; the title top left, the set-up (loss, α, steps) top right."""
        landscape = LossSurface(surface, frame, resolution=self.resolution)
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        setup = equation_panel(
            [surface.latex, rf"\alpha = {figs.lr:g},\quad {figs.steps}\ \text{{steps}}"],
            font_size=style.LABEL_SIZE,
        )
        setup.to_corner(UR, buff=style.MARGIN)
        return BumpyBowl(landscape, minimum_crosses(surface, frame), title, setup)

    def walker(
        self,
        frame: SurfaceFrame,
        run: RunFigures,
        name: str,
        below: Mobject,
    ) -> Walker:
        """``run``'s path, and its readout (loss and position) placed ``below`` the last panel."""
        path = style.mark_run(
            SurfacePath(run.trajectory, frame, color=style.run_color(run.beta)), run.beta
        )
        readout = Readout(
            run.trajectory,
            path.progress,
            title=f"{name}, β = {spoken_number(run.beta)}",
            rows=trajectory_rows(run.trajectory, position_label="(x, y)")[1:],  # loss, (x, y)
        )
        readout.next_to(below, DOWN, aligned_edge=LEFT, buff=self.readout_gap)
        return Walker(path, readout)

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        surface = lesson_experiment("qfsp_escape").surface
        frame = self.surface_frame(surface)
        bowl = self.bowl(figs, surface, frame)
        self._beat_bumps(scene, lines.bumps, bowl)
        # Plain GD is trapped; momentum escapes; a larger momentum is trapped elsewhere. Each
        # readout is placed as the one above it reads at the end of its run.
        plain = self.walker(frame, figs.plain, "plain GD", below=bowl.setup)
        self._beat_walk(scene, lines.plain, plain)
        momentum = self.walker(frame, figs.momentum, "momentum", below=plain.readout)
        self._beat_walk(scene, lines.momentum, momentum)
        scene.pause(self.escape_pause_s)
        caveat = self.walker(frame, figs.caveat, "momentum", below=momentum.readout)
        self._beat_walk(scene, lines.caveat, caveat)
        readouts = [plain.readout, momentum.readout, caveat.readout]
        self._beat_sweep(scene, lines.sweep, sweep_strip(figs), bowl.setup, readouts)
        scene.pause(self.sweep_pause_s)

    @staticmethod
    def _beat_bumps(scene: LessonScene, line: str, bowl: BumpyBowl) -> None:
        """A bumpy bowl, then its global minima marked."""
        scene.add_fixed_in_frame_mobjects(bowl.title, bowl.setup)
        scene.add_fixed_orientation_mobjects(*bowl.marks, use_static_center_func=True)
        with scene.voiceover(text=line) as tracker:
            scene.play(
                FadeIn(bowl.title),
                FadeIn(bowl.landscape),
                FadeIn(bowl.setup),
                run_time=min(tracker.duration, 2.0),
            )
            scene.play(FadeIn(bowl.marks), run_time=0.6)

    @staticmethod
    def _beat_walk(scene: LessonScene, line: str, walker: Walker) -> None:
        """One run: its readout appears, then its dot walks the whole run over the surface."""
        path = walker.path
        scene.add_fixed_orientation_mobjects(path.dot)
        scene.add_fixed_in_frame_mobjects(walker.readout)
        with scene.voiceover(text=line) as tracker:
            scene.play(FadeIn(path), FadeIn(walker.readout), run_time=0.6)
            scene.wait_until_bookmark("go")
            scene.play(
                path.walk(path.last_step, run_time=max(tracker.get_remaining_duration(), 1.0))
            )

    def _beat_sweep(
        self,
        scene: LessonScene,
        line: str,
        strip: VGroup,
        setup: VGroup,
        readouts: list[Readout],
    ) -> None:
        """A sweep over momentum: only some values reach the bottom.

        The strip takes the setup panel's place; the readouts move up under it, so all of
        them stay above the line a paused player's captions reach.
        """
        strip.to_corner(UR, buff=style.MARGIN)
        column = VGroup(*readouts)
        rise = column.get_top()[1] - (strip.get_bottom()[1] - self.readout_gap)
        with scene.voiceover(text=line):
            scene.play(
                FadeOut(setup),
                *[readout.animate.shift(DOWN * rise) for readout in readouts],
                run_time=0.8,
            )
            scene.add_fixed_in_frame_mobjects(strip)
            scene.play(FadeIn(strip), run_time=0.8)
            scene.hold(strip, *readouts)  # on screen at the line's end: kept above the captions
