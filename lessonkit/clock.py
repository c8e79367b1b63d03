"""The narration clock: manim's Cairo renderer counting whole frames."""

from __future__ import annotations

from typing import Any

import numpy as np
from manim.renderer.cairo_renderer import CairoRenderer

__all__ = ["FrameClockRenderer"]


class FrameClockRenderer(CairoRenderer):
    """manim's Cairo renderer with a clock that counts whole frames.

    manim advances ``renderer.time`` by the frames it writes when it renders a
    play, but by the exact duration when it reuses a cached one. Narration
    computes waits from that clock, so a re-render would drift by fractions of
    a frame, change the next animation's hash and render everything after it
    again. Here the clock always moves by the number of frames the play
    produces, so cached and fresh plays keep the same time and re-renders
    reuse every unchanged animation.
    """

    def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        start = self.time
        super().play(scene, *args, **kwargs)
        if self._original_skipping_status or scene.animations is None:
            return  # no movie is written (-s, -n): the exact clock is right
        frame_time = 1 / self.camera.frame_rate
        if scene.is_current_animation_frozen_frame():
            frames = int(scene.duration / frame_time)  # as freeze_current_frame counts them
        else:
            frames = len(np.arange(0, scene.duration, frame_time))  # as get_time_progression does
        self.time = start + frames * frame_time
