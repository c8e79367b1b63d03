"""Real-browser checks of a lesson folder's page, and a small synthetic lesson to run them on.

The checks work on any lesson folder that has a ``manifest.json`` (the build's structure, see
:func:`lesson_build.page.render_page`) and the ``index.html`` made from it: the synthetic one
made here by :func:`make_synthetic_lesson`, or a real ``media/lesson/`` from the build.

Headless Debian ``chromium`` (``/usr/bin/chromium``, installed by ``make setup``) is driven by
the ``playwright`` package (no browser download); the folder is served on 127.0.0.1 by a
server that answers byte-range requests (``rangehttpserver``), without which Chromium cannot
seek an MP4.

One call runs every check on a folder::

    from pagekit import check_page_in_browser          # from a test module in tests/
    report = check_page_in_browser("media/lesson")     # raises AssertionError naming what failed

or, with a browser already open (as the tests do), one check at a time::

    with launch_chromium() as browser, open_site("media/lesson", browser) as site:
        check_tracks(site)
        check_native_captions_clear(site, sizes=((640, 360), (1280, 720)), samples=6)
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import math
import re
import shutil
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import numpy as np
from PIL import Image, ImageDraw, ImageFont

BACKGROUND_RGB = (0x10, 0x13, 0x1A)
"""The lesson's background colour, #10131a."""

CHROMIUM_ARGS = ["--autoplay-policy=no-user-gesture-required", "--no-sandbox"]
PLAYER_SIZES: tuple[tuple[int, int], ...] = ((640, 360), (1280, 720))
"""Player sizes at which native captions must not cover drawn content."""

BACKGROUND_TOLERANCE = 12
"""Largest per-channel difference (0–255) from the background that still counts as background.

Covers H.264/yuv420p rounding and the browser's colour conversion (measured: at most 1 on the
synthetic lesson's plain background); faint drawn content (a thin low-opacity line) is brighter."""

CAPTION_DIFF_THRESHOLD = 6
"""Per-channel difference between the 'showing' and 'hidden' screenshots that marks a caption
pixel."""

SEEK_TOLERANCE_S = 0.5
"""A chapter click must land within this many seconds of the chapter's start."""


# --------------------------------------------------------------------------------------------
# Serving and the browser


@contextlib.contextmanager
def serve_folder(folder: str | Path) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1 (a free port, byte ranges answered) in a thread.

    Yields the base URL (ending in ``/``); the server is shut down on exit.
    """
    from lesson_build.preview import LessonServer, range_handler

    server = LessonServer(("127.0.0.1", 0), range_handler(Path(folder).resolve()))
    thread = threading.Thread(target=server.serve_forever, name="lesson-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def chromium_path() -> str:
    """The path of Debian's ``chromium``; raises ``AssertionError`` with the fix if missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise AssertionError(
            "Debian's chromium is not installed (no `chromium` on PATH): the lesson page's browser "
            "tests need it. Install it with `make setup` (apt-get install chromium)."
        )
    return path


@contextlib.contextmanager
def launch_chromium() -> Iterator[Any]:
    """Headless Debian chromium driven by playwright (no browser download); closed on exit."""
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:  # pragma: no cover - the test extra installs it
        raise AssertionError(
            "the `playwright` package is missing: install the test extra (`make setup`)"
        ) from exc
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@dataclass
class LessonSite:
    """A lesson folder, its manifest, the URL it is served at and the browser that opens it."""

    folder: Path
    manifest: dict[str, Any]
    base_url: str
    browser: Any
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)

    def path(self, name: str) -> Path:
        """A file of the lesson folder, by the name the manifest gives it."""
        return self.folder / name

    def open(self, viewport: tuple[int, int] = (1400, 1000)) -> Any:
        """A fresh page (own context) with ``index.html`` loaded and the flagship's metadata read.

        JavaScript errors and requests for anything not under :attr:`base_url` are recorded in
        :attr:`page_errors` and :attr:`outside_requests` (the page must be self-contained).
        """
        context = self.browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})
        page = context.new_page()
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))
        page.on(
            "request",
            lambda req: (
                None
                if req.url.startswith(self.base_url) or req.url.startswith(("data:", "blob:"))
                else self.outside_requests.append(req.url)
            ),
        )
        response = page.goto(self.base_url + "index.html", wait_until="load")
        assert response is not None and response.ok, (
            f"index.html did not load from {self.base_url}: "
            f"{response.status if response else 'no response'}"
        )
        page.wait_for_function(
            "() => { const v = document.getElementById('lesson-video');"
            " return v && v.readyState >= 1 || (v && v.error); }",
            timeout=15000,
        )
        error = page.evaluate(
            "() => { const e = document.getElementById('lesson-video').error;"
            " return e ? e.code + ' ' + e.message : null; }"
        )
        assert error is None, f"the flagship video failed to load in the page: {error}"
        return page


