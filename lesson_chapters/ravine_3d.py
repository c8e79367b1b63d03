"""Chapter: the ravine in 3-D, steep across and gentle along, then seen from above.

The ravine surface of the zigzag preset stands as a tilted landscape; one
curve cuts across the valley, one runs along its floor, and the Hessian's
curvatures (and their ratio, the condition number) say how different they
are. Then the camera turns down and the surface gives way to the contour map
that the zigzag chapter draws, in the same place, so that chapter follows on.

Render: ``manim render scenes/ravine_3d.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import (
    DEGREES,
    ORIGIN,
    UL,
    UR,
    Create,
    Text,
    VGroup,
    VMobject,
)

from lesson_narration.ravine_3d import Ravine3DFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.config import experiment as lesson_experiment
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_number
from lessonkit.maps import MapLayers, ravine_map_frame
from lessonkit.narration import LessonScene
from lessonkit.panels import equation_panel, title_text
from lessonkit.surface3d import LossSurface, SurfaceFrame, curve_on_surface

#: Points along each of the two curves drawn on the surface.
CURVE_SAMPLES = 40
#: The landscape's height (scene units) from its lowest loss to its highest.
LANDSCAPE_HEIGHT = 2.5


@dataclass(frozen=True, eq=False)
class RavineLandscape:
    """The ravine as a tilted landscape, its two curves, the curvature panel, and the flat map."""

    title: Text
    landscape: LossSurface
    across: VMobject
    along: VMobject
    numbers: VGroup
    layers: MapLayers

    @property
    def box(self) -> VMobject:
        """The curvature panel's background."""
        return self.numbers[0]

    @property
    def number_lines(self) -> VGroup:
        """The curvature across, the curvature along, and their ratio κ."""
        return self.numbers[1]


def curvature_panel(figs: Ravine3DFigures) -> VGroup:
    """The two curvatures and κ, their ratio, top right; the one across in the curve's colour."""
    across = format_number(figs.curvature_across, 2)
    along = format_number(figs.curvature_along, 3)
    numbers = equation_panel(
        [
            rf"\text{{across: }}\ \partial^2 L/\partial y^2 = {across}",
            rf"\text{{along: }}\ \partial^2 L/\partial x^2 = {along}",
            rf"\kappa = {across} / {along} = {format_number(figs.condition_number, 3)}",
        ],
        font_size=style.LABEL_SIZE + 2,
    )
    numbers.to_corner(UR, buff=style.MARGIN)
    numbers[1][0].set_color(style.HIGHLIGHT_COLOR)
    return numbers


