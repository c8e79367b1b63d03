"""Layout checks: what is on screen stays inside the frame and out of the caption area.

Players draw captions over the bottom of the video, so the lesson keeps the
bottom :data:`~lessonkit.style.CAPTION_SAFE_HEIGHT` of the frame free, and a
margin of :data:`~lessonkit.style.EDGE_TOLERANCE` around the edges. Where the
lesson holds still for the viewer to think (a quiz question, a result left on
screen), players that show their controls lift the captions higher, to
:data:`~lessonkit.style.PAUSED_CAPTION_TOP` of the frame height: content that
matters there is checked against that line with ``region="held"``.

Points are checked where the camera draws them: a 3-D camera's projection
(and its fixed-in-frame mobjects) included.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

import numpy as np
from manim import Camera, Mobject, VMobject, config

from lessonkit import style

__all__ = ["layout_problems", "safe_box", "screen_points"]

Region = Literal["playing", "held"]


def safe_box(region: Region = "playing") -> tuple[float, float, float, float]:
    """``(left, right, bottom, top)`` of the area content may use, in scene units.

    ``"playing"``: above the caption band of a playing video; ``"held"``:
    above the line a two-line cue reaches when a paused player shows its
    controls.
    """
    half_width, half_height = config.frame_width / 2, config.frame_height / 2
    edge = style.EDGE_TOLERANCE
    if region == "playing":
        bottom = -half_height + style.CAPTION_SAFE_HEIGHT
    elif region == "held":
        bottom = half_height - style.PAUSED_CAPTION_TOP * config.frame_height
    else:
        raise ValueError(f"region must be 'playing' or 'held', got {region!r}")
    return (-half_width + edge, half_width - edge, bottom, half_height - edge)


def screen_points(mobject: Mobject, camera: Camera | None = None) -> np.ndarray:
    """The visible points of ``mobject``'s family as the camera draws them, shape (n, 3)."""
    parts = [
        part
        for part in mobject.get_family()
        if isinstance(part, VMobject)
        and part.has_points()
        and (part.get_stroke_opacity() > 0 or part.get_fill_opacity() > 0)
    ]
    if not parts:
        return np.zeros((0, 3))
    if camera is None:
        return np.concatenate([part.points for part in parts])
    if hasattr(camera, "reset_rotation_matrix"):
        camera.reset_rotation_matrix()
    return np.concatenate(
        [camera.transform_points_pre_display(part, part.points) for part in parts]
    )


def layout_problems(
    mobjects: Iterable[Mobject],
    camera: Camera | None = None,
    tolerance: float = 1e-3,
    region: Region = "playing",
) -> list[str]:
    """One line per visible mobject that leaves the safe box on screen.

    Each line says where and by how much.

    ``camera`` projects the points as it would draw them (``None``: the flat
    scene coordinates).
    """
    left, right, bottom, top = safe_box(region)
    below = "caption area" if region == "playing" else "paused-caption line"
    problems = []
    for mobject in mobjects:
        points = screen_points(mobject, camera)
        if not len(points):  # trackers, empty groups, faded-out parts
            continue
        sides = {
            "left edge": left - points[:, 0].min(),
            "right edge": points[:, 0].max() - right,
            below: bottom - points[:, 1].min(),
            "top edge": points[:, 1].max() - top,
        }
        for side, overshoot in sides.items():
            if overshoot > tolerance:
                problems.append(
                    f"{type(mobject).__name__} crosses the {side} by {overshoot:.2f} units"
                )
    return problems
