"""Video: your own experiment as one clip (``momentum-lesson clip experiment.toml`` renders it).

Its storyboard is :mod:`lessonkit.clip`; render by hand with
``MOMENTUM_EXPERIMENT=experiment.toml manim render -ql scenes/experiment.py``.
"""

from lessonkit import clip


class ExperimentClip(clip.ExperimentClip):
    """The experiment file named by ``MOMENTUM_EXPERIMENT``, as one clip."""
