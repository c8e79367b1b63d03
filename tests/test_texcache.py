"""The store of compiled LaTeX shared by the build's renders (issue 19, "LaTeX once"): what
it trusts, what it refuses, and that a render seeded from it runs no TeX at all and draws
the same frame."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from lesson_build import texcache

SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0"/></svg>\n'


def _entry(store: Path, name: str, data: bytes, digest: bytes | None = None) -> None:
    store.mkdir(parents=True, exist_ok=True)
    (store / name).write_bytes(data)
    recorded = digest if digest is not None else hashlib.sha256(data).hexdigest().encode()
    (store / f"{name}.sha256").write_bytes(recorded)


def test_publish_then_seed_gives_the_same_files(tmp_path):
    tex = tmp_path / "render-1" / "Tex"
    tex.mkdir(parents=True)
    (tex / "aaaa.svg").write_bytes(SVG)
    (tex / "aaaa.tex").write_text("\\documentclass{standalone}")  # only SVGs are kept
    (tex / "half.svg").write_bytes(SVG[:40])  # cut short: never stored
    store = tmp_path / "cache" / "tex" / "tools"
    store.parent.mkdir(parents=True)
    assert texcache.publish(tex, store) == 1
    assert texcache.publish(tex, store) == 0  # already there
    assert sorted(path.name for path in store.iterdir()) == ["aaaa.svg", "aaaa.svg.sha256"]
    fresh = tmp_path / "render-2" / "Tex"
    assert texcache.seed(store, fresh) == 1
    assert (fresh / "aaaa.svg").read_bytes() == SVG


@pytest.mark.parametrize(
    ("data", "digest"),
    [
        (SVG, b"0" * 64),  # bytes changed since stored
        (SVG[:50], None),  # a cut-short file with a digest of its own (not whole)
        (SVG, b""),  # no digest recorded
    ],
    ids=["changed-bytes", "cut-short", "empty-digest"],
)
def test_an_entry_that_fails_its_check_is_removed_not_copied(tmp_path, data, digest):
    store = tmp_path / "store"
    _entry(store, "bad.svg", data, digest)
    _entry(store, "good.svg", SVG)
    tex = tmp_path / "Tex"
    assert texcache.seed(store, tex) == 1
    assert [path.name for path in tex.iterdir()] == ["good.svg"]
    assert not (store / "bad.svg").exists() and not (store / "bad.svg.sha256").exists()


def test_an_svg_without_its_digest_is_not_trusted(tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    (store / "orphan.svg").write_bytes(SVG)
    assert texcache.seed(store, tmp_path / "Tex") == 0


def test_a_store_whose_cache_folder_is_missing_gets_nothing(tmp_path):
    tex = tmp_path / "Tex"
    tex.mkdir()
    (tex / "aaaa.svg").write_bytes(SVG)
    assert texcache.publish(tex, tmp_path / "elsewhere" / "tex" / "tools") == 0
    assert not (tmp_path / "elsewhere").exists()
    assert texcache.seed(tmp_path / "elsewhere" / "tex" / "tools", tex) == 0


def test_the_store_is_named_after_the_tex_tools(tmp_path):
    first = texcache.store_folder(tmp_path)
    assert first.parent == tmp_path / "tex" and len(first.name) == 16
    assert texcache.store_folder(tmp_path) == first


def _render(media: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    media.parent.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "manim",
            "render",
            "-ql",
            "-s",
            "--disable_caching",
            "--media_dir",
            str(media),
            str(ROOT / "tests" / "scenes" / "tex_scene.py"),
            "TwoFormulas",
        ],
        cwd=media.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.render
def test_a_render_seeded_from_the_store_runs_no_tex_and_draws_the_same_frame(tmp_path):
    env = {**os.environ, "COLUMNS": "200"}
    first = _render(tmp_path / "first" / "media", env)
    assert first.returncode == 0, first.stderr[-3000:]
    store = tmp_path / "cache" / "tex" / "tools"
    store.parent.mkdir(parents=True)
    assert texcache.publish(tmp_path / "first" / "media" / "Tex", store) == 2
    # TeX that fails if it is run at all: the seeded render must not need it.
    fake = tmp_path / "no-tex"
    fake.mkdir()
    for tool in ("latex", "dvisvgm", "pdflatex", "xelatex"):
        script = fake / tool
        script.write_text("#!/bin/sh\necho 'TeX was run' >&2\nexit 1\n")
        script.chmod(0o755)
    seeded_media = tmp_path / "second" / "media"
    assert texcache.seed(store, seeded_media / "Tex") == 2
    second = _render(seeded_media, {**env, "PATH": f"{fake}:{env['PATH']}"})
    assert second.returncode == 0, second.stderr[-3000:]
    assert "TeX was run" not in second.stderr + second.stdout
    frames = [
        next((media / "images").rglob("*.png")).read_bytes()
        for media in (tmp_path / "first" / "media", seeded_media)
    ]
    assert frames[0] == frames[1]
    # and without the store, that TeX is what the render would run (the test can fail)
    bare = _render(tmp_path / "third" / "media", {**env, "PATH": f"{fake}:{env['PATH']}"})
    assert bare.returncode != 0
