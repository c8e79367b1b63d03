"""The lesson's render settings: fast encoding with the same pictures and timing as manim's slow
setting, and manim's per-animation cache off unless asked for.

:mod:`lessonkit.rendering` swaps x264's ``medium`` preset for ``veryfast``
with frame threads, and converts a held frame once. A viewer must not be able
to tell: frames stay at 40 dB PSNR or more against manim's own settings, and
the narration's timing (every caption and chapter cue) is identical.
"""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path
from types import SimpleNamespace

import av
import numpy as np
import pytest
from conftest import ROOT
from manim._config.output import OutputFormat, OutputSpec
from manim._config.video_encoder import resolve_video_encoder
from manim.scene.video_segment_encoder import VideoSegmentEncoder

from lessonkit.rendering import (
    ENCODER_ENV,
    LESSON_ENCODER_OPTIONS,
    LESSON_INFLIGHT_ENCODERS,
    MANIM_CACHE_ENV,
    LessonSegmentEncoder,
    apply_render_defaults,
)

MP4 = OutputSpec(
    format=OutputFormat.MP4, transparent=False, save_sections=False, fallback_to_still=False
)


def manim_defaults(**changes):
    """A stand-in for manim's ``config`` holding its defaults."""
    settings = dict(
        format="auto",
        transparent=False,
        video_codec="auto",
        pixel_format="auto",
        video_encoder_options={},
        max_inflight_encoders=1,
        disable_caching=False,
    )
    return SimpleNamespace(**{**settings, **changes})


def test_lesson_settings_replace_manims_defaults(monkeypatch):
    monkeypatch.delenv(ENCODER_ENV, raising=False)
    settings = manim_defaults()
    assert apply_render_defaults(settings)
    assert settings.video_encoder_options == LESSON_ENCODER_OPTIONS
    assert settings.max_inflight_encoders == LESSON_INFLIGHT_ENCODERS


@pytest.mark.parametrize(
    "changes",
    [
        {"video_encoder_options": {"preset": "slow"}},  # --encoder-option or manim.cfg
        {"format": "webm"},
        {"transparent": True},
        {"video_codec": "libx265"},
    ],
)
def test_the_users_own_encoder_choices_are_kept(monkeypatch, changes):
    monkeypatch.delenv(ENCODER_ENV, raising=False)
    monkeypatch.setenv(MANIM_CACHE_ENV, "on")
    settings = manim_defaults(**changes)
    before = vars(settings).copy()
    assert not apply_render_defaults(settings)
    assert vars(settings) == before


def test_manims_own_settings_on_request_and_a_clear_error_for_a_typo(monkeypatch):
    monkeypatch.setenv(ENCODER_ENV, "manim")
    settings = manim_defaults()
    assert not apply_render_defaults(settings)
    assert settings.video_encoder_options == {}
    monkeypatch.setenv(ENCODER_ENV, "fastest")
    with pytest.raises(
        ValueError, match=rf"{ENCODER_ENV} must be one of lesson, manim; got 'fastest'"
    ):
        apply_render_defaults(manim_defaults())


def test_manims_cache_is_off_unless_asked_for(monkeypatch):
    monkeypatch.delenv(MANIM_CACHE_ENV, raising=False)
    settings = manim_defaults()
    apply_render_defaults(settings)
    assert settings.disable_caching is True
    monkeypatch.setenv(MANIM_CACHE_ENV, "on")
    settings = manim_defaults()
    apply_render_defaults(settings)
    assert settings.disable_caching is False
    monkeypatch.setenv(MANIM_CACHE_ENV, "sometimes")
    with pytest.raises(ValueError, match=rf"{MANIM_CACHE_ENV} must be on or off; got 'sometimes'"):
        apply_render_defaults(manim_defaults())