def load_manifest(folder: str | Path) -> dict[str, Any]:
    """The folder's ``manifest.json``."""
    path = Path(folder) / "manifest.json"
    assert path.is_file(), f"{path} is missing: not a lesson folder"
    return json.loads(path.read_text(encoding="utf-8"))


@contextlib.contextmanager
def open_site(folder: str | Path, browser: Any) -> Iterator[LessonSite]:
    """Serve ``folder`` and yield a :class:`LessonSite` that opens its page in ``browser``."""
    folder = Path(folder)
    manifest = load_manifest(folder)
    assert (folder / "index.html").is_file(), f"{folder / 'index.html'} is missing"
    with serve_folder(folder) as base_url:
        yield LessonSite(folder=folder, manifest=manifest, base_url=base_url, browser=browser)


# --------------------------------------------------------------------------------------------
# In-page helpers (JavaScript run by page.evaluate)

_JS_TRACK = """async ([sel, mode]) => {
  const el = document.querySelector(sel);
  if (!el) throw new Error('no element ' + sel);
  if (el.track.mode === 'disabled') el.track.mode = mode;
  if (el.readyState !== 2) {
    await new Promise((resolve, reject) => {
      if (el.readyState === 3) reject(new Error('track failed to load: ' + el.src));
      el.addEventListener('load', resolve, {once: true});
      el.addEventListener('error', () => reject(new Error('track failed to load: ' + el.src)),
        {once: true});
      setTimeout(() => reject(new Error('track did not load within 10 s: ' + el.src)), 10000);
    });
  }
  const cues = Array.from(el.track.cues || []);
  return {mode: el.track.mode, src: el.src,
          cues: cues.map(c => ({start: c.startTime, end: c.endTime, text: c.text}))};
}"""

_JS_SEEK = """async (t) => {
  const v = document.getElementById('lesson-video');
  if (v.readyState < 1)
    await new Promise(r => v.addEventListener('loadedmetadata', r, {once: true}));
  const frame = new Promise(r => {
    if (v.requestVideoFrameCallback) v.requestVideoFrameCallback(() => r());
    setTimeout(r, 1500);
  });
  const seeked = new Promise(r => v.addEventListener('seeked', r, {once: true}));
  v.currentTime = t;
  await seeked;
  await frame;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return v.currentTime;
}"""

_JS_FRAMES = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"


def _seek(page: Any, seconds: float) -> float:
    """Seek the flagship to ``seconds`` and wait until that frame is on screen."""
    return float(page.evaluate(_JS_SEEK, seconds))


def _screenshot(locator: Any) -> np.ndarray:
    """An element's screenshot as an RGB array (height, width, 3)."""
    png = locator.screenshot(animations="disabled", caret="hide")
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _normalise(text: str) -> str:
    """Cue text as shown: tags removed, character references decoded, whitespace collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", text)).split())


def read_vtt(path: str | Path) -> list[Any]:
    """The cues of a WebVTT file, parsed by webvtt-py."""
    import webvtt

    return list(webvtt.read(str(path)))


def _flagship_cues(site: LessonSite) -> list[Any]:
    return read_vtt(site.path(site.manifest["flagship"]["captions"]))


# --------------------------------------------------------------------------------------------
# The checks. Each takes a LessonSite, raises AssertionError naming what failed, returns facts.


def check_loads(site: LessonSite) -> dict[str, Any]:
    """The page loads without JavaScript errors, asks for nothing outside the folder, and the
    flagship's metadata matches the manifest (resolution, duration)."""
    page = site.open()
    try:
        facts = page.evaluate(
            """() => { const v = document.getElementById('lesson-video');
            return {title: document.title, lang: document.documentElement.lang,
                    width: v.videoWidth, height: v.videoHeight, duration: v.duration,
                    controls: v.controls, preload: v.preload}; }"""
        )
    finally:
        page.context.close()
    manifest = site.manifest
    assert facts["title"] == manifest["title"], f"page title {facts['title']!r} != manifest title"
    assert facts["lang"] == "en", "the page must declare lang='en'"
    assert facts["controls"], "the flagship video has no controls"
    assert facts["preload"] == "metadata", "the flagship should preload metadata only"
    if manifest.get("resolution"):
        assert [facts["width"], facts["height"]] == list(manifest["resolution"]), (
            f"flagship plays at {facts['width']}x{facts['height']}, "
            f"manifest says {manifest['resolution']}"
        )
    expected = manifest["flagship"].get("duration")
    if expected:
        frame = 1.0 / float(manifest.get("fps") or 15)
        assert abs(facts["duration"] - expected) <= 2 * frame + 0.1, (
            f"flagship duration in the browser {facts['duration']:.3f} s, manifest {expected:.3f} s"
        )
    assert not site.page_errors, f"JavaScript errors on the page: {site.page_errors}"
    assert not site.outside_requests, (
        f"the page requested files from outside the lesson folder: {site.outside_requests}"
    )
    return facts


