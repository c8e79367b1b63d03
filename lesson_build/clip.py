"""``momentum-lesson clip experiment.toml``: your own experiment as one narrated clip.

Run from the project folder::

    momentum-lesson clip experiment.toml [--quality tiny|low|medium|high|4k] [--no-voice]
                                         [--out DIR] [--no-gif]

or from Python, :func:`render_clip`. The file is checked first
(:func:`lessonkit.experiment.load`: a bad value is a ``ConfigError`` naming the key, exit 2,
before anything renders); then ``scenes/experiment.py`` renders the clip and the outputs
are written beside each other under ``--out`` (default ``media/clips``), named after the
file: ``<name>.mp4`` (index first, web-ready), ``<name>.vtt`` and ``<name>.srt`` (its
captions), ``<name>.jpg`` (a poster), ``<name>.gif`` (an animated GIF for a README or a
slide) and ``<name>.json`` (every figure the clip shows: see
:func:`lessonkit.experiment.figures_data`). Each file replaces the previous one only once
every new file is whole: a failed render leaves the previous clip as it was.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lesson_build.jobs import QUALITIES, Quality
from lessonkit.errors import ConfigError

__all__ = ["CLIP_QUALITIES", "ClipFailed", "ClipResult", "render_clip", "write_gif"]

#: ``--quality`` choices: a tiny 320x180 at 10 fps (for tests and quick looks), and the build's.
CLIP_QUALITIES: dict[str, Quality] = {
    "tiny": Quality("tiny", "l", "180p10", 320, 180, 10),
    **QUALITIES,
}
#: The scene file (relative to the project folder) and class that draw the clip.
SCENE_FILE = "scenes/experiment.py"
SCENE_CLASS = "ExperimentClip"
#: Every file a clip writes, by suffix.
OUTPUT_SUFFIXES = (".mp4", ".vtt", ".srt", ".jpg", ".gif", ".json")
#: The animated GIF's frame rate and greatest width.
GIF_FPS = 8
GIF_WIDTH = 480


class ClipFailed(RuntimeError):
    """The clip's render failed; the message ends with manim's log."""


@dataclass(frozen=True)
class ClipResult:
    """The files written (by suffix: ``.mp4``, ``.vtt``, ``.srt``, ``.jpg``, ``.gif``,
    ``.json``) and the clip's figures as JSON data."""

    files: dict[str, Path]
    figures: dict[str, Any]
    duration: float


