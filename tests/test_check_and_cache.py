"""``--check`` reads only the lesson folder, and the build cache is checked, not trusted.

Issue 20, items 2 and 3. ``--check`` runs here as the command a user runs (a subprocess with a
timeout and a memory limit), on the small synthetic lesson of ``pagekit``: a manifest that
names files outside the folder, links, FIFOs, devices, files too big to read and manifests of
the wrong shape are each a named failure, found in seconds. The cache: every file of an entry
is stored with its SHA-256 and checked before it is reused; the build tests seed a cache with
one chapter rendered once (a build stopped after its first chapter) and damage it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pagekit
import pytest
from test_build import copy_project, environment

from lesson_build.cache import FACTS, entry_path, load_facts, store
from lesson_build.publish import CAPTIONS_LIMIT, MANIFEST_LIMIT, check_lesson

CHECK_SECONDS = 10  # a check that fails takes less than this, whatever the folder holds


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic-lesson")
    pagekit.make_synthetic_lesson(folder)
    return folder


def _limit_memory() -> None:  # in the child: a check that reads /dev/zero stops at 3 GiB
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def run_check(folder: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """``momentum-lesson build --check --out folder``, and the seconds it took."""
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "lesson_build", "build", "--check", "--out", str(folder)],
        capture_output=True,
        text=True,
        timeout=60,  # a hang fails the test, it does not stop the suite
        preexec_fn=_limit_memory,
    )
    return result, time.monotonic() - started


def _entry(data: bytes) -> dict[str, Any]:
    return {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}


def _edit_manifest(folder: Path, change: Callable[[dict[str, Any]], object]) -> None:
    path = folder / "manifest.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _replace(folder: Path, name: str, make: Callable[[Path], None], listed: bool) -> None:
    """Replace ``name`` by what ``make`` makes there; ``listed=False`` drops it from files."""
    (folder / name).unlink()
    make(folder / name)
    if not listed:
        _edit_manifest(folder, lambda data: data["files"].pop(name))


def _symlink(target: str) -> Callable[[Path], None]:
    return lambda path: path.symlink_to(target)


def _hostname_listed(folder: Path) -> None:
    """A link to /etc/hostname, listed with the right SHA-256: a pass would confirm it."""
    (folder / "hostname").symlink_to("../../../../../../../../etc/hostname")
    data = Path("/etc/hostname").read_bytes()
    _edit_manifest(folder, lambda manifest: manifest["files"].update(hostname=_entry(data)))


def _links_to_a_lesson_elsewhere(folder: Path, synthetic: Path) -> None:
    """The folder holds only the manifest; every file it lists is a link to another lesson."""
    for path in folder.iterdir():
        if path.name != "manifest.json":
            path.unlink()
            path.symlink_to(synthetic / path.name)


def _video_named_outside(synthetic: Path) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        outside = str(synthetic / "opening.mp4")  # an absolute path to a good MP4 elsewhere
        data["chapters"][0]["video"] = outside
        data["files"][outside] = data["files"].pop("opening.mp4")

    return change


def _big_captions(folder: Path) -> None:
    data = b"WEBVTT\n\n" + b"NOTE " + b"x" * CAPTIONS_LIMIT + b"\n"
    (folder / "opening.vtt").write_bytes(data)
    _edit_manifest(folder, lambda manifest: manifest["files"].update({"opening.vtt": _entry(data)}))


def _write(text: str | bytes) -> Callable[[Path], None]:
    def make(folder: Path) -> None:
        path = folder / "manifest.json"
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")

    return make


#: (id, how the lesson folder is spoiled, what ``--check`` must say: one substring a line)
SPOILED: list[tuple[str, Callable[[Path, Path], None], list[str]]] = [
    (
        "files names ../../etc/hostname",
        lambda f, s: _edit_manifest(
            f, lambda d: d["files"].update({"../../etc/hostname": _entry(b"x")})
        ),
        ["manifest.json: is not a lesson manifest: files['../../etc/hostname']"],
    ),
    (
        "captions named /etc/passwd",
        lambda f, s: _edit_manifest(f, lambda d: d["flagship"].update(captions="/etc/passwd")),
        ["manifest.json: is not a lesson manifest: flagship.captions", "'/etc/passwd'"],
    ),
    (
        "a video named by its absolute path outside",
        lambda f, s: _edit_manifest(f, _video_named_outside(s)),
        ["manifest.json: is not a lesson manifest:", "must be a file name in the lesson folder"],
    ),
    (
        "a listed link to /etc/hostname",
        lambda f, s: _hostname_listed(f),
        ["hostname: is a symbolic link (to '../../../../../../../../etc/hostname')"],
    ),
    (
        "every file a link to a lesson elsewhere",
        lambda f, s: _links_to_a_lesson_elsewhere(f, s),
        [f"{name}: is a symbolic link" for name in ("ravine.mp4", "opening.vtt", "ravine.jpg")],
    ),
    (
        "captions linked to /dev/zero, not listed",
        lambda f, s: _replace(f, "opening.vtt", _symlink("/dev/zero"), listed=False),
        ["manifest.json: chapters[0].captions names 'opening.vtt', which its files do not list"],
    ),
    (
        "captions linked to /dev/zero, listed",
        lambda f, s: _replace(f, "opening.vtt", _symlink("/dev/zero"), listed=True),
        ["opening.vtt: is a symbolic link (to '/dev/zero')"],
    ),
    (
        "captions a FIFO, listed",
        lambda f, s: _replace(f, "opening.vtt", os.mkfifo, listed=True),
        ["opening.vtt: is a FIFO (named pipe), not a regular file"],
    ),
    (
        "captions a FIFO, not listed",
        lambda f, s: _replace(f, "ravine.chapters.vtt", os.mkfifo, listed=False),
        ["flagship.chapters names 'ravine.chapters.vtt', which its files do not list"],
    ),
    (
        "a video a FIFO, not listed",
        lambda f, s: _replace(f, "narrow_ravine.mp4", os.mkfifo, listed=False),
        ["chapters[1].video names 'narrow_ravine.mp4', which its files do not list"],
    ),
    (
        "the manifest a FIFO",
        lambda f, s: _replace(f, "manifest.json", os.mkfifo, listed=True),
        ["manifest.json: is a FIFO (named pipe), not a regular file"],
    ),
    (
        "the manifest a link to /dev/zero",
        lambda f, s: _replace(f, "manifest.json", _symlink("/dev/zero"), listed=True),
        ["manifest.json: is a symbolic link (to '/dev/zero')"],
    ),
    (
        "a listed folder",
        lambda f, s: _replace(f, "opening.jpg", os.mkdir, listed=True),
        ["opening.jpg: is a folder, not a regular file"],
    ),
    (
        "captions over the limit",
        lambda f, s: _big_captions(f),
        [f"opening.vtt: is over {CAPTIONS_LIMIT:,} bytes"],
    ),
    (
        "a manifest over the limit",
        lambda f, s: _write(b" " * (MANIFEST_LIMIT + 1))(f),
        [f"manifest.json: is over {MANIFEST_LIMIT:,} bytes"],
    ),
    (
        "a manifest nested too deeply",
        lambda f, s: _write("[" * 200_000 + "]" * 200_000)(f),
        ["manifest.json: is not valid JSON: nested too deeply"],
    ),
    (
        "[1, 2]",
        lambda f, s: _write("[1, 2]")(f),
        ["manifest.json: is not a lesson manifest: must be a JSON object, got an array"],
    ),
    ("{}", lambda f, s: _write("{}")(f), ["manifest.json: is not a lesson manifest: title"]),
    (
        "no flagship",
        lambda f, s: _edit_manifest(f, lambda d: d.pop("flagship")),
        ["manifest.json: is not a lesson manifest: flagship: is missing"],
    ),
    (
        "not UTF-8",
        lambda f, s: _write(b"\xff\xfe{}")(f),
        ["manifest.json: is not valid JSON"],
    ),
]


@pytest.mark.parametrize(
    ("spoil", "expected"), [case[1:] for case in SPOILED], ids=[case[0] for case in SPOILED]
)
def test_check_reads_only_regular_files_of_the_folder(
    synthetic: Path, tmp_path: Path, spoil: Callable[[Path, Path], None], expected: list[str]
) -> None:
    folder = tmp_path / "lesson"
    shutil.copytree(synthetic, folder)
    spoil(folder, synthetic)
    result, seconds = run_check(folder)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert f"check: {folder} FAILED" in result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr
    failures = [line for line in result.stderr.splitlines() if line.startswith("check failed: ")]
    assert failures, result.stderr
    assert seconds < CHECK_SECONDS, f"the check took {seconds:.1f} s"


def test_the_synthetic_lesson_passes_and_nothing_outside_is_opened(synthetic: Path) -> None:
    result, _ = run_check(synthetic)
    assert result.returncode == 0, result.stderr
    assert check_lesson(synthetic) == []


def _overwrite_middle(path: Path, size: int = 20_000) -> None:
    """``size`` bytes in the middle of ``path`` overwritten: same size, different bytes."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + size] = bytes((b ^ 0x5A) for b in data[middle : middle + size])
    path.write_bytes(bytes(data))


