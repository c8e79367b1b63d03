"""The lesson folder: its manifest, its validation (``--check``) and its all-or-nothing publication.

A build writes the whole folder under a staging name beside ``media/lesson/``
and swaps it in with two renames only when everything is written and
checked; an interrupted build leaves the previous folder as it was (a swap cut
between its two renames is undone by the next build, :func:`recover`).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import av
import webvtt

from lesson_build.manifest import MANIFEST, FileEntry, Manifest, ManifestError, VideoEntry
from lessonkit.captions import vtt_seconds
from lessonkit.files import process_alive

__all__ = ["CheckFailure", "check_lesson", "file_entry", "publish", "recover", "staging_folder"]


def file_entry(path: Path) -> FileEntry:
    """The manifest's entry for a file: its SHA-256 and size."""
    return FileEntry.of(path)


def staging_folder(target: Path) -> Path:
    """A fresh, empty staging folder beside ``target``."""
    staging = target.with_name(f".{target.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def _retired(target: Path) -> Path:
    return target.with_name(f".{target.name}.previous")


def recover(target: Path) -> None:
    """Undo a swap cut short, and remove staging folders that killed builds left behind."""
    retired = _retired(target)
    if retired.is_dir() and not target.exists():
        os.replace(retired, target)
    elif retired.exists():
        shutil.rmtree(retired, ignore_errors=True)
    for leftover in target.parent.glob(f".{target.name}.staging-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or not process_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def publish(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` (a folder), keeping the old one until the new is in."""
    retired = _retired(target)
    shutil.rmtree(retired, ignore_errors=True)
    if target.exists():
        os.replace(target, retired)
    os.replace(staging, target)
    shutil.rmtree(retired, ignore_errors=True)


@dataclass(frozen=True)
class CheckFailure:
    """One problem ``--check`` found: the file and what is wrong with it."""

    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


def _decode_ends(container: av.container.InputContainer, stream: av.VideoStream) -> None:
    """Decode the first frame and the last group of pictures (raises if they do not decode)."""
    container.seek(0)
    if next(container.decode(stream), None) is None:
        raise av.error.InvalidDataError(0, "no frame decodes")
    end = int((container.duration or 0) / 1e6 / stream.time_base) if stream.time_base else 0
    container.seek(max(end, 0), stream=stream, backward=True)
    if sum(1 for _ in container.decode(stream)) == 0:
        raise av.error.InvalidDataError(0, "the last frames do not decode")


def _check_video(
    folder: Path, entry: VideoEntry, manifest: Manifest, broken: set[str]
) -> list[CheckFailure]:
    name = entry.video
    failures = []
    try:
        with av.open(str(folder / name)) as container:
            stream = container.streams.video[0]
            frames = sum(1 for packet in container.demux(stream) if packet.size)
            _decode_ends(container, stream)
            width, height = stream.codec_context.width, stream.codec_context.height
            pixel_format = stream.codec_context.pix_fmt
            codec = stream.codec_context.name
            audio = [s.codec_context.name for s in container.streams.audio]
            duration = frames / manifest.fps
    except (av.error.FFmpegError, IndexError, OSError) as error:
        return [CheckFailure(name, f"does not decode: {error}")]
    if (width, height) != manifest.resolution:
        failures.append(
            CheckFailure(
                name, f"is {width}x{height}, the manifest says {list(manifest.resolution)}"
            )
        )
    if codec != "h264" or pixel_format != "yuv420p":
        failures.append(CheckFailure(name, f"is {codec}/{pixel_format}, not h264/yuv420p"))
    if abs(duration - entry.duration) > 1.5 / manifest.fps:
        failures.append(
            CheckFailure(name, f"lasts {duration:.3f} s, the manifest says {entry.duration:.3f} s")
        )
    if manifest.narration == "voice" and audio != ["aac"]:
        failures.append(
            CheckFailure(name, f"has audio {audio or 'none'}, narrated videos need one AAC track")
        )
    head = (folder / name).read_bytes()[: 64 * 1024]
    if head.find(b"moov") == -1 or (
        head.find(b"mdat") != -1 and head.find(b"moov") > head.find(b"mdat")
    ):
        failures.append(
            CheckFailure(name, "its index (moov) is not before the media data: it cannot stream")
        )
    for track in entry.tracks:
        if track in broken:
            continue
        try:
            cues = webvtt.read(str(folder / track)).captions
        except Exception as error:  # webvtt-py raises several types for bad files
            failures.append(CheckFailure(track, f"is not valid WebVTT: {error}"))
            continue
        late = [
            cue
            for cue in cues
            if vtt_seconds(cue.end) > entry.duration + 1e-3 or cue.start > cue.end
        ]
        if late:
            failures.append(
                CheckFailure(
                    track, f"{len(late)} cues lie outside the video's {entry.duration:.2f} s"
                )
            )
        if not cues:
            failures.append(CheckFailure(track, "has no cues"))
    return failures


def check_lesson(folder: Path) -> list[CheckFailure]:
    """Everything wrong with the lesson folder against its manifest (empty when it is good).

    Checks that the manifest has a manifest's shape, that every file listed is present
    with its recorded SHA-256, that each MP4 decodes as H.264 yuv420p at the recorded
    resolution and duration, streams (index first), has an AAC track when narrated, and
    that every cue lies inside its video.
    """
    manifest_path = folder / MANIFEST
    if not manifest_path.is_file():
        return [CheckFailure(MANIFEST, "is missing")]
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as error:  # not UTF-8 included
        return [CheckFailure(MANIFEST, f"is not valid JSON: {error}")]
    except OSError as error:
        return [CheckFailure(MANIFEST, f"cannot be read: {error}")]
    try:
        manifest = Manifest.from_json(data)
    except ManifestError as error:
        problem = error.problem if error.field == "manifest" else str(error)
        return [CheckFailure(MANIFEST, f"is not a lesson manifest: {problem}")]
    failures = []
    for name, recorded in manifest.files.items():
        path = folder / name
        if not path.is_file():
            failures.append(CheckFailure(name, "is missing"))
        elif file_entry(path) != recorded:
            failures.append(CheckFailure(name, "differs from the manifest (sha256 or size)"))
    broken = {failure.file for failure in failures}
    for entry in manifest.videos:
        if entry.video not in broken:
            failures += _check_video(folder, entry, manifest, broken)
    return failures
