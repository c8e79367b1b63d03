"""The whole lesson: every chapter renders alone, and the flagship plays them all in one video.

Renders are silent, at 384x216 and 15 fps, in a subprocess, the way a user
runs ``manim render``; captions and chapters are read back with webvtt-py and
the video with PyAV.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import av
import pytest
import webvtt
from conftest import SCENES
from manim.utils.module_ops import scene_classes_from_file

from lesson_narration.registry import LESSON
from lessonkit.captions import normalize_text
from lessonkit.chapters import Chapter, ChapterScene, LessonScene, lesson_chapters

ROOT = SCENES.parent
FPS = 15
#: Blank time the lesson may leave between cues: a pause, plus a chapter's fade and the next
#: chapter's first cue gap.
LONGEST_SILENCE_S = LessonScene.max_pause_s + Chapter.fade_out_s + 1.0

#: The flagship's caption and chapter cues at these settings, recorded from the code before the
#: render-speed work (``python tests/data/record_cue_times.py``): speed work must not move a cue.
CUE_TIMES = Path(__file__).parent / "data" / "flagship_cue_times.json"

CHAPTERS: tuple[type[Chapter], ...] = tuple(lesson_chapters())
CHAPTER_FILES = [chapter.name for chapter in CHAPTERS]


def render(scene_file: Path, media: Path) -> subprocess.CompletedProcess:
    """``manim render`` of the file's only scene, silent, 384x216 at 15 fps, into ``media``."""
    environment = {**os.environ, "MOMENTUM_VOICE": "off", "COLUMNS": "400"}
    command = [
        sys.executable,
        "-m",
        "manim",
        "render",
        "-ql",
        "-r",
        "384,216",
        "--media_dir",
        str(media),
        str(scene_file),
    ]
    return subprocess.run(
        command, cwd=media.parent, env=environment, capture_output=True, text=True, timeout=1200
    )


def seconds(timestamp: str) -> float:
    from lessonkit.captions import vtt_seconds  # webvtt-py reads it

    return vtt_seconds(timestamp)


def cues(path: Path) -> list[tuple[float, float, str]]:
    return [
        (seconds(c.start), seconds(c.end), " ".join(c.text.split()))
        for c in webvtt.read(str(path)).captions
    ]


def spoken_lines(chapter: type[Chapter]) -> list[str]:
    """The chapter's narration, from its script module and its figures."""
    narration = importlib.import_module(f"lesson_narration.{chapter.name}")
    return narration.script(chapter().figures()).lines()