def test_check_decodes_every_packet_of_every_video(synthetic: Path, tmp_path: Path) -> None:
    """A video damaged in the middle, its manifest entry matching (as if it had been assembled
    from a damaged clip): the first frame and the last ones decode, the middle does not."""
    folder = tmp_path / "lesson"
    shutil.copytree(synthetic, folder)
    for name in ("ravine.mp4", "narrow_ravine.mp4"):
        _overwrite_middle(folder / name, 20_000 if name == "ravine.mp4" else 4_000)
        data = (folder / name).read_bytes()
        _edit_manifest(
            folder, lambda manifest, n=name, d=data: manifest["files"].update({n: _entry(d)})
        )
    failures = {failure.file: failure.problem for failure in check_lesson(folder)}
    assert set(failures) == {"ravine.mp4", "narrow_ravine.mp4"}, failures
    for problem in failures.values():
        assert re.search(r"does not decode: \d+ packets fail", problem), failures


# --------------------------------------------------------------------------------------------
# the cache: store, verify, refuse


def _fake_result(scene: str = "Opening") -> dict[str, Any]:
    return {
        "name": "opening",
        "key": "k" * 64,
        "files": {
            ".mp4": bytes(range(256)) * 400,
            ".jpg": b"poster",
            ".vtt": b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n",
        },
        "facts": {
            "scene": scene,
            "frames": 15,
            "fps": 15.0,
            "duration": 1.0,
            "width": 854,
            "height": 480,
            "audio": False,
        },
        "log": "",
    }


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


