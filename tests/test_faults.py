"""Faults injected into renders: killed at each stage, caches cut short, leftovers cleaned.

A render is stopped where ``lessonkit.faults.checkpoint`` stalls it (the test
waits for its "stalled at" line, then sends SIGINT or SIGKILL to the whole
process group, as a terminal's Ctrl-C or a killed job would). The previously
published files must stay byte-identical, and the next render must succeed and
leave only its outputs behind.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import wave
from pathlib import Path

import pytest
from conftest import ROOT

from lessonkit import voice
from lessonkit.files import remove_broken_svgs, remove_stale_scratch

pytestmark = pytest.mark.render

BEAT_SCENES = ROOT / "tests" / "scenes" / "beat_scene.py"
OUTPUTS = {
    "BeatScene": [".mp4", ".srt", ".vtt", ".chapters.vtt"],
    "VoiceBeatScene": [".mp4", ".srt", ".vtt"],
}


def command(scene: str, media: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "manim",
        "render",
        "-ql",
        "-r",
        "192,108",
        "--media_dir",
        str(media),
        str(BEAT_SCENES),
        scene,
    ]


def environment(voice_mode: str, **extra: str) -> dict[str, str]:
    return {**os.environ, "MOMENTUM_VOICE": voice_mode, "COLUMNS": "300", **extra}


def render(scene: str, media: Path, voice_mode: str) -> None:
    result = subprocess.run(
        command(scene, media),
        cwd=media.parent,
        env=environment(voice_mode),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.iterdir()
        if path.is_file()
    }


def interrupted_render(
    scene: str, media: Path, voice_mode: str, stage: str, how: signal.Signals
) -> str:
    """Start a render that stalls at ``stage``, stop it with ``how``; returns what it printed."""
    process = subprocess.Popen(
        command(scene, media),
        cwd=media.parent,
        env=environment(voice_mode, LESSONKIT_STALL_AT=stage),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    printed = ""
    deadline = time.monotonic() + 300
    while f"stalled at {stage}" not in printed and time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line and process.poll() is not None:
            break
        printed += line
    assert f"stalled at {stage}" in printed, printed[-3000:]
    os.killpg(process.pid, how)
    printed += process.stderr.read()
    process.wait(timeout=60)
    assert process.returncode != 0
    return printed


STAGES = [
    pytest.param("BeatScene", "off", "animation", id="mid-animation"),
    pytest.param("BeatScene", "off", "combine", id="final-combine"),
    pytest.param(
        "VoiceBeatScene", "on", "synthesis", id="voice-synthesis", marks=pytest.mark.voice
    ),
]


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL], ids=["ctrl-c", "kill"])
@pytest.mark.parametrize(("scene", "voice_mode", "stage"), STAGES)
def test_a_render_killed_at_any_stage_keeps_the_published_files(
    tmp_path, scene, voice_mode, stage, how
):
    media = tmp_path / "media"
    render(scene, media, voice_mode)
    folder = media / "videos" / "beat_scene" / "108p15"
    before = fingerprint(folder)
    assert sorted(before) == sorted(f"{scene}{suffix}" for suffix in OUTPUTS[scene])
    if stage == "synthesis":  # a new clip must be synthesised: start from an empty voice cache
        for clip in (media / "voiceovers").iterdir():
            clip.unlink()
    printed = interrupted_render(scene, media, voice_mode, stage, how)
    if how == signal.SIGINT:  # Ctrl-C is reported as itself, not as a broken video segment
        assert "Aborted!" in printed or "KeyboardInterrupt" in printed
        assert "another segment is still open" not in printed
    published = {name: digest for name, digest in fingerprint(folder).items() if name in before}
    assert published == before, "a published file changed or went missing"
    # the next render works, cleans what the killed one left and publishes only its outputs
    render(scene, media, voice_mode)
    assert sorted(fingerprint(folder)) == sorted(before)


@pytest.mark.voice
def test_a_voice_clip_cut_short_is_made_again(tmp_path):
    service = voice.PiperService(cache_dir=tmp_path)
    line = "Momentum keeps the ball rolling."
    first = service.synthesize(line)
    clip = tmp_path / first["original_audio"]
    whole = clip.read_bytes()
    clip.write_bytes(whole[: len(whole) // 2])  # cut short, header intact
    again = voice.PiperService(cache_dir=tmp_path)
    again.synthesize(line)
    assert again.synthesis_count == 1
    with wave.open(str(clip), "rb") as audio:
        assert audio.getnframes() * 2 + 44 <= clip.stat().st_size
    clip.write_bytes(b"")  # emptied
    third = voice.PiperService(cache_dir=tmp_path)
    third.synthesize(line)
    assert third.synthesis_count == 1
    untouched = voice.PiperService(cache_dir=tmp_path)
    untouched.synthesize(line)
    assert untouched.synthesis_count == 0  # a whole clip is reused


def test_svgs_cut_short_are_removed_before_a_render(tmp_path):
    texts = tmp_path / "texts"
    texts.mkdir()
    whole = texts / "whole.svg"
    whole.write_text('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>\n')
    cut = texts / "cut.svg"
    cut.write_text('<svg xmlns="http://www.w3.org/2000/svg"><path d="M0')
    empty = texts / "empty.svg"
    empty.write_text("")
    dvi = texts / "cut.dvi"
    dvi.write_bytes(b"\xf7\x02")
    assert sorted(path.name for path in remove_broken_svgs(texts)) == [
        "cut.dvi",
        "cut.svg",
        "empty.svg",
    ]
    assert [path.name for path in texts.iterdir()] == ["whole.svg"]


def test_a_render_rebuilds_a_text_svg_cut_short(tmp_path):
    media = tmp_path / "media"
    render("BeatScene", media, "off")
    svgs = sorted((media / "texts").glob("*.svg"))
    assert svgs, "the beat scene's label left no SVG in manim's text cache"
    svgs[0].write_bytes(svgs[0].read_bytes()[:40])
    render("BeatScene", media, "off")
    assert svgs[0].read_bytes().rstrip().endswith(b"</svg>")


def test_scratch_of_dead_renders_is_removed_and_of_live_ones_kept(tmp_path):
    movie = tmp_path / "Scene.mp4"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    ).stdout.strip()
    names = [
        f".Scene.partial-{dead}.mp4",
        f".Scene.partial-{dead}.wav",
        f".Scene.partial-{dead}_temp.mp4",
        f".Scene.srt.new-{dead}",
        f".Scene.partial-{os.getpid()}.mp4",
        "Scene.srt",
    ]
    for name in names:
        (tmp_path / name).write_text("x")
    removed = sorted(path.name for path in remove_stale_scratch(movie))
    assert removed == sorted(names[:4])
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names[4:])
