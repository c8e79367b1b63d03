"""``momentum-lesson preview``: the lesson page on localhost, rebuilt and reloaded on every save.

Run from the project folder::

    momentum-lesson preview [--port N] [--host ADDRESS] [--quality low] [--voice]
                            [--config lesson.toml] [--out media/preview]

It builds the lesson (480p15, silent, unless asked otherwise) into ``--out``, serves that
folder with a server that answers byte ranges (so the video seeks), prints the URL, and
watches the project's sources (``scenes``, ``lesson_narration``, ``lesson_chapters``,
``lessonkit``, ``momentum_math``, and the ``--config`` file) with :mod:`watchfiles`.

On a save it runs the build again, which re-renders only the chapters whose key changed
(the build cache is shared with ``momentum-lesson build``). The open page then reloads by
itself, at the start of the first chapter that changed, paused, with a note of what was
rebuilt. A save that breaks the build shows its error in the page and in the terminal;
the build publishes nothing then, so the last good lesson stays playable.

Each build runs in a fresh ``python -m lesson_build build`` process: the sources it reads
are the ones on disk now, never modules imported before the save.
"""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = [
    "PREVIEW_SCRIPT",
    "LessonServer",
    "WATCHED",
    "Preview",
    "PreviewState",
    "changed_chapters",
    "range_handler",
    "run_preview",
]

#: The project folders a preview watches (those that exist).
WATCHED = ("scenes", "lesson_narration", "lesson_chapters", "lessonkit", "momentum_math")
#: The file suffixes whose saves trigger a rebuild.
WATCHED_SUFFIXES = (".py", ".toml", ".txt", ".md", ".json", ".cfg")
#: Where the page's preview script and the build state are served (never a lesson file).
PREVIEW_PATH = "/__preview/"
#: How many lines of a failed build's output the page shows.
ERROR_LINES = 40

#: The script the server adds to ``index.html`` (``templates/preview.js``): it polls the
#: state, reloads the page when a build succeeds (seeking to the changed chapter's start,
#: paused) and shows a failed build's error over the page.
PREVIEW_SCRIPT = (Path(__file__).parent / "templates" / "preview.js").read_text(encoding="utf-8")


@dataclass
class PreviewState:
    """What the page polls: ``generation`` counts finished builds (good or failed),
    ``status`` is ``building``, ``ok`` or ``failed``, ``changed`` the chapters the last good
    rebuild changed (empty for the first build), ``note`` a line for the page, ``error`` a
    failed build's output."""

    generation: int = 0
    status: str = "building"
    changed: list[str] = field(default_factory=list)
    note: str = "Preview: building the lesson\u2026"
    error: str = ""
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def as_json(self) -> bytes:
        with self.lock:
            data = {
                "generation": self.generation,
                "status": self.status,
                "changed": self.changed,
                "note": self.note,
                "error": self.error,
                "seconds": round(self.seconds, 3),
            }
        return json.dumps(data).encode("utf-8")

    def update(self, **values: Any) -> None:
        with self.lock:
            for key, value in values.items():
                setattr(self, key, value)


