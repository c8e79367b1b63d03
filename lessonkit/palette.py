"""The lesson's colours by meaning, as hex strings: the one table the videos and the page share.

:mod:`lessonkit.style` turns these into manim colours for the scenes; the lesson page
(:mod:`lesson_build.explore`) reads them as they are, so a run, an arrow or a contour has the
same colour in the video and in the playground beside it. This module imports nothing.
"""

from __future__ import annotations

BACKGROUND = "#10131a"
TEXT = "#e8eaf0"
MUTED_TEXT = "#9aa3b5"
PANEL = "#1b2030"
PANEL_BORDER = "#39425a"
AXIS = "#5b6478"
#: Contour lines run from the low (inner) colour to the high (outer) one.
CONTOUR_LOW = "#2d6a8f"
CONTOUR_HIGH = "#9bb7d4"
MINIMUM = "#f5f5f5"

GD = "#ff9f43"  # plain gradient descent (β = 0)
LIGHT_MOMENTUM = "#9be15d"  # a little momentum (0 < β < 0.6: 0.5)
MOMENTUM = "#36d6b0"  # momentum (0.6 ≤ β < 0.85: 0.7, 0.8)
LONG_MOMENTUM = "#c792ea"  # momentum with a long memory (0.85 ≤ β < 0.95: 0.9)
OVERSHOOT = "#ff5d8f"  # too much momentum (β ≥ 0.95: 0.99)
GRADIENT = "#ffd166"  # the downhill step -α∇L, and gradients
VELOCITY = "#7aa2ff"  # accumulated velocity
#: Emphasis without a meaning of its own (boxes, finish lines, questions, theory's marks):
#: white, so it never reads as a run, a gradient or a velocity.
HIGHLIGHT = "#ffffff"
ADAGRAD = "#c9ada7"  # AdaGrad, in your own experiment's clip
RMSPROP = "#f26b6b"  # RMSprop
ADAM = "#d4a373"  # Adam
ADAMW = "#5ec8f2"  # AdamW

#: Runs are coloured by how much momentum they carry, the same β the same colour all lesson
#: long: each band is ``(upper bound of β, colour, meaning)``, plain descent (β = 0) first.
RUN_BANDS: tuple[tuple[float, str, str], ...] = (
    (0.0, GD, "plain descent"),
    (0.6, LIGHT_MOMENTUM, "a little momentum"),
    (0.85, MOMENTUM, "momentum"),
    (0.95, LONG_MOMENTUM, "long-memory momentum"),
    (1.0, OVERSHOOT, "too much momentum"),
)
#: Every colour that means something, by its meaning: nothing else may be drawn in these.
MEANINGS: dict[str, str] = {
    **{meaning: color for _, color, meaning in RUN_BANDS},
    "gradient": GRADIENT,
    "velocity": VELOCITY,
}


def run_band(beta: float) -> tuple[str, str]:
    """``(colour, meaning)`` of a run with momentum ``beta`` (0 ≤ β < 1)."""
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
    if beta == 0.0:
        return GD, RUN_BANDS[0][2]
    for bound, color, meaning in RUN_BANDS[1:]:
        if beta < bound:
            return color, meaning
    raise AssertionError("unreachable: the last band ends at 1")
