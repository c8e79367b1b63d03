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
from manim import (
    DL,
    UR,
    Camera,
    DecimalNumber,
    ManimColor,
    MarkupText,
    Mobject,
    SingleStringMathTex,
    Text,
    VectorizedPoint,
    VMobject,
    config,
)

from lessonkit import palette, style

__all__ = [
    "colour_problems",
    "contrast_ratio",
    "layout_problems",
    "legibility_problems",
    "safe_box",
    "screen_points",
    "text_units",
]

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
                name = (
                    describe(mobject) if isinstance(mobject, TEXT_TYPES) else type(mobject).__name__
                )
                problems.append(f"{name} crosses the {side} by {overshoot:.2f} units")
    return problems


# --- legibility: text size and contrast ------------------------------------------------------

#: What counts as one piece of text on screen (its glyphs are checked together).
TEXT_TYPES = (Text, MarkupText, SingleStringMathTex, DecimalNumber)


def _visible(part: Mobject) -> bool:
    return (
        isinstance(part, VMobject)
        and part.has_points()
        and (part.get_stroke_opacity() > 0 or part.get_fill_opacity() > 0)
    )


def text_units(mobjects: Iterable[Mobject]) -> list[Mobject]:
    """The pieces of text among ``mobjects``' families that show at least one glyph.

    A piece is the outermost :data:`TEXT_TYPES` mobject: a ``MathTex`` inside a
    ``DecimalNumber`` belongs to the number, not to a piece of its own.
    """
    units: list[Mobject] = []
    seen: set[int] = set()

    def visit(mobject: Mobject) -> None:
        if id(mobject) in seen:
            return
        seen.add(id(mobject))
        if isinstance(mobject, TEXT_TYPES):
            if any(_visible(part) for part in mobject.get_family()):
                units.append(mobject)
            return
        for sub in mobject.submobjects:
            visit(sub)

    for mobject in mobjects:
        visit(mobject)
    return units


def describe(unit: Mobject) -> str:
    """A short name for a piece of text in a warning: its type and what it says."""
    words = getattr(unit, "original_text", None) or getattr(unit, "tex_string", None)
    if words is None and isinstance(unit, DecimalNumber):
        words = f"{unit.get_value():g}"
    words = " ".join(str(words or "").split())
    if len(words) > 40:
        words = words[:37] + "..."
    return f"{type(unit).__name__} {words!r}"


def _luminance(color: ManimColor) -> float:
    channels = np.asarray(color.to_rgb(), dtype=float)
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(foreground: ManimColor, background: ManimColor) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def _blend(top: ManimColor, bottom: ManimColor, opacity: float) -> ManimColor:
    return ManimColor(
        opacity * np.asarray(top.to_rgb()) + (1 - opacity) * np.asarray(bottom.to_rgb())
    )


def _drawing_order(mobjects: Iterable[Mobject]) -> list[Mobject]:
    family = [part for mobject in mobjects for part in mobject.get_family()]
    return sorted(family, key=lambda part: part.z_index)  # stable: scene order within a z


def _backdrop(unit: Mobject, order: list[Mobject], position: dict[int, int], base: ManimColor):
    """The colour behind ``unit``: filled shapes drawn before it that cover its centre."""
    centre = unit.get_center()
    color = base
    first = position.get(id(unit), len(order))
    inside = {id(part) for part in unit.get_family()}
    for part in order[:first]:
        if id(part) in inside or isinstance(part, TEXT_TYPES) or not _visible(part):
            continue
        opacity = float(part.get_fill_opacity())
        if opacity < 0.05 or part.width < unit.width or part.height < unit.height:
            continue
        low, high = part.get_corner(DL), part.get_corner(UR)
        if low[0] <= centre[0] <= high[0] and low[1] <= centre[1] <= high[1]:
            color = _blend(ManimColor(part.get_fill_color()), color, min(opacity, 1.0))
    return color


#: Capital (or digit) height, in pixels of a 480-line frame, per unit of ``font_size``:
#: manim's ``Text`` (DejaVu Sans) and its LaTeX (Computer Modern) differ by half.
CAP_PX_PER_FONT_SIZE = {"text": 13.4 / 22, "tex": 9.4 / 22}


def cap_height_px(
    unit: Mobject, camera: Camera | None = None, pixels_per_unit: float = 60.0
) -> float:
    """How tall ``unit``'s capitals and digits are drawn, in pixels at ``pixels_per_unit``.

    From its ``font_size`` (which follows any scaling), whatever letters it
    holds (an "x" is judged like an "X"), times how much the camera enlarges it.
    """
    kind = "tex" if isinstance(unit, SingleStringMathTex | DecimalNumber) else "text"
    cap = float(unit.font_size) * CAP_PX_PER_FONT_SIZE[kind] * pixels_per_unit / 60.0
    if camera is not None and unit.height > 1e-9:
        drawn = screen_points(unit, camera)
        if len(drawn):
            cap *= float(np.ptp(drawn[:, 1])) / unit.height
    return cap


