"""Caption cues: splitting, timing and the WebVTT files (pure functions, no rendering)."""

from __future__ import annotations

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
