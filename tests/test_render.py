"""Scenes render end to end: valid MP4s, captions that match the script, audio with the voice.

Each render runs ``manim render`` in a subprocess at a toy resolution into a
temporary media folder, the way a user runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import av
import numpy as np
import pyloudnorm
import pytest
import webvtt

from lesson_narration.zigzag import figures, script
from lessonkit import loudness
from lessonkit.captions import normalize_text, reading_duration
from lessonkit.modes import SILENT_WORDS_PER_MINUTE

pytestmark = pytest.mark.render

ROOT = Path(__file__).resolve().parents[1]
BEAT_SCENES = ROOT / "tests" / "scenes" / "beat_scene.py"
FPS = 15


def render(
    scene_file: Path, scene: str, media: Path, voice_mode: str, **env: str
) -> subprocess.CompletedProcess:
    """``manim render`` at 192x108, 15 fps, into ``media``; returns the finished process."""
    # A wide terminal keeps manim's log lines whole, so tests can read them.
    environment = {**os.environ, "MOMENTUM_VOICE": voice_mode, "COLUMNS": "400", **env}
    command = [
        sys.executable,
        "-m",
        "manim",
        "render",
        "-ql",
        "-r",
        "192,108",
        "--media_dir",
        str(media),
        str(scene_file),
        scene,
    ]
    return subprocess.run(
        command, cwd=media.parent, env=environment, capture_output=True, text=True, timeout=600
    )


def log_text(result: subprocess.CompletedProcess) -> str:
    """Everything the render printed, whitespace collapsed."""
    return " ".join((result.stdout + result.stderr).split())


def video_facts(path: Path) -> tuple[float, int, list]:
    """(duration in seconds, number of video frames, audio streams) read with PyAV."""
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video))
        return (
            container.duration / 1e6,
            frames,
            [s.codec_context.name for s in container.streams.audio],
        )


def read_cues(path: Path) -> list[tuple[float, float, str]]:
    return [
        (
            c.start_in_seconds + c.start_time.milliseconds / 1000,
            c.end_in_seconds + c.end_time.milliseconds / 1000,
            c.text,
        )
        for c in webvtt.read(str(path)).captions
    ]


def check_cues(cues: list[tuple[float, float, str]], duration: float) -> None:
    assert cues, "no captions"
    for start, end, _ in cues:
        assert 0 <= start < end
    for (_, end, _), (start, _, _) in zip(cues, cues[1:], strict=False):
        assert end <= start + 1e-3, "cues overlap"
    assert cues[-1][1] <= duration + 1e-3, "the last cue ends after the video"


def caption_text(cues: list[tuple[float, float, str]]) -> str:
    return " ".join(" ".join(text.split()) for _, _, text in cues)


# --- the zigzag chapter, silent ------------------------------------------------------------


@pytest.fixture(scope="module")
def zigzag_render(tmp_path_factory):
    media = tmp_path_factory.mktemp("zigzag") / "media"
    # with manim's per-animation cache, which lesson scenes leave off unless asked
    result = render(
        ROOT / "scenes" / "zigzag.py", "Zigzag", media, "off", MOMENTUM_MANIM_CACHE="on"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    folder = media / "videos" / "zigzag" / "108p15"
    return folder, result


def test_rendering_the_zigzag_again_reuses_every_animation(zigzag_render):
    folder, first = zigzag_render
    plays = log_text(first).count("Partial movie file written")
    assert plays > 10
    again = render(
        ROOT / "scenes" / "zigzag.py", "Zigzag", folder.parents[2], "off", MOMENTUM_MANIM_CACHE="on"
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert log_text(again).count("Using cached data") == plays
    assert "Partial movie file written" not in log_text(again)


def test_zigzag_renders_a_valid_silent_mp4_of_the_expected_length(zigzag_render):
    folder, result = zigzag_render
    assert "Narration: SILENT (MOMENTUM_VOICE=off)" in log_text(result)
    # after every line the scene checks that nothing leaves the frame or covers the captions
    assert "Layout at" not in log_text(result)
    duration, frames, audio = video_facts(folder / "Zigzag.mp4")
    assert audio == []
    lines = script(figures()).lines()
    spoken = sum(reading_duration(line, SILENT_WORDS_PER_MINUTE) for line in lines)
    assert 64 <= duration <= 70
    # the beats last as long as their lines, plus the pause after the verdict
    # and the closing fade (under a second)
    pause = 1.5
    assert spoken + pause <= duration <= spoken + pause + 1.0
    assert abs(frames - duration * FPS) <= 1


def test_zigzag_captions_match_the_script(zigzag_render):
    folder, _ = zigzag_render
    duration, _, _ = video_facts(folder / "Zigzag.mp4")
    cues = read_cues(folder / "Zigzag.vtt")
    check_cues(cues, duration)
    lines = script(figures()).lines()
    assert caption_text(cues) == " ".join(normalize_text(line) for line in lines)
    srt_cues = (folder / "Zigzag.srt").read_text(encoding="utf-8").count(" --> ")
    assert srt_cues == len(cues)
    chapters = webvtt.read(str(folder / "Zigzag.chapters.vtt")).captions
    assert [c.text for c in chapters] == ["The zigzag"]


def test_zigzag_leaves_no_scratch_files(zigzag_render):
    folder, _ = zigzag_render
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == [
        "Zigzag.chapters.vtt",
        "Zigzag.mp4",
        "Zigzag.srt",
        "Zigzag.vtt",
    ]


# --- narration layer on small scenes -------------------------------------------------------


@pytest.mark.parametrize("where", ["animation", "updater"])
def test_a_failure_inside_a_narrated_line_is_the_last_thing_reported(tmp_path, where):
    media = tmp_path / "media"
    result = render(BEAT_SCENES, "BrokenBeatScene", media, "off", LESSON_TEST_FAIL=where)
    assert result.returncode != 0
    log = log_text(result)
    assert f"deliberate failure inside an {where}" in log
    assert "another segment is still open" not in log
    # the real cause is the last thing shown, not buried under a later error
    assert log.rstrip().endswith(f"ValueError: deliberate failure inside an {where}")
    assert not list(media.rglob("BrokenBeatScene.mp4"))


def test_a_failed_render_keeps_the_previous_files(tmp_path):
    media = tmp_path / "media"
    first = render(BEAT_SCENES, "BeatScene", media, "off")
    assert first.returncode == 0, first.stderr[-3000:]
    folder = media / "videos" / "beat_scene" / "108p15"
    names = ["BeatScene.mp4", "BeatScene.srt", "BeatScene.vtt", "BeatScene.chapters.vtt"]
    before = {name: (folder / name).read_bytes() for name in names}
    chapters = [c.text for c in webvtt.read(str(folder / "BeatScene.chapters.vtt")).captions]
    assert chapters == ["Descent", "Momentum"]

    failed = render(BEAT_SCENES, "BeatScene", media, "off", LESSON_TEST_FAIL="1")
    assert failed.returncode != 0
    assert "deliberate failure" in log_text(failed)
    assert {name: (folder / name).read_bytes() for name in names} == before
    assert sorted(p.name for p in folder.iterdir() if p.is_file()) == sorted(names)


def test_an_invalid_voice_setting_stops_the_render_with_a_clear_message(tmp_path):
    result = render(BEAT_SCENES, "BeatScene", tmp_path / "media", "loud")
    assert result.returncode != 0
    assert "MOMENTUM_VOICE='loud' is not valid" in log_text(result)
    assert not list((tmp_path / "media").rglob("BeatScene.mp4"))


@pytest.mark.voice
def test_a_narrated_beat_has_audible_normalised_speech_as_long_as_its_captions(tmp_path):
    from conftest import load_scene_module

    VOICE_LINE = load_scene_module(str(BEAT_SCENES)).VOICE_LINE
    media = tmp_path / "media"
    result = render(BEAT_SCENES, "VoiceBeatScene", media, "on")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Narration: VOICE" in log_text(result)
    movie = media / "videos" / "beat_scene" / "108p15" / "VoiceBeatScene.mp4"
    duration, _, audio = video_facts(movie)
    assert audio == ["aac"]
    with av.open(str(movie)) as container:
        stream = container.streams.audio[0]
        rate = stream.rate
        samples = np.concatenate([frame.to_ndarray() for frame in container.decode(stream)], axis=1)
    mono = samples.mean(axis=0).astype(np.float64)
    audio_seconds = mono.size / rate
    loud = np.flatnonzero(np.abs(mono) > 0.01)
    assert loud.size > 0.2 * mono.size, "the audio track is (nearly) silent"
    speech_end = loud[-1] / rate

    cues = read_cues(movie.with_suffix(".vtt"))
    check_cues(cues, duration)
    assert caption_text(cues) == normalize_text(VOICE_LINE)
    # captions run from the start of the speech to its end
    assert cues[0][0] == 0.0
    assert abs(cues[-1][1] - speech_end) < 0.35
    assert abs(audio_seconds - duration) < 0.2
    # web loudness: about -16 LUFS, true peak under -1 dBTP after AAC encoding
    # (BS.1770 over the file's channels as played, as a loudness meter reads it)
    file_loudness = pyloudnorm.Meter(rate).integrated_loudness(samples.T.astype(np.float64))
    assert file_loudness == pytest.approx(-16.0, abs=1.0)
    assert max(loudness.true_peak_dbtp(channel) for channel in samples.astype(np.float64)) < -1.0

    # Rendering again reuses the cached clip: no new synthesis.
    clips = sorted((media / "voiceovers").glob("*.wav"))
    stamps = [clip.stat().st_mtime_ns for clip in clips]
    again = render(BEAT_SCENES, "VoiceBeatScene", media, "on")
    assert again.returncode == 0, again.stderr[-3000:]
    assert sorted((media / "voiceovers").glob("*.wav")) == clips
    assert [clip.stat().st_mtime_ns for clip in clips] == stamps
    # The animations are drawn again (manim's per-animation cache is off in lesson scenes unless
    # MOMENTUM_MANIM_CACHE=on; the zigzag test covers it), to the same clock.
    assert read_cues(movie.with_suffix(".vtt")) == cues
    assert video_facts(movie)[0] == duration
