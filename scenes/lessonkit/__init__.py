"""Lesson toolkit: narration-timed scenes, the offline voice, captions.

Scenes import from here: ``from lessonkit import LessonScene``.
"""

from .captions import (
    MAX_CUE_CHARS,
    MAX_LINE_CHARS,
    ChapterMark,
    Cue,
    chapters_to_webvtt,
    cues_for_line,
    normalize_text,
    reading_duration,
    split_cues,
    srt_to_webvtt,
    time_cues,
    wrap_cue,
)
from .narration import (
    VOICE_ENV,
    AtomicSceneFileWriter,
    LessonScene,
    NarrationConfigError,
    NarrationMode,
    resolve_narration_mode,
)
from .voice import (
    PiperService,
    SynthesisSettings,
    normalize_loudness,
    true_peak_dbtp,
    voice_unavailable_reason,
)

__all__ = [
    "MAX_CUE_CHARS",
    "MAX_LINE_CHARS",
    "VOICE_ENV",
    "AtomicSceneFileWriter",
    "ChapterMark",
    "Cue",
    "LessonScene",
    "NarrationConfigError",
    "NarrationMode",
    "PiperService",
    "SynthesisSettings",
    "chapters_to_webvtt",
    "cues_for_line",
    "normalize_loudness",
    "normalize_text",
    "reading_duration",
    "resolve_narration_mode",
    "split_cues",
    "srt_to_webvtt",
    "time_cues",
    "true_peak_dbtp",
    "voice_unavailable_reason",
    "wrap_cue",
]
