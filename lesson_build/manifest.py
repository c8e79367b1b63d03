"""The lesson's manifest: the typed data the build writes, ``--check`` validates and the page shows.

:class:`Manifest` is what ``manifest.json`` holds, as frozen dataclasses. The build
(:func:`lesson_build.pipeline.build`) makes one and :meth:`Manifest.dump` writes it;
:meth:`Manifest.load` and :meth:`Manifest.from_json` read one back, checking its shape:
a manifest that is JSON but not a manifest's shape raises :class:`ManifestError` naming
the field. A chapter's ``parameters`` (its figures) stay free-form JSON data.

>>> data = {
...     "title": "T", "quality": "low", "resolution": [854, 480], "fps": 15,
...     "narration": "silent", "build_key": "k",
...     "flagship": {"name": "f", "title": "T", "video": "f.mp4", "duration": 1.5},
...     "chapters": [], "tools": {}, "files": {},
... }
>>> manifest = Manifest.from_json(data)
>>> manifest.resolution, manifest.flagship.video
((854, 480), 'f.mp4')
>>> manifest.to_json() == data
True
>>> Manifest.from_json({**data, "fps": "fast"})
Traceback (most recent call last):
...
lesson_build.manifest.ManifestError: fps: must be a whole number, got a string ('fast')
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal, cast

__all__ = [
    "MANIFEST",
    "ChapterEntry",
    "FileEntry",
    "FlagshipEntry",
    "Manifest",
    "ManifestError",
    "NotPlainFile",
    "VideoEntry",
    "is_file_name",
    "open_plain_file",
    "read_limited",
]

MANIFEST = "manifest.json"
"""The manifest's file name in a lesson folder."""

Narration = Literal["voice", "silent"]

_SHA256 = re.compile(r"[0-9a-f]{64}")


class ManifestError(ValueError):
    """A manifest that is not a manifest's shape; :attr:`field` names where (``manifest``: all)."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


# --- reading JSON data, naming the field on error -----------------------------------------


def _describe(value: object) -> str:
    """A JSON value's kind, for error messages: ``a string ('abc')``, ``an array``..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean ({json.dumps(value)})"
    if isinstance(value, int | float):
        return f"a number ({value!r})"
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"a string ({text!r})"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return f"a {type(value).__name__}"


