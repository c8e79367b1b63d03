"""The build plans, checks and publishes without manim; the registry is the lesson's only list.

Like ``test_math_isolation.py`` for the maths: each check runs in a fresh
interpreter, so what it finds in ``sys.modules`` is what the code imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest
from conftest import ROOT

from lesson_narration.registry import LESSON

#: The video stack: only a chapter's render job (its own ``manim`` process) may load these.
VIDEO_STACK = ("manim", "manim_voiceover", "cairo", "manimpango", "pydub")

BUILD_SCRIPT = textwrap.dedent(
    """
    import importlib, json, pkgutil, sys, tempfile
    from pathlib import Path

    import lesson_build, lesson_narration

    for package in (lesson_build, lesson_narration):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            if not info.name.endswith(".__main__"):  # that one runs the command
                importlib.import_module(info.name)
    for name in ("config", "captions", "formatting", "files", "faults", "voice_model", "loudness",
                 "levels", "palette"):
        importlib.import_module("lessonkit." + name)

    from lesson_build import cli, jobs
    from lesson_build.page import render_page
    from lesson_narration.registry import LESSON

    project = Path(sys.argv[1])
    figures = jobs.chapter_figures(LESSON.names)
    from lesson_build.explore import explore_data
    explore_data(figures)  # the page's playground data: momentum_math, never manim
    keys = [jobs.chapter_key(project, name, "low", False, {}) for name in LESSON.names]
    with tempfile.TemporaryDirectory() as empty:
        status = cli.main(["build", "--check", "--out", empty])
    loaded = sorted(
        name for name in sys.modules if name.split(".")[0] in set(sys.argv[2].split(","))
    )
    print(json.dumps({"loaded": loaded, "figures": sorted(figures), "keys": len(set(keys)),
                      "check_status": status}))
    """
)


def run_python(code: str, *args: str) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_planning_checking_and_publishing_import_no_video_stack():
    report = run_python(BUILD_SCRIPT, str(ROOT), ",".join(VIDEO_STACK))
    assert report["loaded"] == [], f"the build imported {report['loaded']}"
    assert report["figures"] == sorted(LESSON.names)  # every chapter's figures, computed here
    assert report["keys"] == len(LESSON.names)
    assert report["check_status"] == 1  # an empty folder is not a lesson: checked, and said


def test_the_command_line_check_imports_no_video_stack(tmp_path):
    code = (
        "import sys\n"
        "from lesson_build.cli import main\n"
        "status = main(['build', '--check', '--out', sys.argv[1]])\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in sys.argv[2].split(','))\n"
        "import json; print(json.dumps({'loaded': loaded, 'status': status}))\n"
    )
    report = run_python(code, str(tmp_path), ",".join(VIDEO_STACK))
    assert report == {"loaded": [], "status": 1}


@pytest.mark.parametrize("name", LESSON.names)
def test_a_storyboard_imports_no_other_chapter(name):
    """A chapter's cache key hashes its own three files: it must not import another chapter's."""
    code = (
        "import importlib, json, sys\n"
        "importlib.import_module(f'lesson_chapters.{sys.argv[1]}')\n"
        "print(json.dumps({'loaded': sorted(m for m in sys.modules if m.split('.')[0] in "
        "('lesson_chapters', 'lesson_narration') and '.' in m)}))\n"
    )
    loaded = set(run_python(code, name)["loaded"])
    allowed = {f"lesson_chapters.{name}", f"lesson_narration.{name}", "lesson_narration.registry"}
    assert loaded <= allowed, f"lesson_chapters.{name} imports {sorted(loaded - allowed)}"


@pytest.mark.parametrize("name", LESSON.names)
def test_the_registry_names_the_presets_a_chapter_reads(name, monkeypatch):
    """What the registry says a chapter reads is what its figures and storyboard really read."""
    import importlib

    from lessonkit import config

    read: list[str] = []
    original = config.experiment

    def recording(preset: str):
        read.append(preset)
        return original(preset)

    monkeypatch.setattr(config, "experiment", recording)
    narration = importlib.import_module(f"lesson_narration.{name}")
    chapter = importlib.import_module(f"lesson_chapters.{name}")
    monkeypatch.setattr(narration, "lesson_experiment", recording, raising=False)
    monkeypatch.setattr(chapter, "lesson_experiment", recording, raising=False)
    narration.figures()
    getattr(chapter, LESSON.chapter(name).chapter_class)().figures()
    assert sorted(set(read)) == sorted(LESSON.chapter(name).presets)