def _write_facts(data: bytes) -> Callable[[Path], None]:
    return lambda entry: (entry / FACTS).write_bytes(data)


def _edit_facts(entry: Path) -> None:
    record = json.loads((entry / FACTS).read_text(encoding="utf-8"))
    record["facts"]["frames"] = 30  # a plausible number, not the one stored
    (entry / FACTS).write_text(json.dumps(record), encoding="utf-8")


def _unlink_and(name: str, make: Callable[[Path], None]) -> Callable[[Path], None]:
    def spoil(entry: Path) -> None:
        (entry / name).unlink()
        make(entry / name)

    return spoil


DAMAGED: list[tuple[str, Callable[[Path], None], str]] = [
    (
        "clip truncated",
        lambda e: _truncate(e / "Opening.mp4"),
        "Opening.mp4 is 51,200 bytes, not the 102,400 stored",
    ),
    (
        "clip overwritten in the middle",
        lambda e: _overwrite_middle(e / "Opening.mp4", 20_000),
        "Opening.mp4 differs from the SHA-256 stored with it",
    ),
    ("captions gone", lambda e: (e / "Opening.vtt").unlink(), "Opening.vtt is missing"),
    (
        "poster overwritten",
        lambda e: (e / "Opening.jpg").write_bytes(b"postex"),
        "Opening.jpg differs",
    ),
    ("facts {}", _write_facts(b"{}"), "facts.json has no 'format'"),
    ("facts [1, 2]", _write_facts(b"[1, 2]"), "facts.json is not a JSON object"),
    ("facts garbage", _write_facts(os.urandom(300) + b"\xff"), "facts.json is not valid JSON"),
    ("facts empty", _write_facts(b""), "facts.json is not valid JSON"),
    ("facts gone", lambda e: (e / FACTS).unlink(), "facts.json is missing"),
    ("facts edited", _edit_facts, "facts.json does not match its own seal"),
    (
        "an old entry without checksums",
        _write_facts(json.dumps(_fake_result()["facts"]).encode()),
        "facts.json has no 'format'",
    ),
    (
        "clip a link outside the entry",
        _unlink_and("Opening.mp4", _symlink("/etc/hostname")),
        "Opening.mp4 is a symbolic link",
    ),
    ("clip a FIFO", _unlink_and("Opening.mp4", os.mkfifo), "Opening.mp4 is a FIFO"),
]


