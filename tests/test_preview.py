"""``momentum-lesson preview`` (issue 19) without rendering: the server (byte ranges, the
page with its script, the state), what a rebuild reports, the watch loop, and the command's
refusals. The real loop (a save re-renders a chapter, the page reloads there) is tested in
``tests/test_build.py`` in Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pagekit
import pytest

from lesson_build import preview
from lesson_build.preview import LessonServer, Preview, PreviewState, changed_chapters


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic-lesson")
    pagekit.make_synthetic_lesson(folder)
    return folder


def _serve(folder: Path, state: PreviewState | None):
    server = LessonServer(("127.0.0.1", 0), preview.range_handler(folder, state))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status, dict(response.headers), response.read()


def test_the_server_answers_byte_ranges_and_adds_the_preview_script_to_the_page(synthetic):
    state = PreviewState()
    state.update(generation=3, status="ok", changed=["opening"], note="Preview: rebuilt opening")
    server, url = _serve(synthetic, state)
    try:
        status, headers, body = _get(url)
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        page = body.decode("utf-8")
        assert page.count('<script src="/__preview/preview.js"></script>') == 1
        assert page.index("/__preview/preview.js") < page.index("</body>")
        assert "/__preview/" not in (synthetic / "index.html").read_text(encoding="utf-8")
        status, headers, body = _get(url + "__preview/state")
        assert json.loads(body) == {
            "generation": 3,
            "status": "ok",
            "changed": ["opening"],
            "note": "Preview: rebuilt opening",
            "error": "",
            "seconds": 0.0,
        }
        status, headers, body = _get(url + "__preview/preview.js")
        assert headers["Content-Type"].startswith("text/javascript") and b"location.reload" in body
        size = (synthetic / "ravine.mp4").stat().st_size
        status, headers, body = _get(url + "ravine.mp4", {"Range": "bytes=100-199"})
        assert status == 206 and len(body) == 100
        assert headers["Content-Range"] == f"bytes 100-199/{size}"
        assert body == (synthetic / "ravine.mp4").read_bytes()[100:200]
        assert headers["Cache-Control"] == "no-store"
    finally:
        server.shutdown()
        server.server_close()


def test_a_folder_without_a_page_yet_gets_a_building_page(tmp_path):
    server, url = _serve(tmp_path, PreviewState())
    try:
        _, _, body = _get(url + "index.html")
        assert b"Building the lesson" in body and b"/__preview/preview.js" in body
    finally:
        server.shutdown()
        server.server_close()


def _manifest(folder: Path, videos: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "chapters": [{"name": name, "video": f"{name}.mp4"} for name in videos],
        "files": {f"{name}.mp4": {"sha256": digest} for name, digest in videos.items()},
    }
    (folder / "manifest.json").write_text(json.dumps(data), encoding="utf-8")


def test_changed_chapters_are_the_ones_whose_video_differs_in_the_lessons_order():
    before = {"opening": "a", "zigzag": "b", "race": "c"}
    after = {"opening": "a", "zigzag": "B", "race": "C", "recap": "d"}
    assert changed_chapters(before, after) == ["zigzag", "race", "recap"]
    assert changed_chapters(after, after) == []


def _fake_build(script: str) -> list[str]:
    return [sys.executable, "-c", script]


def test_a_rebuild_reports_what_changed_and_a_failed_one_keeps_its_error(tmp_path, monkeypatch):
    out = tmp_path / "lesson"
    _manifest(out, {"opening": "a", "zigzag": "b"})
    lines: list[str] = []
    session = Preview(tmp_path, out, echo=lines.append)
    session.state.update(generation=1, status="ok")  # the first build is done
    writes = f"import json, pathlib; p = pathlib.Path({str(out / 'manifest.json')!r}); " + (
        "d = json.loads(p.read_text()); d['files']['zigzag.mp4']['sha256'] = 'new'; "
        "p.write_text(json.dumps(d)); print('build: zigzag: rendering')"
    )
    monkeypatch.setattr(Preview, "command", lambda self: _fake_build(writes))
    assert session.rebuild("saved lesson_narration/zigzag.py")
    state = json.loads(session.state.as_json())
    assert state["generation"] == 2 and state["status"] == "ok"
    assert state["changed"] == ["zigzag"] and "rebuilt zigzag" in state["note"]
    assert "build: zigzag: rendering" in lines  # the build's output reaches the terminal
    failing = "import sys; print('SyntaxError: invalid syntax (zigzag.py, line 9)'); sys.exit(1)"
    monkeypatch.setattr(Preview, "command", lambda self: _fake_build(failing))
    assert not session.rebuild("saved lesson_narration/zigzag.py")
    state = json.loads(session.state.as_json())
    assert state["generation"] == 3 and state["status"] == "failed"
    assert "SyntaxError: invalid syntax (zigzag.py, line 9)" in state["error"]
    assert state["changed"] == ["zigzag"]  # the last good rebuild's, for the page it shows


def test_the_build_command_follows_the_options(tmp_path):
    session = Preview(
        tmp_path,
        tmp_path / "out",
        quality="medium",
        voice=True,
        config=tmp_path / "lesson.toml",
        cache=tmp_path / "cache",
    )
    command = session.command()
    assert command[1:4] == ["-m", "lesson_build", "build"]
    assert command[command.index("--quality") + 1] == "medium"
    assert "--no-voice" not in command
    assert command[command.index("--config") + 1] == str(tmp_path / "lesson.toml")
    assert "--no-voice" in Preview(tmp_path, tmp_path / "out").command()


def test_a_save_in_a_watched_folder_rebuilds_and_other_files_do_not(tmp_path, monkeypatch):
    (tmp_path / "lesson_narration").mkdir()
    (tmp_path / "media").mkdir()
    builds = tmp_path / "builds.txt"
    script = f"open({str(builds)!r}, 'a').write('x')"
    monkeypatch.setattr(Preview, "command", lambda self: _fake_build(script))
    stop = threading.Event()
    urls: list[str] = []
    thread = threading.Thread(
        target=preview.run_preview,
        kwargs={
            "project": tmp_path,
            "port": 0,
            "stop": stop,
            "ready": urls.append,
            "out": Path("media/preview"),
        },
        daemon=True,
    )
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not (builds.exists() and builds.read_text() == "x") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds.read_text() == "x"  # the first build
        time.sleep(1.0)  # the watcher is running
        (tmp_path / "media" / "ignored.py").write_text("x = 1\n")  # not a watched folder
        (tmp_path / "lesson_narration" / "notes.bin").write_bytes(b"\0")  # not a source suffix
        time.sleep(1.0)
        assert builds.read_text() == "x"
        (tmp_path / "lesson_narration" / "zigzag.py").write_text("LINE = 'new'\n")
        deadline = time.monotonic() + 20
        while builds.read_text() != "xx" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert builds.read_text() == "xx"

        def state() -> dict:
            return json.loads(urllib.request.urlopen(urls[0] + "__preview/state", timeout=5).read())

        deadline = time.monotonic() + 20  # the state is set once the build process has ended
        while state()["generation"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert state()["generation"] == 2 and state()["status"] == "ok"
    finally:
        stop.set()
        thread.join(timeout=20)
    assert not thread.is_alive()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "70000"], "--port must be from 0 to 65535, got 70000"),
        (["--config", "missing.toml"], "--config missing.toml: no such file"),
    ],
)
def test_bad_preview_options_are_refused_before_anything_starts(tmp_path, args, message):
    _refused(tmp_path, args, message)
    assert not (tmp_path / "media").exists()


def _refused(tmp_path: Path, args: list[str], message: str, status: int = 2) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lesson_build", "preview", *args],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == status and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_an_out_folder_the_build_must_not_write_is_refused_before_serving(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    _refused(tmp_path, ["--port", "0", "--out", "notes.txt"], "--out")
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    _refused(tmp_path, ["--port", "0", "--out", "photos"], "a build did not make")
    assert [path.name for path in foreign.iterdir()] == ["holiday.jpg"]
    _refused(tmp_path, ["--port", "0", "--out", "media/x", "--cache", "media/x/cache"], "apart")


def test_a_port_already_taken_is_said_so(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        _refused(tmp_path, ["--port", str(port)], f"cannot serve 127.0.0.1:{port}", status=1)
    assert not (tmp_path / "media").exists()
