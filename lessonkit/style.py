"""The lesson's look: colours named by meaning, fonts, sizes and margins.

Sizes are chosen to stay readable at 480p (the smallest size is about 14 px
tall there). Scenes use these names, never hex codes.
"""

from __future__ import annotations

from typing import TypeVar

from manim import ManimColor, Mobject

from lessonkit import palette

M = TypeVar("M", bound=Mobject)

# --- colours, by meaning (the hex values live in lessonkit.palette) ------------
BACKGROUND_COLOR = ManimColor(palette.BACKGROUND)
TEXT_COLOR = ManimColor(palette.TEXT)
MUTED_TEXT_COLOR = ManimColor(palette.MUTED_TEXT)
PANEL_COLOR = ManimColor(palette.PANEL)
PANEL_BORDER_COLOR = ManimColor(palette.PANEL_BORDER)
AXIS_COLOR = ManimColor(palette.AXIS)
#: Contour lines run from the low (inner) colour to the high (outer) one.
CONTOUR_LOW_COLOR = ManimColor(palette.CONTOUR_LOW)
CONTOUR_HIGH_COLOR = ManimColor(palette.CONTOUR_HIGH)
MINIMUM_COLOR = ManimColor(palette.MINIMUM)

GD_COLOR = ManimColor(palette.GD)  # plain gradient descent (β = 0)
LIGHT_MOMENTUM_COLOR = ManimColor(palette.LIGHT_MOMENTUM)  # a little momentum (β < 0.6)
MOMENTUM_COLOR = ManimColor(palette.MOMENTUM)  # momentum (0.6 ≤ β < 0.85)
LONG_MOMENTUM_COLOR = ManimColor(palette.LONG_MOMENTUM)  # a long memory (0.85 ≤ β < 0.95)
OVERSHOOT_COLOR = ManimColor(palette.OVERSHOOT)  # too much momentum (β ≥ 0.95)
GRADIENT_COLOR = ManimColor(palette.GRADIENT)  # the downhill step -α∇L
VELOCITY_COLOR = ManimColor(palette.VELOCITY)  # accumulated velocity
HIGHLIGHT_COLOR = ManimColor(palette.HIGHLIGHT)  # emphasis with no meaning of its own
ADAGRAD_COLOR = ManimColor(palette.ADAGRAD)  # AdaGrad, in your own experiment's clip
RMSPROP_COLOR = ManimColor(palette.RMSPROP)  # RMSprop
ADAM_COLOR = ManimColor(palette.ADAM)  # Adam
ADAMW_COLOR = ManimColor(palette.ADAMW)  # AdamW
#: Each optimizer's colour in an experiment clip (plain GD and momentum as in the lesson).
OPTIMIZER_COLORS = {
    "gd": GD_COLOR,
    "momentum": MOMENTUM_COLOR,
    "adagrad": ADAGRAD_COLOR,
    "rmsprop": RMSPROP_COLOR,
    "adam": ADAM_COLOR,
    "adamw": ADAMW_COLOR,
}

#: The attribute :func:`mark` sets on a mobject: what its colour means.
MEANING_ATTRIBUTE = "lesson_meaning"


def run_color(beta: float) -> ManimColor:
    """The colour of a run with momentum ``beta``: the same β, the same colour, all lesson
    long (:data:`lessonkit.palette.RUN_BANDS`)."""
    return ManimColor(palette.run_band(beta)[0])


def run_meaning(beta: float) -> str:
    """What a run with momentum ``beta`` is called by its colour ("plain descent",
    "a little momentum", "momentum", "long-memory momentum", "too much momentum")."""
    return palette.run_band(beta)[1]


def meaning_color(meaning: str) -> ManimColor:
    """The colour of ``meaning`` (a key of :data:`lessonkit.palette.MEANINGS`)."""
    if meaning not in palette.MEANINGS:
        raise ValueError(f"meaning must be one of {sorted(palette.MEANINGS)}, got {meaning!r}")
    return ManimColor(palette.MEANINGS[meaning])


def mark(mobject: M, meaning: str) -> M:
    """Say what ``mobject``'s colour means (its whole family): the colour guard
    (:func:`lessonkit.layout.colour_problems`) lets only marked mobjects use a meaning's
    colour, and only their own meaning's."""
    meaning_color(meaning)  # checks the name
    # Every member now (a scene may hold a group's parts on their own); parts made later
    # take the meaning of the marked mobject they hang from.
    for part in mobject.get_family():
        setattr(part, MEANING_ATTRIBUTE, meaning)
    return mobject


def mark_run(mobject: M, beta: float) -> M:
    """Mark ``mobject`` as belonging to the run with momentum ``beta``."""
    return mark(mobject, run_meaning(beta))


def paint(mobject: M, meaning: str) -> M:
    """Colour ``mobject`` (its whole family) in ``meaning``'s colour and mark it so."""
    mobject.set_color(meaning_color(meaning))
    return mark(mobject, meaning)


def paint_run(mobject: M, beta: float) -> M:
    """Colour ``mobject`` as the run with momentum ``beta`` and mark it so."""
    return paint(mobject, run_meaning(beta))


# --- type ----------------------------------------------------------------------
FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"
TITLE_SIZE = 40
BODY_SIZE = 30
LABEL_SIZE = 26
SMALL_SIZE = 22  # the smallest text allowed on screen
SMALL_MATH_SIZE = 24  # the smallest formula (MathTex) allowed on screen

# --- layout (manim units; the frame is 14.22 × 8) ------------------------------
MARGIN = 0.35
#: Keep the bottom of the frame free: players draw the captions there.
CAPTION_SAFE_HEIGHT = 1.25
#: Where the viewer is left to think (quiz, key results), content stays above this
#: share of the frame height, measured from the top: a paused player lifts a
#: two-line cue to 68 % of the height at 640x360 (RENDER_NOTES).
PAUSED_CAPTION_TOP = 0.66
#: Nothing may come closer than this to the left, right and top edges.
EDGE_TOLERANCE = 0.1
#: Text is legible at 480p: its capitals and digits are at least this many pixels tall there
#: (those of a 14 px font). SMALL_SIZE text's are 13.4 px; a formula's (MathTex) at
#: SMALL_MATH_SIZE 10.3 px: LaTeX draws about 0.7 times smaller at the same font size.
MIN_CAP_HEIGHT_PX = 10.0
#: Text against what is behind it: WCAG AA's ratio for normal text.
MIN_TEXT_CONTRAST = 4.5
STROKE_WIDTH = 3.0
THIN_STROKE_WIDTH = 1.6