def check_poster(site: LessonSite) -> dict[str, Any]:
    """Before play the flagship shows its poster: ``poster`` set, the image loads, and the
    video element on screen looks like it (not a black box)."""
    page = site.open()
    try:
        video = page.locator("#lesson-video")
        info = page.evaluate(
            """async () => { const v = document.getElementById('lesson-video');
            const img = new Image(); img.src = v.poster;
            try { await img.decode(); } catch (e) { return {poster: v.poster, naturalWidth: 0}; }
            return {poster: v.poster, naturalWidth: img.naturalWidth,
                    naturalHeight: img.naturalHeight,
                    paused: v.paused, currentTime: v.currentTime}; }"""
        )
        poster_name = site.manifest["flagship"].get("poster")
        assert poster_name, "the manifest names no flagship poster"
        assert unquote(info["poster"]).endswith(poster_name), (
            f"video.poster is {info['poster']!r}, expected {poster_name!r}"
        )
        assert info["naturalWidth"] > 0, f"the poster image {info['poster']} does not load"
        assert info["paused"] and info["currentTime"] == 0, "the flagship started before play"
        shot = _screenshot(video).astype(np.int16)
    finally:
        page.context.close()
    poster = Image.open(site.path(poster_name)).convert("RGB")
    poster = np.asarray(poster.resize((shot.shape[1], shot.shape[0]), Image.BILINEAR)).astype(
        np.int16
    )
    difference = float(np.abs(shot - poster).mean())
    assert shot.max() > 40, "the video element is black before play: no poster shown"
    assert difference < 12, (
        f"before play the video element does not show the poster (mean difference {difference:.1f})"
    )
    return {**info, "difference": difference}


def check_plays(site: LessonSite) -> dict[str, Any]:
    """The flagship plays: after ``play()`` its currentTime advances."""
    page = site.open()
    try:
        page.evaluate(
            "async () => { const v = document.getElementById('lesson-video'); v.muted = true;"
            " await v.play(); }"
        )
        page.wait_for_function(
            "() => document.getElementById('lesson-video').currentTime > 0.6", timeout=15000
        )
        state = page.evaluate(
            "() => { const v = document.getElementById('lesson-video');"
            " return {currentTime: v.currentTime, paused: v.paused,"
            " error: v.error && v.error.code}; }"
        )
    finally:
        page.context.close()
    assert not state["paused"] and state["error"] is None, f"the flagship stopped: {state}"
    return state


def check_tracks(site: LessonSite) -> dict[str, Any]:
    """The captions track loads with as many cues as its .vtt holds; the chapters track loads
    (mode hidden) with one cue per manifest chapter, at its start and with its title."""
    page = site.open()
    try:
        captions = page.evaluate(_JS_TRACK, ["#lesson-captions", "hidden"])
        chapters = page.evaluate(_JS_TRACK, ["#lesson-chapters", "hidden"])
        default = page.evaluate("() => document.getElementById('lesson-captions').default")
    finally:
        page.context.close()
    flagship = site.manifest["flagship"]
    expected_cues = read_vtt(site.path(flagship["captions"]))
    assert default, "the captions track is not marked default"
    assert captions["mode"] == "hidden", (
        f"on the page the native captions must be hidden (the line beneath shows them), "
        f"not {captions['mode']!r}"
    )
    assert len(captions["cues"]) == len(expected_cues), (
        f"captions track loaded {len(captions['cues'])} cues, {flagship['captions']} has "
        f"{len(expected_cues)}"
    )
    manifest_chapters = site.manifest["chapters"]
    expected_chapters = read_vtt(site.path(flagship["chapters"]))
    assert len(chapters["cues"]) == len(manifest_chapters) == len(expected_chapters), (
        f"chapters track loaded {len(chapters['cues'])} cues; {flagship['chapters']} has "
        f"{len(expected_chapters)}, the manifest {len(manifest_chapters)} chapters"
    )
    frame = 1.0 / float(site.manifest.get("fps") or 15)
    for cue, chapter in zip(chapters["cues"], manifest_chapters, strict=True):
        assert abs(cue["start"] - float(chapter["start"])) <= frame + 1e-3, (
            f"chapter {chapter['name']!r} starts at {chapter['start']} s in the manifest, "
            f"{cue['start']} s in the chapters track"
        )
        assert _normalise(cue["text"]) == _normalise(chapter["title"]), (
            f"chapter cue text {cue['text']!r} != manifest title {chapter['title']!r}"
        )
    return {"captions": len(captions["cues"]), "chapters": len(chapters["cues"])}