def encode(
    encoder_class, target: Path, frames: list[tuple[np.ndarray, int]], options: dict[str, str]
) -> None:
    spec = resolve_video_encoder(
        MP4,
        width=320,
        height=180,
        frame_rate=Fraction(30),
        codec="auto",
        pixel_format="auto",
        options=options,
    )
    encoder = encoder_class(target=target, spec=spec)
    for pixels, repeat in frames:
        encoder.write_frame(pixels, repeat=repeat)
    encoder.finish()


def decoded(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="yuv420p") for frame in container.decode(video=0)]


def test_a_held_frame_converted_once_encodes_the_same_pictures_as_manim(tmp_path):
    rng = np.random.default_rng(7)
    frames = []
    for repeat in (1, 5, 1, 30, 2):
        pixels = rng.integers(0, 256, size=(180, 320, 4), dtype=np.uint8)
        pixels[..., 3] = 255
        frames.append((pixels, repeat))
    ours, manims = tmp_path / "ours.mp4", tmp_path / "manim.mp4"
    encode(LessonSegmentEncoder, ours, frames, LESSON_ENCODER_OPTIONS)
    encode(VideoSegmentEncoder, manims, frames, LESSON_ENCODER_OPTIONS)
    ours_frames, manim_frames = decoded(ours), decoded(manims)
    assert len(ours_frames) == len(manim_frames) == sum(repeat for _, repeat in frames)
    for a, b in zip(ours_frames, manim_frames, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_bad_frame_is_refused_naming_the_shape(tmp_path):
    spec = resolve_video_encoder(
        MP4,
        width=320,
        height=180,
        frame_rate=Fraction(30),
        codec="auto",
        pixel_format="auto",
        options=LESSON_ENCODER_OPTIONS,
    )
    encoder = LessonSegmentEncoder(target=tmp_path / "bad.mp4", spec=spec)
    with pytest.raises(ValueError, match=r"shape \(180, 320, 4\)"):
        encoder.write_frame(np.zeros((10, 10, 4), dtype=np.uint8))
    encoder.abort()
    assert not (tmp_path / "bad.mp4").exists()


# --- a real chapter at 1080p60, both ways ---------------------------------------------------


def render_opening(media: Path, encoder: str) -> Path:
    environment = {**os.environ, "MOMENTUM_VOICE": "off", ENCODER_ENV: encoder}
    environment.pop("MOMENTUM_LESSON_CONFIG", None)
    command = [
        sys.executable,
        "-m",
        "manim",
        "render",
        "-qh",
        "--disable_caching",
        "--media_dir",
        str(media),
        str(ROOT / "scenes" / "opening.py"),
    ]
    result = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    return media / "videos" / "opening" / "1080p60"


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255**2 / mse)


@pytest.mark.render
@pytest.mark.slow
def test_a_chapter_at_1080p60_looks_and_times_the_same_as_with_manims_settings(tmp_path):
    fast = render_opening(tmp_path / "fast", "lesson")
    slow = render_opening(tmp_path / "slow", "manim")
    # x264 writes its settings into the stream: veryfast uses subme=2, manim's medium subme=7
    assert b"subme=2" in (fast / "Opening.mp4").read_bytes()
    assert b"subme=7" in (slow / "Opening.mp4").read_bytes()
    for suffix in (".vtt", ".srt", ".chapters.vtt"):  # the narration's timing, cue for cue
        assert (fast / f"Opening{suffix}").read_text() == (slow / f"Opening{suffix}").read_text()
    lowest, count = float("inf"), 0
    with av.open(str(fast / "Opening.mp4")) as a, av.open(str(slow / "Opening.mp4")) as b:
        for index, (x, y) in enumerate(zip(a.decode(video=0), b.decode(video=0), strict=True)):
            if index % 4 == 0:
                lowest = min(
                    lowest, psnr(x.to_ndarray(format="rgb24"), y.to_ndarray(format="rgb24"))
                )
                count += 1
    assert count > 300
    assert lowest >= 40.0, f"a frame differs from manim's slow setting: PSNR {lowest:.1f} dB"