def test_a_stored_entry_is_reused_with_its_facts(tmp_path: Path) -> None:
    entry = entry_path(tmp_path, "opening", "k" * 64)
    assert load_facts(entry) is None  # nothing stored: no damage to report
    store(entry, _fake_result())
    reasons: list[str] = []
    assert load_facts(entry, reasons.append) == _fake_result()["facts"]
    assert reasons == []
    assert not list(tmp_path.glob(".*"))  # no staging folder left


@pytest.mark.parametrize(
    ("spoil", "why"), [case[1:] for case in DAMAGED], ids=[case[0] for case in DAMAGED]
)
def test_a_damaged_entry_is_not_reused_and_says_why(
    tmp_path: Path, spoil: Callable[[Path], None], why: str
) -> None:
    entry = entry_path(tmp_path, "opening", "k" * 64)
    store(entry, _fake_result())
    spoil(entry)
    reasons: list[str] = []
    started = time.monotonic()
    assert load_facts(entry, reasons.append) is None
    assert time.monotonic() - started < 5
    assert len(reasons) == 1 and why in reasons[0], reasons
    store(entry, _fake_result())  # storing again replaces the damaged entry
    assert load_facts(entry) == _fake_result()["facts"]


# --------------------------------------------------------------------------------------------
# the build: a damaged entry is rendered again, with one line saying why


STALL = "build-between-chapters"