def check_chapter_list(site: LessonSite) -> list[dict[str, Any]]:
    """The page's chapter list is built from the chapters track's cues, and clicking each chapter
    seeks the flagship to within :data:`SEEK_TOLERANCE_S` of its start and highlights it."""
    page = site.open()
    results = []
    try:
        page.wait_for_function(
            "() => document.getElementById('chapter-list').dataset.source === 'track'",
            timeout=10000,
        )
        buttons = page.locator("#chapter-list button.chapter")
        chapters = site.manifest["chapters"]
        assert buttons.count() == len(chapters), (
            f"the chapter list has {buttons.count()} entries, the lesson {len(chapters)} chapters"
        )
        # Last to first, so that every click (the first chapter's too) has to move the video.
        for index in reversed(range(len(chapters))):
            start = float(chapters[index]["start"])
            button = buttons.nth(index)
            label = " ".join(button.inner_text().split())
            assert _normalise(chapters[index]["title"]) in label, (
                f"chapter list entry {index + 1} reads {label!r}, "
                f"expected {chapters[index]['title']!r}"
            )
            button.click()
            try:
                page.wait_for_function(
                    """([start, tol, index]) => { const v = document.getElementById('lesson-video');
                    const b = document.querySelectorAll('#chapter-list button.chapter')[index];
                    return !v.seeking && Math.abs(v.currentTime - start) <= tol
                           && b.getAttribute('aria-current') === 'true'; }""",
                    arg=[start, SEEK_TOLERANCE_S, index],
                    timeout=8000,
                )
            except Exception as exc:
                now = page.evaluate("() => document.getElementById('lesson-video').currentTime")
                raise AssertionError(
                    f"clicking chapter {chapters[index]['name']!r} did not seek to {start:.2f} s "
                    f"(video at {now:.2f} s) or did not highlight it"
                ) from exc
            now = page.evaluate("() => document.getElementById('lesson-video').currentTime")
            current = page.locator("#chapter-list button[aria-current='true']").count()
            assert current == 1, f"{current} chapters highlighted at once"
            results.append({"name": chapters[index]["name"], "start": start, "seeked_to": now})
    finally:
        page.context.close()
    return results


def _sample_cues(cues: Sequence[Any], samples: int) -> list[Any]:
    """Up to ``samples`` cues spread over the lesson, always including one with the most lines."""
    if len(cues) <= samples:
        return list(cues)
    picks = {round(i * (len(cues) - 1) / max(1, samples - 2)) for i in range(samples - 1)}
    picks.add(max(range(len(cues)), key=lambda i: len(cues[i].text.splitlines())))
    return [cues[i] for i in sorted(picks)]


def _cue_time(cue: Any, duration: float | None) -> float:
    """A time inside ``cue`` (its middle), inside the video."""
    start, end = cue_seconds(cue)
    t = (start + end) / 2
    if duration:
        t = min(t, duration - 0.1)
    return max(t, start + 0.01)


def cue_seconds(cue: Any) -> tuple[float, float]:
    """A cue's start and end in seconds, to the millisecond (webvtt-py's ``*_in_seconds`` are
    whole)."""

    from lessonkit.captions import vtt_seconds  # webvtt-py reads them

    return vtt_seconds(cue.start), vtt_seconds(cue.end)


