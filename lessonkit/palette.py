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

GD = "#ff9f43"  # plain gradient descent
MOMENTUM = "#36d6b0"  # momentum, the method that works
OVERSHOOT = "#ff5d8f"  # too much momentum
GRADIENT = "#ffd166"  # the downhill step -α∇L
VELOCITY = "#7aa2ff"  # accumulated velocity
HIGHLIGHT = "#ffd166"
ADAGRAD = "#c792ea"  # AdaGrad, in your own experiment's clip
RMSPROP = "#f26b6b"  # RMSprop
ADAM = "#9be15d"  # Adam
ADAMW = "#5ec8f2"  # AdamW