def legibility_problems(
    mobjects: Iterable[Mobject],
    camera: Camera | None = None,
    background: ManimColor = style.BACKGROUND_COLOR,
) -> list[str]:
    """One line per piece of text too small at 480p or too faint against what is behind it.

    Size: the piece's capitals, as the camera draws them, at least
    :data:`~lessonkit.style.MIN_CAP_HEIGHT_PX` pixels tall in a 480-line frame.
    Contrast: each glyph's colour (blended by its opacity) against the filled
    shapes drawn behind the piece, or ``background``, at least
    :data:`~lessonkit.style.MIN_TEXT_CONTRAST` (WCAG AA for normal text).
    """
    mobjects = list(mobjects)
    order = _drawing_order(mobjects)
    position: dict[int, int] = {}
    for index, part in enumerate(order):
        position.setdefault(id(part), index)
    pixels_per_unit = 480 / config.frame_height
    problems = []
    for unit in text_units(mobjects):
        glyphs = [part for part in unit.family_members_with_points() if _visible(part)]
        cap = cap_height_px(unit, camera, pixels_per_unit)
        if cap < style.MIN_CAP_HEIGHT_PX - 1e-6:
            problems.append(
                f"{describe(unit)} has capitals {cap:.1f} px tall at 480p "
                f"(at least {style.MIN_CAP_HEIGHT_PX:g})"
            )
        behind = _backdrop(unit, order, position, background)
        worst = min(
            contrast_ratio(
                _blend(ManimColor(glyph.get_fill_color()), behind, float(glyph.get_fill_opacity())),
                behind,
            )
            for glyph in glyphs
        )
        if worst < style.MIN_TEXT_CONTRAST - 1e-6:
            problems.append(
                f"{describe(unit)} has contrast {worst:.2f}:1 against what is behind it "
                f"(at least {style.MIN_TEXT_CONTRAST:g}:1)"
            )
    return problems


# --- colours by meaning ------------------------------------------------------------------------


def _parents(mobjects: Iterable[Mobject]) -> dict[int, Mobject]:
    parents: dict[int, Mobject] = {}
    stack = list(mobjects)
    while stack:
        mobject = stack.pop()
        for sub in mobject.submobjects:
            if id(sub) not in parents:
                parents[id(sub)] = mobject
                stack.append(sub)
    return parents


def _meaning_of(part: Mobject, parents: dict[int, Mobject]) -> str | None:
    node: Mobject | None = part
    while node is not None:
        meaning = getattr(node, style.MEANING_ATTRIBUTE, None)
        if meaning is not None:
            return meaning
        node = parents.get(id(node))
    return None


def _painted_hexes(part: VMobject) -> set[str]:
    hexes = set()
    if part.get_stroke_opacity() > 0 and part.get_stroke_width() > 0:
        hexes.add(ManimColor(part.get_stroke_color()).to_hex().lower())
    if part.get_fill_opacity() > 0:
        hexes.add(ManimColor(part.get_fill_color()).to_hex().lower())
    return hexes


def colour_problems(mobjects: Iterable[Mobject]) -> list[str]:
    """One line per visible mobject drawn in a meaning's colour that does not carry that
    meaning (:func:`lessonkit.style.mark`): a band, a box or a label in a run's colour, a
    run in another β's colour, a highlight in the gradient's yellow."""
    mobjects = list(mobjects)
    parents = _parents(mobjects)
    by_hex = {color.lower(): meaning for meaning, color in palette.MEANINGS.items()}
    problems = []
    seen: set[int] = set()
    for mobject in mobjects:
        for part in mobject.get_family():
            if id(part) in seen or not _visible(part) or isinstance(part, VectorizedPoint):
                continue
            seen.add(id(part))
            for painted in sorted(_painted_hexes(part) & by_hex.keys()):
                marked = _meaning_of(part, parents)
                if marked == by_hex[painted]:
                    continue
                owner = parents.get(id(part)) if not isinstance(part, TEXT_TYPES) else part
                while owner is not None and not isinstance(owner, TEXT_TYPES):
                    owner = parents.get(id(owner))
                if owner is not None:
                    name = describe(owner)
                else:
                    chain = [part]
                    while id(chain[-1]) in parents:
                        chain.append(parents[id(chain[-1])])
                    name = " in ".join(type(link).__name__ for link in chain[:3])
                said = "unmarked" if marked is None else f"marked {marked!r}"
                problems.append(
                    f"{name} is drawn in the colour of {by_hex[painted]!r} ({painted}) "
                    f"but is {said}"
                )
    return list(dict.fromkeys(problems))