def check_caption_line(site: LessonSite, samples: int = 3) -> list[dict[str, Any]]:
    """The page's own caption line beneath the video shows the active cue's text at cue times
    (and sits below the picture, not on it)."""
    cues = _flagship_cues(site)
    assert cues, "the captions file has no cues"
    duration = site.manifest["flagship"].get("duration")
    page = site.open()
    results = []
    try:
        page.evaluate(_JS_TRACK, ["#lesson-captions", "hidden"])
        for cue in _sample_cues(cues, samples):
            t = _cue_time(cue, duration)
            _seek(page, t)
            active = [c for c in cues if cue_seconds(c)[0] <= t < cue_seconds(c)[1]]
            expected = " ".join(_normalise(c.text) for c in active)
            try:
                page.wait_for_function(
                    """(want) => { const l = document.getElementById('caption-line');
                    return l && l.textContent.split(/\\s+/).join(' ').trim() === want; }""",
                    arg=expected,
                    timeout=5000,
                )
            except Exception as exc:
                shown = page.evaluate("() => document.getElementById('caption-line').textContent")
                raise AssertionError(
                    f"at {t:.2f} s the caption line shows {shown!r}, expected {cue.text!r}"
                ) from exc
            results.append({"time": t, "text": expected})
        boxes = page.evaluate(
            """() => { const r = e => e.getBoundingClientRect();
            const v = r(document.getElementById('lesson-video'));
            const l = r(document.getElementById('caption-line'));
            return {videoBottom: v.bottom, lineTop: l.top, lineVisible: l.height > 0}; }"""
        )
        mode = page.evaluate("() => document.getElementById('lesson-captions').track.mode")
    finally:
        page.context.close()
    assert boxes["lineVisible"], "the caption line is not visible"
    assert boxes["lineTop"] >= boxes["videoBottom"] - 0.5, (
        f"the caption line overlaps the video (line top {boxes['lineTop']}, "
        f"video bottom {boxes['videoBottom']})"
    )
    assert mode == "hidden", f"on the page the native captions track is {mode!r}, not hidden"
    return results


def check_fullscreen_captions(site: LessonSite) -> dict[str, str]:
    """The native captions track is ``hidden`` on the page and ``showing`` while the flagship is
    full screen (where the line beneath the video is out of sight), ``hidden`` again after."""
    page = site.open()
    try:
        modes = page.evaluate(
            """async () => { const v = document.getElementById('lesson-video');
            const track = document.getElementById('lesson-captions').track;
            const settle = () => new Promise(r => setTimeout(r, 250));
            const before = track.mode;
            await v.requestFullscreen();
            await settle();
            const fullscreen = track.mode;
            await document.exitFullscreen();
            await settle();
            return {before: before, fullscreen: fullscreen, after: track.mode}; }"""
        )
    finally:
        page.context.close()
    assert modes == {"before": "hidden", "fullscreen": "showing", "after": "hidden"}, (
        f"native captions track modes (page, full screen, page again): {modes}"
    )
    return modes


@dataclass
class CaptionCoverage:
    """What one native caption covered: where (pixels of the player) and how much non-background."""

    size: tuple[int, int]
    time: float
    text: str
    box: tuple[int, int, int, int]  # left, top, right, bottom (exclusive), player pixels
    content_pixels: int
    box_pixels: int

    @property
    def box_fraction(self) -> tuple[float, float, float, float]:
        """The box as fractions of the player's width and height."""
        w, h = self.size
        left, top, right, bottom = self.box
        return (left / w, top / h, right / w, bottom / h)


def _picture_box(page: Any, width: int, height: int) -> tuple[int, int, int, int]:
    """The pixels of a ``width``×``height`` player that show the picture (``object-fit:
    contain``), as left, top, right, bottom (exclusive); where the picture does not fill the
    player exactly, the partly covered edge pixel is left out too."""
    vw, vh = page.evaluate(
        "() => { const v = document.getElementById('lesson-video');"
        " return [v.videoWidth, v.videoHeight]; }"
    )
    assert vw > 0 and vh > 0, "the flagship has no video size"
    scale = min(width / vw, height / vh)
    pw, ph = vw * scale, vh * scale
    x0, y0 = (width - pw) / 2, (height - ph) / 2

    def span(start: float, size: float, full: int) -> tuple[int, int]:
        if abs(size - full) < 1e-6:
            return 0, full
        return math.ceil(start) + 1, math.floor(start + size) - 1

    left, right = span(x0, pw, width)
    top, bottom = span(y0, ph, height)
    return left, top, right, bottom


