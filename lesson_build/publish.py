"""The lesson folder: its manifest, its validation (``--check``) and its all-or-nothing publication.

A build writes the whole folder under a staging name beside ``media/lesson/``
and swaps it in with two renames only when everything is written and
checked; an interrupted build leaves the previous folder as it was (a swap cut
between its two renames is undone by the next build, :func:`recover`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import av
import webvtt

from lesson_build.manifest import (
    MANIFEST,
    FileEntry,
    FlagshipEntry,
    Manifest,
    ManifestError,
    NotPlainFile,
    VideoEntry,
    open_plain_file,
    read_limited,
)
from lessonkit.captions import vtt_seconds
from lessonkit.files import process_alive

__all__ = [
    "CAPTIONS_LIMIT",
    "MANIFEST_LIMIT",
    "CheckFailure",
    "check_lesson",
    "file_entry",
    "publish",
    "recover",
    "staging_folder",
]


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


#: The most ``--check`` reads of ``manifest.json`` and of each WebVTT file (a bigger one fails).
MANIFEST_LIMIT = 16 * 1024 * 1024
CAPTIONS_LIMIT = 16 * 1024 * 1024


@dataclass
class _Packets:
    """What reading a video's packets found: the video's packets and the frames they decoded
    to, the packets (any stream) that failed to decode, where the first failure is (seconds,
    when known), and a digest of each video packet's bytes, in order."""

    packets: int
    frames: int
    bad: int
    first_bad: float | None
    digests: list[bytes]


def _digest(packet: av.Packet[Any]) -> bytes:
    return hashlib.blake2b(bytes(packet), digest_size=16).digest()


def _decode_all(container: av.container.InputContainer) -> _Packets:
    """Decode every packet of the video stream and of each audio stream."""
    video = container.streams.video[0]
    video.thread_type = "AUTO"  # frame threads too: a clip is one slice a frame
    packets = frames = bad = 0
    first_bad: float | None = None
    digests = []
    for packet in container.demux(video, *container.streams.audio):
        is_video = packet.stream.index == video.index
        if is_video and packet.size:
            packets += 1
            digests.append(_digest(packet))
        try:
            decoded = packet.decode()
        except av.error.FFmpegError:
            bad += 1
            if first_bad is None and packet.pts is not None and packet.time_base:
                first_bad = float(packet.pts * packet.time_base)
            continue
        if is_video:
            frames += len(decoded)
    return _Packets(packets, frames, bad, first_bad, digests)


def _count_packets(container: av.container.InputContainer) -> _Packets:
    """Like :func:`_decode_all` without decoding: the video's packets, none failing."""
    digests = [
        _digest(packet) for packet in container.demux(container.streams.video[0]) if packet.size
    ]
    return _Packets(len(digests), len(digests), 0, None, digests)


def _check_video(
    folder: Path, entry: VideoEntry, manifest: Manifest, broken: set[str], decode: bool
) -> tuple[list[CheckFailure], list[bytes] | None]:
    """The video's failures, and its video packets' digests (None: it could not be read)."""
    name = entry.video
    failures: list[CheckFailure] = []
    try:
        with open_plain_file(folder, name) as handle:
            head = handle.read(64 * 1024)
            handle.seek(0)
            with av.open(handle, mode="r") as container:
                stream = container.streams.video[0]
                width, height = stream.codec_context.width, stream.codec_context.height
                pixel_format = stream.codec_context.pix_fmt
                codec = stream.codec_context.name
                audio = [s.codec_context.name for s in container.streams.audio]
                found = (_decode_all if decode else _count_packets)(container)
    except NotPlainFile as error:
        return [CheckFailure(name, error.problem)], None
    except IndexError:
        return [CheckFailure(name, "has no video stream")], None
    except (av.error.FFmpegError, OSError) as error:
        return [CheckFailure(name, f"does not decode: {error}")], None
    packets, frames = found.packets, found.frames
    duration = packets / manifest.fps
    if not packets:
        failures.append(CheckFailure(name, "has no video frames"))
    elif found.bad or frames != packets:
        where = f", the first at {found.first_bad:.2f} s" if found.first_bad is not None else ""
        failures.append(
            CheckFailure(
                name,
                f"does not decode: {found.bad} packets fail{where}; {frames} of {packets} "
                "video frames decode",
            )
        )
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
    if head.find(b"moov") == -1 or (
        head.find(b"mdat") != -1 and head.find(b"moov") > head.find(b"mdat")
    ):
        failures.append(
            CheckFailure(name, "its index (moov) is not before the media data: it cannot stream")
        )
    for track in entry.tracks:
        if track not in broken:
            failures += _check_track(folder, track, entry.duration)
    return failures, found.digests


def _check_track(folder: Path, track: str, duration: float) -> list[CheckFailure]:
    """A WebVTT file of a video: valid (read up to :data:`CAPTIONS_LIMIT`), cues inside it."""
    try:
        with open_plain_file(folder, track) as handle:
            data = read_limited(handle, track, CAPTIONS_LIMIT)
    except NotPlainFile as error:
        return [CheckFailure(track, error.problem)]
    except OSError as error:
        return [CheckFailure(track, f"cannot be read: {error}")]
    try:
        cues = webvtt.from_string(data.decode("utf-8-sig")).captions
    except Exception as error:  # webvtt-py raises several types for bad files; not UTF-8 too
        return [CheckFailure(track, f"is not valid WebVTT: {error}")]
    failures = []
    late = [cue for cue in cues if vtt_seconds(cue.end) > duration + 1e-3 or cue.start > cue.end]
    if late:
        failures.append(
            CheckFailure(track, f"{len(late)} cues lie outside the video's {duration:.2f} s")
        )
    if not cues:
        failures.append(CheckFailure(track, "has no cues"))
    return failures


