"""Benchmark: how fast the lesson renders, against how long it plays and against the encoder alone.

Silent narration, every cache cleared (each render gets an empty media
folder; the build an empty cache), on a scratch copy of the project so the
working tree is never touched. For each measured run it prints the video's
duration, the wall time, the real-time factor (wall ÷ duration), frames
rendered per second, the peak memory of the largest process (the render, or
the biggest of the build's processes) and the encode-only floor: the time the
same encoder, with the same settings, takes to encode the same number of
frames of the same size (the run's own frames, decoded beforehand and not
timed), measured in the same run. Rendering overhead is wall ÷ floor − 1.

Runs, in order:

1. each chapter alone: ``manim render -q<q> scenes/<chapter>.py``;
2. the flagship in one process: ``manim render -q<q> scenes/ravine.py``,
   and again at 480p15 (``-ql``);
3. ``momentum-lesson build --quality <q> --no-voice`` from an empty cache
   (all chapter clips, the assembled lesson, the page), then the same build
   after changing one line of one chapter's narration, then with nothing
   changed.

Run from the project root (``make benchmark`` runs it at 1080p60, about
20 minutes on the 2-core machine)::

    python benchmarks/render_benchmark.py                        # everything, 1080p60
    python benchmarks/render_benchmark.py --runs chapters --chapters opening zigzag
    python benchmarks/render_benchmark.py --quality low --runs flagship build
    python benchmarks/render_benchmark.py --json media/render-benchmark.json

The exit status is 1 when a full run (all runs, all chapters, 1080p60)
misses a target: build ≤ 0.8× the lesson's duration, flagship ≤ 1.0× at
1080p60 and < 0.15× at 480p15, rendering the whole lesson (flagship, build)
≤ 50 % over the encode floor of its frames, a one-line change < 15 % of a
full build, an unchanged build < 10 s, every process < 2 GiB. Figures are
only comparable within one run (noisy machines).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from lesson_build.jobs import count_frames  # this checkout's, also when --project measures another
from lesson_narration.registry import LESSON

ROOT = Path(__file__).resolve().parents[1]
QUALITIES = {
    "low": ("l", "480p15"),
    "medium": ("m", "720p30"),
    "high": ("h", "1080p60"),
    "4k": ("k", "2160p60"),
}
RUNS = ("chapters", "flagship", "build")
GIB = 1024**3

# The issue's targets (see the module docstring).
BUILD_RTF_TARGET = 0.8
FLAGSHIP_RTF_TARGET = 1.0
FLAGSHIP_LOW_RTF_TARGET = 0.15
FLOOR_OVERHEAD_TARGET = 0.5
ONE_LINE_SHARE_TARGET = 0.15
UNCHANGED_TARGET_S = 10.0
PEAK_MEMORY_TARGET = 2 * GIB


@dataclass
class Measurement:
    """One timed run."""

    name: str
    command: str
    wall_s: float
    peak_rss_bytes: int
    frames: int = 0
    fps: float = 0.0
    video: str | None = None
    floor_s: float | None = None
    floor_frames: int = 0
    rendered_all: bool = True  #: every frame of the video was rendered in this run (not reused)
    notes: list[str] = field(default_factory=list)

    @property
    def duration_s(self) -> float:
        """The video's playing time."""
        return self.frames / self.fps if self.fps else 0.0

    @property
    def rtf(self) -> float | None:
        """Wall time ÷ playing time."""
        return self.wall_s / self.duration_s if self.duration_s else None

    @property
    def overhead(self) -> float | None:
        """How much longer than the encode floor the run took (0.5 = 50 %)."""
        return self.wall_s / self.floor_s - 1 if self.floor_s else None


# --- running and measuring -------------------------------------------------------------------


def run_measured(
    command: list[str], cwd: Path, env: dict[str, str], log: Path
) -> tuple[float, int]:
    """Run ``command``; return (wall seconds, peak RSS of its largest process in bytes).

    ``os.wait4`` reports the child's own peak and the largest peak of the
    descendants it waited for, so a build's worker and manim processes count.
    """
    with log.open("wb") as output:
        start = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        tail = log.read_text(errors="replace").strip().splitlines()[-30:]
        raise RuntimeError(
            f"{' '.join(command)} failed (exit {process.returncode}):\n" + "\n".join(tail)
        )
    return wall, usage.ru_maxrss * 1024


def video_frames(path: Path) -> tuple[int, float]:
    """(frames, frames per second) of an MP4, counted from its packets (the build's own count)."""
    frames, fps, *_ = count_frames(path)
    return frames, fps


