"""``--config`` values a chapter cannot show fail before anything renders, naming their key.

Issue 20, item 1: the check used to be per key and per type, so ``steps = 0``, a race
with one β, a surface that is not the ravine, a threshold no run reaches, a start off
the map or a million steps passed it and broke a render (or rendered for minutes).
Each chapter's ``figures()`` now checks what it is about to show
(:class:`lessonkit.config.Needs`), and the build computes every chapter's figures
before its first render. Item 7: non-UTF-8 bytes, ``presets = 3`` and
``presets = [1, 2]`` are clear errors too.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from lesson_build.describe import to_json
from lesson_narration.registry import LESSON, PRESET_KEYS
from lessonkit import config
from lessonkit.config import CONFIG_ENV, ChapterConfigError, ConfigError
from momentum_math import presets

#: The bad configurations: (id, the file's content, what the error must say).
BAD_CONFIGS = [
    # Seen in issue 20: values that passed the check, then broke a render.
    ("steps-0", "[presets.ravine_zigzag]\nsteps = 0\n", ["steps = 0", "chapter 'zigzag'"]),
    (
        "a-million-steps",
        "[presets.ravine_zigzag]\nsteps = 1000000\n",
        ["steps = 1000000", "chapter 'zigzag'", "between 10 and 200 steps"],
    ),
    (
        "a-race-with-one-beta",
        "[presets.stretched_bowl_race]\nbetas = [0.9]\n",
        ["presets.stretched_bowl_race", "betas = [0.9]", "chapter 'race'"],
    ),
    (
        "the-ravine-with-one-beta",
        "[presets.ravine_zigzag]\nbetas = [0.8]\n",
        ["betas = [0.8]", "chapter 'velocity'"],
    ),
    (
        "a-surface-with-no-hessian-on-the-ravine",
        '[presets.ravine_zigzag]\nsurface = "qfsp"\n',
        ['surface = "qfsp"', "chapter 'opening'", "ravine, stretched_bowl"],
    ),
    (
        "a-round-bowl-on-the-ravine",
        '[presets.ravine_zigzag]\nsurface = "paraboloid"\n',
        ['surface = "paraboloid"', "chapter 'opening'"],
    ),
    (
        "a-bowl-where-plain-descent-does-not-bounce",
        '[presets.ravine_zigzag]\nsurface = "stretched_bowl"\n',
        ['surface = "stretched_bowl"', "chapter 'zigzag'", "bounce"],
    ),
    (
        "a-threshold-no-run-reaches",
        "[presets.stretched_bowl_race]\nthreshold = 1e-5\n",
        ["threshold = 1e-05", "chapter 'race'", "plain descent to get below"],
    ),
    (
        "a-threshold-the-overshooting-run-reaches",
        "[presets.stretched_bowl_race]\nthreshold = 0.01\n",
        ["threshold = 0.01", "chapter 'overshoot'", "never to get below", "step 152"],
    ),
    (
        "a-start-off-the-map",
        "[presets.ravine_zigzag]\nstart = [-300.0, 20.0]\n",
        ["start = [-300.0, 20.0]", "chapter 'opening'", "x in [-3.6, 3.6]"],
    ),
    (
        "a-path-that-leaves-the-map",
        "[presets.ravine_zigzag]\nlr = 0.12\n",
        ["lr = 0.12", "chapter 'opening'", "leaves it"],
    ),
    (
        "a-race-start-off-the-map",
        "[presets.stretched_bowl_race]\nstart = [-40.0, 1.5]\n",
        ["start = [-40.0, 1.5]", "chapter 'race'"],
    ),
    (
        "a-learning-rate-the-narration-would-round",
        "[presets.stretched_bowl_race]\nlr = 0.123\n",
        ["lr = 0.123", "chapter 'race'", "not rounded to 0.12"],
    ),
    (
        "a-threshold-too-long-to-say",
        "[presets.stretched_bowl_race]\nthreshold = 1e-7\n",
        ["threshold = 1e-07", "chapter 'race'", "at most 6 digits", "0.0000001"],
    ),
    (
        "too-few-steps-to-escape",
        "[presets.qfsp_escape]\nsteps = 5\n",
        ["presets.qfsp_escape", "steps = 5", "chapter 'beyond_ravines'", "escape"],
    ),
    # A preset or a key no chapter reads would be silently ignored.
    (
        "a-preset-no-chapter-reads",
        "[presets.paraboloid_descent]\nlr = 0.2\n",
        ["presets.paraboloid_descent", "no chapter of the lesson reads this preset"],
    ),
    (
        "a-key-no-chapter-reads",
        "[presets.ravine_zigzag]\nthreshold = 0.01\n",
        ["presets.ravine_zigzag.threshold", "no chapter reads this key"],
    ),
    # Item 7: files that used to be tracebacks.
    ("presets-a-number", "presets = 3\n", ["presets = 3", "must be a table of presets"]),
    ("presets-a-list", "presets = [1, 2]\n", ["presets = [1, 2]", "must be a table of presets"]),
    (
        "not-utf-8",
        b"[presets.ravine_zigzag]\nsteps = 60  # \xff\xfe\n",
        ["not UTF-8 text", "0xff", "offset"],
    ),
]

#: Seconds a bad configuration may take to fail (the issue asks for "within seconds").
FAIL_WITHIN_S = 10.0


def run_build(config_file: Path, out: Path, cache: Path) -> tuple[int, str, float]:
    """``python -m lesson_build build`` in the project folder: (exit code, output, seconds).

    Killed (its whole process group) after 30 s: on code without the checks, a bad
    configuration renders for minutes.
    """
    command = [sys.executable, "-m", "lesson_build", "build", "--quality", "low", "--no-voice"]
    command += ["--config", str(config_file), "--out", str(out), "--cache", str(cache)]
    env = {k: v for k, v in os.environ.items() if k != CONFIG_ENV}
    began = time.monotonic()
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        return -9, output + "\n[killed after 30 s]", time.monotonic() - began
    return process.returncode, output, time.monotonic() - began


@pytest.mark.parametrize(
    ("content", "expected"),
    [pytest.param(content, expected, id=name) for name, content, expected in BAD_CONFIGS],
)
def test_a_bad_configuration_fails_within_seconds_naming_its_key_with_nothing_rendered(
    tmp_path, content, expected
):
    config_file = tmp_path / "lesson.toml"
    if isinstance(content, bytes):
        config_file.write_bytes(content)
    else:
        config_file.write_text(content, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    code, output, seconds = run_build(config_file, out, cache)
    assert code == 2, output[-3000:]
    assert seconds < FAIL_WITHIN_S, f"took {seconds:.1f} s"
    assert "lesson.toml" in output  # the file is named
    for text in expected:
        assert text in output, f"{text!r} not in {output[-2000:]!r}"
    assert "Traceback" not in output
    assert "rendering" not in output  # no chapter was started
    assert not cache.exists() or not any(cache.iterdir())
    assert not out.exists() or not any(out.iterdir())


def test_a_chapter_check_names_the_file_preset_key_and_chapter(tmp_path):
    """The error's attributes say what its message says; the key named is one the file sets."""
    config_file = tmp_path / "mine.toml"
    # lr = 0.01 makes the race too slow to finish: the finish depends on the threshold first,
    # but the file does not set it; it sets lr, which is named, with the value it gives.
    config_file.write_text("[presets.stretched_bowl_race]\nlr = 0.01\n", encoding="utf-8")
    race = importlib.import_module("lesson_narration.race")
    with config.configured(config_file), pytest.raises(ChapterConfigError) as caught:
        race.figures()
    error = caught.value
    assert (error.preset, error.key, error.chapter) == ("stretched_bowl_race", "lr", "race")
    assert error.file == str(config_file)
    assert str(error).startswith(
        "mine.toml: presets.stretched_bowl_race: lr = 0.01: chapter 'race'"
    )