def video_facts(path: Path) -> tuple[float, int, int, tuple[int, int]]:
    """(duration s, video frames, audio streams, (width, height))."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for _ in container.decode(stream))
        size = (stream.codec_context.width, stream.codec_context.height)
        return container.duration / 1e6, frames, len(container.streams.audio), size


def check_render(result: subprocess.CompletedProcess, folder: Path, name: str) -> float:
    """The render succeeded, drew nothing off-frame, and wrote a valid MP4; returns its duration."""
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-4000:]
    warnings = re.findall(r"Layout at [^\n]*", log)
    assert not warnings, f"{name}: layout guard warnings: {warnings[:5]}"
    duration, frames, audio_streams, size = video_facts(folder / f"{name}.mp4")
    assert size == (384, 216)
    assert audio_streams == 0  # silent mode
    assert abs(frames - duration * FPS) <= 1
    return duration


def check_cues(found: list[tuple[float, float, str]], duration: float) -> None:
    assert found, "no captions"
    for start, end, _ in found:
        assert 0 <= start < end <= duration + 1e-3
    for (_, end, _), (start, _, _) in zip(found, found[1:], strict=False):
        assert end <= start + 1e-3, "cues overlap"


# --- structure -----------------------------------------------------------------------------


def test_the_lesson_has_twelve_distinct_chapters_each_in_its_own_files():
    assert len(CHAPTERS) == 12 and CHAPTER_FILES == LESSON.names
    assert len({chapter.title for chapter in CHAPTERS}) == 12
    assert [chapter.title for chapter in CHAPTERS] == [entry.title for entry in LESSON.chapters]
    assert len(set(CHAPTER_FILES)) == 12
    for entry in LESSON.chapters:
        assert (ROOT / entry.scene_file).is_file()
        assert (ROOT / "lesson_chapters" / f"{entry.name}.py").is_file()
        assert (ROOT / "lesson_narration" / f"{entry.name}.py").is_file()


@pytest.mark.parametrize("name", ["ravine", *CHAPTER_FILES])
def test_each_video_file_defines_exactly_one_scene(name):
    scenes = scene_classes_from_file(SCENES / f"{name}.py", full_list=True)
    assert len(scenes) == 1, [scene.__name__ for scene in scenes]
    assert issubclass(scenes[0], LessonScene)
    if name != LESSON.name:  # a chapter's video plays the registry's chapter of that name
        entry = LESSON.chapter(name)
        assert issubclass(scenes[0], ChapterScene) and scenes[0].chapter_name == name
        assert scenes[0].__name__ == entry.scene_class


def test_each_storyboard_is_the_registry_chapter_of_its_name():
    for chapter, entry in zip(CHAPTERS, LESSON.chapters, strict=True):
        assert (
            chapter.__module__ == entry.chapter_module and chapter.__name__ == entry.chapter_class
        )
        assert chapter.name == entry.name


@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_FILES)
def test_every_chapter_speaks_and_exposes_its_figures(chapter):
    lines = spoken_lines(chapter)
    assert lines and all(line.strip() for line in lines)
    assert chapter().figures() is not None


# --- each chapter alone ----------------------------------------------------------------------


@pytest.mark.render
@pytest.mark.parametrize("chapter", CHAPTERS, ids=CHAPTER_FILES)
def test_each_chapter_renders_alone_with_captions(chapter, tmp_path):
    name = chapter.name
    media = tmp_path / "media"
    result = render(SCENES / f"{name}.py", media)
    scene_name = scene_classes_from_file(SCENES / f"{name}.py", full_list=True)[0].__name__
    folder = media / "videos" / name / "216p15"
    duration = check_render(result, folder, scene_name)
    found = cues(folder / f"{scene_name}.vtt")
    check_cues(found, duration)
    assert " ".join(text for _, _, text in found) == " ".join(
        normalize_text(line) for line in spoken_lines(chapter)
    )
    assert [c.text for c in webvtt.read(str(folder / f"{scene_name}.chapters.vtt")).captions] == [
        chapter.title
    ]


# --- the flagship -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def flagship(tmp_path_factory):
    media = tmp_path_factory.mktemp("flagship") / "media"
    result = render(SCENES / "ravine.py", media)
    folder = media / "videos" / "ravine" / "216p15"
    return check_render(result, folder, "Ravine"), folder


@pytest.mark.render
def test_the_flagship_is_one_video_with_the_twelve_chapters_in_order(flagship):
    duration, folder = flagship
    chapters = cues(folder / "Ravine.chapters.vtt")
    assert [title for _, _, title in chapters] == [chapter.title for chapter in CHAPTERS]
    assert chapters[0][0] == 0.0
    assert chapters[-1][1] == pytest.approx(duration, abs=0.1)
    for (_, end, _), (start, _, _) in zip(chapters, chapters[1:], strict=False):
        assert end == pytest.approx(start, abs=1e-3)
    assert 300 <= duration <= 560, f"the silent lesson lasts {duration:.0f} s"


@pytest.mark.render
def test_the_flagship_captions_cover_every_chapter_without_long_gaps(flagship):
    duration, folder = flagship
    found = cues(folder / "Ravine.vtt")
    check_cues(found, duration)
    spoken = [normalize_text(line) for chapter in CHAPTERS for line in spoken_lines(chapter)]
    assert " ".join(text for _, _, text in found) == " ".join(spoken)
    for start, end, title in cues(folder / "Ravine.chapters.vtt"):
        assert any(start <= cue_start < end for cue_start, _, _ in found), (
            f"no caption in chapter {title!r}"
        )
    assert found[0][0] <= LONGEST_SILENCE_S
    gaps = [
        (next_start - end, end)
        for (_, end, _), (next_start, _, _) in zip(found, found[1:], strict=False)
    ]
    longest, at = max(gaps)
    assert longest <= LONGEST_SILENCE_S, f"{longest:.1f} s without captions after {at:.1f} s"
    assert duration - found[-1][1] <= LONGEST_SILENCE_S


@pytest.mark.render
def test_the_flagship_narration_timing_is_the_recorded_one_cue_for_cue(flagship):
    # Rendering faster (encoder settings, cached glyphs, no manim cache in builds) must not move
    # a single caption or chapter cue. A deliberate narration change records the file again.
    _, folder = flagship
    recorded = json.loads(CUE_TIMES.read_text(encoding="utf-8"))
    assert [list(cue) for cue in cues(folder / "Ravine.vtt")] == recorded["captions"]
    assert [list(cue) for cue in cues(folder / "Ravine.chapters.vtt")] == recorded["chapters"]


# --- silent mode keeps the voice's pace ---------------------------------------------------------


@pytest.mark.voice
def test_silent_lines_last_as_long_as_the_voice_reads_them(tmp_path):
    from lessonkit import voice
    from lessonkit.captions import reading_duration
    from lessonkit.modes import SILENT_WORDS_PER_MINUTE

    service = voice.PiperService(cache_dir=tmp_path / "voice")
    lines = [line for chapter in CHAPTERS for line in spoken_lines(chapter)]
    voiced = silent = 0.0
    for line in lines:
        data = service.synthesize(line)
        with av.open(str(tmp_path / "voice" / data["original_audio"])) as clip:
            voiced += clip.duration / 1e6
        silent += reading_duration(line, SILENT_WORDS_PER_MINUTE, LessonScene.minimum_line_s)
    print(f"narration: voiced {voiced:.1f} s, silent {silent:.1f} s over {len(lines)} lines")
    assert abs(silent / voiced - 1.0) < 0.10
    # the second cut (the wall's cap, the rules and finish lines of the race) adds about a
    # minute to the first cut's 6.7
    assert 5.5 * 60 <= voiced <= 9 * 60, f"the narration alone lasts {voiced / 60:.1f} minutes"
