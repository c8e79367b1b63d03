"""The lesson manifest (``lesson_build.manifest``): its JSON round trip, its shape checks, and
``--check`` (``check_lesson``) on manifests that are JSON but not a manifest."""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pagekit
import pytest

from lesson_build.manifest import ChapterEntry, FileEntry, Manifest, ManifestError
from lesson_build.publish import CheckFailure, check_lesson


def _build_manifest() -> dict[str, Any]:
    """A manifest as the build writes it: every key, in the build's order."""
    return {
        "title": "Gradient descent with momentum — ünïcode",
        "quality": "low",
        "resolution": [854, 480],
        "fps": 15,
        "narration": "voice",
        "build_key": "0f" * 32,
        "flagship": {
            "name": "ravine", "title": "Gradient descent with momentum", "video": "ravine.mp4",
            "captions": "ravine.vtt", "chapters": "ravine.chapters.vtt", "poster": "ravine.jpg",
            "duration": 12.4,
        },
        "chapters": [
            {"name": "opening", "title": "Opening", "video": "opening.mp4",
             "captions": "opening.vtt", "poster": "opening.jpg", "duration": 4.0, "start": 0.0,
             "parameters": {"type": "OpeningFigures", "lr": 0.1, "start": [-2.4, 0.2],
                            "never": None, "ok": True, "run": {"shape": [50, 2], "first": -2.4}}},
            {"name": "zigzag", "title": "Zig & zag", "video": "zigzag.mp4",
             "captions": "zigzag.vtt", "poster": "zigzag.jpg", "duration": 8, "start": 4.0,
             "parameters": {"steps": 40}},
        ],
        "tools": {"python": "3.11.2", "manim": "0.19.0", "piper-tts": "not installed"},
        "files": {
            "opening.mp4": {"sha256": "a" * 64, "bytes": 1234},
            "ravine.chapters.vtt": {"sha256": "b" * 64, "bytes": 0},
        },
    }  # fmt: skip


def _text(data: object) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False)


def test_round_trip_keeps_the_json_exactly() -> None:
    data = _build_manifest()
    manifest = Manifest.from_json(data)
    assert manifest.to_json() == data
    assert manifest.dumps() == _text(data)  # same keys, same order, same numbers (8 stays 8)
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert manifest.resolution == (854, 480) and manifest.narration == "voice"
    assert [entry.video for entry in manifest.videos] == ["ravine.mp4", "opening.mp4", "zigzag.mp4"]
    assert manifest.flagship.tracks == ("ravine.vtt", "ravine.chapters.vtt")
    assert manifest.files["opening.mp4"] == FileEntry(sha256="a" * 64, bytes=1234)
    assert manifest.chapters[0].parameters["run"] == {"shape": [50, 2], "first": -2.4}


def test_round_trip_through_a_file(tmp_path: Path) -> None:
    data = _build_manifest()
    path = tmp_path / "manifest.json"
    Manifest.from_json(data).dump(path)
    assert path.read_text(encoding="utf-8") == _text(data)
    assert Manifest.load(path).to_json() == data


def test_optional_files_are_left_out() -> None:
    data = _build_manifest()
    for entry in [data["flagship"], *data["chapters"]]:
        del entry["captions"], entry["poster"]
    del data["flagship"]["chapters"]
    manifest = Manifest.from_json(data)
    assert manifest.flagship.captions is None and manifest.flagship.tracks == ()
    assert manifest.to_json() == data


def test_the_synthetic_lesson_manifest_is_a_manifest(synthetic: Path) -> None:
    data = json.loads((synthetic / "manifest.json").read_text(encoding="utf-8"))
    assert Manifest.from_json(data).to_json() == data


def test_a_file_entry_is_its_sha256_and_size(tmp_path: Path) -> None:
    path = tmp_path / "a.bin"
    path.write_bytes(b"momentum" * 300_000)  # more than one block
    entry = FileEntry.of(path)
    assert entry == FileEntry(hashlib.sha256(path.read_bytes()).hexdigest(), 2_400_000)
    assert entry.to_json() == {"sha256": entry.sha256, "bytes": 2_400_000}


def _changed(change: str) -> object:
    """The build's manifest with one change (Python statements on ``m``)."""
    m = copy.deepcopy(_build_manifest())
    exec(change, {}, {"m": m})  # the cases below are literal code, easier to read as such
    return m