def range_handler(directory: Path, state: PreviewState | None = None) -> Callable[..., Any]:
    """A request handler serving ``directory`` with byte ranges (``RangeHTTPServer``), the
    lesson's media types and no caching; with ``state``, also the preview's script and
    state under :data:`PREVIEW_PATH`, and ``index.html`` with the script added."""
    from RangeHTTPServer import RangeRequestHandler

    class Handler(RangeRequestHandler):  # type: ignore[misc]
        extensions_map = {
            **RangeRequestHandler.extensions_map,
            ".vtt": "text/vtt",
            ".mp4": "video/mp4",
            ".jpg": "image/jpeg",
            ".json": "application/json",
            ".html": "text/html; charset=utf-8",
        }

        def end_headers(self) -> None:
            self.send_header("Cache-Control", "no-store")
            self.send_header("Accept-Ranges", "bytes")
            super().end_headers()

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            path = self.path.split("?", 1)[0]
            if state is not None and path == PREVIEW_PATH + "state":
                self._send(state.as_json(), "application/json")
            elif state is not None and path == PREVIEW_PATH + "preview.js":
                self._send(PREVIEW_SCRIPT.encode("utf-8"), "text/javascript; charset=utf-8")
            elif state is not None and path in ("/", "/index.html"):
                self._send_page()
            else:
                super().do_GET()

        def _send_page(self) -> None:
            try:
                page = (directory / "index.html").read_text(encoding="utf-8")
            except OSError:
                page = (
                    "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
                    "<title>Preview</title></head><body><main><h1>Building the lesson…</h1>"
                    "</main></body></html>"
                )
            tag = f'<script src="{PREVIEW_PATH}preview.js"></script>'
            page = (
                page.replace("</body>", f"{tag}\n</body>", 1) if "</body>" in page else page + tag
            )
            self._send(page.encode("utf-8"), "text/html; charset=utf-8")

        def _send(self, body: bytes, content_type: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return functools.partial(Handler, directory=str(directory))


class LessonServer(ThreadingHTTPServer):
    """A browser that stops a download mid-way (seeking a video) resets its connection: not an
    error."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _manifest_videos(out: Path) -> dict[str, str]:
    """Each chapter's name and its video's SHA-256, from ``out``'s manifest ({} if none)."""
    try:
        manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        files = manifest["files"]
        return {
            chapter["name"]: files[chapter["video"]]["sha256"] for chapter in manifest["chapters"]
        }
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def changed_chapters(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """The chapters (in the lesson's order) whose video differs between two manifests."""
    return [name for name, digest in after.items() if before.get(name) != digest]


@dataclass
class Preview:
    """One preview session: the build command, the folder it publishes, the server's state."""

    project: Path
    out: Path
    quality: str = "low"
    voice: bool = False
    config: Path | None = None
    cache: Path | None = None
    state: PreviewState = field(default_factory=PreviewState)
    echo: Callable[[str], None] = field(default=lambda line: print(line, file=sys.stderr))

    def command(self) -> list[str]:
        """The build this preview runs on every save."""
        command = [sys.executable, "-m", "lesson_build", "build", "--quality", self.quality]
        command += ["--out", str(self.out)]
        if not self.voice:
            command.append("--no-voice")
        if self.config is not None:
            command += ["--config", str(self.config)]
        if self.cache is not None:
            command += ["--cache", str(self.cache)]
        return command

    def watched(self) -> list[Path]:
        """The folders (and the ``--config`` file) a save in which rebuilds the lesson."""
        paths = [self.project / name for name in WATCHED if (self.project / name).is_dir()]
        if self.config is not None:
            paths.append(self.config)
        return paths

    def rebuild(self, reason: str) -> bool:
        """Run the build once; update the state; True when it succeeded."""
        before = _manifest_videos(self.out)
        first = self.state.generation == 0
        self.state.update(status="building")
        self.echo(f"preview: {reason}: building")
        started = time.monotonic()
        process = subprocess.Popen(
            self.command(),
            cwd=self.project,
            env={**os.environ, "COLUMNS": "120"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert process.stdout is not None
        lines = []
        try:
            for line in process.stdout:  # shown as it comes: the terminal sees the progress
                self.echo(line.rstrip("\n"))
                lines.append(line.rstrip("\n"))
            status = process.wait()
        except BaseException:  # Ctrl-C: the build stops too (and keeps the last lesson)
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            raise
        seconds = time.monotonic() - started
        if status != 0:
            tail = "\n".join(lines[-ERROR_LINES:])
            self.state.update(
                generation=self.state.generation + 1,
                status="failed",
                error=tail or f"the build exited with status {status}",
                seconds=seconds,
            )
            self.echo(
                f"preview: the build failed after {seconds:.1f} s; the page keeps the "
                "last good lesson"
            )
            return False
        changed = [] if first else changed_chapters(before, _manifest_videos(self.out))
        if first:
            note = f"Preview: built in {seconds:.1f} s."
        elif changed:
            note = f"Preview: rebuilt {', '.join(changed)} in {seconds:.1f} s."
        else:
            note = f"Preview: checked in {seconds:.1f} s; no chapter changed."
        self.state.update(
            generation=self.state.generation + 1,
            status="ok",
            changed=changed,
            note=note,
            error="",
            seconds=seconds,
        )
        self.echo(note)
        return True


def _saved(changes: Iterable[tuple[Any, str]]) -> list[str]:
    return sorted(
        {
            path
            for _, path in changes
            if Path(path).suffix in WATCHED_SUFFIXES and "__pycache__" not in Path(path).parts
        }
    )


def _listed(paths: Iterable[Path], project: Path) -> str:
    """Paths as the terminal shows them: relative to the project where they are inside it."""
    return ", ".join(
        str(path.relative_to(project)) if path.is_relative_to(project) else str(path)
        for path in paths
    )


def run_preview(
    project: Path,
    port: int = 8000,
    host: str = "127.0.0.1",
    quality: str = "low",
    voice: bool = False,
    config: Path | None = None,
    out: Path = Path("media/preview"),
    cache: Path | None = None,
    stop: threading.Event | None = None,
    ready: Callable[[str], None] | None = None,
) -> int:
    """Serve, build and watch until ``stop`` is set (or Ctrl-C); returns the exit status."""
    import watchfiles

    from lesson_build.pipeline import _check_folders

    project = project.resolve()
    out = (project / out).resolve()
    _check_folders(out, (project / (cache or Path("media/build-cache"))).resolve())  # before all
    preview = Preview(project, out, quality, voice, config, cache)
    server = LessonServer((host, port), range_handler(out, preview.state))
    out.mkdir(parents=True, exist_ok=True)  # once the port is ours
    url = f"http://{host}:{server.server_address[1]}/"
    thread = threading.Thread(target=server.serve_forever, name="preview-http", daemon=True)
    thread.start()
    stop = stop or threading.Event()
    try:
        print(f"preview: serving {url}", flush=True)
        if ready is not None:
            ready(url)
        watched = preview.watched()
        preview.echo(f"preview: watching {_listed(watched, project)}; Ctrl-C stops")
        preview.rebuild("starting")
        for changes in watchfiles.watch(
            *watched, stop_event=stop, debounce=200, step=50, raise_interrupt=False
        ):
            saved = _saved(changes)
            if not saved:
                continue
            more = f" and {len(saved) - 3} more" if len(saved) > 3 else ""
            preview.rebuild(f"saved {_listed([Path(path) for path in saved[:3]], project)}{more}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
    return 0