class _Fields:
    """One JSON object's fields, read by type; errors name the field's path."""

    def __init__(self, data: object, where: str, known: tuple[str, ...]) -> None:
        if not isinstance(data, dict):
            raise ManifestError(where, f"must be a JSON object, got {_describe(data)}")
        unknown = [key for key in data if key not in known]
        if unknown:
            raise ManifestError(self._path(where, str(unknown[0])), "is not a manifest field")
        self.data: dict[str, object] = data
        self.where = where

    @staticmethod
    def _path(where: str, key: str) -> str:
        return key if where == "manifest" else f"{where}.{key}"

    def path(self, key: str) -> str:
        """The dotted path of field ``key``, as errors name it."""
        return self._path(self.where, key)

    def value(self, key: str) -> object:
        """Field ``key``'s value (any JSON); a missing field is an error."""
        if key not in self.data:
            raise ManifestError(self.path(key), "is missing")
        return self.data[key]

    def string(self, key: str, *, file_name: bool = False) -> str:
        """A string field; ``file_name``: a non-empty plain name of a file in the folder."""
        value = self.value(key)
        if not isinstance(value, str):
            raise ManifestError(self.path(key), f"must be a string, got {_describe(value)}")
        if file_name:
            _check_file_name(self.path(key), value)
        return value

    def optional_file(self, key: str) -> str | None:
        """An optional file-name field (``None`` when absent)."""
        return self.string(key, file_name=True) if key in self.data else None

    def whole(self, key: str, *, minimum: int) -> int:
        """A whole-number field, at least ``minimum``."""
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ManifestError(self.path(key), f"must be a whole number, got {_describe(value)}")
        if value < minimum:
            raise ManifestError(self.path(key), f"must be at least {minimum}, got {value}")
        return value

    def seconds(self, key: str) -> float:
        """A finite, non-negative number field (kept as written: ``30`` stays an int)."""
        value = self.value(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ManifestError(self.path(key), f"must be a number, got {_describe(value)}")
        if not math.isfinite(value) or value < 0:
            raise ManifestError(self.path(key), f"must be a finite number >= 0, got {value}")
        return value

    def mapping(self, key: str) -> dict[str, object]:
        """An object field."""
        value = self.value(key)
        if not isinstance(value, dict):
            raise ManifestError(self.path(key), f"must be a JSON object, got {_describe(value)}")
        return value

    def array(self, key: str) -> list[object]:
        """An array field."""
        value = self.value(key)
        if not isinstance(value, list):
            raise ManifestError(self.path(key), f"must be an array, got {_describe(value)}")
        return value


def is_file_name(name: str) -> bool:
    """Whether ``name`` is a plain file name: no folder, no ``..``, no control characters."""
    return (
        bool(name)
        and name not in (".", "..")
        and not any(c in "/\\" or ord(c) < 32 or ord(c) == 127 for c in name)
        and len(name.encode("utf-8", "surrogateescape")) <= 255
    )


def _check_file_name(where: str, name: str) -> None:
    """A file of the lesson folder: a plain name, nothing outside the folder."""
    if not is_file_name(name):
        raise ManifestError(where, f"must be a file name in the lesson folder, got {name!r}")


# --- reading a file of a folder, and only that --------------------------------------------


class NotPlainFile(Exception):
    """``name`` in a folder is not a regular file of that folder; :attr:`problem` says why."""

    def __init__(self, name: str, problem: str) -> None:
        super().__init__(f"{name}: {problem}")
        self.name = name
        self.problem = problem


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def open_plain_file(folder: Path, name: str) -> BinaryIO:
    """Open ``folder / name`` for reading, only when it is a regular file of ``folder``.

    ``name`` must be a plain file name (:func:`is_file_name`); the file is looked at with
    ``lstat`` before it is opened, so a symbolic link (to anywhere), a FIFO, a device or a
    folder is refused without being opened (opening a FIFO would block), and the file opened
    (``O_NOFOLLOW | O_NONBLOCK``) must be the one looked at. Raises :class:`NotPlainFile`
    (``is missing`` included), or :class:`OSError` when it cannot be read.
    """
    if not is_file_name(name):
        raise NotPlainFile(name, "is not a plain file name of the folder")
    path = folder / name
    try:
        seen = os.lstat(path)
    except FileNotFoundError:
        raise NotPlainFile(name, "is missing") from None
    if stat.S_ISLNK(seen.st_mode):
        try:
            target = os.readlink(path)
        except OSError:
            target = "?"
        raise NotPlainFile(
            name, f"is a symbolic link (to {target!r}), not a file of the folder: not read"
        )
    if not stat.S_ISREG(seen.st_mode):
        kind = next((kind for test, kind in _KINDS if test(seen.st_mode)), "not a file")
        raise NotPlainFile(name, f"is {kind}, not a regular file: not read")
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    descriptor = os.open(path, flags)
    opened = os.fstat(descriptor)
    if (opened.st_dev, opened.st_ino) != (seen.st_dev, seen.st_ino) or not stat.S_ISREG(
        opened.st_mode
    ):
        os.close(descriptor)
        raise NotPlainFile(name, "was replaced while it was being checked: not read")
    return os.fdopen(descriptor, "rb")


def read_limited(handle: BinaryIO, name: str, limit: int) -> bytes:
    """All of ``handle`` (a file from :func:`open_plain_file`) when it holds at most ``limit``
    bytes; raises :class:`NotPlainFile` without reading more than ``limit + 1`` bytes."""
    size = os.fstat(handle.fileno()).st_size
    data = b"" if size > limit else handle.read(limit + 1)
    if size > limit or len(data) > limit:
        raise NotPlainFile(name, f"is over {limit:,} bytes (the most read): not read")
    return data


# --- the manifest -------------------------------------------------------------------------


@dataclass(frozen=True)
class FileEntry:
    """A file of the lesson folder as the manifest records it: its SHA-256 and size."""

    sha256: str
    bytes: int

    @classmethod
    def of(cls, path: Path) -> FileEntry:
        """The entry for the file at ``path`` (read in blocks)."""
        with path.open("rb") as handle:
            return cls.of_stream(handle)

    @classmethod
    def of_stream(cls, handle: BinaryIO, limit: int | None = None) -> FileEntry:
        """The entry for what ``handle`` holds from where it is to its end (read in blocks);
        with ``limit``, reading stops after ``limit + 1`` bytes (the size then says more)."""
        digest = hashlib.sha256()
        size = 0
        while limit is None or size <= limit:
            block = handle.read(1 << 20 if limit is None else min(1 << 20, limit + 1 - size))
            if not block:
                break
            digest.update(block)
            size += len(block)
        return cls(sha256=digest.hexdigest(), bytes=size)

    @classmethod
    def from_json(cls, data: object, where: str = "file") -> FileEntry:
        """Read ``{"sha256", "bytes"}``; raises :class:`ManifestError`."""
        fields = _Fields(data, where, ("sha256", "bytes"))
        sha256 = fields.string("sha256")
        if not _SHA256.fullmatch(sha256):
            raise ManifestError(fields.path("sha256"), "must be 64 lowercase hex digits")
        return cls(sha256=sha256, bytes=fields.whole("bytes", minimum=0))

    def to_json(self) -> dict[str, Any]:
        """As written in ``manifest.json``."""
        return {"sha256": self.sha256, "bytes": self.bytes}


@dataclass(frozen=True, kw_only=True)
class VideoEntry:
    """A video of the lesson: its name, title, files (relative to the folder) and length.

    ``captions`` and ``poster`` are ``None`` when the video has none (left out of the JSON).
    """

    name: str
    title: str
    video: str
    duration: float
    captions: str | None = None
    poster: str | None = None

    @property
    def tracks(self) -> tuple[str, ...]:
        """The video's WebVTT files."""
        return (self.captions,) if self.captions else ()


@dataclass(frozen=True, kw_only=True)
class FlagshipEntry(VideoEntry):
    """The whole lesson's video; ``chapters`` is its chapters WebVTT track (``None``: none)."""

    chapters: str | None = None

    @property
    def tracks(self) -> tuple[str, ...]:
        """The video's WebVTT files: captions, then chapters."""
        return super().tracks + ((self.chapters,) if self.chapters else ())

    @classmethod
    def from_json(cls, data: object, where: str = "flagship") -> FlagshipEntry:
        """Read the flagship's object; raises :class:`ManifestError`."""
        keys = ("name", "title", "video", "captions", "chapters", "poster", "duration")
        fields = _Fields(data, where, keys)
        return cls(
            name=fields.string("name"),
            title=fields.string("title"),
            video=fields.string("video", file_name=True),
            captions=fields.optional_file("captions"),
            chapters=fields.optional_file("chapters"),
            poster=fields.optional_file("poster"),
            duration=fields.seconds("duration"),
        )

    def to_json(self) -> dict[str, Any]:
        """As written in ``manifest.json`` (absent files left out)."""
        data: dict[str, Any] = {"name": self.name, "title": self.title, "video": self.video}
        for key, value in (
            ("captions", self.captions),
            ("chapters", self.chapters),
            ("poster", self.poster),
        ):
            if value is not None:
                data[key] = value
        data["duration"] = self.duration
        return data


@dataclass(frozen=True, kw_only=True)
class ChapterEntry(VideoEntry):
    """One chapter's clip: where it starts in the flagship, and its figures.

    ``parameters`` is the chapter's figures as free-form JSON data (an object for every
    chapter the build makes; see :mod:`lesson_build.describe`).
    """

    start: float
    parameters: Any

    @classmethod
    def from_json(cls, data: object, where: str = "chapter") -> ChapterEntry:
        """Read one chapter's object; raises :class:`ManifestError`."""
        keys = ("name", "title", "video", "captions", "poster", "duration", "start", "parameters")
        fields = _Fields(data, where, keys)
        return cls(
            name=fields.string("name"),
            title=fields.string("title"),
            video=fields.string("video", file_name=True),
            captions=fields.optional_file("captions"),
            poster=fields.optional_file("poster"),
            duration=fields.seconds("duration"),
            start=fields.seconds("start"),
            parameters=fields.value("parameters"),
        )

    def to_json(self) -> dict[str, Any]:
        """As written in ``manifest.json`` (absent files left out)."""
        data: dict[str, Any] = {"name": self.name, "title": self.title, "video": self.video}
        for key, value in (("captions", self.captions), ("poster", self.poster)):
            if value is not None:
                data[key] = value
        data.update(duration=self.duration, start=self.start, parameters=self.parameters)
        return data


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """A lesson folder's ``manifest.json``.

    ``resolution`` is (width, height) in pixels; ``files`` maps each file of the folder
    (all but the manifest) to its :class:`FileEntry`; ``tools`` the tools' versions;
    ``build_key`` what the build was made from (an unchanged key lets a build reuse it).
    """

    title: str
    quality: str
    resolution: tuple[int, int]
    fps: int
    narration: Narration
    build_key: str
    flagship: FlagshipEntry
    chapters: tuple[ChapterEntry, ...] = ()
    tools: Mapping[str, str] = field(default_factory=dict)
    files: Mapping[str, FileEntry] = field(default_factory=dict)

    @property
    def videos(self) -> tuple[VideoEntry, ...]:
        """The flagship, then every chapter's clip."""
        return (self.flagship, *self.chapters)

    @classmethod
    def from_json(cls, data: object) -> Manifest:
        """The manifest in ``data`` (decoded JSON); raises :class:`ManifestError` naming the
        field when ``data`` is not a manifest's shape."""
        keys = (
            "title",
            "quality",
            "resolution",
            "fps",
            "narration",
            "build_key",
            "flagship",
            "chapters",
            "tools",
            "files",
        )
        fields = _Fields(data, "manifest", keys)
        title, quality = fields.string("title"), fields.string("quality")
        resolution = fields.array("resolution")
        if len(resolution) != 2 or any(
            isinstance(v, bool) or not isinstance(v, int) or v <= 0 for v in resolution
        ):
            raise ManifestError(
                "resolution", f"must be [width, height] in whole pixels, got {resolution!r}"
            )
        fps = fields.whole("fps", minimum=1)
        narration = fields.string("narration")
        if narration not in ("voice", "silent"):
            raise ManifestError("narration", f"must be 'voice' or 'silent', got {narration!r}")
        build_key = fields.string("build_key")
        flagship = FlagshipEntry.from_json(fields.value("flagship"))
        chapters = tuple(
            ChapterEntry.from_json(chapter, f"chapters[{index}]")
            for index, chapter in enumerate(fields.array("chapters"))
        )
        tools = fields.mapping("tools")
        for name, version in tools.items():
            if not isinstance(version, str):
                raise ManifestError(
                    f"tools[{name!r}]", f"must be a string, got {_describe(version)}"
                )
        files = {}
        for name, entry in fields.mapping("files").items():
            _check_file_name(f"files[{name!r}]", name)
            files[name] = FileEntry.from_json(entry, f"files[{name!r}]")
        return cls(
            title=title,
            quality=quality,
            resolution=(cast(int, resolution[0]), cast(int, resolution[1])),
            fps=fps,
            narration=cast(Narration, narration),
            build_key=build_key,
            flagship=flagship,
            chapters=chapters,
            tools=cast(dict[str, str], tools),
            files=files,
        )

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON data, keys in the order ``manifest.json`` has them."""
        return {
            "title": self.title,
            "quality": self.quality,
            "resolution": list(self.resolution),
            "fps": self.fps,
            "narration": self.narration,
            "build_key": self.build_key,
            "flagship": self.flagship.to_json(),
            "chapters": [chapter.to_json() for chapter in self.chapters],
            "tools": dict(self.tools),
            "files": {name: entry.to_json() for name, entry in self.files.items()},
        }

    def dumps(self) -> str:
        """The text of ``manifest.json``."""
        return json.dumps(self.to_json(), indent=1, ensure_ascii=False)

    def dump(self, path: Path) -> None:
        """Write the manifest to ``path`` (UTF-8 JSON)."""
        path.write_text(self.dumps(), encoding="utf-8")

    @classmethod
    def loads(cls, text: str) -> Manifest:
        """The manifest in JSON ``text``; raises :class:`ManifestError` (bad JSON included)."""
        try:
            data = json.loads(text)
        except ValueError as error:
            raise ManifestError("manifest", f"is not valid JSON: {error}") from error
        return cls.from_json(data)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        """The manifest at ``path``; raises :class:`ManifestError`, or :class:`OSError` when
        it cannot be read."""
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise ManifestError("manifest", f"is not UTF-8 text: {error}") from error
        return cls.loads(text)
