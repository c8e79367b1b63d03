"""Chapter: the ravine in 3-D, steep across and gentle along, then seen from above.

The ravine surface of the zigzag preset stands as a tilted landscape; one
curve cuts across the valley, one runs along its floor, and the Hessian's
curvatures (and their ratio, the condition number) say how different they
are. Then the camera turns down and the surface gives way to the contour map
that the zigzag chapter draws, in the same place, so that chapter follows on.

Render: ``manim render scenes/ravine_3d.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

import numpy as np
from manim import (
    DEGREES,
    ORIGIN,
    UL,
    UR,
    Create,
)

from lesson_narration.ravine_3d import Ravine3DFigures, figures, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.config import experiment as lesson_experiment
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.formatting import format_number
from lessonkit.maps import ContourMap, minimum_marker, ravine_map_frame
from lessonkit.narration import LessonScene
from lessonkit.panels import equation_panel, title_text
from lessonkit.surface3d import LossSurface, SurfaceFrame, curve_on_surface


class Ravine3DChapter(Chapter):
    """The ravine as a landscape, then the camera turns down to the flat contour map."""

    name = "ravine_3d"
    three_d = True
    camera_orientation = {
        "phi": 55 * DEGREES,
        "theta": -70 * DEGREES,
        "zoom": 0.85,
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

    def figures(self) -> Ravine3DFigures:
        """The numbers this chapter shows and speaks."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        surface = lesson_experiment("ravine_zigzag").surface
        frame = ravine_map_frame(surface)
        lifted = SurfaceFrame.for_surface(surface, frame, height=2.5, base=self.tilted_base)
        landscape = LossSurface(surface, lifted, resolution=self.resolution)

        # Beat: the loss as a landscape.
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        scene.add_fixed_in_frame_mobjects(title)
        title.set_opacity(0)
        with scene.voiceover(text=lines.landscape) as tracker:
            scene.play(
                FadeIn(landscape), title.animate.set_opacity(1), run_time=min(tracker.duration, 2.0)
            )

        # Beat: across the valley the walls rise steeply.
        samples = 40
        across_xy = np.stack(
            [np.full(samples, self.across_at_x), np.linspace(*figs.y_range, samples)], axis=1
        )
        along_xy = np.stack([np.linspace(*figs.x_range, samples), np.zeros(samples)], axis=1)
        across = curve_on_surface(
            surface, lifted, across_xy, color=style.HIGHLIGHT_COLOR, stroke_width=5
        )
        along = curve_on_surface(surface, lifted, along_xy, color=style.TEXT_COLOR, stroke_width=5)
        across.set_z_index(5)
        along.set_z_index(5)
        numbers = equation_panel(
            [
                rf"\text{{across: }}\ \partial^2 L/\partial y^2 = {format_number(figs.curvature_across, 2)}",
                rf"\text{{along: }}\ \partial^2 L/\partial x^2 = {format_number(figs.curvature_along, 3)}",
                (
                    rf"\kappa = {format_number(figs.curvature_across, 2)} / "
                    rf"{format_number(figs.curvature_along, 3)} = {format_number(figs.condition_number, 3)}"
                ),
            ],
            font_size=style.LABEL_SIZE + 2,
        )
        numbers.to_corner(UR, buff=style.MARGIN)
        box, (across_number, along_number, ratio_number) = numbers
        across_number.set_color(style.HIGHLIGHT_COLOR)
        scene.add_fixed_in_frame_mobjects(numbers)
        numbers.set_opacity(0)
        with scene.voiceover(text=lines.across) as tracker:
            scene.play(Create(across), run_time=min(tracker.duration * 0.5, 2.0))
            scene.play(
                box.animate.set_fill(opacity=0.92).set_stroke(opacity=1),
                across_number.animate.set_opacity(1),
                run_time=0.8,
            )

        # Beat: along the floor it hardly rises.
        with scene.voiceover(text=lines.along) as tracker:
            scene.play(Create(along), run_time=min(tracker.duration * 0.5, 2.0))
            scene.play(along_number.animate.set_opacity(1), run_time=0.8)

        # Beat: the ratio, the condition number; a moment to take it in.
        with scene.voiceover(text=lines.ratio):
            scene.play(ratio_number.animate.set_opacity(1), run_time=0.8)
        scene.hold(numbers)
        scene.pause(1.5)

        # Beat: the camera turns down; the surface flattens into the contour map.
        contours = ContourMap(surface, frame)
        border = frame.border()
        minimum = minimum_marker(surface, frame)
        with scene.voiceover(text=lines.top_down):
            scene.play(FadeOut(across), FadeOut(along), FadeOut(numbers), run_time=0.5)
            scene.move_camera(
                phi=0.0,
                theta=-90 * DEGREES,
                zoom=1.0,
                frame_center=ORIGIN,
                added_anims=[landscape.animate.stretch(1e-3, 2, about_point=ORIGIN)],
                run_time=self.camera_move_s,
            )
            scene.wait_until_bookmark("flat")
            scene.play(
                FadeOut(landscape), FadeIn(border), FadeIn(contours), FadeIn(minimum), run_time=1.0
            )
