"""Lesson toolkit: narration-timed scenes, the offline voice, captions, drawing pieces.

Modules by concern:

* scenes and narration: :mod:`~lessonkit.narration` (``LessonScene``),
  :mod:`~lessonkit.chapters` (``Chapter``, ``play_chapters``),
  :mod:`~lessonkit.modes` (voice or silent), :mod:`~lessonkit.clock` (the
  frame-counting renderer), :mod:`~lessonkit.publishing` (atomic output);
* sound and text: :mod:`~lessonkit.voice` (piper), :mod:`~lessonkit.loudness`,
  :mod:`~lessonkit.captions`, :mod:`~lessonkit.formatting`;
* drawing: :mod:`~lessonkit.style`, :mod:`~lessonkit.layout`,
  :mod:`~lessonkit.maps`, :mod:`~lessonkit.motion`, :mod:`~lessonkit.panels`.

Scenes import from here or from the modules: ``from lessonkit import LessonScene``.
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
from .chapters import Chapter, play_chapters
from .loudness import normalize_loudness, true_peak_dbtp
from .modes import (
    SILENT_WORDS_PER_MINUTE,
    VOICE_ENV,
    NarrationConfigError,
    NarrationMode,
    resolve_narration_mode,
)
from .narration import LessonScene
from .publishing import AtomicSceneFileWriter
from .voice import PiperService, SynthesisSettings, voice_unavailable_reason

__all__ = [
    "MAX_CUE_CHARS",
    "MAX_LINE_CHARS",
    "SILENT_WORDS_PER_MINUTE",
    "VOICE_ENV",
    "AtomicSceneFileWriter",
    "Chapter",
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
    "play_chapters",
    "reading_duration",
    "resolve_narration_mode",
    "split_cues",
    "srt_to_webvtt",
    "time_cues",
    "true_peak_dbtp",
    "voice_unavailable_reason",
    "wrap_cue",
]
