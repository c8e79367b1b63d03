"""The build cache: one folder per rendered chapter, checked before it is reused, never trusted.

An entry (:func:`entry_path`) is named by its chapter and the start of the chapter's key.
:func:`store` writes the rendered files and ``facts.json`` into a staging folder and renames
it into place, so an entry is whole or absent. ``facts.json`` records the chapter's facts
(its scene, frame count, frame rate...) and the size and SHA-256 of every file of the
entry, computed from the bytes rendered, and a SHA-256 of those records themselves.
:func:`load_facts` returns the facts only when every recorded file is a regular file of the
entry with its recorded size and SHA-256: a clip truncated or overwritten in place, a
``facts.json`` of ``{}`` or of garbage, a file missing or replaced by a link, is a damaged
entry: ``None``, with the reason given to ``on_damage`` (the build then renders the chapter
again and says why).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lesson_build.manifest import (
    FileEntry,
    ManifestError,
    NotPlainFile,
    is_file_name,
    open_plain_file,
    read_limited,
)

__all__ = ["FACTS", "FORMAT", "entry_path", "load_facts", "store"]

FACTS = "facts.json"
"""The file of an entry that records its facts and its files' checksums."""

FORMAT = 1
"""The version of ``facts.json``'s layout; an entry of another version is rendered again."""

_FACTS_LIMIT = 1024 * 1024
_REQUIRED = (".mp4", ".vtt")  # what assembling a chapter reads (the poster is made if absent)


def entry_path(cache: Path, name: str, key: str) -> Path:
    """The cache entry (a folder) of chapter ``name`` rendered with ``key``."""
    return cache / f"{name}-{key[:24]}"


def _seal(facts: dict[str, Any], files: dict[str, Any]) -> str:
    """The SHA-256 that seals an entry's records (facts and checksums)."""
    text = json.dumps({"facts": facts, "files": files}, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record(result: dict[str, Any]) -> tuple[dict[str, bytes], dict[str, Any]]:
    """An entry's files by name, and the JSON data of its ``facts.json``."""
    facts = dict(result["facts"])
    files = {f"{facts['scene']}{suffix}": data for suffix, data in result["files"].items()}
    checksums = {
        name: FileEntry(hashlib.sha256(data).hexdigest(), len(data)).to_json()
        for name, data in files.items()
    }
    record = {"format": FORMAT, "facts": facts, "files": checksums}
    record["sha256"] = _seal(facts, checksums)
    problem = _shape_problem(record)
    if problem:
        raise ValueError(f"a rendered chapter cannot be cached: {problem}")
    return files, record


def store(entry: Path, result: dict[str, Any]) -> None:
    """Write a rendered chapter (``render_chapter``'s result) into the cache, all or nothing.

    The entry is written in a staging folder beside it, with the SHA-256 of every file
    computed from the bytes rendered, then renamed into place (replacing a damaged entry).
    """
    files, record = _record(result)
    staging = entry.with_name(f".{entry.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, data in files.items():
        (staging / name).write_bytes(data)
    (staging / FACTS).write_text(json.dumps(record, indent=1), encoding="utf-8")
    if entry.is_symlink() or (entry.exists() and not entry.is_dir()):
        entry.unlink()
    shutil.rmtree(entry, ignore_errors=True)
    os.replace(staging, entry)


def _shape_problem(record: object) -> str | None:
    """What is wrong with the shape of ``facts.json``'s data (``None``: nothing)."""
    if not isinstance(record, dict):
        return "is not a JSON object"
    if "format" not in record:
        return "has no 'format': written by an older build, or damaged"
    if isinstance(record["format"], bool) or record["format"] != FORMAT:
        return f"is of format {record['format']!r}, not {FORMAT}"
    facts, files = record.get("facts"), record.get("files")
    if not isinstance(facts, dict) or not isinstance(files, dict):
        return "has no facts or no files"
    scene = facts.get("scene")
    if not isinstance(scene, str) or not is_file_name(f"{scene}.mp4"):
        return f"names no scene: {scene!r}"
    for key in ("frames", "width", "height"):
        value = facts.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            return f"has a bad {key!r}: {value!r}"
    for key in ("fps", "duration"):
        value = facts.get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"has a bad {key!r}: {value!r}"
        if not math.isfinite(value) or value <= 0:
            return f"has a bad {key!r}: {value!r}"
    missing = [f"{scene}{suffix}" for suffix in _REQUIRED if f"{scene}{suffix}" not in files]
    if missing:
        return f"lists no {missing[0]}"
    for name, checksum in files.items():
        if not is_file_name(name) or name == FACTS:
            return f"lists a file that cannot be in the entry: {name!r}"
        try:
            FileEntry.from_json(checksum, f"files[{name!r}]")
        except ManifestError as error:
            return f"has a bad checksum: {error}"
    if record.get("sha256") != _seal(facts, files):
        return "does not match its own seal: edited or damaged"
    return None


def _damage(entry: Path) -> tuple[dict[str, Any] | None, str | None]:
    """The entry's facts when it is whole, else what is wrong with it."""
    try:
        with open_plain_file(entry, FACTS) as handle:
            record = json.loads(read_limited(handle, FACTS, _FACTS_LIMIT).decode("utf-8"))
    except NotPlainFile as error:
        return None, f"{FACTS} {error.problem}"
    except OSError as error:
        return None, f"{FACTS} cannot be read: {error}"
    except (ValueError, RecursionError) as error:  # not UTF-8 included
        return None, f"{FACTS} is not valid JSON: {type(error).__name__}: {error}"
    problem = _shape_problem(record)
    if problem:
        return None, f"{FACTS} {problem}"
    for name, data in record["files"].items():
        recorded = FileEntry.from_json(data)
        try:
            with open_plain_file(entry, name) as handle:
                size = os.fstat(handle.fileno()).st_size
                found = FileEntry.of_stream(handle, recorded.bytes)
        except NotPlainFile as error:
            return None, f"{name} {error.problem}"
        except OSError as error:
            return None, f"{name} cannot be read: {error}"
        if size != recorded.bytes:
            return None, f"{name} is {size:,} bytes, not the {recorded.bytes:,} stored"
        if found != recorded:
            return None, f"{name} differs from the SHA-256 stored with it"
    facts: dict[str, Any] = record["facts"]
    return facts, None


def load_facts(
    entry: Path, on_damage: Callable[[str], None] | None = None
) -> dict[str, Any] | None:
    """The facts of the cache entry ``entry`` when it is whole and every file in it is as stored.

    ``None`` when there is no entry, or when it is damaged: then ``on_damage`` (if given) is
    called once with what is wrong (``"Opening.mp4 is 1,024 bytes, not the 2,048
    stored"``). Never raises for what the entry holds.
    """
    try:
        if not entry.is_dir() or entry.is_symlink():
            if entry.is_symlink() or entry.exists():
                if on_damage is not None:
                    on_damage(f"{entry.name} is not a folder")
            return None
    except OSError as error:
        if on_damage is not None:
            on_damage(f"{entry.name} cannot be read: {error}")
        return None
    facts, problem = _damage(entry)
    if problem is not None and on_damage is not None:
        on_damage(problem)
    return facts
