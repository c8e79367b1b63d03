"""Compiled LaTeX, kept once for every chapter render and every build.

manim compiles each ``MathTex`` with ``latex`` and ``dvisvgm`` into ``<tex_dir>/<hash>.svg``,
``<hash>`` being the SHA-256 of the whole TeX source (template and expression), and skips both
when that SVG is already there. A chapter renders in a fresh scratch media folder, so without
help every render compiles every formula again (7 of the 19 s that ``velocity`` takes at
480p15). The store is a folder of those SVGs, shared by the build's renders:

* :func:`seed` copies every entry that passes its check into a render's ``Tex`` folder before
  manim starts, so a formula compiled by any earlier render is not compiled again;
* :func:`publish` adds the SVGs a render compiled, each whole file written under a temporary
  name and renamed into place, with the SHA-256 of its bytes beside it.

An entry is trusted only when its SVG is a whole document (it ends with ``</svg>``) and its
bytes have the digest recorded when it was stored; anything else is removed, not copied.
The store's folder is named after the TeX tools' versions (:func:`store_folder`): a new TeX
installation starts an empty one. Nothing here can change a frame: an SVG from the store is
the file the same source compiled to with the same tools.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from pathlib import Path

__all__ = ["publish", "seed", "store_folder", "tools_fingerprint"]

#: The digest file beside each SVG of the store.
DIGEST_SUFFIX = ".sha256"


def tools_fingerprint() -> str:
    """A short digest of ``latex --version`` and ``dvisvgm --version`` ("none" if missing)."""
    parts = []
    for tool in ("latex", "dvisvgm"):
        try:
            done = subprocess.run(
                [tool, "--version"], capture_output=True, text=True, timeout=30, check=False
            )
            parts.append(done.stdout.splitlines()[0] if done.stdout else "")
        except (OSError, subprocess.SubprocessError):
            parts.append("missing")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def store_folder(cache: Path) -> Path:
    """The store under the build cache ``cache`` for the TeX tools installed now."""
    return cache / "tex" / tools_fingerprint()


def _whole(data: bytes) -> bool:
    return data.rstrip().endswith(b"</svg>") and b"<svg" in data[:4096]


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seed(store: Path, tex_dir: Path) -> int:
    """Copy every trusted SVG of ``store`` into ``tex_dir``; returns how many. Entries that
    fail their check are removed from the store."""
    if not store.is_dir():
        return 0
    tex_dir.mkdir(parents=True, exist_ok=True)
    copied = 0
    for svg in store.glob("*.svg"):
        digest_file = svg.with_name(svg.name + DIGEST_SUFFIX)
        try:
            data = svg.read_bytes()
            recorded = digest_file.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            _remove(svg, digest_file)
            continue
        if recorded != _digest(data) or not _whole(data):
            _remove(svg, digest_file)
            continue
        target = tex_dir / svg.name
        if not target.exists():
            target.write_bytes(data)
            copied += 1
    return copied


def publish(tex_dir: Path, store: Path) -> int:
    """Add each whole SVG of ``tex_dir`` that ``store`` lacks; returns how many were added.
    ``store``'s parent must exist (a build creates it): a worker elsewhere writes nothing."""
    if not store.parent.is_dir() or not tex_dir.is_dir():
        return 0
    store.mkdir(exist_ok=True)
    added = 0
    for svg in tex_dir.glob("*.svg"):
        target = store / svg.name
        digest_file = target.with_name(target.name + DIGEST_SUFFIX)
        if target.exists() and digest_file.exists():
            continue
        data = svg.read_bytes()
        if not _whole(data):
            continue
        _write_atomically(digest_file, _digest(data).encode("ascii"))  # digest first: an SVG
        _write_atomically(target, data)  # without its digest is never trusted
        added += 1
    return added


def _write_atomically(path: Path, data: bytes) -> None:
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _remove(*paths: Path) -> None:
    for path in paths:
        try:
            path.unlink(missing_ok=True)
        except OSError:  # another build removed or replaced it: what counts is not to trust it
            pass
