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

import numpy as np
from manim import (
    DEGREES,
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    UR,
    Dot,
    Line,
    ManimColor,
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
from lessonkit.surface3d import LossSurface, SurfaceFrame, SurfacePath
from momentum_math import Surface


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

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        surface = lesson_experiment("qfsp_escape").surface
        frame = self.surface_frame(surface)
        landscape = LossSurface(surface, frame, resolution=self.resolution)

        # Beat: a bumpy bowl.
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        setup = equation_panel(
            [surface.latex, rf"\alpha = {figs.lr:g},\quad {figs.steps}\ \text{{steps}}"],
            font_size=style.LABEL_SIZE,
        )
        setup.to_corner(UR, buff=style.MARGIN)
        scene.add_fixed_in_frame_mobjects(title, setup)
        marks = self._minimum_marks(scene, surface, frame)
        with scene.voiceover(text=lines.bumps) as tracker:
            scene.play(
                FadeIn(title), FadeIn(landscape), FadeIn(setup), run_time=min(tracker.duration, 2.0)
            )
            scene.play(FadeIn(marks), run_time=0.6)

        # Beats: plain GD is trapped; momentum escapes; a larger momentum is trapped elsewhere.
        runs = [
            (figs.plain, style.GD_COLOR, "plain GD", lines.plain),
            (figs.momentum, style.MOMENTUM_COLOR, "momentum", lines.momentum),
            (figs.caveat, style.OVERSHOOT_COLOR, "momentum", lines.caveat),
        ]
        anchor = setup
        readouts = []
        for run, color, name, line in runs:
            readout = self._walk(scene, frame, run, color, name, line, anchor)
            readouts.append(readout)
            anchor = readout
            if run is figs.momentum:
                scene.pause(1.5)

        # Beat: a sweep over momentum: only some values reach the bottom.
        # The strip takes the setup panel's place; the readouts move up under it, so all of
        # them stay above the line a paused player's captions reach.
        strip = self._sweep_strip(figs)
        strip.to_corner(UR, buff=style.MARGIN)
        column = VGroup(*readouts)
        rise = column.get_top()[1] - (strip.get_bottom()[1] - self.readout_gap)
        with scene.voiceover(text=lines.sweep):
            scene.play(
                FadeOut(setup),
                *[readout.animate.shift(DOWN * rise) for readout in readouts],
                run_time=0.8,
            )
            scene.add_fixed_in_frame_mobjects(strip)
            scene.play(FadeIn(strip), run_time=0.8)
            scene.hold(strip, *readouts)  # on screen at the line's end: kept above the captions
        scene.pause(2.0)

    def _walk(
        self,
        scene: LessonScene,
        frame: SurfaceFrame,
        run: RunFigures,
        color: ManimColor,
        name: str,
        line: str,
        anchor: Mobject,
    ) -> Readout:
        """One run: its readout appears, then its dot walks the whole run over the surface."""
        path = SurfacePath(run.trajectory, frame, color=color)
        scene.add_fixed_orientation_mobjects(path.dot)
        readout = Readout(
            run.trajectory,
            path.progress,
            color=color,
            title=f"{name}, μ = {spoken_number(run.beta)}",
            rows=trajectory_rows(run.trajectory, position_label="(x, y)")[1:],  # loss, (x, y)
        )
        readout.next_to(anchor, DOWN, aligned_edge=LEFT, buff=self.readout_gap)
        scene.add_fixed_in_frame_mobjects(readout)
        with scene.voiceover(text=line) as tracker:
            scene.play(FadeIn(path), FadeIn(readout), run_time=0.6)
            scene.wait_until_bookmark("go")
            scene.play(
                path.walk(path.last_step, run_time=max(tracker.get_remaining_duration(), 1.0))
            )
        return readout

    @staticmethod
    def _minimum_marks(scene: LessonScene, surface: Surface, frame: SurfaceFrame) -> VGroup:
        """A small cross on each global minimum, on the surface and facing the camera."""
        marks = VGroup()
        size = 0.12
        for point in frame.lift(surface, surface.minima):
            cross = VGroup(
                Line(point + size * (LEFT + UP), point + size * (RIGHT + DOWN)),
                Line(point + size * (LEFT + DOWN), point + size * (RIGHT + UP)),
            )
            marks.add(cross)
            scene.add_fixed_orientation_mobjects(cross, use_static_center_func=True)
        marks.set_stroke(style.MINIMUM_COLOR, 3).set_z_index(4)
        return marks

    @staticmethod
    def _sweep_strip(figs: BeyondRavinesFigures) -> VGroup:
        """One dot per swept momentum, lit where the run reaches the bottom, in one short row."""
        dots = VGroup(
            *[
                Dot(
                    radius=0.07, color=style.MOMENTUM_COLOR if hit else style.MUTED_TEXT_COLOR
                ).set_fill(opacity=1.0 if hit else 0.35)
                for hit in figs.sweep_reached
            ]
        ).arrange(RIGHT, buff=0.08)
        heading = Text(
            f"{figs.reached_count} of {len(figs.sweep_momenta)} reach the bottom in {figs.steps} steps",
            font=style.FONT,
            font_size=style.SMALL_SIZE,
            color=style.TEXT_COLOR,
        )
        low = Text(
            f"μ = {spoken_number(figs.sweep_momenta[0])}",
            font=style.FONT,
            font_size=style.SMALL_SIZE,
            color=style.MUTED_TEXT_COLOR,
        )
        high = Text(
            spoken_number(figs.sweep_momenta[-1]),
            font=style.FONT,
            font_size=style.SMALL_SIZE,
            color=style.MUTED_TEXT_COLOR,
        )
        low.next_to(dots, LEFT, buff=0.15)
        high.next_to(dots, RIGHT, buff=0.15)
        heading.next_to(VGroup(low, dots, high), UP, aligned_edge=RIGHT, buff=0.2)
        return VGroup(heading, dots, low, high)
