"""Fuzzing ``--config`` files: every file is refused naming a key, or every chapter can show it.

Hypothesis writes TOML files: presets (the lesson's, the other presets, made-up
names) × keys (the lesson's, made-up ones) × values of the right and the wrong
types and ranges, plausible ones near the published values most of the time (so
many files pass) and nonsense the rest; now and then a file that is not a table
of presets at all, or not UTF-8. Each file either

* fails :func:`lessonkit.config.load` with a ``ConfigError`` that names the file
  and a key, preset or table it holds, or
* fails a chapter's own check with a ``ChapterConfigError`` naming the file, the
  preset, a key the preset is read with and that chapter, or
* gives every chapter figures, whose spoken lines say only numbers of at most
  :data:`lessonkit.config.MAX_SPOKEN_DIGITS` digits (never ``nan`` or ``inf``).

Anything else (an ``IndexError``, a ``KeyError``, a ``RuntimeError``...) is a check
some chapter is missing. Examples: ``MOMENTUM_MATH_FUZZ_EXAMPLES`` (as for the maths'
fuzz suite), 25 by default: a few seconds.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lesson_narration.registry import LESSON, PRESET_KEYS
from lessonkit import config
from lessonkit.config import KEYS, MAX_SPOKEN_DIGITS, ChapterConfigError, ConfigError, digits_said
from momentum_math import CONVENTIONS, presets, surfaces

pytestmark = pytest.mark.filterwarnings("error")

FUZZ = settings(
    max_examples=int(os.environ.get("MOMENTUM_MATH_FUZZ_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# --- values ------------------------------------------------------------------------------

#: Floats a file may hold, from the plausible to the absurd (TOML has inf and nan).
ODD_FLOATS = [0.0, -0.0, -1.0, 1.0, 2.0, 1e-300, 1e300, -1e300, math.inf, -math.inf, math.nan]
#: Integers a file may hold (TOML integers are 64-bit).
ODD_INTS = [0, -1, 1, 2, 3, 7, 1_000_000, 1_000_001, 2**63 - 1, -(2**63)]

nonsense = st.one_of(
    st.text(max_size=12),
    st.booleans(),
    st.sampled_from(ODD_INTS),
    st.sampled_from(ODD_FLOATS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(-3, 3), max_size=3),
    st.dictionaries(st.sampled_from(["x", "lr"]), st.integers(0, 3), max_size=2),
)


def near(values: list[float]) -> st.SearchStrategy[float]:
    """A few plausible numbers, and numbers of few digits around them."""
    return st.one_of(
        st.sampled_from(values),
        st.builds(
            lambda v, f: round(v * f, 3),
            st.sampled_from(values),
            st.sampled_from([0.5, 0.8, 1.25, 2]),
        ),
    )


PLAUSIBLE: dict[str, st.SearchStrategy[Any]] = {
    "surface": st.sampled_from(surfaces.NAMES),
    "start": st.lists(
        near([-4.0, -3.0, -2.4, -0.5, 0.0, 0.2, 0.3, 1.5, 7.11, 6.97]), min_size=2, max_size=2
    ),
    "lr": near([0.01, 0.05, 0.1, 0.15, 0.18, 0.2]),
    "betas": st.one_of(
        st.lists(
            st.sampled_from([0.0, 0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.99]), min_size=1, max_size=4
        ),
        st.lists(st.sampled_from([0.0, 0.5, 0.9, 0.99]), min_size=3, max_size=3).map(sorted),
    ),
    "steps": st.one_of(st.integers(0, 400), st.sampled_from([20, 40, 50, 60, 300, 1000])),
    "convention": st.sampled_from(CONVENTIONS),
    "threshold": st.sampled_from([1e-2, 5e-3, 2e-3, 1e-3, 1e-4, 1e-5, 1e-6, 0.5]),
}

#: Wrong types and ranges for each key (and, below, nonsense for any).
WRONG: dict[str, st.SearchStrategy[Any]] = {
    "surface": st.one_of(st.text(max_size=10), st.integers(-(2**63), 2**63 - 1)),
    "start": st.one_of(
        st.lists(st.sampled_from(ODD_FLOATS), min_size=2, max_size=2),
        st.lists(st.floats(-10, 10), max_size=4),
        st.lists(st.text(max_size=3), min_size=2, max_size=2),
    ),
    "lr": st.one_of(st.sampled_from(ODD_FLOATS), st.floats(allow_nan=False)),
    "betas": st.one_of(
        st.lists(st.sampled_from([*ODD_FLOATS, 0.999999, 1.0, -0.1]), max_size=4),
        st.lists(st.floats(allow_nan=False), max_size=3),
    ),
    "steps": st.one_of(st.sampled_from(ODD_INTS), st.sampled_from([50.0, 1e6, -5.0])),
    "convention": st.one_of(
        st.text(max_size=10), st.sampled_from([c.upper() for c in CONVENTIONS])
    ),
    "threshold": st.one_of(
        st.sampled_from([*ODD_FLOATS, 1e-30, 0.123]), st.floats(allow_nan=False)
    ),
}


def value_for(key: str) -> st.SearchStrategy[Any]:
    """Mostly plausible values for ``key`` (so many files pass), else wrong ones or nonsense."""
    if key not in PLAUSIBLE:
        return nonsense
    return st.one_of(PLAUSIBLE[key], PLAUSIBLE[key], PLAUSIBLE[key], WRONG[key], nonsense)


preset_name = st.one_of(
    st.sampled_from(list(PRESET_KEYS)),
    st.sampled_from(list(PRESET_KEYS)),
    st.sampled_from(presets.NAMES),
    st.text(min_size=1, max_size=8),
)
key_name = st.one_of(
    st.sampled_from(KEYS),
    st.sampled_from(KEYS),
    st.sampled_from(KEYS),
    st.text(min_size=1, max_size=8),
)


@st.composite
def preset_table(draw: st.DrawFn) -> dict[str, Any]:
    keys = draw(st.lists(key_name, max_size=3, unique=True))
    return {key: draw(value_for(key)) for key in keys}


@st.composite
def plausible_config(draw: st.DrawFn) -> dict[str, Any]:
    """A preset the lesson reads, keys it is read with, plausible values: what a user writes."""
    name = draw(st.sampled_from(list(PRESET_KEYS)))
    keys = draw(st.lists(st.sampled_from(PRESET_KEYS[name]), min_size=1, max_size=3, unique=True))
    return {"presets": {name: {key: draw(PLAUSIBLE[key]) for key in keys}}}


config_data = st.one_of(
    plausible_config(),
    plausible_config(),
    st.dictionaries(preset_name, preset_table(), max_size=2).map(
        lambda tables: {"presets": tables}
    ),
    st.dictionaries(preset_name, st.one_of(preset_table(), nonsense), max_size=2).map(
        lambda tables: {"presets": tables}
    ),
    st.dictionaries(
        st.sampled_from(["presets", "preset", "lesson"]), nonsense, min_size=1, max_size=2
    ),
)


# --- TOML --------------------------------------------------------------------------------


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes, and DEL escaped as TOML asks)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def toml_value(value: Any) -> str:
    """``value`` in TOML (inline tables for dictionaries)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{toml_string(k)} = {toml_value(v)}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise TypeError(value)