def write_gif(movie: Path, target: Path, fps: int = GIF_FPS, width: int = GIF_WIDTH) -> int:
    """An animated GIF of ``movie`` at about ``fps`` frames a second, at most ``width`` wide
    (looping forever); returns its number of frames."""
    import av
    from PIL import Image

    images: list[Image.Image] = []
    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        rate = float(stream.average_rate or fps)
        every = max(1, round(rate / fps))
        for index, frame in enumerate(container.decode(stream)):
            if index % every:
                continue
            image = frame.to_image()  # type: ignore[no-untyped-call]
            if image.width > width:
                image = image.resize(
                    (width, round(image.height * width / image.width)), Image.Resampling.LANCZOS
                )
            images.append(image)
    if not images:
        raise ClipFailed(f"{movie.name} has no video frames to make a GIF of")
    # One palette for every frame (from the busiest, near the end), without dithering: pixels
    # that do not change keep their index, so each frame stores only what moved.
    palette = images[max(0, len(images) - len(images) // 8 - 1)].quantize(colors=96)
    frames = [image.quantize(palette=palette, dither=Image.Dither.NONE) for image in images]
    frames[0].save(
        target,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=round(1000 * every / rate),
        loop=0,
        optimize=False,
    )
    return len(frames)


def _say(message: str) -> None:
    print(f"clip: {message}", file=sys.stderr, flush=True)


def render_clip(
    experiment: str | Path,
    quality: str = "low",
    voice: bool | None = None,
    out: str | Path = Path("media/clips"),
    project: str | Path | None = None,
    gif: bool = True,
) -> ClipResult:
    """Render the experiment file ``experiment`` as a clip under ``out``; return what was written.

    ``voice``: None uses the voice when it is installed (and ``MOMENTUM_VOICE`` allows),
    False is silent, True insists on it. Raises :class:`ConfigError` (before any render)
    for a bad file or option, :class:`ClipFailed` when the render fails.
    """
    from lesson_build.assemble import faststart_copy, poster_frame
    from lesson_build.pipeline import _resolve_voice, _voice_setting
    from lessonkit.experiment import EXPERIMENT_ENV, figures, figures_data, loads, read_text

    if quality not in CLIP_QUALITIES:
        raise ConfigError(f"quality = {quality!r}: must be one of {', '.join(CLIP_QUALITIES)}")
    setting = CLIP_QUALITIES[quality]
    project_dir = Path(project or Path.cwd()).resolve()
    source = Path(experiment).resolve()
    spec_text = read_text(source)  # read once: what is checked is what the scene renders
    spec = loads(spec_text, source)  # every value checked before anything is computed
    figs = figures(spec)
    data = figures_data(figs)
    out_dir = (project_dir / out).resolve() if not Path(out).is_absolute() else Path(out)
    if out_dir.exists() and not out_dir.is_dir():
        raise ConfigError(f"--out {out}: is a file, not a folder")
    scene = project_dir / SCENE_FILE
    if not scene.is_file():
        raise ConfigError(
            f"{SCENE_FILE} is not in {project_dir}: run momentum-lesson clip from the project "
            "folder"
        )
    speak = _resolve_voice(_voice_setting(voice))
    _say(
        f"{spec.title!r}: {len(figs.runs)} run(s), {spec.steps} steps; rendering at "
        f"{setting.width}x{setting.height} {setting.fps} fps, {'voiced' if speak else 'silent'}"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=f"clip-{spec.name}-", dir=out_dir) as scratch:
        # The scene reads a copy of the file checked here: a save meanwhile changes nothing.
        checked = Path(scratch) / "experiment" / source.name
        checked.parent.mkdir()
        checked.write_text(spec_text, encoding="utf-8")
        environment = {
            **os.environ,
            EXPERIMENT_ENV: str(checked),
            "MOMENTUM_VOICE": "on" if speak else "off",
            "COLUMNS": "200",
        }
        media = Path(scratch) / "media"
        command = [
            sys.executable,
            "-m",
            "manim",
            "render",
            f"-q{setting.flag}",
            "--disable_caching",
            "--media_dir",
            str(media),
        ]
        if quality == "tiny":
            command += ["-r", f"{setting.width},{setting.height}", "--fps", str(setting.fps)]
        command += [str(scene), SCENE_CLASS]
        completed = subprocess.run(
            command,
            cwd=project_dir,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            check=False,
        )
        movie = media / "videos" / "experiment" / setting.folder / f"{SCENE_CLASS}.mp4"
        if completed.returncode != 0 or not movie.is_file():
            tail = "\n".join(completed.stdout.strip().splitlines()[-40:])
            raise ClipFailed(f"the clip failed to render (exit {completed.returncode}):\n{tail}")
        _say("rendered; writing the web-ready video, captions, poster, GIF and figures")
        staging = Path(scratch) / "out"
        staging.mkdir()
        name = spec.name
        written = {".mp4": staging / f"{name}.mp4"}
        faststart_copy(movie, written[".mp4"])
        for suffix in (".vtt", ".srt"):
            caption = movie.with_suffix(suffix)
            if caption.is_file():
                written[suffix] = staging / f"{name}{suffix}"
                shutil.copyfile(caption, written[suffix])
        written[".jpg"] = staging / f"{name}.jpg"
        poster_frame(written[".mp4"], written[".jpg"])
        if gif:
            written[".gif"] = staging / f"{name}.gif"
            write_gif(written[".mp4"], written[".gif"])
        import av

        with av.open(str(written[".mp4"])) as container:
            duration = float(container.duration or 0) / 1e6
        data = {**data, "video": {"file": f"{name}.mp4", "duration": round(duration, 3)}}
        written[".json"] = staging / f"{name}.json"
        written[".json"].write_text(
            json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        final = {}
        for suffix, path in written.items():  # every file is whole: now replace the old ones
            target = out_dir / path.name
            os.replace(path, target)
            final[suffix] = target
        for suffix in OUTPUT_SUFFIXES:  # an earlier clip's file this one has no new one for
            stale = out_dir / f"{name}{suffix}"
            if suffix not in final and stale.is_file():
                stale.unlink()
                _say(f"removed {stale} (left from an earlier clip; this one has none)")
    for target in final.values():
        _say(f"wrote {target} ({target.stat().st_size:,} bytes)")
    return ClipResult(final, data, duration)