def _read_manifest(folder: Path) -> Manifest | CheckFailure:
    """The folder's manifest, read only if it is a regular file of at most MANIFEST_LIMIT."""
    try:
        with open_plain_file(folder, MANIFEST) as handle:
            text = read_limited(handle, MANIFEST, MANIFEST_LIMIT).decode("utf-8")
        data = json.loads(text)
    except NotPlainFile as error:
        return CheckFailure(MANIFEST, error.problem)
    except OSError as error:
        return CheckFailure(MANIFEST, f"cannot be read: {error}")
    except ValueError as error:  # not UTF-8 included
        return CheckFailure(MANIFEST, f"is not valid JSON: {error}")
    except RecursionError:
        return CheckFailure(MANIFEST, "is not valid JSON: nested too deeply")
    try:
        return Manifest.from_json(data)
    except ManifestError as error:
        problem = error.problem if error.field == "manifest" else str(error)
        return CheckFailure(MANIFEST, f"is not a lesson manifest: {problem}")
    except RecursionError:
        return CheckFailure(MANIFEST, "is not a lesson manifest: nested too deeply")


def _check_file(folder: Path, name: str, recorded: FileEntry) -> CheckFailure | None:
    """A listed file: a regular file of the folder with its recorded size and SHA-256."""
    try:
        with open_plain_file(folder, name) as handle:
            size = os.fstat(handle.fileno()).st_size
            same = (
                size == recorded.bytes and FileEntry.of_stream(handle, recorded.bytes) == recorded
            )
    except NotPlainFile as error:
        return CheckFailure(name, error.problem)
    except OSError as error:
        return CheckFailure(name, f"cannot be read: {error}")
    return None if same else CheckFailure(name, "differs from the manifest (sha256 or size)")


def _named_files(entry: VideoEntry) -> dict[str, str]:
    """The files a video entry names, by field: its video, tracks and poster."""
    named = {"video": entry.video, "captions": entry.captions, "poster": entry.poster}
    if isinstance(entry, FlagshipEntry):
        named["chapters"] = entry.chapters
    return {key: name for key, name in named.items() if name is not None}


def _unlisted(manifest: Manifest) -> list[CheckFailure]:
    """The files the manifest's videos name that its ``files`` do not list (so not verified)."""
    failures = []
    for index, entry in enumerate(manifest.videos):
        where = "flagship" if index == 0 else f"chapters[{index - 1}]"
        for key, name in _named_files(entry).items():
            if name not in manifest.files:
                problem = f"{where}.{key} names {name!r}, which its files do not list"
                failures.append(CheckFailure(MANIFEST, problem))
    return failures


def check_lesson(folder: Path, *, decode: bool | Literal["flagship"] = True) -> list[CheckFailure]:
    """Everything wrong with the lesson folder against its manifest (empty when it is good).

    Reads only regular files of ``folder`` named by plain file names: a symbolic link, a
    FIFO, a device or a folder is a failure, not read (nor opened); ``manifest.json`` and
    WebVTT files over 16 MiB are failures, read no further. Checks that the manifest has a
    manifest's shape (or fails naming the field), that it lists every file its videos name,
    that every file listed is present with its recorded size and SHA-256, that every packet
    of each MP4 decodes, as H.264 yuv420p at the recorded resolution and duration, that it
    streams (index first) and has an AAC track when narrated, and that every cue lies
    inside its video.

    Decoding every packet costs about 1 s of CPU a minute of 480p15 video and about 20 s a
    minute of 1080p60 (the lesson's clips). ``decode=False`` leaves it out (packets are
    only counted), for a folder known to have passed a full check since its files (whose
    SHA-256s are still checked) were written. ``decode="flagship"`` decodes the flagship's
    every packet, and a chapter clip's only where its video packets are not, byte for byte
    and in order, the flagship's at its place (the build copies them there: decoding them
    once checks both); the build checks a new lesson so, at about half the cost.
    """
    manifest = _read_manifest(folder)
    if isinstance(manifest, CheckFailure):
        return [manifest]
    failures = _unlisted(manifest)
    for name, recorded in manifest.files.items():
        failure = _check_file(folder, name, recorded)
        if failure is not None:
            failures.append(failure)
    named = {name for entry in manifest.videos for name in _named_files(entry).values()}
    broken = {failure.file for failure in failures} | (named - set(manifest.files))
    flagship: list[bytes] | None = None
    offset = 0
    for entry in manifest.videos:
        if entry.video in broken:  # a broken flagship leaves ``flagship`` None: all decoded
            continue
        if decode != "flagship":
            failures += _check_video(folder, entry, manifest, broken, bool(decode))[0]
            continue
        if entry is manifest.flagship:
            found, flagship = _check_video(folder, entry, manifest, broken, True)
            failures += found
            continue
        found, digests = _check_video(folder, entry, manifest, broken, False)
        if (
            flagship is not None
            and digests is not None
            and digests == flagship[offset : offset + len(digests)]
        ):
            failures += found
        else:  # not the flagship's packets: decoded on its own
            failures += _check_video(folder, entry, manifest, broken, True)[0]
        offset += len(digests or ())
    return failures
