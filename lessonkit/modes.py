"""Narration modes: the piper voice or silent reading, chosen from ``MOMENTUM_VOICE``.

Silent mode times each line at the voice's own reading pace
(:data:`SILENT_WORDS_PER_MINUTE`), so a silent render lasts about as long as a
voiced one; its :class:`SilentTracker` places bookmarks at their word.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from manim_voiceover.tracker import VoiceoverTracker

from . import voice
from .captions import VOICE_WORDS_PER_MINUTE, remove_bookmarks, word_boundaries
from .voice_model import VOICE_ENV, VOICE_ENV_VALUES, NarrationConfigError, voice_setting

__all__ = [
    "VOICE_ENV",
    "VOICE_ENV_VALUES",
    "SILENT_WORDS_PER_MINUTE",
    "NarrationConfigError",
    "NarrationMode",
    "LessonTracker",
    "SilentTracker",
    "resolve_narration_mode",
]

#: Reading pace of silent mode, words a minute: the piper voice's own pace.
SILENT_WORDS_PER_MINUTE = VOICE_WORDS_PER_MINUTE


class NarrationMode(enum.Enum):
    """How narration is rendered."""

    VOICE = "voice"
    SILENT = "silent"


def resolve_narration_mode(environ: Mapping[str, str] | None = None) -> tuple[NarrationMode, str]:
    """Narration mode from ``MOMENTUM_VOICE`` and why, as ``(mode, reason)``.

    ``on``: the piper voice, or :class:`NarrationConfigError` if it is not
    installed; ``off``: silent; ``auto`` or unset: the voice when installed,
    else silent. Any other value is an error naming the variable, the value
    and the allowed values.
    """
    value = voice_setting(environ)  # shared with the build, which reads it without manim
    if value == "off":
        return NarrationMode.SILENT, f"{VOICE_ENV}=off"
    unavailable = voice.voice_unavailable_reason()
    if unavailable is None:
        return NarrationMode.VOICE, f"{VOICE_ENV}={value}"
    if value == "on":
        raise NarrationConfigError(
            f"{VOICE_ENV}=on but the piper voice is not available: {unavailable}"
        )
    return NarrationMode.SILENT, f"voice not available: {unavailable}"


#: Waits computed from the scene clock are rounded to this many decimals of a second: the
#: clock is a sum of whole frames from the chapter's start, so the same wait differs only by
#: rounding noise between a chapter rendered alone and inside the whole lesson (where the
#: clock is hundreds of seconds in), and that noise could tip a wait across a frame.
CLOCK_DECIMALS = 9


class LessonTracker(VoiceoverTracker):
    """manim-voiceover's tracker with waits that do not depend on where the chapter starts.

    :meth:`get_remaining_duration` and :meth:`time_until_bookmark` subtract the scene clock
    from a line's absolute times; their results are rounded to :data:`CLOCK_DECIMALS`, so a
    chapter gets the same frames alone and in the lesson (the build's assembly and a direct
    render of ``scenes/ravine.py`` agree cue for cue).
    """

    def get_remaining_duration(self, buff: float = 0.0) -> float:
        return round(super().get_remaining_duration(buff), CLOCK_DECIMALS)

    def time_until_bookmark(
        self, mark: str, buff: float = 0.0, limit: float | None = None
    ) -> float:
        return round(super().time_until_bookmark(mark, buff, limit), CLOCK_DECIMALS)


class SilentTracker(LessonTracker):
    """A voiceover tracker with no audio: duration from reading speed.

    Word ``i`` of ``n`` is placed at ``duration * i / n``, so bookmarks land
    where they would at an even reading pace.
    """

    def __init__(self, scene: Any, text: str, duration: float) -> None:
        self.scene = scene
        self.cache_dir = ""
        self.duration = float(duration)
        n_words = len(remove_bookmarks(text).split())
        starts = [self.duration * index / max(1, n_words) for index in range(n_words)]
        self.data = {
            "input_text": text,
            "word_boundaries": word_boundaries(text, starts, self.duration),
        }
        self.start_t = float(scene.renderer.time or 0.0)
        self.end_t = self.start_t + self.duration
        self._process_bookmarks()