def toml_text(data: dict[str, Any]) -> str:
    """``data`` as a TOML file: top-level keys first, then the ``[presets.<name>]`` tables."""
    tables = data.get("presets")
    lines = []
    for key, value in data.items():
        if key == "presets" and isinstance(tables, dict):
            lines += [
                f"presets.{toml_string(name)} = {toml_value(table)}"
                for name, table in tables.items()
                if not isinstance(table, dict)
            ]
        else:
            lines.append(f"{toml_string(key)} = {toml_value(value)}")
    if isinstance(tables, dict):
        for name, table in tables.items():
            if isinstance(table, dict):
                lines.append(f"[presets.{toml_string(name)}]")
                lines += [f"{toml_string(k)} = {toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def named(message: str, data: dict[str, Any]) -> bool:
    """Whether ``message`` names what is wrong in ``data``: a top-level key, a preset that
    is not a table of keys or that the lesson does not read, or a key of a preset."""
    tables = data.get("presets")
    if not isinstance(tables, dict) or set(data) != {"presets"}:
        return any(key in message for key in data)
    for name, table in tables.items():
        if f"presets.{name}" not in message:
            continue
        if not isinstance(table, dict) or name not in PRESET_KEYS:
            return True
        if any(re.search(rf"(?<!\w){re.escape(key)}(?!\w)", message) for key in table):
            return True
    return False


# --- what every chapter says ----------------------------------------------------------------

NUMBER = re.compile(r"\d[\d.]*")


def spoken_lines(name: str, figures: Any) -> list[str]:
    """Chapter ``name``'s spoken lines (and, for the recap, its on-screen sentences)."""
    module = importlib.import_module(f"lesson_narration.{name}")
    lines = list(module.script(figures).lines())
    if hasattr(module, "screen"):
        screen = module.screen(figures)
        lines += [*screen.takeaways, *screen.questions, *screen.answers]
    return lines


def check_file(path: Path, data: dict[str, Any] | None) -> str:
    """What ``path`` led to: ``"load"``, ``"chapter"`` or ``"shown"``; asserts the property."""
    try:
        config.load(path)
    except ConfigError as error:
        message = str(error)
        assert path.name in message, message
        assert data is None or named(message, data), f"{message!r} names nothing of {data!r}"
        return "load"
    with config.configured(path):
        for name in LESSON.names:
            module = importlib.import_module(f"lesson_narration.{name}")
            try:
                figures = module.figures()
            except ChapterConfigError as error:
                message = str(error)
                assert error.chapter == name, message
                assert error.key in PRESET_KEYS[error.preset], message
                assert error.preset in LESSON.chapter(name).presets, message
                assert message.startswith(f"{path.name}: presets.{error.preset}: {error.key} = ")
                assert f"chapter {name!r} needs " in message
                return "chapter"
            for line in spoken_lines(name, figures):
                assert "nan" not in line and "inf" not in line, (name, line)
                for number in NUMBER.findall(line):
                    assert digits_said(number) <= MAX_SPOKEN_DIGITS, (name, line)
    return "shown"


@FUZZ
@given(data=config_data)
def test_a_config_file_is_refused_naming_a_key_or_every_chapter_shows_it(data):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.toml"
        text = toml_text(data)
        path.write_text(text, encoding="utf-8")
        check_file(path, data)


@FUZZ
@given(noise=st.binary(max_size=40), cut=st.integers(0, 80))
def test_a_file_that_is_not_a_configuration_is_refused_by_name(noise, cut):
    """Bytes that are not UTF-8, or not TOML, or a good file cut short: refused, named."""
    good = b"[presets.ravine_zigzag]\nstart = [-3.0, 0.3]\nsteps = 60\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "noise.toml"
        path.write_bytes(good[:cut] + noise)
        outcome = check_file(path, None)
        assert outcome in ("load", "chapter", "shown")


def test_the_fuzzer_reaches_all_three_outcomes(tmp_path):
    """The strategies are not all refused at load: some files reach the chapters, some pass."""
    outcomes = []
    for index, text in enumerate(
        [
            "presets = 3\n",
            "[presets.ravine_zigzag]\nsteps = 0\n",
            "[presets.ravine_zigzag]\nsteps = 40\n",
        ]
    ):
        path = tmp_path / f"case{index}.toml"
        path.write_text(text, encoding="utf-8")
        outcomes.append(check_file(path, None))
    assert outcomes == ["load", "chapter", "shown"]
