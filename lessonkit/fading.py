"""Fades that draw exactly what manim's draw, without copying the mobject three times.

manim's ``FadeIn``/``FadeOut`` are ``Transform``s: each deep-copies the whole
mobject family three times (a faded start or end, the target, the target's
copy) before the first frame. The lesson fades about 500 groups, some with
hundreds of glyphs, and those copies cost about 10 % of a render of the whole
lesson at 480p15. :class:`FadeIn` and :class:`FadeOut` here keep each part's
colour arrays (and points, when it moves) and interpolate them in place, with
manim's own ``interpolate``: the same pictures, frame for frame
(``tests/test_toolkit.py`` compares them with manim's on every frame).

They take manim's ``shift`` and ``scale``; ``target_position`` and
``lag_ratio`` are refused (use manim's classes for those).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from manim import ORIGIN, Animation, Group, ImageMobject, Mobject, PMobject, VMobject
from manim.utils.bezier import interpolate

__all__ = ["FadeIn", "FadeOut"]

_COLOUR_ARRAYS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


class _InPlaceFade(Animation):
    """Fade a mobject in or out by interpolating its parts' opacities (and points) in place."""

    fading_in: bool = True

    def __init__(
        self,
        *mobjects: Mobject,
        shift: np.ndarray | None = None,
        scale: float = 1,
        **kwargs: Any,
    ) -> None:
        if not mobjects:
            raise ValueError("At least one mobject must be passed.")
        for refused in ("target_position", "lag_ratio"):
            if kwargs.get(refused) not in (None, 0):
                raise TypeError(
                    f"{type(self).__name__} does not take {refused}; "
                    f"use manim's {type(self).__name__}"
                )
        kwargs.pop("target_position", None)
        mobject = mobjects[0] if len(mobjects) == 1 else Group(*mobjects)
        drawn_otherwise = sorted(
            {
                type(part).__name__
                for part in mobject.get_family()
                if isinstance(part, ImageMobject | PMobject)
            }
        )
        if drawn_otherwise:
            raise TypeError(
                f"{type(self).__name__} fades vectorized mobjects only, "
                f"not {', '.join(drawn_otherwise)}"
            )
        self.shift_vector = np.array(ORIGIN if shift is None else shift, dtype=float)
        self.scale_factor = float(scale)
        super().__init__(mobject, introducer=self.fading_in, remover=not self.fading_in, **kwargs)

    def create_starting_mobject(self) -> Mobject:
        return Mobject()  # nothing copied: begin() keeps the arrays it needs

    def _faded_points(self, parts: list[Mobject]) -> list[np.ndarray]:
        """Every part's points as manim's faded copy has them.

        Each part's points are shifted, then scaled about its centre.
        """
        offset = -self.shift_vector if self.fading_in else self.shift_vector
        moved = [part.points + offset for part in parts]
        if self.scale_factor == 1:
            return moved
        with_points = [points for points in moved if len(points)]
        if not with_points:
            return moved
        stacked = np.vstack(with_points)
        centre = (stacked.min(axis=0) + stacked.max(axis=0)) / 2
        return [
            (points - centre) * self.scale_factor + centre if len(points) else points
            for points in moved
        ]

    def begin(self) -> None:
        # as manim's Transform: the parts with points are interpolated; only vectorized ones have
        # colours to fade (a ValueTracker, say, is not drawn: only moved, if the fade moves)
        parts = self.mobject.family_members_with_points()
        moves = bool(np.any(self.shift_vector)) or self.scale_factor != 1
        faded_points = self._faded_points(parts) if moves else [None] * len(parts)
        self._parts = []
        for part, faded in zip(parts, faded_points, strict=True):
            if not isinstance(part, VMobject):
                if moves:
                    self._parts.append((part, {}, {}, (part.points.copy(), faded)))
                continue
            colours = {name: np.array(getattr(part, name)) for name in _COLOUR_ARRAYS}
            faded_colours = {name: array.copy() for name, array in colours.items()}
            for array in faded_colours.values():
                array[:, 3] = 0.0
            points = (part.points.copy(), faded) if moves else None
            self._parts.append((part, colours, faded_colours, points))
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        # as manim's Transform does for each part (lag ratio 0): the rate
        # function, then interpolation
        alpha = self.rate_func(1 - alpha) if self.reverse_rate_function else self.rate_func(alpha)
        for part, colours, faded_colours, points in self._parts:
            start, end = (faded_colours, colours) if self.fading_in else (colours, faded_colours)
            for name in colours:
                setattr(
                    part,
                    name,
                    end[name] if alpha == 1.0 else interpolate(start[name], end[name], alpha),
                )
            if points is not None:
                shown, faded = points
                first, last = (faded, shown) if self.fading_in else (shown, faded)
                part.points = last.copy() if alpha == 1.0 else interpolate(first, last, alpha)


class FadeIn(_InPlaceFade):
    """Fade mobjects in (manim's ``FadeIn``, drawn the same, without copies).

    ``shift``/``scale`` move them in.
    """

    fading_in = True


class FadeOut(_InPlaceFade):
    """Fade mobjects out and remove them (manim's ``FadeOut``, drawn the same, without copies)."""

    fading_in = False
