"""The chapter lifecycle: a 3-D chapter leaves nothing behind; the layout guard sees the screen."""

from __future__ import annotations

import subprocess
import sys

import av
import numpy as np
import pytest
import webvtt
from conftest import ROOT
from manim import DEGREES, ORIGIN, UP, Square, Text, ThreeDCamera, config, tempconfig

from lessonkit.layout import layout_problems, safe_box, screen_points

CAMERA_SCENES = ROOT / "tests" / "scenes" / "camera_scene.py"


def render(scene: str, media) -> None:
    command = [
        sys.executable,
        "-m",
        "manim",
        "render",
        "-ql",
        "-r",
        "192,108",
        "--disable_caching",
        "--media_dir",
        str(media),
        str(CAMERA_SCENES),
        scene,
    ]
    result = subprocess.run(
        command,
        cwd=media.parent,
        capture_output=True,
        text=True,
        timeout=600,
        env={"MOMENTUM_VOICE": "off", "PATH": "/usr/bin:/bin", "HOME": str(media.parent)},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def frame_at(path, seconds: float) -> np.ndarray:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            if frame.time >= seconds - 1e-6:
                return frame.to_ndarray(format="rgb24").astype(float)
    raise AssertionError(f"no frame at {seconds} s in {path}")


@pytest.mark.render
def test_a_flat_chapter_after_a_3d_one_looks_as_it_does_alone(tmp_path):
    media = tmp_path / "media"
    render("BothChapters", media)
    render("FlatAlone", media)
    folder = media / "videos" / "camera_scene" / "108p15"
    chapters = webvtt.read(str(folder / "BothChapters.chapters.vtt")).captions
    assert [cue.text for cue in chapters] == ["Tilted", "Flat"]
    flat_start = chapters[1].start_in_seconds + chapters[1].start_time.milliseconds / 1000
    for offset in (0.6, 1.5):  # the title has faded in; mid-line
        in_lesson = frame_at(folder / "BothChapters.mp4", flat_start + offset)
        alone = frame_at(folder / "FlatAlone.mp4", offset)
        assert alone.std() > 1.0, "the flat chapter's frame is blank"
        differing = (np.abs(in_lesson - alone).max(axis=-1) > 40).mean()
        assert differing < 0.002, (
            f"{differing:.1%} of the pixels differ {offset} s into the chapter"
        )


def test_layout_guard_projects_3d_points_and_skips_fixed_in_frame():
    with tempconfig({"pixel_width": 192, "pixel_height": 108}):
        camera = ThreeDCamera()
        camera.set_phi(0)
        camera.set_theta(-90 * DEGREES)
        square = Square(side_length=2).move_to(ORIGIN)
        # Seen from straight above, a flat square is where it is drawn in 2-D.
        np.testing.assert_allclose(
            screen_points(square, camera)[:, :2], square.points[:, :2], atol=1e-6
        )
        # Tilted, a square standing high up in z is drawn near the top edge and beyond.
        camera.set_phi(70 * DEGREES)
        tall = Square(side_length=1).shift(3.5 * UP)
        tall.rotate(90 * DEGREES, axis=np.array([1.0, 0.0, 0.0])).shift([0, 0, 6])
        assert not layout_problems([tall])  # in raw coordinates it looks fine...
        assert any(
            "top edge" in problem for problem in layout_problems([tall], camera)
        )  # on screen it is not
        # A fixed-in-frame label is checked where it is pinned, not projected.
        label = Text("label", font_size=30).to_edge(UP, buff=0.2)
        camera.add_fixed_in_frame_mobjects(label)
        np.testing.assert_allclose(screen_points(label, camera), screen_points(label), atol=1e-9)
        assert not layout_problems([label], camera)


def test_held_region_keeps_content_above_the_paused_caption_line():
    left, right, bottom, top = safe_box("held")
    assert bottom > safe_box("playing")[2]
    assert bottom == pytest.approx(config.frame_height / 2 - 0.66 * config.frame_height)
    low = Square(side_length=0.5).move_to([0, bottom - 0.3, 0])
    assert not layout_problems([low])
    assert layout_problems([low], region="held") == [
        "Square crosses the paused-caption line by 0.55 units"
    ]
    with pytest.raises(ValueError, match="region must be 'playing' or 'held', got 'x'"):
        safe_box("x")