def measure_native_captions(
    site: LessonSite,
    sizes: Sequence[tuple[int, int]] = PLAYER_SIZES,
    samples: int = 6,
    tolerance: int = BACKGROUND_TOLERANCE,
    background: tuple[int, int, int] = BACKGROUND_RGB,
) -> list[CaptionCoverage]:
    """For sampled cue times and each player size, find Chromium's native caption box and count
    the non-background pixels of the video frame under it.

    The player is pinned at exactly ``size`` CSS pixels with its ``controls`` attribute removed
    (controls, when shown, lift the captions: this measures them where they sit during
    playback). At each cue time the paused frame is screenshot with the captions track
    ``showing`` and again ``hidden``: the pixels that differ are the caption box, and the hidden
    screenshot holds the frame under it. A pixel is drawn content when one of its channels
    differs from ``background`` (RGB) by more than ``tolerance``.
    """
    cues = _flagship_cues(site)
    assert cues, "the captions file has no cues"
    duration = site.manifest["flagship"].get("duration")
    chosen = _sample_cues(cues, samples)
    results: list[CaptionCoverage] = []
    for width, height in sizes:
        page = site.open(viewport=(max(width + 40, 800), max(height + 40, 600)))
        try:
            page.evaluate(_JS_TRACK, ["#lesson-captions", "hidden"])
            page.evaluate(
                """([w, h]) => { const v = document.getElementById('lesson-video');
                v.pause(); v.controls = false; v.removeAttribute('controls');
                Object.assign(v.style, {position: 'fixed', left: '0px', top: '0px', width: w + 'px',
                  height: h + 'px', maxWidth: 'none', zIndex: 2147483647, borderRadius: '0',
                  objectFit: 'contain', margin: '0'}); }""",
                [width, height],
            )
            video = page.locator("#lesson-video")
            picture = _picture_box(page, width, height)
            for cue in chosen:
                t = _cue_time(cue, duration)
                _seek(page, t)
                page.evaluate(
                    """async () => { const tr = document.getElementById('lesson-captions').track;
                    tr.mode = 'showing';
                    for (let i = 0; i < 50 && !(tr.activeCues && tr.activeCues.length); i++)
                      await new Promise(r => setTimeout(r, 20));
                    await new Promise(r =>
                      requestAnimationFrame(() => requestAnimationFrame(r))); }"""
                )
                showing = _screenshot(video)
                page.evaluate(
                    "() => { document.getElementById('lesson-captions').track.mode = 'hidden'; }"
                )
                page.evaluate(_JS_FRAMES)
                hidden = _screenshot(video)
                assert showing.shape == hidden.shape == (height, width, 3), (
                    f"player screenshot is {showing.shape[1]}x{showing.shape[0]}, "
                    f"expected {width}x{height}"
                )
                changed = np.abs(showing.astype(np.int16) - hidden.astype(np.int16)).max(axis=2)
                mask = changed > CAPTION_DIFF_THRESHOLD
                assert mask.any(), (
                    f"no native caption was drawn at {t:.2f} s at {width}x{height}: "
                    "cannot measure what it covers"
                )
                rows = np.flatnonzero(mask.any(axis=1))
                cols = np.flatnonzero(mask.any(axis=0))
                box = (int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
                # Only the picture counts: not the letterbox (nor its blended edge rows) that
                # appears when the player's shape differs from the video's by a fraction of a pixel.
                box = (
                    max(box[0], picture[0]),
                    max(box[1], picture[1]),
                    min(box[2], picture[2]),
                    min(box[3], picture[3]),
                )
                region = hidden[box[1] : box[3], box[0] : box[2]].astype(np.int16)
                off = np.abs(region - np.array(background, dtype=np.int16)).max(axis=2)
                results.append(
                    CaptionCoverage(
                        size=(width, height),
                        time=t,
                        text=cue.text,
                        box=box,
                        content_pixels=int((off > tolerance).sum()),
                        box_pixels=int(off.size),
                    )
                )
        finally:
            page.context.close()
    return results


def check_native_captions_clear(
    site: LessonSite,
    sizes: Sequence[tuple[int, int]] = PLAYER_SIZES,
    samples: int = 6,
    tolerance: int = BACKGROUND_TOLERANCE,
    allowed_fraction: float = 0.001,
    background: tuple[int, int, int] = BACKGROUND_RGB,
) -> list[CaptionCoverage]:
    """Native captions never cover drawn content: under every measured caption box (see
    :func:`measure_native_captions`) the frame is background, apart from at most
    ``allowed_fraction`` of the box's pixels (codec noise). Raises ``AssertionError`` listing
    every cue time and size where drawn content lies under the captions."""
    coverage = measure_native_captions(
        site, sizes=sizes, samples=samples, tolerance=tolerance, background=background
    )
    bad = [c for c in coverage if c.content_pixels > allowed_fraction * c.box_pixels]
    if bad:
        lines = [
            f"  at {c.time:.2f} s, {c.size[0]}x{c.size[1]}: caption box "
            f"x {c.box_fraction[0]:.0%}–{c.box_fraction[2]:.0%}, "
            f"y {c.box_fraction[1]:.0%}–{c.box_fraction[3]:.0%} covers "
            f"{c.content_pixels} non-background pixels ({c.content_pixels / c.box_pixels:.1%}) "
            f"under {c.text!r}"
            for c in bad
        ]
        raise AssertionError(
            "native captions cover drawn content (keep the bottom band of every frame clear):\n"
            + "\n".join(lines)
        )
    return coverage


def check_page_in_browser(
    folder: str | Path,
    *,
    sizes: Sequence[tuple[int, int]] = PLAYER_SIZES,
    samples: int = 6,
) -> dict[str, Any]:
    """Every browser check on a lesson folder (``manifest.json`` + ``index.html``), in one
    headless chromium; raises ``AssertionError`` at the first failure, returns what was seen."""
    with launch_chromium() as browser, open_site(folder, browser) as site:
        return {
            "loads": check_loads(site),
            "poster": check_poster(site),
            "plays": check_plays(site),
            "tracks": check_tracks(site),
            "chapter_list": check_chapter_list(site),
            "caption_line": check_caption_line(site),
            "fullscreen_captions": check_fullscreen_captions(site),
            "native_captions": check_native_captions_clear(site, sizes=sizes, samples=samples),
        }


# --------------------------------------------------------------------------------------------
# A synthetic lesson folder

_SYNTHETIC_CHAPTERS = [
    ("opening", "Opening", [
        (0.2, 1.8, "Gradient descent walks downhill."),
        (2.0, 3.8, "Each step follows the slope\nat the point it stands on."),
    ]),
    ("narrow_ravine", "A narrow ravine", [  # not "ravine": the flagship's files
        (4.2, 5.9, "In a ravine plain steps zigzag\nfrom wall to wall."),
        (6.0, 7.8, "Progress along the floor is slow."),
    ]),
    ("momentum", "Momentum", [
        (8.2, 9.9, "Momentum keeps part of the last step."),
        (10.0, 11.8, "The zigzag cancels out,\nand the ball rolls along the floor."),
    ]),
]  # fmt: skip
_CHAPTER_COLOURS = [(88, 196, 221), (252, 98, 85), (131, 193, 103)]


def _font(size: int) -> Any:
    try:
        return ImageFont.truetype("DejaVuSans-Bold.ttf", size)
    except OSError:
        return ImageFont.load_default()


def _frame(
    t: float, index: int, width: int, height: int, content_bottom: float, intrude: bool
) -> np.ndarray:
    """One synthetic frame: drawn content above ``content_bottom`` (fraction of the height),
    plain background below it; ``intrude`` also draws a label inside the bottom band."""
    image = Image.new("RGB", (width, height), BACKGROUND_RGB)
    draw = ImageDraw.Draw(image)
    colour = _CHAPTER_COLOURS[index % len(_CHAPTER_COLOURS)]
    limit = content_bottom * height
    draw.text((0.05 * width, 0.05 * height), f"{index + 1}. {_SYNTHETIC_CHAPTERS[index][1]}",
              fill=(232, 234, 240), font=_font(int(0.07 * height)))  # fmt: skip
    # A zigzag path in the upper part, and a ball moving along it with time.
    xs = np.linspace(0.08, 0.92, 12) * width
    ys = np.where(np.arange(12) % 2 == 0, 0.25, limit / height - 0.08) * height
    draw.line(
        list(zip(xs.tolist(), ys.tolist(), strict=True)), fill=colour, width=max(2, height // 120)
    )
    u = (t % 4.0) / 4.0 * 11
    k = min(int(u), 10)
    bx = xs[k] + (xs[k + 1] - xs[k]) * (u - k)
    by = ys[k] + (ys[k + 1] - ys[k]) * (u - k)
    r = 0.035 * height
    draw.ellipse((bx - r, by - r, bx + r, by + r), fill=(255, 255, 255))
    draw.rectangle((0.05 * width, limit - 0.03 * height, (0.05 + 0.9 * t / 12) * width, limit),
                   fill=colour)  # fmt: skip
    if intrude:
        # Drawn content inside the band where captions sit: a label and a bar across the middle.
        draw.rectangle((0.2 * width, 0.86 * height, 0.8 * width, 0.98 * height), fill=(60, 70, 90))
        draw.text((0.25 * width, 0.875 * height), f"t = {t:4.1f} s  loss falling",
                  fill=(255, 220, 120), font=_font(int(0.06 * height)))  # fmt: skip
    return np.asarray(image)


def _encode(path: Path, frames: Iterator[np.ndarray], width: int, height: int, fps: int) -> int:
    """Encode RGB frames as H.264 yuv420p MP4, moov atom first, a keyframe every second."""
    import av

    count = 0
    with av.open(str(path), "w", options={"movflags": "+faststart"}) as container:
        stream = container.add_stream("libx264", rate=Fraction(fps))
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"crf": "20", "preset": "veryfast", "g": str(fps), "keyint_min": str(fps)}
        for array in frames:
            frame = av.VideoFrame.from_ndarray(array, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
            count += 1
        for packet in stream.encode():
            container.mux(packet)
    return count


def _timestamp(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _write_vtt(path: Path, cues: Sequence[tuple[float, float, str]]) -> None:
    blocks = ["WEBVTT", ""]
    for start, end, text in cues:
        blocks += [f"{_timestamp(start)} --> {_timestamp(end)}", text, ""]
    path.write_text("\n".join(blocks), encoding="utf-8")


def make_synthetic_lesson(
    folder: str | Path,
    *,
    width: int = 640,
    height: int = 360,
    fps: int = 15,
    content_bottom: float = 0.62,
    intrude: bool = False,
) -> dict[str, Any]:
    """Write a small synthetic lesson folder and return its manifest.

    A 12 s flagship (three 4 s chapters) at ``width``×``height``, ``fps``, H.264 yuv420p with
    the moov atom first, no audio; drawn content above ``content_bottom`` of the height and
    plain background (#10131a) below (``intrude=True`` draws into the bottom band, where
    captions sit); captions (cues of one and two lines) and chapters WebVTT; JPEG posters; one
    clip per chapter with its own captions; ``manifest.json`` in the build's structure; and
    ``index.html`` from :func:`lesson_build.page.render_page`.
    """
    from lesson_build.manifest import Manifest
    from lesson_build.page import render_page

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    chapter_s = 4.0
    per_chapter = int(chapter_s * fps)
    chapters = []
    all_cues: list[tuple[float, float, str]] = []
    for index, (name, title, cues) in enumerate(_SYNTHETIC_CHAPTERS):
        start = index * chapter_s
        frames = (
            _frame(start + i / fps, index, width, height, content_bottom, intrude)
            for i in range(per_chapter)
        )
        count = _encode(folder / f"{name}.mp4", frames, width, height, fps)
        _write_vtt(folder / f"{name}.vtt", [(a - start, b - start, text) for a, b, text in cues])
        Image.fromarray(
            _frame(start + chapter_s / 2, index, width, height, content_bottom, intrude)
        ).save(folder / f"{name}.jpg", quality=90)
        all_cues += cues
        chapters.append({
            "name": name, "title": title, "video": f"{name}.mp4", "captions": f"{name}.vtt",
            "poster": f"{name}.jpg", "duration": count / fps, "start": start,
            "parameters": {"alpha": 0.02 * (index + 1), "beta": [0.0, 0.9, 0.9][index],
                           "steps": 40, "start": [-4.0, 1.5]},
        })  # fmt: skip

    total = len(_SYNTHETIC_CHAPTERS) * per_chapter

    def flagship_frames() -> Iterator[np.ndarray]:
        for i in range(total):
            t = i / fps
            yield _frame(t, int(t // chapter_s), width, height, content_bottom, intrude)

    count = _encode(folder / "ravine.mp4", flagship_frames(), width, height, fps)
    _write_vtt(folder / "ravine.vtt", all_cues)
    _write_vtt(
        folder / "ravine.chapters.vtt",
        [(c["start"], c["start"] + c["duration"], c["title"]) for c in chapters],
    )
    Image.fromarray(_frame(5.0, 1, width, height, content_bottom, intrude)).save(
        folder / "ravine.jpg", quality=90
    )
    manifest: dict[str, Any] = {
        "title": "Momentum, synthetic <test> lesson & co",
        "quality": "low",
        "resolution": [width, height],
        "fps": fps,
        "narration": "silent",
        "build_key": "synthetic",
        "flagship": {
            "name": "ravine", "title": "Gradient descent with momentum", "video": "ravine.mp4",
            "captions": "ravine.vtt", "chapters": "ravine.chapters.vtt", "poster": "ravine.jpg",
            "duration": count / fps,
        },
        "chapters": chapters,
        "files": {},
        "tools": {"synthetic": "tests/pagekit.py"},
    }  # fmt: skip
    for path in sorted(folder.iterdir()):
        if path.suffix in {".mp4", ".vtt", ".jpg"}:
            data = path.read_bytes()
            manifest["files"][path.name] = {
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    page = render_page(Manifest.from_json(manifest))
    (folder / "index.html").write_text(page, encoding="utf-8")
    return manifest
