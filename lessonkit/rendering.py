"""How lesson renders run: fast x264 settings, a held frame converted once, no per-play hashing.

manim 0.22 encodes every segment with libx264 at ``crf=23`` and x264's slow
``medium`` preset, and converts each RGBA frame to yuv420p again for every
frame of a held shot. Lesson renders instead use:

- :data:`LESSON_ENCODER_OPTIONS`: the ``veryfast`` preset with frame threads
  (``sliced-threads=0``) at the same ``crf``. Frames stay above 40 dB PSNR
  against the slow setting (``tests/test_rendering.py`` checks it on a lesson
  chapter); ``benchmarks/render_benchmark.py`` measures what it saves.
- :class:`LessonSegmentEncoder`: converts a frame to yuv420p straight from
  manim's array (no copy into a new buffer first: that copy cost more than the
  conversion), once, and encodes that same picture for each repeat (manim's
  held frames and ``wait`` calls), exactly as manim's encoder converts it.

:func:`apply_render_defaults` puts these settings in manim's ``config`` unless
the user chose encoder options themselves (``--encoder-option``, a
``manim.cfg``); the setting :data:`ENCODER_ENV` ``=manim`` keeps manim's own.

It also turns manim's per-animation cache off (as ``--disable_caching``):
hashing every play's mobjects costs about 24 s of a render of the whole
lesson at any quality, and pays only when the same scene is rendered again
unchanged or nearly so. Lesson chapters are small files that render in
seconds, and ``momentum-lesson build`` keeps its own cache of whole chapters.
:data:`MANIM_CACHE_ENV` ``=on`` keeps manim's cache, for re-rendering one file
many times (the narration clock keeps re-renders in step with it).
"""

from __future__ import annotations

import os
from fractions import Fraction
from typing import Any

import av
from manim import config, logger
from manim.scene.video_segment_encoder import VideoSegmentEncoder

__all__ = [
    "ENCODER_ENV",
    "MANIM_CACHE_ENV",
    "LESSON_ENCODER_OPTIONS",
    "LESSON_INFLIGHT_ENCODERS",
    "LessonSegmentEncoder",
    "apply_render_defaults",
    "encoder_choice",
    "manim_cache_wanted",
]

#: Environment variable: ``lesson`` (default) for the lesson's fast settings,
#: ``manim`` for manim's own.
ENCODER_ENV = "MOMENTUM_ENCODER"

#: libx264 options of lesson renders: manim's quality (``crf`` 23), a fast preset, frame threads.
LESSON_ENCODER_OPTIONS: dict[str, str] = {
    "crf": "23",
    "preset": "veryfast",
    "x264-params": "sliced-threads=0",
}

#: Segments encoded at once: the renderer draws the next play while the last one is still encoding.
LESSON_INFLIGHT_ENCODERS = 2

#: Environment variable: ``on`` keeps manim's per-animation cache, ``off`` (default) turns it off.
MANIM_CACHE_ENV = "MOMENTUM_MANIM_CACHE"

_CHOICES = ("lesson", "manim")
_SWITCH = {
    "on": True,
    "1": True,
    "yes": True,
    "true": True,
    "off": False,
    "0": False,
    "no": False,
    "false": False,
}


def encoder_choice() -> str:
    """``lesson`` or ``manim``, from :data:`ENCODER_ENV` (default ``lesson``).

    Raises on anything else.
    """
    value = os.environ.get(ENCODER_ENV, "lesson").strip().lower() or "lesson"
    if value not in _CHOICES:
        raise ValueError(f"{ENCODER_ENV} must be one of {', '.join(_CHOICES)}; got {value!r}")
    return value


def manim_cache_wanted() -> bool:
    """Whether :data:`MANIM_CACHE_ENV` asks for manim's per-animation cache (default: no).

    Raises on a typo.
    """
    value = os.environ.get(MANIM_CACHE_ENV, "off").strip().lower() or "off"
    if value not in _SWITCH:
        raise ValueError(f"{MANIM_CACHE_ENV} must be on or off; got {value!r}")
    return _SWITCH[value]


def apply_render_defaults(settings: Any = config) -> bool:
    """Set manim's ``settings`` for a lesson render.

    Returns whether the encoder settings were applied. manim's per-animation
    cache is turned off unless :data:`MANIM_CACHE_ENV` asks for it. The
    lesson's encoder settings apply when the encoder is manim's automatic
    H.264 one for an MP4 and no encoder option was given.
    """
    if not manim_cache_wanted():
        settings.disable_caching = True
    if encoder_choice() == "manim":
        return False
    if str(settings.format) not in ("None", "auto", "mp4") or settings.transparent:
        return False
    if settings.video_codec not in (None, "auto", "libx264") or settings.pixel_format not in (
        None,
        "auto",
        "yuv420p",
    ):
        return False
    if settings.video_encoder_options:
        return False  # the user's own options win
    settings.video_encoder_options = dict(LESSON_ENCODER_OPTIONS)
    if settings.max_inflight_encoders == 1:  # manim's default
        settings.max_inflight_encoders = LESSON_INFLIGHT_ENCODERS
    logger.debug(f"Lesson encoder settings: {LESSON_ENCODER_OPTIONS}")
    return True


class LessonSegmentEncoder(VideoSegmentEncoder):
    """manim's segment encoder, converting each frame to the stream's pixel format once, copy-free.

    A frame written with ``repeat=n`` (a held shot) is converted once and the
    same picture is encoded ``n`` times; manim copies it into a new frame and
    converts it ``n`` times. The conversion is the one PyAV's encoder would
    make (same size, format and threads), so the encoded pictures are the same.
    """

    def write_frame(self, pixels: Any, *, repeat: int = 1) -> None:
        """Encode ``pixels`` (RGBA, top-left origin) ``repeat`` times at consecutive PTS values."""
        self._validate_frame(pixels, repeat)
        time_base = Fraction(self.spec.frame_rate.denominator, self.spec.frame_rate.numerator)
        try:
            context = self._stream.codec_context
            # The frame is read where it lies (manim hands the array over): from_ndarray would
            # copy it into a freshly allocated buffer first, which costs more than the conversion.
            frame = av.VideoFrame.from_numpy_buffer(pixels, format="rgba")
            if frame.format.name != context.format.name or (frame.width, frame.height) != (
                context.width,
                context.height,
            ):
                frame = frame.reformat(
                    width=context.width,
                    height=context.height,
                    format=context.format,
                    threads=context.thread_count,
                )
            else:
                frame = av.VideoFrame.from_ndarray(
                    pixels, format="rgba"
                )  # keep no view of the caller's array
            frame.time_base = time_base
            for _ in range(repeat):
                frame.pts = self._next_pts
                self._next_pts += 1
                for packet in self._stream.encode(frame):
                    self._container.mux(packet)
        except BaseException as error:
            raise self._operation_error("encode", error) from error
