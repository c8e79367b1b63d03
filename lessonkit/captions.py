"""Caption cues: split narration into readable cues, time them, write WebVTT.

Pure functions (no manim) so they can be unit- and property-tested.

A spoken line becomes one or more *cues*. A cue holds at most
``MAX_CUE_CHARS`` characters (two lines of ``MAX_LINE_CHARS``), cut at
sentence boundaries first, then at clause boundaries (``, ; : —``), then
between words. Joining the cues with single spaces gives back the spoken text
(bookmarks removed, whitespace collapsed), so no word is ever lost. Each cue
is shown for a share of the line's duration proportional to its length, with
a short gap before the next one so cues never overlap.

Files: :func:`srt_to_webvtt` converts the ``.srt`` that manim writes with
webvtt-py (no hand-rolled parser); :func:`chapters_to_webvtt` builds a WebVTT
chapters track. :func:`atomic_write_text` writes a file so that readers see
either the old or the new content, never a half-written one. Timestamps are
read and written by webvtt-py too (:func:`vtt_seconds`, :func:`vtt_timestamp`).
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import webvtt
from webvtt.models import Timestamp

__all__ = [
    "MAX_CUE_CHARS",
    "MAX_LINE_CHARS",
    "CUE_GAP_S",
    "Cue",
    "ChapterMark",
    "normalize_text",
    "remove_bookmarks",
    "split_cues",
    "wrap_cue",
    "time_cues",
    "cues_for_line",
    "srt_to_webvtt",
    "chapters_to_webvtt",
    "vtt_seconds",
    "vtt_timestamp",
    "reading_duration",
    "VOICE_WORDS_PER_MINUTE",
    "word_boundaries",
    "AUDIO_OFFSET_RESOLUTION",
]

#: Longest cue, in characters: two lines of ``MAX_LINE_CHARS``.
MAX_CUE_CHARS = 84
#: Longest caption line, in characters (a cue is wrapped onto at most 2 lines).
MAX_LINE_CHARS = 42
#: Blank time between consecutive cues of one line, in seconds.
CUE_GAP_S = 0.1

# Same pattern as manim-voiceover's ``remove_bookmarks``.
_BOOKMARK = re.compile(r"<bookmark\s*mark\s*=['\"]\w*[\"']\s*/>")
# A sentence ends with . ! ? or … (optionally followed by closing quotes or
# brackets) before whitespace.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|(?<=[.!?…][\"'”’)\]])\s+")
# A clause ends with , ; : or a dash before whitespace.
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+|\s+(?=[—–]\s)")


@dataclass(frozen=True)
class Cue:
    """One caption cue: ``text`` shown from ``start`` to ``end`` (seconds)."""

    start: float
    end: float
    text: str


@dataclass(frozen=True)
class ChapterMark:
    """A chapter of the video starting at ``start`` seconds."""

    start: float
    title: str


def remove_bookmarks(text: str) -> str:
    """Remove manim-voiceover ``<bookmark mark="..."/>`` tags from ``text``."""
    return _BOOKMARK.sub("", text)


def normalize_text(text: str) -> str:
    """Spoken text of a narration line: bookmarks removed, whitespace collapsed.

    >>> normalize_text('Hello <bookmark mark="A"/>  world.\\n')
    'Hello world.'
    """
    return " ".join(remove_bookmarks(text).split())


def _split_keep(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split ``text`` at ``pattern`` (whitespace), dropping only the whitespace."""
    return [part for part in (p.strip() for p in pattern.split(text)) if part]


def _pack(pieces: Sequence[str], max_chars: int) -> list[str]:
    """Greedily join consecutive pieces with spaces while they fit."""
    packed: list[str] = []
    for piece in pieces:
        if packed and len(packed[-1]) + 1 + len(piece) <= max_chars:
            packed[-1] = f"{packed[-1]} {piece}"
        else:
            packed.append(piece)
    return packed


def _split_words_balanced(text: str, max_chars: int) -> list[str]:
    """Split at spaces into about-equal parts, each at most ``max_chars``.

    A single word longer than ``max_chars`` stays whole (its own part).
    """
    words = text.split(" ")
    n_parts = math.ceil(len(text) / max_chars)
    target = len(text) / n_parts
    parts: list[str] = []
    current = ""
    for word in words:
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= max_chars and len(current) < target:
            current = f"{current} {word}"
        else:
            parts.append(current)
            current = word
    parts.append(current)
    # Fill the balanced parts up once more, in case the target left room.
    return _pack(parts, max_chars) if len(parts) > n_parts else parts


