"""The lesson's look: colours named by meaning, fonts, sizes and margins.

Sizes are chosen to stay readable at 480p (the smallest size is about 14 px
tall there). Scenes use these names, never hex codes.
"""

from __future__ import annotations

from manim import ManimColor

# --- colours, by meaning ------------------------------------------------------
BACKGROUND_COLOR = ManimColor("#10131a")
TEXT_COLOR = ManimColor("#e8eaf0")
MUTED_TEXT_COLOR = ManimColor("#9aa3b5")
PANEL_COLOR = ManimColor("#1b2030")
PANEL_BORDER_COLOR = ManimColor("#39425a")
AXIS_COLOR = ManimColor("#5b6478")
#: Contour lines run from the low (inner) colour to the high (outer) one.
CONTOUR_LOW_COLOR = ManimColor("#2d6a8f")
CONTOUR_HIGH_COLOR = ManimColor("#9bb7d4")
MINIMUM_COLOR = ManimColor("#f5f5f5")

GD_COLOR = ManimColor("#ff9f43")  # plain gradient descent
MOMENTUM_COLOR = ManimColor("#36d6b0")  # momentum, the method that works
OVERSHOOT_COLOR = ManimColor("#ff5d8f")  # too much momentum
GRADIENT_COLOR = ManimColor("#ffd166")  # the downhill step -α∇L
VELOCITY_COLOR = ManimColor("#7aa2ff")  # accumulated velocity
HIGHLIGHT_COLOR = ManimColor("#ffd166")
ADAGRAD_COLOR = ManimColor("#c792ea")  # AdaGrad, in your own experiment's clip
RMSPROP_COLOR = ManimColor("#f26b6b")  # RMSprop
ADAM_COLOR = ManimColor("#9be15d")  # Adam
ADAMW_COLOR = ManimColor("#5ec8f2")  # AdamW
#: Each optimizer's colour in an experiment clip (plain GD and momentum as in the lesson).
OPTIMIZER_COLORS = {
    "gd": GD_COLOR,
    "momentum": MOMENTUM_COLOR,
    "adagrad": ADAGRAD_COLOR,
    "rmsprop": RMSPROP_COLOR,
    "adam": ADAM_COLOR,
    "adamw": ADAMW_COLOR,
}

# --- type ----------------------------------------------------------------------
FONT = "DejaVu Sans"
MONO_FONT = "DejaVu Sans Mono"
TITLE_SIZE = 40
BODY_SIZE = 30
LABEL_SIZE = 26
SMALL_SIZE = 22  # the smallest text allowed on screen

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
STROKE_WIDTH = 3.0
THIN_STROKE_WIDTH = 1.6