def encode_floor(video: Path, scratch: Path, batch: int = 120) -> tuple[float, int]:
    """Seconds the lesson's encoder takes to encode ``video``'s frames again, one write a frame.

    The frames are decoded to RGBA in batches outside the timing; the encoder
    (class, codec, pixel format, size, rate, options) is the one a render
    with the current settings uses, so this is the floor under that render.
    """
    import av
    import numpy as np
    from manim import config
    from manim._config.output import OutputFormat, OutputSpec
    from manim._config.video_encoder import resolve_video_encoder

    try:  # the project's own encoder, when it has one
        from lessonkit.rendering import LessonSegmentEncoder, apply_render_defaults

        apply_render_defaults(config)
        encoder_class: Any = LessonSegmentEncoder
    except ImportError:
        from manim.scene.video_segment_encoder import VideoSegmentEncoder as encoder_class

    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        width, height = stream.codec_context.width, stream.codec_context.height
        rate = stream.guessed_rate or stream.average_rate
    spec = resolve_video_encoder(
        OutputSpec(
            format=OutputFormat.MP4, transparent=False, save_sections=False, fallback_to_still=False
        ),
        width=width,
        height=height,
        frame_rate=float(rate),
        codec=config.video_codec,
        pixel_format=config.pixel_format,
        options=config.video_encoder_options,
    )
    target = scratch / f"floor-{video.stem}.mp4"
    encoder = encoder_class(target=target, spec=spec)
    seconds, frames, pending = 0.0, 0, []

    def flush() -> None:
        nonlocal seconds, frames
        start = time.perf_counter()
        for pixels in pending:
            encoder.write_frame(pixels)
        seconds += time.perf_counter() - start
        frames += len(pending)
        pending.clear()

    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            pending.append(np.ascontiguousarray(frame.to_ndarray(format="rgba")))
            if len(pending) == batch:
                flush()
    flush()
    start = time.perf_counter()
    encoder.finish()
    seconds += time.perf_counter() - start
    target.unlink(missing_ok=True)
    return seconds, frames


# --- the scratch project --------------------------------------------------------------------