def split_cues(text: str, max_chars: int = MAX_CUE_CHARS) -> list[str]:
    """Split a narration line into caption cues of at most ``max_chars``.

    Cuts at sentence ends first, then clause boundaries, then between words;
    short neighbouring sentences share a cue. ``" ".join(result)`` equals
    :func:`normalize_text` of the input. Only a single word longer than
    ``max_chars`` makes a longer cue.

    >>> split_cues("One. Two, three.", max_chars=9)
    ['One. Two,', 'three.']
    >>> split_cues("Short. Lines pack.")
    ['Short. Lines pack.']
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    normalized = normalize_text(text)
    if not normalized:
        return []
    pieces: list[str] = []
    for sentence in _split_keep(normalized, _SENTENCE_END):
        if len(sentence) <= max_chars:
            pieces.append(sentence)
            continue
        for clause in _pack(_split_keep(sentence, _CLAUSE_END), max_chars):
            if len(clause) <= max_chars:
                pieces.append(clause)
            else:
                pieces.extend(_split_words_balanced(clause, max_chars))
    return _pack(pieces, max_chars)


def wrap_cue(text: str, line_chars: int = MAX_LINE_CHARS) -> str:
    """Break a cue onto two balanced lines if it is longer than ``line_chars``.

    The break goes at the space nearest the middle; the text is unchanged
    except that one space becomes a newline.

    >>> wrap_cue("a short cue")
    'a short cue'
    >>> wrap_cue("the velocity remembers the past gradients, so it keeps going")
    'the velocity remembers the past\\ngradients, so it keeps going'
    """
    if len(text) <= line_chars:
        return text
    spaces = [i for i, char in enumerate(text) if char == " "]
    if not spaces:
        return text
    middle = len(text) / 2
    cut = min(spaces, key=lambda i: (max(i, len(text) - i - 1), abs(i - middle)))
    return f"{text[:cut]}\n{text[cut + 1 :]}"


def time_cues(
    pieces: Sequence[str],
    start: float,
    duration: float,
    gap: float = CUE_GAP_S,
) -> list[Cue]:
    """Share ``[start, start + duration]`` among ``pieces`` by their length.

    Each cue gets a slot proportional to its character count (plus one for the
    space that separated it); the first cue starts at ``start``, the last ends
    at ``start + duration``, and every cue but the last ends ``gap`` seconds
    (at most half its slot) before the next begins. Cues are therefore
    monotone, non-overlapping and inside the line's span.

    >>> [(c.start, c.end) for c in time_cues(["ab", "cd"], 1.0, 2.0, gap=0.2)]
    [(1.0, 1.8), (2.0, 3.0)]
    """
    if duration < 0:
        raise ValueError("duration must be non-negative")
    if not pieces:
        return []
    weights = [len(piece) + 1 for piece in pieces]
    total = sum(weights)
    cues: list[Cue] = []
    slot_start = start
    cumulative = 0
    for index, (piece, weight) in enumerate(zip(pieces, weights, strict=True)):
        cumulative += weight
        slot_end = start + duration * cumulative / total
        if index == len(pieces) - 1:
            slot_end = start + duration
            end = slot_end
        else:
            end = slot_end - min(gap, (slot_end - slot_start) / 2)
        cues.append(Cue(slot_start, end, piece))
        slot_start = slot_end
    return cues


def cues_for_line(
    text: str,
    start: float,
    duration: float,
    max_chars: int = MAX_CUE_CHARS,
    gap: float = CUE_GAP_S,
) -> list[Cue]:
    """Split and time one narration line (:func:`split_cues` + :func:`time_cues`)."""
    return time_cues(split_cues(text, max_chars), start, duration, gap)


# --- timing of words ---------------------------------------------------------

#: Units of manim-voiceover's ``audio_offset`` (100 ns ticks, as in Azure TTS).
AUDIO_OFFSET_RESOLUTION = 10_000_000


#: The piper voice's reading pace over the lesson's narration, words a minute;
#: silent mode reads at this pace (``tests/test_lesson.py`` checks it against the voice).
VOICE_WORDS_PER_MINUTE = 160.0


def reading_duration(
    text: str, words_per_minute: float = VOICE_WORDS_PER_MINUTE, minimum_s: float = 1.5
) -> float:
    """Seconds needed to say ``text`` at ``words_per_minute`` (at least ``minimum_s``).

    >>> reading_duration("one two three four five", words_per_minute=150)
    2.0
    >>> reading_duration("Hi.")
    1.5
    """
    if words_per_minute <= 0:
        raise ValueError("words_per_minute must be positive")
    n_words = len(normalize_text(text).split())
    return max(minimum_s, 60.0 * n_words / words_per_minute)


def word_boundaries(
    text: str, word_starts_s: Sequence[float], end_s: float
) -> list[dict[str, object]]:
    """manim-voiceover word boundaries for ``text`` (which may hold bookmarks).

    ``word_starts_s[i]`` is when the i-th spoken word starts, in seconds from
    the start of the clip; ``end_s`` is when speech ends. Text offsets count
    characters of ``remove_bookmarks(text)``, as manim-voiceover's tracker
    does when it places bookmarks. Boundaries at offset 0 and at the end of
    the text make every bookmark position interpolable.
    """
    spoken = remove_bookmarks(text)
    words = list(re.finditer(r"\S+", spoken))
    if len(words) != len(word_starts_s):
        raise ValueError(f"{len(words)} words in the text but {len(word_starts_s)} word times")

    def boundary(offset: int, seconds: float, word: str) -> dict[str, Any]:
        return {
            "audio_offset": int(round(seconds * AUDIO_OFFSET_RESOLUTION)),
            "text_offset": offset,
            "word_length": len(word),
            "text": word,
            "boundary_type": "Word",
        }

    result = [boundary(0, 0.0, "")] if not words or words[0].start() > 0 else []
    result += [boundary(m.start(), t, m.group()) for m, t in zip(words, word_starts_s, strict=True)]
    last_offset = result[-1]["text_offset"]
    if len(spoken) > last_offset or len(result) < 2:
        result.append(boundary(max(len(spoken), int(last_offset) + 1), end_s, ""))
    return result


def _escape_cue_text(text: str) -> str:
    # WebVTT cue text treats < and & as markup; escape them (and >).
    return html.escape(text, quote=False)


def srt_to_webvtt(srt_text: str) -> str:
    """WebVTT text with the same cues as the SubRip text ``srt_text``.

    The SRT is parsed by webvtt-py, from memory; cue text is escaped for
    WebVTT (``&lt;``, ``&amp;``, ``&gt;``).
    """
    captions = webvtt.WebVTT.from_buffer(io.StringIO(srt_text), format="srt")
    for caption in captions.captions:
        caption.identifier = None
        caption.lines = [_escape_cue_text(line) for line in caption.lines]
    return captions.content


def vtt_seconds(timestamp: str) -> float:
    """Seconds of a WebVTT timestamp ``[HH:]MM:SS.mmm``, read by webvtt-py.

    The float is the one the project's earlier hand-written reader gave: the
    whole minutes plus the seconds as written, ``float("SS.mmm")`` (webvtt-py's
    ``start_in_seconds`` drops the milliseconds, and ``in_milliseconds() / 1000``
    differs in the last bit for some times past a minute, which would move cue
    times recorded with this function).

    >>> vtt_seconds("00:01:02.345")
    62.345
    """
    time = Timestamp.from_string(str(timestamp))
    whole_minutes = (time.hours * 60 + time.minutes) * 60
    return whole_minutes + (time.seconds * 1000 + time.milliseconds) / 1000


def vtt_timestamp(seconds: float) -> str:
    """A WebVTT timestamp ``HH:MM:SS.mmm`` for ``seconds``, written by webvtt-py.

    Rounded to the nearest millisecond as webvtt-py does (halves up, from the
    number as written); a time before 0 is ``00:00:00.000``.

    >>> vtt_timestamp(3725.5)
    '01:02:05.500'
    """
    return str(Timestamp.from_seconds(max(float(seconds), 0.0)))


def chapters_to_webvtt(chapters: Sequence[ChapterMark], end: float) -> str:
    """A WebVTT chapters track: each chapter runs until the next (the last to ``end``).

    >>> print(chapters_to_webvtt([ChapterMark(0.0, "Intro"), ChapterMark(2.5, "Ravine")], 4.0))
    WEBVTT
    <BLANKLINE>
    1
    00:00:00.000 --> 00:00:02.500
    Intro
    <BLANKLINE>
    2
    00:00:02.500 --> 00:00:04.000
    Ravine
    <BLANKLINE>
    """
    ordered = sorted(chapters, key=lambda chapter: chapter.start)
    captions: list[webvtt.Caption] = []
    for index, chapter in enumerate(ordered):
        chapter_end = ordered[index + 1].start if index + 1 < len(ordered) else end
        if chapter_end <= chapter.start:
            continue
        captions.append(
            webvtt.Caption(
                start=vtt_timestamp(chapter.start),
                end=vtt_timestamp(chapter_end),
                text=_escape_cue_text(" ".join(chapter.title.split())),
                identifier=str(len(captions) + 1),
            )
        )
    return webvtt.WebVTT(captions=captions).content
