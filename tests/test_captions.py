"""Caption cues: splitting, timing and the WebVTT files (pure functions, no rendering)."""

from __future__ import annotations

import html

import pytest
import webvtt
from hypothesis import given, settings
from hypothesis import strategies as st

from lesson_narration.zigzag import figures, script
from lessonkit.captions import (
    MAX_CUE_CHARS,
    MAX_LINE_CHARS,
    ChapterMark,
    chapters_to_webvtt,
    cues_for_line,
    normalize_text,
    reading_duration,
    split_cues,
    srt_to_webvtt,
    time_cues,
    vtt_seconds,
    vtt_timestamp,
    wrap_cue,
)
from lessonkit.files import atomic_write_text

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789", min_size=1, max_size=14)
punctuation = st.sampled_from(["", "", "", ",", ".", ";", ":", "!", "?"])
narration_lines = st.lists(st.tuples(words, punctuation), min_size=1, max_size=60).map(
    lambda pairs: " ".join(word + mark for word, mark in pairs)
)


@settings(max_examples=300, deadline=None)
@given(narration_lines, st.integers(min_value=15, max_value=120))
def test_split_cues_keeps_every_word_and_respects_the_limit(text, max_chars):
    cues = split_cues(text, max_chars)
    assert " ".join(cues) == normalize_text(text)
    for cue in cues:
        assert cue == cue.strip() and cue
        assert len(cue) <= max_chars or " " not in cue  # only one over-long word may exceed


@settings(max_examples=300, deadline=None)
@given(
    narration_lines,
    st.floats(min_value=0.0, max_value=1e4),
    st.floats(min_value=0.0, max_value=60.0),
)
def test_timed_cues_never_overlap_and_fill_the_line(text, start, duration):
    cues = cues_for_line(text, start, duration)
    assert cues[0].start == start
    assert cues[-1].end == pytest.approx(start + duration)
    for cue in cues:
        assert cue.start <= cue.end
    for earlier, later in zip(cues, cues[1:], strict=False):
        assert earlier.end <= later.start


def test_split_prefers_sentence_then_clause_boundaries():
    text = "The walls rise steeply from side to side, but the floor tilts only gently. So we creep."
    cues = split_cues(text, 50)
    assert cues == [
        "The walls rise steeply from side to side,",
        "but the floor tilts only gently. So we creep.",
    ]


def test_bookmarks_are_not_captioned():
    assert split_cues('Across the valley <bookmark mark="jump"/> we go.') == [
        "Across the valley we go."
    ]


def test_split_cues_rejects_a_bad_limit():
    with pytest.raises(ValueError, match="max_chars must be at least 1"):
        split_cues("words", 0)


@settings(max_examples=200, deadline=None)
@given(narration_lines)
def test_wrapped_cues_have_at_most_two_readable_lines(text):
    for cue in split_cues(text):
        wrapped = wrap_cue(cue)
        lines = wrapped.split("\n")
        assert len(lines) <= 2
        assert " ".join(lines) == cue
        if len(cue) <= MAX_LINE_CHARS:
            assert wrapped == cue
        elif " " in cue:
            # balanced: each line is about half, give or take one word (≤ 15 chars here)
            assert len(lines) == 2
            assert max(len(line) for line in lines) <= len(cue) / 2 + 15


def test_time_cues_share_time_by_length():
    cues = time_cues(["a" * 9, "b" * 19], start=2.0, duration=3.0, gap=0.1)
    assert cues[0].start == 2.0 and cues[1].end == 5.0
    assert cues[1].start == pytest.approx(3.0)
    assert cues[0].end == pytest.approx(2.9)
    with pytest.raises(ValueError, match="duration must be non-negative"):
        time_cues(["a"], 0.0, -1.0)


def test_reading_duration_follows_the_reading_pace():
    assert reading_duration(" ".join(["word"] * 150), words_per_minute=150) == pytest.approx(60.0)
    assert reading_duration(" ".join(["word"] * 300), words_per_minute=200) == pytest.approx(90.0)
    assert reading_duration("one two", words_per_minute=60, minimum_s=5.0) == 5.0
    assert reading_duration("Hi.") == 1.5
    with pytest.raises(ValueError, match="words_per_minute must be positive"):
        reading_duration("text", words_per_minute=0)


