"""``momentum-lesson clip`` (issue 18): a real clip of three optimizers on Rosenbrock, and a
formula surface through the lesson's race chapter by ``--config``."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import av
import numpy as np
import pytest
import webvtt
from conftest import ROOT
from PIL import Image
from test_experiment import ROSENBROCK, _first_below, _independent_runs, _numbers

pytestmark = pytest.mark.render


@pytest.fixture(scope="module")
def rosenbrock_clip(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clip")
    path = folder / "rosenbrock.toml"
    path.write_text(ROSENBROCK, encoding="utf-8")
    out = folder / "clips"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "lesson_build",
            "clip",
            str(path),
            "--quality",
            "tiny",
            "--no-voice",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return out, result


def test_the_clip_is_a_valid_video_of_20_to_60_seconds(rosenbrock_clip):
    out, result = rosenbrock_clip
    assert sorted(path.name for path in out.iterdir()) == [
        f"rosenbrock{suffix}" for suffix in (".gif", ".jpg", ".json", ".mp4", ".srt", ".vtt")
    ]
    assert str(out / "rosenbrock.mp4") in result.stdout
    with av.open(str(out / "rosenbrock.mp4")) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (320, 180)
        frames = sum(1 for _ in container.decode(stream))
        duration = float(container.duration) / 1e6
    assert 20.0 <= duration <= 60.0
    assert frames >= 10 * 19


def test_the_captions_numbers_are_the_runs(rosenbrock_clip):
    out, _ = rosenbrock_clip
    runs, threshold, steps = _independent_runs(ROSENBROCK)
    captions = " ".join(" ".join(cue.text.split()) for cue in webvtt.read(out / "rosenbrock.vtt"))
    finishes = [_first_below(run.losses, threshold) for run in runs]
    allowed = {threshold, float(steps), -1.5, 2.0, 0.9, 0.001, 0.1}
    allowed |= {float(step) for step in finishes if step is not None}
    done = sorted(step for step in finishes if step is not None)
    if len(done) >= 2:
        allowed.add(float(done[1] - done[0]))
    for number in _numbers(captions):
        assert number in allowed, (number, captions)
    for step in finishes:
        if step is not None:
            assert re.search(rf"after {step} steps", captions)
    data = json.loads((out / "rosenbrock.json").read_text(encoding="utf-8"))
    assert [run["steps_to_threshold"] for run in data["runs"]] == finishes
    assert [run["optimizer"] for run in data["runs"]] == ["gd", "momentum", "adam"]
    for entry, run in zip(data["runs"], runs, strict=True):
        assert entry["final_loss"] == run.final_loss
        assert entry["diverged"] == run.diverged
    assert 20.0 <= data["video"]["duration"] <= 60.0


def test_the_gif_and_poster(rosenbrock_clip):
    out, _ = rosenbrock_clip
    with av.open(str(out / "rosenbrock.mp4")) as container:
        video_s = float(container.duration) / 1e6
    with Image.open(out / "rosenbrock.gif") as gif:
        assert gif.format == "GIF"
        assert gif.info.get("loop") == 0
        assert gif.width <= 480
        frames = gif.n_frames  # equal neighbours are merged into one longer frame
        total_ms = 0
        for index in range(frames):
            gif.seek(index)
            total_ms += gif.info["duration"]
    assert frames >= 40
    assert abs(total_ms / 1000 - video_s) < 1.0  # the GIF lasts as long as the clip
    with Image.open(out / "rosenbrock.jpg") as poster:
        assert poster.size == (320, 180)
        assert np.asarray(poster.convert("L")).std() > 5  # not a blank frame


def test_a_formula_surface_runs_through_the_lessons_race_by_config(tmp_path):
    """The stretched bowl written as a formula: the race chapter's figures are the named
    bowl's, and the chapter renders with it."""
    from lesson_build.jobs import chapter_figures

    config = tmp_path / "formula.toml"
    config.write_text(
        "[presets.stretched_bowl_race]\n"
        'surface = { formula = "0.05*x**2 + 5*y**2", x = [-5.0, 5.0], y = [-2.2, 2.2] }\n',
        encoding="utf-8",
    )
    named = chapter_figures(["race"])["race"]
    formula = chapter_figures(["race"], str(config))["race"]
    for key in ("gd_steps", "momentum_steps", "margin"):
        assert formula[key] == named[key], key
    media = tmp_path / "media"
    environment = {
        **os.environ,
        "MOMENTUM_LESSON_CONFIG": str(config),
        "MOMENTUM_VOICE": "off",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "manim",
            "render",
            "-ql",
            "-r",
            "320,180",
            "--fps",
            "10",
            "--disable_caching",
            "--media_dir",
            str(media),
            "scenes/race.py",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    movie = next(media.rglob("Race.mp4"))
    captions = movie.with_suffix(".vtt").read_text(encoding="utf-8")
    assert f"{formula['momentum_steps']} steps" in captions


EIGHT_RUNS_3D = """
title = "Himmelblau, eight ways down"
surface = "himmelblau"
start = [0.0, 0.0]
steps = 500
view = "3d"
""" + "".join(
    f'\n[[runs]]\noptimizer = "{name}"\nlr = {lr}\n'
    + ("beta = 0.9\n" if name == "momentum" else "")
    for name in ("gd", "adam", "rmsprop", "momentum")
    for lr in (0.001, 0.01)
)


def test_eight_runs_and_a_3d_view_stay_within_a_minute_and_replace_an_older_clip(tmp_path):
    """The longest clip a file can ask for (eight runs, the 3-D view first) lasts at most 60 s;
    with --no-gif, an earlier clip's GIF of the same name is removed, not left beside it."""
    path = tmp_path / "eight.toml"
    path.write_text(EIGHT_RUNS_3D, encoding="utf-8")
    out = tmp_path / "clips"
    out.mkdir()
    (out / "eight.gif").write_bytes(b"GIF89a an older clip's")
    (out / "other.gif").write_bytes(b"GIF89a another clip's")
    result = subprocess.run(
        [sys.executable, "-m", "lesson_build", "clip", str(path), "--quality", "tiny"]
        + ["--no-voice", "--out", str(out), "--no-gif"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    assert not (out / "eight.gif").exists()
    assert (out / "other.gif").read_bytes() == b"GIF89a another clip's"
    data = json.loads((out / "eight.json").read_text(encoding="utf-8"))
    assert len(data["runs"]) == 8
    assert 20.0 <= data["video"]["duration"] <= 60.0
    captions = " ".join(
        " ".join(caption.text.split()) for caption in webvtt.read(str(out / "eight.vtt"))
    )
    assert "Eight runs from (0, 0)" in captions
    from lesson_narration.experiment import spoken_name
    from lessonkit.experiment import figures, load

    figs = figures(load(path))
    assert data["winner"] == figs.runs[figs.winner].label
    assert f"{spoken_name(figs.runs[figs.winner])} gets there first".lower() in captions.lower()