WRONG_SHAPES = [
    ("[1, 2]", [1, 2], "manifest", "must be a JSON object, got an array"),
    ("null", None, "manifest", "must be a JSON object, got null"),
    ("{}", {}, "title", "is missing"),
    ("no flagship", _changed("del m['flagship']"), "flagship", "is missing"),
    ("flagship a list", _changed("m['flagship'] = []"), "flagship", "must be a JSON object"),
    ("no video", _changed("del m['flagship']['video']"), "flagship.video", "is missing"),
    ("fps a string", _changed("m['fps'] = 'fast'"), "fps", "got a string ('fast')"),
    ("fps a boolean", _changed("m['fps'] = True"), "fps", "must be a whole number"),
    ("fps zero", _changed("m['fps'] = 0"), "fps", "at least 1"),
    ("fps fractional", _changed("m['fps'] = 29.97"), "fps", "must be a whole number"),
    ("resolution short", _changed("m['resolution'] = [854]"), "resolution", "[width, height]"),
    ("resolution text", _changed("m['resolution'] = '854x480'"), "resolution", "an array"),
    ("narration", _changed("m['narration'] = 'loud'"), "narration", "'voice' or 'silent'"),
    ("title a number", _changed("m['title'] = 3"), "title", "must be a string"),
    ("chapters an object", _changed("m['chapters'] = {}"), "chapters", "must be an array"),
    (
        "chapter duration",
        _changed("m['chapters'][1]['duration'] = '8 s'"),
        "chapters[1].duration",
        "must be a number",
    ),
    (
        "chapter start negative",
        _changed("m['chapters'][1]['start'] = -1"),
        "chapters[1].start",
        ">= 0",
    ),
    (
        "duration not finite",
        _changed("m['flagship']['duration'] = float('nan')"),
        "flagship.duration",
        "finite",
    ),
    (
        "chapter without parameters",
        _changed("del m['chapters'][0]['parameters']"),
        "chapters[0].parameters",
        "is missing",
    ),
    (
        "a path outside the folder",
        _changed("m['chapters'][0]['video'] = '../../etc/passwd'"),
        "chapters[0].video",
        "file name in the lesson folder",
    ),
    ("unknown field", _changed("m['extra'] = 1"), "extra", "is not a manifest field"),
    (
        "unknown chapter field",
        _changed("m['chapters'][0]['colour'] = 'red'"),
        "chapters[0].colour",
        "is not a manifest field",
    ),
    ("tools a list", _changed("m['tools'] = ['manim']"), "tools", "must be a JSON object"),
    ("tool version", _changed("m['tools']['manim'] = 19"), "tools['manim']", "must be a string"),
    (
        "sha256",
        _changed("m['files']['opening.mp4']['sha256'] = 'abc'"),
        "files['opening.mp4'].sha256",
        "64 lowercase hex digits",
    ),
    (
        "bytes",
        _changed("m['files']['opening.mp4']['bytes'] = -1"),
        "files['opening.mp4'].bytes",
        "at least 0",
    ),
]


@pytest.mark.parametrize(
    ("data", "field", "problem"),
    [case[1:] for case in WRONG_SHAPES],
    ids=[case[0] for case in WRONG_SHAPES],
)
def test_wrong_shapes_are_refused_naming_the_field(data: object, field: str, problem: str) -> None:
    with pytest.raises(ManifestError) as raised:
        Manifest.from_json(data)
    assert raised.value.field == field
    assert problem in raised.value.problem
    assert str(raised.value).startswith(f"{field}: ")


def test_text_that_is_not_json_is_a_manifest_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="is not valid JSON"):
        Manifest.loads("{not json")
    path = tmp_path / "manifest.json"
    path.write_bytes(b"\xff\xfe{}")
    with pytest.raises(ManifestError, match="is not UTF-8"):
        Manifest.load(path)


def test_entries_are_frozen() -> None:
    chapter = ChapterEntry(name="a", title="A", video="a.mp4", duration=1, start=0, parameters={})
    with pytest.raises(AttributeError):
        chapter.title = "B"  # type: ignore[misc]


# --------------------------------------------------------------------------------------------
# --check on a lesson folder


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic-lesson")
    pagekit.make_synthetic_lesson(folder)
    return folder


def test_check_passes_the_synthetic_lesson(synthetic: Path) -> None:
    assert check_lesson(synthetic) == []


def _with_manifest(synthetic: Path, tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "lesson"
    shutil.copytree(synthetic, folder)
    (folder / "manifest.json").write_text(text, encoding="utf-8")
    return folder


def _without_flagship(synthetic: Path) -> str:
    data = json.loads((synthetic / "manifest.json").read_text(encoding="utf-8"))
    del data["flagship"]
    return json.dumps(data)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2]", "is not a lesson manifest: must be a JSON object, got an array"),
        ("{}", "is not a lesson manifest: title: is missing"),
        (None, "is not a lesson manifest: flagship: is missing"),
        ("{not json", "is not valid JSON"),
    ],
    ids=["array", "empty object", "no flagship", "not JSON"],
)
def test_check_reports_a_wrong_manifest_as_a_failure(
    synthetic: Path, tmp_path: Path, text: str | None, expected: str
) -> None:
    folder = _with_manifest(synthetic, tmp_path, text or _without_flagship(synthetic))
    failures = check_lesson(folder)
    assert len(failures) == 1, failures
    assert failures[0].file == "manifest.json" and expected in failures[0].problem, failures
    assert str(failures[0]).startswith("manifest.json: ")


def test_check_reports_a_missing_manifest(tmp_path: Path) -> None:
    assert check_lesson(tmp_path) == [CheckFailure("manifest.json", "is missing")]


def test_check_still_finds_a_changed_file(synthetic: Path, tmp_path: Path) -> None:
    folder = tmp_path / "lesson"
    shutil.copytree(synthetic, folder)
    with (folder / "opening.vtt").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert CheckFailure("opening.vtt", "differs from the manifest (sha256 or size)") in (
        check_lesson(folder)
    )
