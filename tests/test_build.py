"""``momentum-lesson build``: every output, ``--check``, caching by inputs, atomic output, Dask.

One copy of the project (scenes, maths) is built at the lowest quality, silent,
in a temporary folder, the way a course author runs it; the tests then change
lines of narration in the copy, interrupt builds, corrupt outputs and compare
the assembled lesson with ``manim render scenes/ravine.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import pytest
import webvtt
from conftest import ROOT

from lesson_build.assemble import faststart_copy
from lesson_build.jobs import chapter_key, dependency_files
from lesson_build.publish import check_lesson
from lesson_narration.registry import LESSON

pytestmark = pytest.mark.render

FPS = 15
OUTPUTS_PER_CHAPTER = (".mp4", ".vtt", ".jpg")
#: What a copy of the project holds: the video files and the packages (run from the copy,
#: ``python -m`` imports the copy's packages before the installed checkout's).
PROJECT_FOLDERS = (
    "scenes",
    "momentum_math",
    "lessonkit",
    "lesson_narration",
    "lesson_chapters",
    "lesson_build",
)
FLAGSHIP_OUTPUTS = (
    "ravine.mp4",
    "ravine.vtt",
    "ravine.chapters.vtt",
    "ravine.jpg",
    "manifest.json",
    "index.html",
)


def copy_project(target: Path) -> Path:
    """The project's sources (no media, no caches) copied to ``target``."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    target.mkdir(parents=True)
    for folder in PROJECT_FOLDERS:
        shutil.copytree(ROOT / folder, target / folder, ignore=ignore)
    return target


def environment(project: Path) -> dict[str, str]:
    """The build runs as ``python -m lesson_build`` in ``project``: the copy's packages first."""
    return {**os.environ, "COLUMNS": "200"}


def build(project: Path, *args: str, timeout: float = 1500) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "lesson_build",
        "build",
        "--quality",
        "low",
        "--no-voice",
        *args,
    ]
    return subprocess.run(
        command,
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def rendered(result: subprocess.CompletedProcess) -> list[str]:
    """Chapters the build rendered (from its log lines)."""
    return re.findall(r"build: (\w+): rendering", result.stderr)


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
    }


def change_line(project: Path, chapter: str, marker: str) -> None:
    """Reword a spoken line of ``chapter``: ``marker`` becomes the first sentence of its script."""
    path = project / "lesson_narration" / f"{chapter}.py"
    text = path.read_text(encoding="utf-8")
    start = text.index("def script(")
    body, count = re.subn(r'(\n\s+f?")([A-Z])', rf"\g<1>{marker}. \g<2>", text[start:], count=1)
    assert count == 1, f"no spoken sentence to change in {path}"
    path.write_text(text[:start] + body, encoding="utf-8")


def seconds(timestamp: str) -> float:
    from lessonkit.captions import vtt_seconds  # webvtt-py reads it

    return vtt_seconds(timestamp)


def bring_up_to_date(project: Path) -> None:
    """Build until the published lesson matches the copy's sources (whatever earlier tests
    changed), so a test that counts what a build renders does not depend on the tests before."""
    result = build(project)
    assert result.returncode == 0, result.stderr[-3000:]


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    return copy_project(tmp_path_factory.mktemp("build") / "project")


@pytest.fixture(scope="module")
def first_build(project):
    result = build(project)
    assert result.returncode == 0, result.stderr[-5000:]
    return result


