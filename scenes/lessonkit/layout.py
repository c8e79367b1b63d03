"""Layout checks: everything on screen stays inside the frame and out of the caption area.

Players draw captions over the bottom of the video, so the lesson keeps the
bottom :data:`~lessonkit.style.CAPTION_SAFE_HEIGHT` of the frame free, and a
margin of :data:`~lessonkit.style.EDGE_TOLERANCE` around the edges.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from manim import Mobject, VMobject, config

from lessonkit import style

__all__ = ["layout_problems", "safe_box"]


def safe_box() -> tuple[float, float, float, float]:
    """``(left, right, bottom, top)`` of the area content may use, in scene units."""
    half_width, half_height = config.frame_width / 2, config.frame_height / 2
    edge = style.EDGE_TOLERANCE
    return (-half_width + edge, half_width - edge, -half_height + style.CAPTION_SAFE_HEIGHT, half_height - edge)


def layout_problems(mobjects: Iterable[Mobject], tolerance: float = 1e-3) -> list[str]:
    """One line per visible mobject that leaves the safe box, saying where and by how much."""
    left, right, bottom, top = safe_box()
    problems = []
    for mobject in mobjects:
        visible = [
            part.points
            for part in mobject.get_family()
            if isinstance(part, VMobject)
            and part.has_points()
            and (part.get_stroke_opacity() > 0 or part.get_fill_opacity() > 0)
        ]
        if not visible:  # trackers, empty groups, faded-out parts
            continue
        points = np.concatenate(visible)
        sides = {
            "left edge": left - points[:, 0].min(),
            "right edge": points[:, 0].max() - right,
            "caption area": bottom - points[:, 1].min(),
            "top edge": points[:, 1].max() - top,
        }
        for side, overshoot in sides.items():
            if overshoot > tolerance:
                problems.append(f"{type(mobject).__name__} crosses the {side} by {overshoot:.2f} units")
    return problems