def copy_project(source: Path, destination: Path) -> Path:
    """Copy the project's tracked and untracked (not ignored) files into ``destination``."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=source,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for relative in filter(None, listed.split("\0")):
        path = source / relative
        if path.is_file():
            target = destination / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return destination


def render_env(project: Path) -> dict[str, str]:
    """Silent narration, no configuration overrides. Every command runs as ``python -m`` in
    ``project``, so the copy's packages are imported before the installed checkout's."""
    env = {**os.environ, "MOMENTUM_VOICE": "off"}
    for name in ("MOMENTUM_LESSON_CONFIG", "MOMENTUM_VOICE_CACHE", "LESSONKIT_STALL_AT"):
        env.pop(name, None)
    return env


def first_spoken_line(project: Path, chapter: str) -> str:
    """The first line ``chapter``'s narration speaks, as ``project``'s own code computes it."""
    code = (
        "import sys, importlib\n"
        "narration = importlib.import_module('lesson_narration.' + sys.argv[1])\n"
        "print(narration.script(narration.figures()).lines()[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, chapter],
        cwd=project,
        env=render_env(project),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def change_one_line(
    project: Path, chapter: str, marker: str = "Once more", say: bool = True
) -> str:
    """Reword the first spoken sentence of ``chapter``'s narration (one source line changes:
    ``<marker>.`` is put before it); return what the line now says (``say=False``: return
    at once, with "")."""
    path = project / "lesson_narration" / f"{chapter}.py"
    source = path.read_text(encoding="utf-8")
    start = source.index("def script(")
    body, count = re.subn(r'(\n\s+f?")([A-Z])', rf"\g<1>{marker}. \g<2>", source[start:], count=1)
    if count != 1:
        raise RuntimeError(f"no spoken sentence to change in {path}")
    path.write_text(source[:start] + body, encoding="utf-8")
    return first_spoken_line(project, chapter) if say else ""


# --- the runs --------------------------------------------------------------------------------


def manim_render(
    project: Path, scratch: Path, scene_file: str, flag: str, name: str
) -> Measurement:
    """Render one scene file in a fresh media folder; measure it."""
    media = scratch / "media" / f"{name}-{flag}"
    command = [
        sys.executable,
        "-m",
        "manim",
        "render",
        f"-q{flag}",
        "--media_dir",
        str(media),
        scene_file,
    ]
    wall, peak = run_measured(command, project, render_env(project), scratch / f"{name}-{flag}.log")
    movies = [path for path in media.glob("videos/*/*/*.mp4")]
    if len(movies) != 1:
        raise RuntimeError(f"{name}: expected one movie in {media}, found {movies}")
    frames, fps = video_frames(movies[0])
    shown = f"manim render -q{flag} {scene_file}"
    return Measurement(name, shown, wall, peak, frames, fps, str(movies[0]))


def build(project: Path, scratch: Path, quality: str, name: str) -> Measurement:
    """One ``momentum-lesson build`` into the scratch output and cache."""
    command = [
        sys.executable,
        "-m",
        "lesson_build",
        "build",
        "--quality",
        quality,
        "--no-voice",
        "--out",
        str(scratch / "lesson"),
        "--cache",
        str(scratch / "build-cache"),
    ]
    wall, peak = run_measured(command, project, render_env(project), scratch / f"{name}.log")
    movie = scratch / "lesson" / "ravine.mp4"
    frames, fps = video_frames(movie) if movie.is_file() else (0, 0.0)
    return Measurement(
        name,
        f"momentum-lesson build --quality {quality} --no-voice",
        wall,
        peak,
        frames,
        fps,
        str(movie),
    )


# --- reporting -------------------------------------------------------------------------------


def _cell(value: float | None, form: str) -> str:
    return "—" if value is None else format(value, form)


def table(measurements: list[Measurement]) -> str:
    """The figures as a Markdown table.

    The encode floor encodes every frame as given, no repeats.
    """
    lines = [
        "| run | video | wall | wall ÷ video | frames/s | peak memory | "
        "encode floor | over floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for m in measurements:
        lines.append(
            f"| {m.name} | {_cell(m.duration_s or None, '.1f')} s | {m.wall_s:.1f} s | "
            f"{_cell(m.rtf, '.2f')} | "
            f"{_cell(m.frames / m.wall_s if m.frames and m.rendered_all else None, '.0f')} | "
            f"{m.peak_rss_bytes / 2**20:,.0f} MiB | "
            f"{_cell(m.floor_s, '.1f')}{' s' if m.floor_s else ''} | "
            f"{_cell(m.overhead * 100 if m.overhead is not None else None, '+.0f')}"
            f"{' %' if m.floor_s else ''} |"
        )
    return "\n".join(lines)


def verdicts(by_name: dict[str, Measurement], flag: str) -> list[tuple[str, str, str, bool]]:
    """(measure, value, target, met) for every target the runs cover."""
    out = []
    full = by_name.get("build (empty cache)")
    flagship = by_name.get(f"flagship -q{flag}")
    low = by_name.get("flagship -ql")
    lesson_s = flagship.duration_s if flagship else (full.duration_s if full else 0.0)
    if full and lesson_s:
        out.append(
            (
                "build from empty caches ÷ lesson duration",
                f"{full.wall_s / lesson_s:.2f}×",
                f"≤ {BUILD_RTF_TARGET}×",
                full.wall_s / lesson_s <= BUILD_RTF_TARGET,
            )
        )
    if flagship and flagship.rtf is not None:
        out.append(
            (
                f"flagship -q{flag} ÷ its duration",
                f"{flagship.rtf:.2f}×",
                f"≤ {FLAGSHIP_RTF_TARGET}×",
                flagship.rtf <= FLAGSHIP_RTF_TARGET,
            )
        )
    if low and low.rtf is not None:
        out.append(
            (
                "flagship -ql ÷ its duration",
                f"{low.rtf:.3f}×",
                f"< {FLAGSHIP_LOW_RTF_TARGET}×",
                low.rtf < FLAGSHIP_LOW_RTF_TARGET,
            )
        )
    # The floor target is about the whole lesson at the benchmark's quality; the table also shows
    # each chapter's overhead, and 480p15's (there a render is bound by per-animation Python work).
    for m in (flagship, full):
        if m is not None and m.overhead is not None:
            out.append(
                (
                    f"{m.name}: over the encode floor",
                    f"{m.overhead * 100:+.0f} %",
                    f"≤ +{FLOOR_OVERHEAD_TARGET * 100:.0f} %",
                    m.overhead <= FLOOR_OVERHEAD_TARGET,
                )
            )
    one_line = by_name.get("build, one line changed")
    if full and one_line:
        share = one_line.wall_s / full.wall_s
        out.append(
            (
                "one-line change ÷ full build",
                f"{share * 100:.1f} %",
                f"< {ONE_LINE_SHARE_TARGET * 100:.0f} %",
                share < ONE_LINE_SHARE_TARGET,
            )
        )
    unchanged = by_name.get("build, nothing changed")
    if unchanged:
        out.append(
            (
                "unchanged build",
                f"{unchanged.wall_s:.1f} s",
                f"< {UNCHANGED_TARGET_S:.0f} s",
                unchanged.wall_s < UNCHANGED_TARGET_S,
            )
        )
    if by_name:
        peak = max(m.peak_rss_bytes for m in by_name.values())
        out.append(
            (
                "peak memory of any process",
                f"{peak / 2**20:,.0f} MiB",
                "< 2,048 MiB",
                peak < PEAK_MEMORY_TARGET,
            )
        )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quality", choices=QUALITIES, default="high", help="chapter, flagship and build quality"
    )
    parser.add_argument(
        "--runs", nargs="+", choices=RUNS, default=list(RUNS), help="what to measure"
    )
    parser.add_argument(
        "--chapters", nargs="+", help="only these chapters (default: all of the lesson's)"
    )
    parser.add_argument(
        "--changed-chapter", default="zigzag", help="the chapter whose narration line is changed"
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the encode-only floor")
    parser.add_argument(
        "--project", type=Path, default=ROOT, help="the project to measure (default: this one)"
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument(
        "--keep", action="store_true", help="keep the scratch folder (its path is printed)"
    )
    args = parser.parse_args(argv)

    flag, _ = QUALITIES[args.quality]
    scratch = Path(tempfile.mkdtemp(prefix="render-benchmark-"))
    project = copy_project(args.project.resolve(), scratch / "project")
    chapters = args.chapters or LESSON.names
    print(
        f"render benchmark: {platform.node()}, {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}; "
        f"quality {args.quality}, silent; scratch {scratch}",
        flush=True,
    )

    measurements: list[Measurement] = []

    def record(m: Measurement) -> None:
        measurements.append(m)
        rtf = f", {m.rtf:.2f}× its {m.duration_s:.1f} s" if m.rtf is not None else ""
        print(
            f"  {m.name}: {m.wall_s:.1f} s{rtf}, peak {m.peak_rss_bytes / 2**20:,.0f} MiB",
            flush=True,
        )

    try:
        if "chapters" in args.runs:
            for chapter in chapters:
                record(manim_render(project, scratch, f"scenes/{chapter}.py", flag, chapter))
        if "flagship" in args.runs:
            record(manim_render(project, scratch, "scenes/ravine.py", flag, f"flagship -q{flag}"))
            if flag != "l":
                record(manim_render(project, scratch, "scenes/ravine.py", "l", "flagship -ql"))
        if "build" in args.runs:
            record(build(project, scratch, args.quality, "build (empty cache)"))
            said = change_one_line(project, args.changed_chapter)
            print(f"  changed a line of {args.changed_chapter}: {said!r}", flush=True)
            for name in ("build, one line changed", "build, nothing changed"):
                m = build(project, scratch, args.quality, name)
                m.rendered_all = (
                    False  # one chapter rendered, or none: frames per second would mislead
                )
                record(m)
        if not args.no_floor:
            print("encode floors (decoding is not timed):", flush=True)
            floors: dict[str, tuple[float, int]] = {}
            for m in measurements:
                if m.video and m.name in chapters:
                    floors[m.name] = encode_floor(Path(m.video), scratch)
                    m.floor_s, m.floor_frames = floors[m.name]
                    print(f"  {m.name}: {m.floor_s:.1f} s for {m.floor_frames} frames", flush=True)
            whole = set(chapters) == set(LESSON.names) and set(floors) == set(chapters)
            for m in measurements:
                if m.name in (f"flagship -q{flag}", "build (empty cache)") and whole:
                    # the same frames as the chapters': the flagship plays them,
                    # the build joins them
                    m.floor_s = sum(seconds for seconds, _ in floors.values())
                    m.floor_frames = sum(frames for _, frames in floors.values())
                    m.notes.append("floor: the sum of the chapters' floors")
                elif m.name == "flagship -ql" and flag != "l":  # other frames: their own floor
                    m.floor_s, m.floor_frames = encode_floor(Path(m.video or ""), scratch)
                    print(f"  {m.name}: {m.floor_s:.1f} s for {m.floor_frames} frames", flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    print()
    print(table(measurements))
    print()
    checks = verdicts({m.name: m for m in measurements}, flag)
    if checks:
        print("| target | value | wanted | |\n| --- | ---: | ---: | :---: |")
        for measure, value, target, met in checks:
            print(f"| {measure} | {value} | {target} | {'PASS' if met else 'MISS'} |")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        payload = [
            {**asdict(m), "duration_s": m.duration_s, "rtf": m.rtf, "overhead": m.overhead}
            for m in measurements
        ]
        args.json.write_text(
            json.dumps(
                {
                    "quality": args.quality,
                    "runs": payload,
                    "targets": [list(check) for check in checks],
                },
                indent=2,
            )
        )
    full_run = (
        set(args.runs) == set(RUNS)
        and not args.chapters
        and args.quality == "high"
        and not args.no_floor
    )
    return 1 if full_run and not all(met for *_, met in checks) else 0


if __name__ == "__main__":
    sys.exit(main())
