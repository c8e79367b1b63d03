"""The render benchmark's own logic (it is run by ``make benchmark``, never timed here).

The figures are the benchmark's business; these tests check that it measures
what it says: the line it changes, the floor's frame count, the verdicts.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from fractions import Fraction

import av
import numpy as np
import pytest
from conftest import ROOT

spec = importlib.util.spec_from_file_location(
    "render_benchmark", ROOT / "benchmarks" / "render_benchmark.py"
)
bench = importlib.util.module_from_spec(spec)
sys.modules["render_benchmark"] = bench
spec.loader.exec_module(bench)


def test_changing_one_line_changes_only_the_first_spoken_sentence(tmp_path):
    shutil.copytree(ROOT / "lesson_narration", tmp_path / "lesson_narration")
    original = ROOT / "lesson_narration" / "zigzag.py"
    before_said = bench.first_spoken_line(tmp_path, "zigzag")
    said = bench.change_one_line(tmp_path, "zigzag")
    assert said == f"Once more. {before_said}"  # the copy's narration is what speaks it
    assert bench.first_spoken_line(ROOT, "zigzag") == before_said  # the checkout is untouched
    before = original.read_text(encoding="utf-8").splitlines()
    after = (tmp_path / "lesson_narration" / "zigzag.py").read_text(encoding="utf-8").splitlines()
    assert len(before) == len(after)
    assert sum(a != b for a, b in zip(before, after, strict=True)) == 1


def test_the_floor_encodes_every_frame_of_the_video(tmp_path):
    movie = tmp_path / "clip.mp4"
    with av.open(str(movie), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(30))
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for index in range(45):
            pixels = np.full((180, 320, 3), index * 5, dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    seconds, frames = bench.encode_floor(movie, tmp_path)
    assert frames == 45
    assert seconds > 0
    assert not (tmp_path / "floor-clip.mp4").exists()  # the re-encoded copy is not kept


def measurement(name, wall, frames=0, fps=60.0, floor=None):
    m = bench.Measurement(name, name, wall, 500 * 2**20, frames, fps)
    m.floor_s = floor
    return m


@pytest.mark.parametrize(
    ("build_wall", "one_line_wall", "expected"),
    [(300.0, 40.0, True), (400.0, 40.0, False), (300.0, 50.0, False)],
)
def test_the_verdicts_follow_the_targets(build_wall, one_line_wall, expected):
    lesson = 450 * 60  # frames of a 450 s lesson at 60 fps
    runs = {
        "flagship -qh": measurement("flagship -qh", 300.0, lesson, floor=250.0),
        "flagship -ql": measurement("flagship -ql", 60.0, 450 * 15, fps=15.0),
        "build (empty cache)": measurement("build (empty cache)", build_wall, lesson, floor=250.0),
        "build, one line changed": measurement("build, one line changed", one_line_wall, lesson),
        "build, nothing changed": measurement("build, nothing changed", 3.0, lesson),
    }
    checks = {measure: met for measure, _, _, met in bench.verdicts(runs, "h")}
    assert checks["flagship -qh ÷ its duration"]
    assert checks["flagship -ql ÷ its duration"]  # 60 s for 450 s: 0.133×
    assert checks["unchanged build"]
    assert checks["peak memory of any process"]
    both = (
        checks["build from empty caches ÷ lesson duration"]
        and checks["one-line change ÷ full build"]
    )
    assert both == expected
    assert checks["flagship -qh: over the encode floor"]  # +20 %
    assert checks["build (empty cache): over the encode floor"] == (build_wall <= 375.0)


@pytest.mark.browser
def test_the_redraw_benchmark_measures_input_to_redraw():
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "explore_benchmark",
        ROOT / "benchmarks" / "explore_benchmark.py",
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    figures = bench.measure(events=30, steps=120)
    assert figures["events"] == 30 and figures["runs"] == 2 and figures["steps"] == 120
    assert 0 <= figures["median_ms"] <= figures["p95_ms"] <= figures["worst_ms"]