class Ravine3DChapter(Chapter):
    """The ravine as a landscape, then the camera turns down to the flat contour map."""

    name = "ravine_3d"
    three_d = True
    camera_orientation = {
        "phi": 58 * DEGREES,
        "theta": -35 * DEGREES,
        "zoom": 0.64,
    }
    #: Faces along each side of the surface (the camera move re-projects them all).
    resolution = 16
    #: Seconds the camera takes to turn down (short: every face is redrawn each frame).
    camera_move_s = 2.0
    #: Where the curve across the valley cuts it (x).
    across_at_x = 1.2
    #: Height (scene z) of the lowest loss while tilted: below 0 lowers the landscape on
    #: screen, away from the title. Flattening squeezes it to z = 0, the map's plane.
    tilted_base = -1.0
    #: Silence on the curvatures and their ratio (seconds).
    ratio_pause_s = 1.5

    def figures(self) -> Ravine3DFigures:
        """The numbers this chapter shows and speaks."""
        return figures()

    def view(self, figs: Ravine3DFigures) -> RavineLandscape:
        """Every picture of the chapter, built on the zigzag preset's ravine."""
        surface = lesson_experiment("ravine_zigzag").surface
        frame = ravine_map_frame(surface)
        lifted = SurfaceFrame.for_surface(
            surface, frame, height=LANDSCAPE_HEIGHT, base=self.tilted_base
        )
        landscape = LossSurface(surface, lifted, resolution=self.resolution)
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        across_xy = np.stack(
            [
                np.full(CURVE_SAMPLES, self.across_at_x),
                np.linspace(*figs.y_range, CURVE_SAMPLES),
            ],
            axis=1,
        )
        along_xy = np.stack(
            [np.linspace(*figs.x_range, CURVE_SAMPLES), np.zeros(CURVE_SAMPLES)], axis=1
        )
        across = curve_on_surface(
            surface, lifted, across_xy, color=style.HIGHLIGHT_COLOR, stroke_width=5
        )
        along = curve_on_surface(surface, lifted, along_xy, color=style.TEXT_COLOR, stroke_width=5)
        across.set_z_index(5)
        along.set_z_index(5)
        numbers = curvature_panel(figs)
        layers = MapLayers.for_surface(surface, frame)
        return RavineLandscape(title, landscape, across, along, numbers, layers)

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        view = self.view(figs)
        self._beat_landscape(scene, lines.landscape, view)
        self._beat_across(scene, lines.across, view)
        self._beat_along(scene, lines.along, view)
        self._beat_ratio(scene, lines.ratio, view)
        scene.hold(view.numbers)
        scene.pause(self.ratio_pause_s)
        self._beat_top_down(scene, lines.top_down, view)

    @staticmethod
    def _beat_landscape(scene: LessonScene, line: str, view: RavineLandscape) -> None:
        """The loss as a landscape, the title fading in with it."""
        title = view.title
        scene.add_fixed_in_frame_mobjects(title)
        title.set_opacity(0)
        with scene.voiceover(text=line) as tracker:
            scene.play(
                FadeIn(view.landscape),
                title.animate.set_opacity(1),
                run_time=min(tracker.duration, 2.0),
            )

    @staticmethod
    def _beat_across(scene: LessonScene, line: str, view: RavineLandscape) -> None:
        """Across the valley the walls rise steeply: the curve, then its curvature."""
        scene.add_fixed_in_frame_mobjects(view.numbers)
        view.numbers.set_opacity(0)
        with scene.voiceover(text=line) as tracker:
            scene.play(Create(view.across), run_time=min(tracker.duration * 0.5, 2.0))
            scene.play(
                view.box.animate.set_fill(opacity=0.92).set_stroke(opacity=1),
                view.number_lines[0].animate.set_opacity(1),
                run_time=0.8,
            )

    @staticmethod
    def _beat_along(scene: LessonScene, line: str, view: RavineLandscape) -> None:
        """Along the floor it hardly rises: the curve, then its curvature."""
        with scene.voiceover(text=line) as tracker:
            scene.play(Create(view.along), run_time=min(tracker.duration * 0.5, 2.0))
            scene.play(view.number_lines[1].animate.set_opacity(1), run_time=0.8)

    @staticmethod
    def _beat_ratio(scene: LessonScene, line: str, view: RavineLandscape) -> None:
        """The ratio, the condition number."""
        with scene.voiceover(text=line):
            scene.play(view.number_lines[2].animate.set_opacity(1), run_time=0.8)

    def _beat_top_down(self, scene: LessonScene, line: str, view: RavineLandscape) -> None:
        """The camera turns down; the surface flattens into the contour map."""
        layers = view.layers
        with scene.voiceover(text=line):
            scene.play(
                FadeOut(view.across), FadeOut(view.along), FadeOut(view.numbers), run_time=0.5
            )
            scene.move_camera(
                phi=0.0,
                theta=-90 * DEGREES,
                zoom=1.0,
                frame_center=ORIGIN,
                added_anims=[view.landscape.animate.stretch(1e-3, 2, about_point=ORIGIN)],
                run_time=self.camera_move_s,
            )
            scene.wait_until_bookmark("flat")
            scene.play(
                FadeOut(view.landscape),
                FadeIn(layers.border),
                FadeIn(layers.contours),
                FadeIn(layers.minimum),
                run_time=1.0,
            )