def test_a_build_writes_every_output_and_passes_its_check(project, first_build):
    names = LESSON.names
    assert sorted(rendered(first_build)) == sorted(names)
    lesson = project / "media" / "lesson"
    expected = {f"{name}{suffix}" for name in names for suffix in OUTPUTS_PER_CHAPTER} | set(
        FLAGSHIP_OUTPUTS
    )
    assert expected <= {path.name for path in lesson.iterdir()}
    manifest = json.loads((lesson / "manifest.json").read_text(encoding="utf-8"))
    assert (
        manifest["resolution"] == [854, 480]
        and manifest["fps"] == FPS
        and manifest["narration"] == "silent"
    )
    assert [chapter["name"] for chapter in manifest["chapters"]] == names
    assert all(chapter["parameters"] for chapter in manifest["chapters"]), (
        "chapters without their figures"
    )
    assert set(manifest["files"]) == {path.name for path in lesson.iterdir()} - {"manifest.json"}
    assert {"manim", "numpy", "python"} <= set(manifest["tools"])
    # web-ready: index first, H.264 yuv420p, and a poster with something on it
    for name in [*names, "ravine"]:
        head = (lesson / f"{name}.mp4").read_bytes()[:4096]
        assert 0 <= head.find(b"moov") < max(head.find(b"mdat"), 4096)
        with av.open(str(lesson / f"{name}.mp4")) as container:
            assert container.streams.video[0].codec_context.pix_fmt == "yuv420p"
    check = subprocess.run(
        [sys.executable, "-m", "lesson_build", "build", "--check"],
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stderr
    assert "lesson built" in first_build.stdout + first_build.stderr  # the summary table


def test_the_flagship_is_the_chapters_joined(project, first_build):
    lesson = project / "media" / "lesson"
    manifest = json.loads((lesson / "manifest.json").read_text(encoding="utf-8"))
    chapters = webvtt.read(str(lesson / "ravine.chapters.vtt")).captions
    assert [cue.text for cue in chapters] == [chapter["title"] for chapter in manifest["chapters"]]
    for cue, chapter in zip(chapters, manifest["chapters"], strict=True):
        assert seconds(cue.start) == pytest.approx(chapter["start"], abs=1e-3)
    with av.open(str(lesson / "ravine.mp4")) as container:
        frames = sum(1 for packet in container.demux(container.streams.video[0]) if packet.size)
    assert frames == round(sum(chapter["duration"] for chapter in manifest["chapters"]) * FPS)
    flagship_cues = [
        " ".join(cue.text.split()) for cue in webvtt.read(str(lesson / "ravine.vtt")).captions
    ]
    chapter_cues = [
        " ".join(cue.text.split())
        for chapter in manifest["chapters"]
        for cue in webvtt.read(str(lesson / chapter["captions"])).captions
    ]
    assert flagship_cues == chapter_cues


@pytest.mark.browser
def test_the_lesson_page_works_in_a_real_browser(project, first_build):
    import pagekit

    pagekit.check_page_in_browser(project / "media" / "lesson")


@pytest.mark.browser
def test_the_explorable_page_works_on_the_built_lesson(project, first_build, tmp_path):
    """The playground, "Try it" for every chapter (its figures in the manifest), the (α, β)
    map, the lesson.toml round trip, the transcript, the quiz, axe, two screen sizes and the
    page's weight, on the lesson the build wrote (tests/explorekit.py)."""
    import explorekit

    facts = explorekit.check_explorable(project / "media" / "lesson", tmp_path)
    assert facts["try_it"]["chapters"] == LESSON.names
    assert facts["parity"]["cases"] >= 500


def test_check_names_each_corrupted_or_missing_file(project, first_build, tmp_path):
    copy = tmp_path / "lesson"
    shutil.copytree(project / "media" / "lesson", copy)
    assert check_lesson(copy) == []
    with (copy / "zigzag.mp4").open("r+b") as handle:
        handle.seek(5000)
        handle.write(b"\x00" * 64)
    (copy / "opening.vtt").unlink()
    result = subprocess.run(
        [sys.executable, "-m", "lesson_build", "build", "--check", "--out", str(copy)],
        cwd=project,
        env=environment(project),
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert "zigzag.mp4: differs from the manifest" in result.stderr
    assert "opening.vtt: is missing" in result.stderr
    assert "ravine.mp4" not in result.stderr


def test_an_unchanged_build_renders_nothing(project, first_build):
    bring_up_to_date(project)
    before = fingerprint(project / "media" / "lesson")
    result = build(project)
    assert result.returncode == 0, result.stderr[-3000:]
    assert rendered(result) == []
    assert len(re.findall(r"unchanged, reusing", result.stderr)) == len(LESSON.names)
    assert fingerprint(project / "media" / "lesson") == before  # not even re-assembled


def test_changing_one_line_renders_exactly_that_chapter(project, first_build):
    lesson = project / "media" / "lesson"
    bring_up_to_date(project)
    change_line(project, "worked_example", "Watch the columns")
    result = build(project)
    assert result.returncode == 0, result.stderr[-3000:]
    assert rendered(result) == ["worked_example"]
    assert "Watch the columns" in (lesson / "ravine.vtt").read_text(encoding="utf-8")
    assert "Watch the columns" in (lesson / "worked_example.vtt").read_text(encoding="utf-8")
    assert check_lesson(lesson) == []


def test_job_keys_follow_what_a_chapter_depends_on(project):
    files = {path.relative_to(project).as_posix() for path in dependency_files(project, "zigzag")}
    assert {
        "scenes/zigzag.py",
        "lesson_chapters/zigzag.py",
        "lesson_narration/zigzag.py",
        "lessonkit/maps.py",
        "momentum_math/presets.py",
    } <= files
    assert not {"lesson_narration/race.py", "lesson_chapters/race.py", "scenes/race.py"} & files
    low = chapter_key(project, "zigzag", "low", False, {})
    assert low != chapter_key(project, "zigzag", "high", False, {})
    assert low != chapter_key(project, "zigzag", "low", True, {})
    assert low != chapter_key(project, "zigzag", "low", False, {"ravine_zigzag": {"lr": 0.05}})
    assert low == chapter_key(project, "zigzag", "low", False, {})


INTERRUPTIONS = [
    pytest.param("rendering", signal.SIGINT, id="ctrl-c-while-rendering"),
    pytest.param("rendering", signal.SIGKILL, id="kill-while-rendering"),
    pytest.param("build-between-chapters", signal.SIGKILL, id="kill-between-chapters"),
    pytest.param("build-assembly", signal.SIGINT, id="ctrl-c-during-assembly"),
    pytest.param("build-assembly", signal.SIGKILL, id="kill-during-assembly"),
]


@pytest.mark.parametrize(("stage", "how"), INTERRUPTIONS)
def test_an_interrupted_build_leaves_the_previous_lesson_intact(project, first_build, stage, how):
    lesson = project / "media" / "lesson"
    bring_up_to_date(project)
    before = fingerprint(lesson)
    changed = ["refresher", "race"] if stage == "build-between-chapters" else ["refresher"]
    for chapter in changed:
        change_line(project, chapter, f"Interrupted {stage} {how.name}")
    command = [
        sys.executable,
        "-m",
        "lesson_build",
        "build",
        "--quality",
        "low",
        "--no-voice",
        "--jobs",
        "1",
    ]
    extra = {} if stage == "rendering" else {"LESSONKIT_STALL_AT": stage}
    process = subprocess.Popen(
        command,
        cwd=project,
        env={**environment(project), **extra},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    marker = "refresher: rendering" if stage == "rendering" else f"stalled at {stage}"
    log = ""
    deadline = time.monotonic() + 300
    while marker not in log and time.monotonic() < deadline and process.poll() is None:
        log += process.stdout.readline()
    assert marker in log, log[-3000:]
    if stage == "rendering":
        time.sleep(1.0)  # manim is rendering now
    os.killpg(process.pid, how)
    process.wait(timeout=120)
    assert process.returncode != 0
    assert fingerprint(lesson) == before
    assert check_lesson(lesson) == []
    # the next build finishes the job and leaves no staging folders behind
    result = build(project)
    assert result.returncode == 0, result.stderr[-3000:]
    finished_earlier = {
        "rendering": [],
        "build-between-chapters": ["refresher"],
        "build-assembly": changed,
    }[stage]
    assert sorted(rendered(result)) == sorted(set(changed) - set(finished_earlier))
    assert not list((project / "media").glob(".lesson.*"))
    assert not list((project / "media" / "build-cache").glob(".*"))


def test_a_chapter_that_raises_fails_the_build_clearly_and_keeps_the_lesson(project, first_build):
    lesson = project / "media" / "lesson"
    before = fingerprint(lesson)
    scene = project / "lesson_chapters" / "in_code.py"
    original = scene.read_text(encoding="utf-8")
    scene.write_text(
        original.replace(
            "    def play(self, scene",
            "    def play(self, scene, *_unused) -> None:\n"
            "        raise RuntimeError('deliberate failure in a chapter')\n\n"
            "    def _old_play(self, scene",
            1,
        ),
        encoding="utf-8",
    )
    try:
        result = build(project)
    finally:
        scene.write_text(original, encoding="utf-8")
    assert result.returncode == 1
    assert "chapter 'in_code' failed to render" in result.stderr
    assert "deliberate failure in a chapter" in result.stderr
    assert "was left as it was" in result.stderr
    assert fingerprint(lesson) == before


def test_a_bad_config_value_fails_before_rendering_naming_the_key(project, first_build, tmp_path):
    config = tmp_path / "lesson.toml"
    config.write_text("[presets.stretched_bowl_race]\nlr = -0.5\n", encoding="utf-8")
    result = build(project, "--config", str(config), timeout=120)
    assert result.returncode == 2
    assert (
        "presets.stretched_bowl_race" in result.stderr
        and "lr" in result.stderr
        and "-0.5" in result.stderr
    )
    assert rendered(result) == []
    config.write_text("[presets.stretched_bowl_race]\nspeed = 3\n", encoding="utf-8")
    result = build(project, "--config", str(config), timeout=120)
    assert result.returncode == 2 and "speed: unknown key" in result.stderr


def test_a_config_changes_the_numbers_of_the_chapters_that_use_it(project, first_build, tmp_path):
    config = tmp_path / "lesson.toml"
    config.write_text("[presets.ravine_zigzag]\nsteps = 40\n", encoding="utf-8")
    users = [entry.name for entry in LESSON.chapters if "ravine_zigzag" in entry.presets]
    assert "zigzag" in users
    bring_up_to_date(project)  # every other chapter is cached for the copy's sources
    result = build(project, "--config", str(config), "--out", "media/lesson-config")
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(rendered(result)) == sorted(users)  # only chapters that read the preset
    captions = (project / "media" / "lesson-config" / "zigzag.vtt").read_text(encoding="utf-8")
    assert "After 40 steps" in " ".join(captions.split())
    manifest = json.loads(
        (project / "media" / "lesson-config" / "manifest.json").read_text(encoding="utf-8")
    )
    assert "40" in json.dumps(
        [c["parameters"] for c in manifest["chapters"] if c["name"] == "zigzag"]
    )


def test_chapters_can_render_on_a_dask_cluster(project, first_build):
    from distributed import LocalCluster

    bring_up_to_date(project)
    change_line(project, "opening", "On the cluster")
    with LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        result = build(project, "--scheduler", cluster.scheduler_address)
    assert result.returncode == 0, result.stderr[-3000:]
    assert rendered(result) == ["opening"]
    assert "On the cluster" in (project / "media" / "lesson" / "ravine.vtt").read_text(
        encoding="utf-8"
    )
    assert check_lesson(project / "media" / "lesson") == []


def test_the_assembled_lesson_matches_a_direct_render(project, first_build, tmp_path):
    lesson = project / "media" / "lesson"
    bring_up_to_date(project)  # earlier tests changed lines
    media = tmp_path / "media"
    command = [
        sys.executable,
        "-m",
        "manim",
        "render",
        "-ql",
        "--media_dir",
        str(media),
        str(project / "scenes" / "ravine.py"),
    ]
    result = subprocess.run(
        command,
        cwd=project,
        env={**environment(project), "MOMENTUM_VOICE": "off"},
        capture_output=True,
        text=True,
        timeout=1500,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    direct = media / "videos" / "ravine" / "480p15"
    frame = 1.0 / FPS
    direct_chapters = webvtt.read(str(direct / "Ravine.chapters.vtt")).captions
    built_chapters = webvtt.read(str(lesson / "ravine.chapters.vtt")).captions
    assert [c.text for c in direct_chapters] == [c.text for c in built_chapters]
    for a, b in zip(direct_chapters, built_chapters, strict=True):
        assert abs(seconds(a.start) - seconds(b.start)) <= frame + 1e-3
    direct_cues = webvtt.read(str(direct / "Ravine.vtt")).captions
    built_cues = webvtt.read(str(lesson / "ravine.vtt")).captions
    assert [" ".join(c.text.split()) for c in direct_cues] == [
        " ".join(c.text.split()) for c in built_cues
    ]
    for a, b in zip(direct_cues, built_cues, strict=True):
        assert abs(seconds(a.start) - seconds(b.start)) <= frame + 1e-3
        assert abs(seconds(a.end) - seconds(b.end)) <= frame + 1e-3


def test_faststart_copy_moves_the_index_first(tmp_path):
    movie = tmp_path / "plain.mp4"
    with av.open(str(movie), "w") as out:
        stream = out.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        import numpy as np

        for index in range(20):
            frame = av.VideoFrame.from_ndarray(
                np.full((48, 64, 3), index * 10, np.uint8), format="rgb24"
            )
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    data = movie.read_bytes()
    assert data.find(b"moov") > data.find(b"mdat")  # PyAV's default: index last
    faststart_copy(movie, tmp_path / "web.mp4")
    web = (tmp_path / "web.mp4").read_bytes()
    assert 0 < web.find(b"moov") < web.find(b"mdat")
    with av.open(str(tmp_path / "web.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == 20


# --- momentum-lesson preview (issue 19): save, and the open page shows the new chapter


def _preview_state(url: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(url + "__preview/state", timeout=5) as response:
        return json.loads(response.read())


def _wait_for(predicate, timeout: float, what: str, log: Path):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(
        f"{what} within {timeout:.0f} s; the preview said:\n" + log.read_text()[-4000:]
    )


@pytest.mark.browser
def test_preview_reloads_the_page_at_the_changed_chapter_and_keeps_the_last_good_lesson(
    project, first_build, tmp_path
):
    import pagekit

    log = tmp_path / "preview.log"
    narration = project / "lesson_narration" / "zigzag.py"
    original = narration.read_text(encoding="utf-8")
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "lesson_build",
                "preview",
                "--port",
                "0",
                "--out",
                "media/lesson",
            ],
            cwd=project,
            env=environment(project),
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        match = re.match(r"preview: serving (http://127\.0\.0\.1:\d+/)$", first.strip())
        assert match, first
        url = match.group(1)
        _wait_for(lambda: _preview_state(url)["status"] == "ok", 900, "the first build", log)
        manifest = json.loads((project / "media" / "lesson" / "manifest.json").read_text())
        start = next(c["start"] for c in manifest["chapters"] if c["name"] == "zigzag")
        with pagekit.launch_chromium() as browser:
            page = browser.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(url, wait_until="load")
            page.wait_for_selector("#preview-note", timeout=10_000)

            # A narration line saved: the page reloads by itself at that chapter, paused.
            change_line(project, "zigzag", "Preview saw this save")
            page.wait_for_function(
                "document.documentElement.dataset.previewChapter === 'zigzag'", timeout=300_000
            )
            state = _preview_state(url)
            assert state["status"] == "ok" and state["changed"] == ["zigzag"], state
            video = page.evaluate(
                "() => { const v = document.getElementById('lesson-video');"
                " return {paused: v.paused, time: v.currentTime}; }"
            )
            assert video["paused"] and abs(video["time"] - start) < 0.5, (video, start)
            page.wait_for_function(
                "() => { const t = document.getElementById('lesson-captions').track;"
                " t.mode = t.mode === 'disabled' ? 'hidden' : t.mode;"
                " return t.cues && Array.from(t.cues).some(c => c.text.includes('Preview saw')); }",
                timeout=20_000,
            )
            assert "rebuilt zigzag" in page.inner_text("#preview-note")
            page.wait_for_function(  # the note then gets out of the title's way
                "document.getElementById('preview-note').hidden", timeout=15_000
            )

            # A save that breaks the chapter: the error in the page, the last lesson still plays.
            narration.write_text(original + "\ndef broken(:\n", encoding="utf-8")
            page.wait_for_selector("#preview-error:not([hidden])", timeout=300_000)
            shown = page.inner_text("#preview-error")
            assert "SyntaxError" in shown or "invalid syntax" in shown, shown
            assert "broke the build" in page.inner_text("#preview-note")
            assert "SyntaxError" in log.read_text() or "invalid syntax" in log.read_text()
            page.evaluate("document.getElementById('lesson-video').play()")
            page.wait_for_function(
                f"document.getElementById('lesson-video').currentTime > {start + 0.5}",
                timeout=20_000,
            )
            assert check_lesson(project / "media" / "lesson") == []
            assert not errors, errors
    finally:
        narration.write_text(original, encoding="utf-8")
        process.send_signal(signal.SIGINT)
        try:
            status = process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            raise
    assert status == 0, log.read_text()[-3000:]
