"""Files written all-or-nothing, and what killed processes left behind (no manim).

:func:`atomic_write_bytes` / :func:`atomic_write_text` write through a
temporary sibling and :func:`os.replace`, so readers see the old or the new
content, never half of it. The build and the renders both use this module.
"""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import suppress
from pathlib import Path

__all__ = [
    "atomic_write_bytes",
    "atomic_write_text",
    "process_alive",
    "remove_broken_svgs",
    "remove_stale_scratch",
]

#: Scratch files a render writes beside its outputs, ending in the writer's process id.
_SCRATCH = re.compile(r"^\.(?P<name>.+)\.(?:partial|new|cues)-(?P<pid>\d+)(?:_temp)?(?:\.\w+)*$")


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` is still running (on this machine)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _svg_whole(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 256))
            return size > 0 and handle.read().rstrip().endswith(b"</svg>")
    except OSError:
        return False


def remove_broken_svgs(*folders: Path) -> list[Path]:
    """Remove SVGs cut short in manim's text and LaTeX caches (and the DVI files they came from).

    A render killed while manim wrote an SVG leaves it empty or truncated; manim
    would read it back as it is. Removed files are simply made again.
    """
    removed = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for svg in folder.glob("*.svg"):
            if not _svg_whole(svg):
                for path in (svg, svg.with_suffix(".dvi"), svg.with_suffix(".xdv")):
                    with suppress(OSError):
                        path.unlink()
                        removed.append(path)
    return removed


def remove_stale_scratch(movie: Path) -> list[Path]:
    """Remove what killed renders left beside ``movie`` (staging MP4, WAV, AAC, caption temps).

    Only files of processes that no longer run are removed; returns them.
    """
    removed: list[Path] = []
    if not movie.parent.is_dir():
        return removed
    for path in movie.parent.iterdir():
        match = _SCRATCH.match(path.name)
        if match and path.is_file() and not process_alive(int(match.group("pid"))):
            with suppress(OSError):
                path.unlink()
                removed.append(path)
    return removed


def _temporary_sibling(path: Path) -> tuple[int, Path]:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    return fd, Path(name)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file in the same directory.

    The file is flushed and then moved into place with :func:`os.replace`, so
    ``path`` holds either its previous content or all of ``data``.
    """
    target = Path(path)
    fd, temporary = _temporary_sibling(target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write_bytes`)."""
    atomic_write_bytes(path, text.encode("utf-8"))