def test_srt_to_webvtt_keeps_the_cues(tmp_path):
    srt_text = (
        "1\n00:00:00,000 --> 00:00:01,500\nFirst line\nwrapped\n\n"
        "2\n00:00:01,600 --> 00:00:03,000\nx < y & more\n\n"
    )
    vtt_file = tmp_path / "cues.vtt"
    vtt_file.write_text(srt_to_webvtt(srt_text), encoding="utf-8")
    captions = webvtt.read(str(vtt_file)).captions
    assert [(c.start, c.end) for c in captions] == [
        ("00:00:00.000", "00:00:01.500"),
        ("00:00:01.600", "00:00:03.000"),
    ]
    assert captions[0].text == "First line\nwrapped"
    assert captions[1].raw_text == "x &lt; y &amp; more"


def test_chapters_track_runs_each_chapter_to_the_next(tmp_path):
    path = tmp_path / "chapters.vtt"
    path.write_text(
        chapters_to_webvtt([ChapterMark(3.0, "Zigzag"), ChapterMark(0.0, "Opening")], end=7.25),
        encoding="utf-8",
    )
    chapters = webvtt.read(str(path)).captions
    assert [(c.start, c.end, c.text) for c in chapters] == [
        ("00:00:00.000", "00:00:03.000", "Opening"),
        ("00:00:03.000", "00:00:07.250", "Zigzag"),
    ]


def test_atomic_write_replaces_whole_files_and_leaves_no_scratch(tmp_path):
    target = tmp_path / "out.vtt"
    target.write_text("old", encoding="utf-8")
    atomic_write_text(target, "new content")
    assert target.read_text(encoding="utf-8") == "new content"
    assert [p.name for p in tmp_path.iterdir()] == ["out.vtt"]


def test_zigzag_lines_split_into_short_cues():

    for line in script(figures()).lines():
        cues = split_cues(line)
        assert all(len(cue) <= MAX_CUE_CHARS for cue in cues)
        assert " ".join(cues) == normalize_text(line)


# --- WebVTT timestamps and shifting: webvtt-py, the same files as before -------------------------
#
# PREVIOUS IMPLEMENTATION, kept only as the reference these tests compare with: the hand-written
# timestamp reader and writer of lessonkit/captions.py and the hand-written shift of
# lesson_build/assemble.py's shift_captions, as they were before webvtt-py did the work.


def previous_vtt_seconds(timestamp: str) -> float:
    """PREVIOUS IMPLEMENTATION of ``lessonkit.captions.vtt_seconds`` (reference only)."""
    hours, minutes, seconds = str(timestamp).split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def previous_vtt_timestamp(seconds: float) -> str:
    """PREVIOUS IMPLEMENTATION of ``lessonkit.captions.vtt_timestamp`` (reference only)."""
    milliseconds = max(0, round(seconds * 1000))
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def previous_shift_captions(clips) -> tuple[str, str]:
    """PREVIOUS IMPLEMENTATION of ``lesson_build.assemble.shift_captions`` (reference only)."""
    captions = []
    chapters = []
    start = 0.0
    for clip in clips:
        chapters.append(ChapterMark(start, clip.title))
        for cue in webvtt.read(str(clip.captions)).captions:
            captions.append(
                webvtt.Caption(
                    start=previous_vtt_timestamp(start + previous_vtt_seconds(cue.start)),
                    end=previous_vtt_timestamp(start + previous_vtt_seconds(cue.end)),
                    text=cue.raw_text,
                )
            )
        start += clip.frames / clip.fps
    ordered = sorted(chapters, key=lambda chapter: chapter.start)
    marks = []
    for index, chapter in enumerate(ordered):
        chapter_end = ordered[index + 1].start if index + 1 < len(ordered) else start
        if chapter_end <= chapter.start:
            continue
        marks.append(
            webvtt.Caption(
                start=previous_vtt_timestamp(chapter.start),
                end=previous_vtt_timestamp(chapter_end),
                text=html.escape(" ".join(chapter.title.split()), quote=False),
                identifier=str(len(marks) + 1),
            )
        )
    return webvtt.WebVTT(captions=captions).content, webvtt.WebVTT(captions=marks).content


