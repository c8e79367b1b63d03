"""The build does what it is told or refuses it, stops whole on a signal, and builds alone.

- What the environment says (``MOMENTUM_VOICE``, ``MOMENTUM_ENCODER``,
  ``MOMENTUM_MANIM_CACHE``, ``MOMENTUM_LESSON_CONFIG``, ``MOMENTUM_VOICE_CACHE``,
  a ``manim.cfg``) is honoured and keyed, a bad value refused by name before any
  work; an ``--out`` that is a file or a folder no build made is refused; a
  ``--scheduler`` that does not answer fails within seconds, cache warm or cold.
- SIGTERM and SIGHUP, at each stage (rendering, between chapters, assembly), sent
  to the build alone or to its process group, stop every worker and render, leave
  no process of the build (checked by PID, over its whole session), no scratch
  folder and no staging folder, keep the previous lesson, and exit 143 or 129.
- Two builds on the same ``--out`` or ``--cache``: the second waits, saying who
  holds the lock, and goes on when the first has ended.

Render cost is kept small: the module's cache is seeded with tiny synthetic clips (a
second of frames each, made with PyAV), so only the chapters a test changes render,
and renders are interrupted early; only the between-chapters tests render a chapter to
its end (at ``--quality low``).
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import av
import numpy as np
import pytest
from test_build import change_line, copy_project, fingerprint

from lesson_build import jobs, pipeline
from lesson_build.assemble import faststart_copy, poster_frame
from lesson_build.config import ConfigError
from lesson_build.jobs import chapter_key
from lesson_build.publish import check_lesson
from lesson_narration.registry import LESSON

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc")

FPS = 15
SIZE = (854, 480)


# --- a project copy whose cache holds synthetic clips --------------------------------------


def _synthetic_clip(folder: Path, scene: str) -> tuple[dict[str, bytes], dict[str, object]]:
    """A one-second web-ready clip of ``scene`` as ``render_chapter`` returns it: files, facts."""
    raw = folder / f"{scene}.raw.mp4"
    with av.open(str(raw), "w") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        stream.options = {"crf": "23", "preset": "veryfast"}  # as a lesson render encodes
        for index in range(FPS):
            picture = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
            picture[:, :, 0] = np.linspace(0, 255, SIZE[0], dtype=np.uint8)  # something to see
            picture[:, 40 * index : 40 * index + 40, 1] = 200
            frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    movie, poster = folder / f"{scene}.mp4", folder / f"{scene}.jpg"
    faststart_copy(raw, movie)
    poster_frame(movie, poster)
    frames, fps, width, height, audio = jobs.count_frames(movie)
    captions = "WEBVTT\n\n00:00:00.100 --> 00:00:00.800\nA synthetic clip.\n"
    files = {".mp4": movie.read_bytes(), ".jpg": poster.read_bytes(), ".vtt": captions.encode()}
    facts = {
        "scene": scene,
        "frames": frames,
        "fps": fps,
        "duration": frames / fps,
        "width": width,
        "height": height,
        "audio": audio,
    }
    return files, facts


def _store(cache: Path, name: str, key: str, files: dict[str, bytes], facts: dict) -> None:
    try:
        from lesson_build.cache import entry_path, store
    except ImportError:  # the build before its cache module (to see these tests fail on it)
        entry_path, store = pipeline._cached, pipeline._store  # type: ignore[attr-defined]
    result = {"name": name, "key": key, "files": files, "facts": facts, "log": ""}
    store(entry_path(cache, name, key), result)


def seed(project: Path, clips: dict, leave: tuple[str, ...] = ()) -> None:
    """Cache a synthetic clip for every chapter of ``project``'s sources but ``leave``."""
    cache = project / "media" / "build-cache"
    for name in LESSON.names:
        if name not in leave:
            key = chapter_key(project, name, "low", False, {})
            _store(cache, name, key, *clips[name])


@pytest.fixture(scope="module")
def clips(tmp_path_factory):
    """A synthetic clip for each chapter (the same pictures, each under its scene's name)."""
    files, facts = _synthetic_clip(tmp_path_factory.mktemp("clips"), "Clip")
    return {
        name: (files, {**facts, "scene": LESSON.chapter(name).scene_class}) for name in LESSON.names
    }