@pytest.mark.parametrize(
    ("scene", "content", "expected"),
    [
        pytest.param(
            "velocity",
            "[presets.ravine_zigzag]\nsteps = 0\n",
            "presets.ravine_zigzag: steps = 0: chapter 'velocity' needs",
            id="a-chapter",
        ),
        # The whole lesson checks every chapter's figures before its first chapter plays:
        # velocity, the fifth, refuses four βs before the opening draws a frame.
        pytest.param(
            "ravine",
            "[presets.ravine_zigzag]\nbetas = [0.0, 0.8, 0.9, 0.95]\n",
            "presets.ravine_zigzag: betas = [0.0, 0.8, 0.9, 0.95]: chapter 'velocity' needs 3",
            id="the-whole-lesson",
        ),
    ],
)
def test_a_direct_render_refuses_the_configuration_before_drawing_a_frame(
    tmp_path, scene, content, expected
):
    """``MOMENTUM_LESSON_CONFIG`` with ``manim render``: the chapters' figures check it first."""
    config_file = tmp_path / "lesson.toml"
    config_file.write_text(content, encoding="utf-8")
    env = {**os.environ, CONFIG_ENV: str(config_file), "MOMENTUM_VOICE": "off"}
    media = tmp_path / "media"
    command = [sys.executable, "-m", "manim", "render", "-ql", "--media_dir", str(media)]
    began = time.monotonic()
    process = subprocess.Popen(
        [*command, f"scenes/{scene}.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:  # on code without the checks it renders on
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
    output = " ".join(output.split())
    assert process.returncode not in (0, None, -signal.SIGKILL)
    assert "ChapterConfigError" in output
    assert expected in output
    assert not [path for path in media.rglob("*") if path.suffix in (".mp4", ".png")]
    assert time.monotonic() - began < 60


def test_a_failure_no_check_foresaw_names_the_values_the_file_sets(tmp_path, monkeypatch):
    """The build's net under the checks: still a ConfigError naming file, preset, keys, chapter."""
    from lesson_build import jobs
    from lesson_narration import velocity

    config_file = tmp_path / "lesson.toml"
    config_file.write_text("[presets.ravine_zigzag]\nsteps = 40\n", encoding="utf-8")
    monkeypatch.setattr(velocity, "figures", lambda: [][1])
    with pytest.raises(ConfigError) as caught:
        jobs.chapter_figures(["opening", "velocity"], str(config_file))
    assert str(caught.value).startswith(
        "lesson.toml: presets.ravine_zigzag: steps = 40: chapter 'velocity' cannot use these "
        "values, its figures fail (lesson_narration.velocity.figures(): IndexError"
    )
    # With no file setting the chapter's presets, it is the chapter's own failure.
    with pytest.raises(jobs.ChapterFailed, match="chapter 'velocity'"):
        jobs.chapter_figures(["velocity"], None)


# --- the published lesson passes ------------------------------------------------------------


def all_figures(config_file: Path | None = None) -> dict[str, object]:
    """Every chapter's figures as JSON data, as the build computes them."""
    from lesson_build.jobs import chapter_figures

    return chapter_figures(LESSON.names, str(config_file) if config_file else None)


def test_the_published_configuration_passes_every_chapters_checks(tmp_path):
    assert sorted(all_figures()) == sorted(LESSON.names)
    # An empty file and one that sets every preset's own values change nothing.
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    own = tmp_path / "own.toml"
    tables = []
    for name, keys in PRESET_KEYS.items():
        values = config.as_data(presets.get(name))
        lines = [f"{key} = {json.dumps(values[key])}" for key in keys]
        tables.append(f"[presets.{name}]\n" + "\n".join(lines))
    own.write_text("\n\n".join(tables) + "\n", encoding="utf-8")
    config.load(own)
    assert all_figures(empty) == all_figures() == all_figures(own)


def test_the_readme_example_configuration_passes_every_chapters_checks(tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", readme, re.S)
    assert example, "the README shows an example lesson.toml"
    config_file = tmp_path / "lesson.toml"
    config_file.write_text(example.group(1), encoding="utf-8")
    config.load(config_file)
    figures = all_figures(config_file)
    assert figures["race"]["lr"] == 0.15
    # The README names only the presets the lesson reads.
    assert "paraboloid_descent" not in readme


def test_the_overshoot_chapter_draws_any_betas_its_figures_accept(tmp_path, monkeypatch):
    """Its storyboard coloured runs by the published βs: [0, 0.8, 0.99] was a KeyError."""
    from manim import ValueTracker

    from lesson_chapters import overshoot as storyboard
    from lesson_narration import overshoot

    config_file = tmp_path / "lesson.toml"
    config_file.write_text(
        "[presets.stretched_bowl_race]\nbetas = [0.0, 0.8, 0.99]\n", encoding="utf-8"
    )
    monkeypatch.setenv(CONFIG_ENV, str(config_file))
    figs = overshoot.figures()
    plot = storyboard.loss_plot(figs, ValueTracker(0.0))
    names = storyboard.curve_names(plot, figs)
    assert [name.color for name in names][1] != [name.color for name in names][2]
    storyboard.crossing_markers(plot, figs)
    storyboard.never_label(plot, figs)


# --- what the checks hold to: the registry's keys, the storyboards' layout ------------------


def test_every_preset_a_chapter_reads_and_no_other_may_be_configured():
    read = {preset for entry in LESSON.chapters for preset in entry.presets}
    assert set(PRESET_KEYS) == read == set(LESSON.presets)
    assert all(set(keys) <= set(config.KEYS) for keys in PRESET_KEYS.values())


#: For each preset, a changed value of each key (valid for ``lessonkit.config.load``).
CHANGED = {
    "ravine_zigzag": {
        "surface": "stretched_bowl",
        "start": [-3.0, 0.3],
        "lr": 0.08,
        "betas": [0.0, 0.7, 0.9],
        "steps": 40,
        "convention": "ema",
        "threshold": 0.01,
    },
    "stretched_bowl_race": {
        "surface": "ravine",
        "start": [-4.0, 1.0],
        "lr": 0.15,
        "betas": [0.0, 0.8, 0.99],
        "steps": 350,
        "convention": "pytorch",
        "threshold": 1e-4,
    },
    "qfsp_escape": {
        "surface": "ackley",
        "start": [7.0, 7.0],
        "lr": 0.11,
        "betas": [0.0, 0.6],
        "steps": 60,
        "convention": "pytorch",
        "threshold": 0.01,
    },
}


def what_is_shown(data: object) -> object:
    """Figures as JSON without the experiments they carry whole (every field of a preset,
    read or not): what the chapters compute from them."""
    if isinstance(data, dict):
        return {
            key: what_is_shown(value)
            for key, value in data.items()
            if not (isinstance(value, dict) and value.get("type") == "Experiment")
        }
    if isinstance(data, list):
        return [what_is_shown(item) for item in data]
    return data


def figures_with(monkeypatch, preset: str, key: str, value: object) -> object:
    """Every chapter's figures with ``preset.key = value`` applied as a configuration would
    (bypassing the check of the keys read), or the key a chapter's check refused."""
    changes = {preset: {key: value}}
    monkeypatch.setattr(config, "active_overrides", lambda name: changes.get(name, {}))
    try:
        return what_is_shown(
            {
                name: to_json(importlib.import_module(f"lesson_narration.{name}").figures())
                for name in LESSON.names
            }
        )
    except ChapterConfigError as error:
        return error.key
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("preset", sorted(PRESET_KEYS))
def test_the_registry_lists_exactly_the_keys_the_chapters_read(preset, monkeypatch):
    """A key listed changes some chapter's figures (or a chapter refuses it by name); a key
    not listed changes nothing, so ``load`` refuses it rather than ignore it."""
    published = figures_with(monkeypatch, preset, "steps", presets.get(preset).steps)
    for key, value in CHANGED[preset].items():
        changed = figures_with(monkeypatch, preset, key, value)
        if key in PRESET_KEYS[preset]:
            assert changed == key or changed != published, f"{preset}.{key} is read by no chapter"
        else:
            assert changed == published, f"{preset}.{key} is read but not listed"


def test_the_checks_hold_the_storyboards_layout():
    """The narration's copies of the storyboards' limits are the storyboards' own."""
    from lesson_chapters.beyond_ravines import BeyondRavinesChapter
    from lesson_chapters.choosing_beta import STEPS_AXIS_MAX
    from lesson_chapters.velocity import velocity_plots
    from lesson_narration import beyond_ravines, choosing_beta, velocity

    assert BeyondRavinesChapter.window == beyond_ravines.WINDOW
    assert STEPS_AXIS_MAX == choosing_beta.STEPS_AXIS_MAX
    plots = velocity_plots(velocity.figures())
    assert plots.along.y_range[1] == velocity.ALONG_TOP


def test_spoken_numbers_are_checked_for_length():
    assert config.digits_said("−0.00012") == 6
    needs = config.Needs("zigzag", presets.ravine_zigzag())
    needs.spoken(0.00001, 1, "a loss")
    with pytest.raises(ChapterConfigError, match=r"at most 6 digits; it would say 0\.000001"):
        needs.spoken(0.000001, 1, "a loss")
    with pytest.raises(ChapterConfigError, match="it would say 12345678901234568"):
        needs.spoken(1.2345678901234567e16, 2, "a loss")  # the 17-digit loss of issue 20
    with pytest.raises(ChapterConfigError, match="and not 0"):
        needs.spoken(0.0, 1, "the loss it is still at", nonzero=True)
    with pytest.raises(ConfigError, match=r"\(the preset's own value\)"):
        needs.spoken(float("nan"), 2, "a loss")