# seconds the lesson writes: frame times at the build's rates, hours, rounding up to the next
# second, minute and hour at .9995 (a half millisecond both round up), just under a half
TIMES_S = [0.0, -0.2, 0.0004, 0.9995, 1.9995, 59.9995, 3599.9995, 3599.9994, 3600.0, 3725.5]
TIMES_S += [62.345, 61.029, 86399.9996, 100_000.123, 12.3456789, 7384.5675, 0.1 + 0.2]
TIMES_S += [frames / fps for fps in (15, 30, 60) for frames in (1, 2, 7, 899, 54_001, 216_007)]


@pytest.mark.parametrize("seconds", TIMES_S)
def test_timestamps_are_written_and_read_as_before(seconds):
    written = vtt_timestamp(seconds)
    assert written == previous_vtt_timestamp(seconds)
    assert vtt_seconds(written) == previous_vtt_seconds(written)  # the same float, bit for bit


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([15, 30, 60]), st.integers(min_value=0, max_value=60 * 3600 * 30))
def test_frame_times_are_written_as_before(fps, frames):
    written = vtt_timestamp(frames / fps)
    assert written == previous_vtt_timestamp(frames / fps)
    assert vtt_seconds(written) == previous_vtt_seconds(written)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=100 * 3_600_000 - 1))
def test_every_timestamp_reads_as_the_same_float_as_before(milliseconds):
    # cue times recorded with vtt_seconds (tests/data/flagship_cue_times.json) compare exactly
    written = previous_vtt_timestamp(milliseconds / 1000)
    assert vtt_seconds(written) == previous_vtt_seconds(written)


def test_a_half_millisecond_is_rounded_up_now():
    # The one change: an exact half millisecond. The previous writer rounded the binary float
    # times 1000 half to even; webvtt-py rounds the number as written half up. The build's times
    # never fall on one (frame times at 15, 30 or 60 fps are thirds of a millisecond).
    assert (vtt_timestamp(1.0005), previous_vtt_timestamp(1.0005)) == (
        "00:00:01.001",
        "00:00:01.000",
    )
    assert (vtt_timestamp(0.0625), previous_vtt_timestamp(0.0625)) == (
        "00:00:00.063",
        "00:00:00.062",
    )


CLIP_CUES = [
    (
        "WEBVTT\n\n00:00:00.000 --> 00:00:01.500\nFirst line\nwrapped\n\n"
        "00:00:01.600 --> 00:00:03.999\nx &lt; y &amp; more\n\n"
        "00:00:04.000 --> 00:00:04.001\nthree\nlines\nhere\n"
    ),
    (
        "WEBVTT\n\ncue-1\n00:00:00.000 --> 00:00:02.250 align:start line:0\n"
        "<v Narrator>β &amp; α — &lt;b&gt; is not a tag</v>\n\n"
        "00:59:59.999 --> 01:00:00.000\nthe last millisecond of an hour\n"
    ),
    "WEBVTT\n\n00:00:00.001 --> 00:00:00.999\nα < β & γ > δ\n\n00:00:01.000 --> 00:00:02.000\n",
    "WEBVTT\n\n",
    "WEBVTT\n\n00:00:00.000 --> 00:00:00.500\nafter an empty clip\n",
]


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_the_flagship_captions_are_shifted_as_before(tmp_path, fps):
    from lesson_build.assemble import Clip, shift_captions

    frames = [fps * 61 + 1, fps * 3600 + 2, fps * 3 + 1, 7, fps * 5]  # past a minute, an hour
    clips = []
    for index, (text, count) in enumerate(zip(CLIP_CUES, frames, strict=True)):
        path = tmp_path / f"clip{index}.vtt"
        path.write_text(text, encoding="utf-8")
        title = ["Opening", "Ravine & <b>", "Zig  zag", "Empty", "End"][index]
        clips.append(Clip(title, tmp_path / f"clip{index}.mp4", path, count, float(fps)))
    captions, chapters = shift_captions(clips)
    previous_captions, previous_chapters = previous_shift_captions(clips)
    assert captions.encode() == previous_captions.encode()
    assert chapters.encode() == previous_chapters.encode()
    assert "01:01:01." in captions and "&lt;b&gt;" in chapters  # hours, escaped titles