@pytest.fixture(scope="module")
def project(tmp_path_factory, clips):
    """A copy of the project with a published lesson, assembled from synthetic clips."""
    project = copy_project(tmp_path_factory.mktemp("hardening") / "project")
    seed(project, clips)
    result = subprocess.run(
        command(), cwd=project, env=environment(project), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rendering" not in result.stderr
    assert check_lesson(project / "media" / "lesson") == []
    return project


def environment(project: Path, **extra: str) -> dict[str, str]:
    """The build's environment: its own temporary folder (to see its scratch folders)."""
    scratch = project.parent / "tmp"
    scratch.mkdir(exist_ok=True)
    return {**os.environ, "COLUMNS": "200", "TMPDIR": str(scratch), **extra}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "lesson_build", "build", "--quality", "low", "--no-voice", *args]


class Build:
    """A build running in its own session, its output read as it comes."""

    def __init__(self, project: Path, *args: str, **extra: str) -> None:
        self.process = subprocess.Popen(
            command(*args),
            cwd=project,
            env=environment(project, **extra),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.pid = self.process.pid
        self.log = ""
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def _take(self, timeout: float) -> str:
        """Read one line into :attr:`log`: ``"line"``, or ``"quiet"`` (none came), ``"end"``."""
        try:
            line = self._lines.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return "quiet"
        if line is None:
            self._lines.put(None)
            return "end"
        self.log += line
        return "line"

    def wait_for(self, text: str, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log and time.monotonic() < deadline:
            if self._take(deadline - time.monotonic()) == "end":
                break
        assert text in self.log, f"{text!r} never came:\n{self.log[-3000:]}"

    def read_for(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self._take(deadline - time.monotonic()) == "end":
                break

    def finish(self, timeout: float = 120) -> int:
        """The build's exit status, once it has ended; its output read (a process it left
        behind may hold the output open: then what came within a few seconds)."""
        returncode = self.process.wait(timeout=timeout)
        while self._take(3) == "line":
            pass
        return returncode

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def started():
    """Builds started by a test, killed (with their session) if the test leaves them running."""
    builds: list[Build] = []
    yield builds
    for each in builds:
        each.kill()
        for pid in session_members(each.pid):
            os.kill(pid, signal.SIGKILL)


# --- processes, by PID -------------------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()


def session_members(session: int) -> list[int]:
    """Live processes (not zombies) of session ``session``: every process the build started
    stays in it (none of them starts a session of its own)."""
    members = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            fields = _stat(int(entry))
            if fields and fields[0] != "Z" and int(fields[3]) == session:
                members.append(int(entry))
    return members


def descendants(root: int) -> dict[int, str]:
    """``{pid: start time}`` of ``root`` and every process under it."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields:
                parents[int(entry)] = (int(fields[1]), fields[19])
    tree, todo = {}, [root]
    while todo:
        pid = todo.pop()
        if pid in parents and pid not in tree:
            tree[pid] = parents[pid][1]
            todo += [child for child, (parent, _) in parents.items() if parent == pid]
    return tree


def alive(tree: dict[int, str]) -> list[int]:
    """Those of ``tree`` still running (the same processes: same start time, not zombies)."""
    found = []
    for pid, started_at in tree.items():
        fields = _stat(pid)
        if fields and fields[19] == started_at and fields[0] != "Z":
            found.append(pid)
    return found


def wait_until_gone(pids: object, seconds: float = 10) -> list[int]:
    deadline = time.monotonic() + seconds
    left = pids() if callable(pids) else pids
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = pids() if callable(pids) else pids
    return left


def assert_nothing_left(project: Path, build: Build, tree: dict[int, str]) -> None:
    """No process of the build, no scratch, staging, retired or lock file left behind."""
    assert wait_until_gone(lambda: alive(tree)) == [], "processes of the build outlived it"
    assert wait_until_gone(lambda: session_members(build.pid)) == []
    scratch = project.parent / "tmp"
    assert sorted(path.name for path in scratch.glob("lesson-*")) == []
    media = project / "media"
    assert sorted(path.name for path in media.glob(".lesson.*")) == []  # staging, lock
    assert sorted(path.name for path in media.glob(".build-cache.*")) == []
    assert sorted(path.name for path in (media / "build-cache").glob(".*")) == []


def is_render(pid: int) -> bool:
    """Whether process ``pid`` is a ``manim render``."""
    try:
        command_line = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"manim" in command_line and b"render" in command_line


def wait_for_manim(build: Build, timeout: float = 60) -> dict[int, str]:
    """The build's process tree once a manim render runs in it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(is_render(pid) for pid in descendants(build.pid)):
            time.sleep(1.0)  # manim is importing or drawing now
            return descendants(build.pid)
        time.sleep(0.1)
    raise AssertionError(f"no manim render started:\n{build.log[-3000:]}")


# --- 4. what the build is told, it does, or refuses ------------------------------------------


BAD_ENVIRONMENT = [
    ("MOMENTUM_VOICE", "of"),
    ("MOMENTUM_ENCODER", "x264"),
    ("MOMENTUM_MANIM_CACHE", "maybe"),
    ("MOMENTUM_LESSON_CONFIG", "no-such-lesson.toml"),
]


@pytest.mark.parametrize(("variable", "value"), BAD_ENVIRONMENT)
def test_a_bad_environment_value_is_refused_by_name_before_any_work(
    project, tmp_path, variable, value
):
    out = tmp_path / "lesson"  # and the module's warm cache: nothing would render
    started_at = time.monotonic()
    result = subprocess.run(
        command("--out", str(out)),
        cwd=project,
        env=environment(project, **{variable: value}),
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert variable in result.stderr and value in result.stderr
    assert "build:" not in result.stderr  # nothing planned, nothing rendered
    assert not out.exists()
    assert time.monotonic() - started_at < 30


class Captured(Exception):
    """Raised by the stand-in for the render pool: what the build would render, captured."""


@pytest.fixture
def planned(project, tmp_path, monkeypatch):
    """``planned(**environment)``: the chapter specs a build in this process would render."""

    def plan(voice: bool | None = None, **variables: str) -> list[jobs.ChapterSpec]:
        for name in ("MOMENTUM_VOICE", "MOMENTUM_ENCODER", "MOMENTUM_MANIM_CACHE"):
            monkeypatch.delenv(name, raising=False)
        for name in ("MOMENTUM_LESSON_CONFIG", "MOMENTUM_VOICE_CACHE"):
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        specs: list[jobs.ChapterSpec] = []

        def run_jobs(found, *args, **kwargs):
            specs.extend(found)
            raise Captured

        monkeypatch.setattr(pipeline, "_run_jobs", run_jobs)
        with pytest.raises(Captured):
            pipeline.build(
                "low",
                voice,
                1,
                None,
                None,
                tmp_path / "lesson",
                tmp_path / "cache",
                project=project,
            )
        assert [spec.name for spec in specs] == LESSON.names
        return specs

    return plan


def test_momentum_voice_off_is_honoured_like_no_voice(planned):
    assert all(spec.voice is False for spec in planned(MOMENTUM_VOICE="off"))
    assert all(spec.voice is False for spec in planned(MOMENTUM_VOICE=" OFF "))
    assert all(spec.voice is False for spec in planned(False, MOMENTUM_VOICE="on"))
    from lessonkit.voice_model import voice_unavailable_reason

    if voice_unavailable_reason() is None:  # the voice is installed here
        assert all(spec.voice is True for spec in planned(MOMENTUM_VOICE="on"))
        assert all(spec.voice is True for spec in planned())


def test_the_voice_cache_is_under_the_cache_the_user_named(planned, tmp_path):
    assert {spec.voice_cache for spec in planned()} == {str(tmp_path / "cache" / "voiceovers")}
    own = tmp_path / "voices"
    specs = planned(MOMENTUM_VOICE_CACHE=str(own))
    assert {spec.voice_cache for spec in specs} == {str(own)}


def test_the_render_settings_of_the_environment_reach_every_render(planned, tmp_path):
    specs = planned(MOMENTUM_ENCODER="Manim", MOMENTUM_MANIM_CACHE="on")
    assert {(spec.encoder, spec.manim_cache) for spec in specs} == {("manim", True)}
    config = tmp_path / "lesson.toml"
    config.write_text("[presets.ravine_zigzag]\nsteps = 40\n", encoding="utf-8")
    specs = planned(MOMENTUM_LESSON_CONFIG=str(config))
    assert {spec.config_path for spec in specs} == {str(config)}


def test_everything_that_changes_a_clips_bytes_is_in_its_key(project, monkeypatch):
    for name in ("MOMENTUM_ENCODER", "MOMENTUM_MANIM_CACHE"):
        monkeypatch.delenv(name, raising=False)

    def key() -> str:
        return chapter_key(project, "opening", "low", False, {})

    plain = key()
    monkeypatch.setenv("MOMENTUM_ENCODER", "lesson")  # the default, spelt out
    assert key() == plain
    monkeypatch.setenv("MOMENTUM_ENCODER", "manim")
    with_manims_encoder = key()
    assert with_manims_encoder != plain
    monkeypatch.delenv("MOMENTUM_ENCODER")
    monkeypatch.setenv("MOMENTUM_MANIM_CACHE", "no")  # the default, spelt otherwise
    assert key() == plain
    monkeypatch.setenv("MOMENTUM_MANIM_CACHE", "on")
    assert key() not in (plain, with_manims_encoder)
    monkeypatch.delenv("MOMENTUM_MANIM_CACHE")
    config = project / "manim.cfg"  # manim reads it from the folder a render runs in
    config.write_text("[CLI]\nbackground_color = WHITE\n", encoding="utf-8")
    try:
        assert key() != plain
    finally:
        config.unlink()
    assert key() == plain


ENCODER_VALUES = ["", "lesson", "manim", " Manim ", "LESSON", "x264", "ffmpeg"]
CACHE_VALUES = ["", "on", "off", "1", "0", "yes", "no", "true", "false", " On ", "maybe", "2"]


def test_the_build_reads_the_render_variables_as_a_render_does(monkeypatch):
    from lessonkit import rendering  # imports manim: the render's own reading

    for value in ENCODER_VALUES:
        monkeypatch.setenv("MOMENTUM_ENCODER", value)
        try:
            expected = rendering.encoder_choice()
        except ValueError:
            with pytest.raises(ConfigError, match="MOMENTUM_ENCODER"):
                jobs.render_settings()
        else:
            assert jobs.render_settings()["encoder"] == expected, value
    monkeypatch.delenv("MOMENTUM_ENCODER")
    for value in CACHE_VALUES:
        monkeypatch.setenv("MOMENTUM_MANIM_CACHE", value)
        try:
            expected = rendering.manim_cache_wanted()
        except ValueError:
            with pytest.raises(ConfigError, match="MOMENTUM_MANIM_CACHE"):
                jobs.render_settings()
        else:
            assert jobs.render_settings()["manim_cache"] is expected, value


def test_reading_momentum_voice_does_not_load_manim():
    code = (
        "import sys, lessonkit.voice_model as m; m.voice_setting(); "
        "print(sorted(n for n in sys.modules if n.split('.')[0] in ('manim', 'manim_voiceover')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
    from lessonkit import modes, voice_model

    assert modes.NarrationConfigError is voice_model.NarrationConfigError


def test_an_out_that_is_a_file_or_a_folder_no_build_made_is_refused(project, tmp_path):
    document = tmp_path / "notes.txt"
    document.write_text("keep me", encoding="utf-8")
    folder = tmp_path / "photos"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"not a lesson")
    cases = [
        (("--out", str(document)), document),
        (("--out", str(folder)), folder),
        (("--cache", str(document)), document),
        (("--out", str(tmp_path / "x"), "--cache", str(tmp_path / "x" / "cache")), tmp_path / "x"),
    ]
    for args, named in cases:
        result = subprocess.run(
            command(*args),
            cwd=project,
            env=environment(project),
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert result.returncode == 2, (args, result.stderr[-3000:])
        assert str(named) in result.stderr and "--" in result.stderr
        assert "build:" not in result.stderr
    assert document.read_text(encoding="utf-8") == "keep me"
    assert sorted(path.name for path in folder.iterdir()) == ["holiday.jpg"]
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt", "photos"]


def _nothing_listening() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"tcp://127.0.0.1:{port}"


@pytest.mark.parametrize("cache", ["warm", "cold"])
def test_a_scheduler_that_does_not_answer_fails_within_seconds_naming_it(project, tmp_path, cache):
    address = _nothing_listening()
    args = ["--scheduler", address, "--out", str(tmp_path / "lesson")]
    if cache == "cold":
        args += ["--cache", str(tmp_path / "cache")]  # every chapter to render
    started_at = time.monotonic()
    result = subprocess.run(
        command(*args),
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
        timeout=60,
    )
    took = time.monotonic() - started_at
    assert result.returncode == 1, result.stderr[-3000:]
    assert f"--scheduler {address}" in result.stderr
    assert "build:" not in result.stderr  # asked first, before anything was planned
    assert took < 15, f"took {took:.1f} s"


@pytest.mark.render
@pytest.mark.slow
def test_momentum_voice_off_builds_a_silent_lesson_and_leaves_nothing(project, clips):
    """End to end, without ``--no-voice``: one chapter rendered, the lesson published."""
    lesson = project / "media" / "lesson"
    change_line(project, "opening", "Silent by the environment")
    seed(project, clips, leave=("opening",))
    result = subprocess.run(
        [sys.executable, "-m", "lesson_build", "build", "--quality", "low", "--jobs", "1"],
        cwd=project,
        env=environment(project, MOMENTUM_VOICE="off"),
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "narration silent" in result.stderr
    assert re.findall(r"build: (\w+): rendering", result.stderr) == ["opening"]
    manifest = json.loads((lesson / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["narration"] == "silent"
    assert "Silent by the environment" in (lesson / "opening.vtt").read_text(encoding="utf-8")
    with av.open(str(lesson / "opening.mp4")) as container:
        assert not container.streams.audio
    assert check_lesson(lesson) == []
    assert sorted(path.name for path in (project.parent / "tmp").glob("lesson-*")) == []
    assert sorted(path.name for path in (project / "media").glob(".*")) == []  # locks let go


# --- 5. signals end everything the build started --------------------------------------------


SIGNALS = [
    pytest.param("rendering", signal.SIGTERM, "build", id="term-build-while-rendering"),
    pytest.param("rendering", signal.SIGTERM, "group", id="term-group-while-rendering"),
    pytest.param("rendering", signal.SIGHUP, "build", id="hup-build-while-rendering"),
    pytest.param("rendering", signal.SIGHUP, "group", id="hup-group-while-rendering"),
    pytest.param(
        "build-between-chapters",
        signal.SIGTERM,
        "build",
        id="term-build-between-chapters",
        marks=pytest.mark.slow,
    ),
    pytest.param(
        "build-between-chapters",
        signal.SIGHUP,
        "group",
        id="hup-group-between-chapters",
        marks=pytest.mark.slow,
    ),
    pytest.param("build-assembly", signal.SIGTERM, "group", id="term-group-during-assembly"),
    pytest.param("build-assembly", signal.SIGHUP, "build", id="hup-build-during-assembly"),
]


@pytest.mark.render
@pytest.mark.parametrize(("stage", "how", "to"), SIGNALS)
def test_a_signal_stops_every_process_and_keeps_the_lesson(project, clips, started, stage, how, to):
    lesson = project / "media" / "lesson"
    marker = f"Stopped {stage} {how.name} {to}"
    # rendering: one chapter renders, stopped early; between chapters: two render at once,
    # the first stored, the second (maybe) still rendering; assembly: nothing renders.
    changed = {
        "rendering": ["refresher"],
        "build-between-chapters": ["refresher", "recap"],
        "build-assembly": ["refresher"],
    }[stage]
    for chapter in changed:
        change_line(project, chapter, marker)
    seed(project, clips, leave=() if stage == "build-assembly" else tuple(changed))
    before = fingerprint(lesson)
    extra = {} if stage == "rendering" else {"LESSONKIT_STALL_AT": stage}
    build = Build(project, "--jobs", "2", **extra)
    started.append(build)
    if stage == "rendering":
        tree = wait_for_manim(build)
    else:
        build.wait_for(f"stalled at {stage}")
        tree = descendants(build.pid)
    if to == "group":
        os.killpg(build.pid, how)
    else:
        os.kill(build.pid, how)
    returncode = build.finish()
    assert returncode == 128 + how, build.log[-3000:]
    assert f"stopped by {how.name}" in build.log
    assert fingerprint(lesson) == before
    assert check_lesson(lesson) == []
    assert_nothing_left(project, build, tree)


@pytest.mark.render
def test_a_render_worker_killed_fails_the_build_and_leaves_nothing(project, clips, started):
    lesson = project / "media" / "lesson"
    change_line(project, "opening", "A worker is killed")
    seed(project, clips, leave=("opening",))
    before = fingerprint(lesson)
    build = Build(project, "--jobs", "1")
    started.append(build)
    tree = wait_for_manim(build)
    worker = next(pid for pid in tree if _stat(pid) and int(_stat(pid)[1]) == build.pid)
    os.kill(worker, signal.SIGKILL)
    assert build.finish() == 1, build.log[-3000:]
    assert "a render worker ended abruptly" in build.log and "'opening'" in build.log
    assert fingerprint(lesson) == before
    assert_nothing_left(project, build, tree)


# --- 6. two builds at once -----------------------------------------------------------------


def test_a_second_build_waits_for_the_first_saying_who_holds_the_lock(
    project, clips, started, tmp_path
):
    lesson = project / "media" / "lesson"
    change_line(project, "refresher", "Two builds at once")
    seed(project, clips)  # nothing to render: the first build stalls in assembly
    previous = json.loads((lesson / "manifest.json").read_text(encoding="utf-8"))
    first = Build(project, LESSONKIT_STALL_AT="build-assembly")
    started.append(first)
    first.wait_for("stalled at build-assembly")
    second = Build(project)  # the same --out and --cache
    started.append(second)
    other_out = Build(project, "--out", str(tmp_path / "other"))  # the same --cache only
    started.append(other_out)
    for waiting in (second, other_out):
        waiting.wait_for("waiting", timeout=60)
        assert f"pid {first.pid}" in waiting.log, waiting.log
    second.read_for(3)
    assert "build: 12 chapters" not in second.log, second.log  # it waits: nothing planned
    # stopped while it waits, a build ends at once and cleanly
    os.kill(other_out.pid, signal.SIGTERM)
    assert other_out.finish() == 128 + signal.SIGTERM, other_out.log
    assert not (tmp_path / "other").exists()
    os.kill(first.pid, signal.SIGTERM)
    assert first.finish() == 128 + signal.SIGTERM, first.log
    assert second.finish(timeout=300) == 0, second.log[-3000:]
    assert "rendering" not in second.log  # it reused what was there
    assert check_lesson(lesson) == []
    manifest = json.loads((lesson / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["build_key"] != previous["build_key"]  # published by the second build
    assert sorted(path.name for path in (project / "media").glob(".*")) == []


@pytest.mark.render
@pytest.mark.slow
def test_a_stopped_build_stops_its_renders_on_a_cluster(project, clips, started, monkeypatch):
    distributed = pytest.importorskip("distributed")
    change_line(project, "opening", "Stopped on the cluster")
    seed(project, clips, leave=("opening",))
    before = fingerprint(project / "media" / "lesson")
    worker_scratch = project.parent / "cluster-tmp"
    worker_scratch.mkdir(exist_ok=True)
    monkeypatch.setenv("TMPDIR", str(worker_scratch))  # the workers' temporary folder
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        build = Build(project, "--scheduler", cluster.scheduler_address)
        started.append(build)
        build.wait_for("opening: rendering")
        deadline = time.monotonic() + 60
        renders: dict[int, str] = {}
        while not renders and time.monotonic() < deadline:
            renders = {
                pid: started_at
                for worker in cluster.workers.values()
                for pid, started_at in descendants(worker.pid).items()
                if is_render(pid)
            }
            time.sleep(0.2)
        assert renders, f"no render started on the cluster:\n{build.log[-3000:]}"
        time.sleep(1.0)
        os.kill(build.pid, signal.SIGTERM)
        assert build.finish() == 128 + signal.SIGTERM, build.log[-3000:]
        assert wait_until_gone(lambda: alive(renders), seconds=15) == []  # manim, by PID
        assert wait_until_gone(lambda: list(worker_scratch.glob("lesson-*")), 15) == []
    assert fingerprint(project / "media" / "lesson") == before