def _build_until_first_chapter(project: Path, cache: Path) -> str:
    """Run a build (one job) until it has stored its first rendered chapter, then kill it;
    returns its log."""
    command = [sys.executable, "-m", "lesson_build", "build", "--quality", "low", "--no-voice"]
    command += ["--jobs", "1", "--cache", str(cache), "--out", str(project / "out")]
    process = subprocess.Popen(
        command,
        cwd=project,
        env={**environment(project), "LESSONKIT_STALL_AT": STALL},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    log = ""
    deadline = time.monotonic() + 300
    try:
        while f"stalled at {STALL}" not in log and time.monotonic() < deadline:
            line = process.stdout.readline() if process.stdout else ""
            if not line and process.poll() is not None:
                break
            log += line
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=60)
        if process.stdout:
            process.stdout.close()
    return log


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the project and its cache entry of ``opening``, rendered once."""
    project = copy_project(tmp_path_factory.mktemp("cache") / "project")
    cache = project / "seed-cache"
    log = _build_until_first_chapter(project, cache)
    assert "opening: rendering" in log and f"stalled at {STALL}" in log, log[-3000:]
    entries = [path for path in cache.iterdir() if path.name.startswith("opening-")]
    assert len(entries) == 1, list(cache.iterdir())
    return project, entries[0]


BUILD_DAMAGE = [
    ("truncated", lambda e: _truncate(e / "Opening.mp4"), "Opening.mp4 is"),
    (
        "overwritten",
        lambda e: _overwrite_middle(e / "Opening.mp4"),
        "Opening.mp4 differs from the SHA-256",
    ),
    ("facts {}", _write_facts(b"{}"), "facts.json has no 'format'"),
    ("facts garbage", _write_facts(b"\x00garbage{"), "facts.json is not valid JSON"),
]


@pytest.mark.render
@pytest.mark.slow
@pytest.mark.parametrize(
    ("spoil", "why"), [case[1:] for case in BUILD_DAMAGE], ids=[case[0] for case in BUILD_DAMAGE]
)
def test_a_build_renders_a_damaged_entry_again_saying_why(
    seeded: tuple[Path, Path], tmp_path: Path, spoil: Callable[[Path], None], why: str
) -> None:
    project, seed = seeded
    cache = tmp_path / "cache"
    cache.mkdir()
    entry = cache / seed.name
    shutil.copytree(seed, entry)
    assert load_facts(entry) is not None
    spoil(entry)
    log = _build_until_first_chapter(project, cache)
    assert "Traceback" not in log, log[-3000:]
    lines = [line for line in log.splitlines() if "cached clip is damaged" in line]
    assert len(lines) == 1, log[-3000:]
    assert lines[0].startswith("build: opening: the cached clip is damaged (") and why in lines[0]
    assert lines[0].endswith("rendering it again"), lines
    assert "opening: unchanged" not in log and "opening: rendering" in log, log[-3000:]
    assert log.index("opening: rendering") < log.index(f"stalled at {STALL}")
    assert load_facts(entry) is not None  # stored again, whole


def _flagship_of_its_chapters(synthetic: Path, folder: Path) -> None:
    """The synthetic lesson with its flagship remade as the build makes it: the chapter
    clips' packets copied in order (the manifest updated to match)."""
    from lesson_build.assemble import Clip, concat_clips

    shutil.copytree(synthetic, folder)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    fps = manifest["fps"]
    clips = [
        Clip(
            chapter["title"],
            folder / chapter["video"],
            folder / chapter["captions"],
            round(chapter["duration"] * fps),
            float(fps),
        )
        for chapter in manifest["chapters"]
    ]
    flagship = folder / manifest["flagship"]["video"]
    concat_clips(clips, flagship)
    data = flagship.read_bytes()

    def update(manifest: dict[str, Any]) -> None:
        manifest["files"][flagship.name] = _entry(data)
        manifest["flagship"]["duration"] = sum(clip.duration for clip in clips)

    _edit_manifest(folder, update)


def test_the_build_check_decodes_the_flagship_once_for_the_chapters_too(
    synthetic: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """decode="flagship": the chapters whose packets are the flagship's are not decoded
    again; a chapter whose packets are not (damaged after assembly, its manifest entry
    matching) is decoded on its own, and its damage found."""
    from lesson_build import publish

    folder = tmp_path / "lesson"
    _flagship_of_its_chapters(synthetic, folder)
    assert check_lesson(folder) == []  # a whole lesson, by the full check
    decoded: list[str] = []
    real = publish._decode_all

    def counting(container: Any) -> Any:
        decoded.append(Path(container.name).name if container.name else "?")
        return real(container)

    monkeypatch.setattr(publish, "_decode_all", counting)
    assert check_lesson(folder, decode="flagship") == []
    assert len(decoded) == 1, decoded  # the flagship alone
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    damaged = manifest["chapters"][1]["video"]
    _overwrite_middle(folder / damaged, 4_000)
    data = (folder / damaged).read_bytes()
    _edit_manifest(folder, lambda m: m["files"].update({damaged: _entry(data)}))
    decoded.clear()
    failures = {
        failure.file: failure.problem for failure in check_lesson(folder, decode="flagship")
    }
    assert set(failures) == {damaged}, failures
    assert re.search(r"does not decode: \d+ packets fail", failures[damaged]), failures
    assert len(decoded) == 2, decoded  # the flagship, and the chapter that is not its packets
