"""The lesson page: one self-contained ``index.html`` for the built lesson folder.

:func:`render_page` turns the build's manifest into a page that embeds the
flagship video with its captions and chapters tracks, shows the captions in a
line of their own *beneath* the video (so nothing in the picture is ever
covered on the page), builds a clickable chapter list from the chapters
track's cues (Chromium draws no chapter menu itself) and lists the chapter
clips. Everything is inline (CSS, JavaScript, no fonts or scripts from
elsewhere) and every link is relative, so the folder works from any static
host (one that answers byte-range requests, as every real web server does, so
that the video can seek).

The native captions track stays in the page for full screen and for other
players: the page keeps it ``hidden`` (it still loads and fires
``cuechange``) and switches it to ``showing`` while the video is full screen.

>>> html = render_page({"title": "A <b> & c", "flagship": {"video": "f.mp4"}, "chapters": []})
>>> "<title>A &lt;b&gt; &amp; c</title>" in html
True
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

__all__ = ["render_page", "format_time"]

BACKGROUND = "#10131a"
"""The lesson's background colour (the page matches the video)."""
TEXT = "#e8eaf0"
"""The lesson's text colour."""


def _esc(value: object) -> str:
    """HTML-escape any value's text, quotes included (safe in text and attribute values)."""
    return html.escape(str(value), quote=True)


def _url(name: object) -> str:
    """A relative URL for a file name in the lesson folder, percent-encoded and HTML-escaped.

    >>> _url("chapter one.mp4")
    'chapter%20one.mp4'
    >>> _url('a"b<c>.vtt')
    'a%22b%3Cc%3E.vtt'
    """
    return _esc(quote(str(name), safe="/-_.~"))


def format_time(seconds: float | None) -> str:
    """Seconds as ``m:ss`` (or ``h:mm:ss`` from an hour on), rounded down to whole seconds.

    >>> format_time(0), format_time(61.9), format_time(3725)
    ('0:00', '1:01', '1:02:05')
    >>> format_time(None)
    ''
    """
    if seconds is None:
        return ""
    total = max(0, int(float(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes}:{secs:02d}"


def _parameter_text(value: Any) -> str:
    """A chapter parameter's value as short readable text (numbers compact, lists joined)."""
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return "(" + ", ".join(_parameter_text(v) for v in value) + ")"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_parameter_text(v)}" for k, v in value.items())
    return str(value)


def _parameters_html(parameters: Mapping[str, Any] | None) -> str:
    """A collapsed ``<details>`` list of a chapter's ``momentum_math`` parameters (empty if none)."""
    if not parameters:
        return ""
    rows = "".join(
        f"<div><dt>{_esc(key)}</dt><dd>{_esc(_parameter_text(value))}</dd></div>"
        for key, value in parameters.items()
    )
    return (
        '<details class="params"><summary>Parameters</summary>'
        f'<dl class="param-list">{rows}</dl></details>'
    )


def _chapter_buttons(chapters: list[Mapping[str, Any]]) -> str:
    """The chapter list from the manifest: shown until the chapters track's cues replace it."""
    items = []
    for index, chapter in enumerate(chapters):
        start = float(chapter.get("start", 0.0) or 0.0)
        title = chapter.get("title") or chapter.get("name") or f"Chapter {index + 1}"
        items.append(
            f'<li><button type="button" class="chapter" data-start="{start:.3f}">'
            f'<span class="chapter-time">{_esc(format_time(start))}</span>'
            f'<span class="chapter-title">{_esc(title)}</span></button></li>'
        )
    return "".join(items)


def _clip_cards(chapters: list[Mapping[str, Any]]) -> str:
    """One card per chapter clip: a small video with its poster and captions, and links."""
    cards = []
    for index, chapter in enumerate(chapters):
        name = chapter.get("name") or f"chapter-{index + 1}"
        title = chapter.get("title") or name
        video = chapter.get("video")
        start = float(chapter.get("start", 0.0) or 0.0)
        duration = chapter.get("duration")
        heading_id = f"clip-{index + 1}-title"
        poster = f' poster="{_url(chapter["poster"])}"' if chapter.get("poster") else ""
        track = (
            f'<track kind="captions" srclang="en" label="English" src="{_url(chapter["captions"])}">'
            if chapter.get("captions")
            else ""
        )
        player = (
            f'<video class="clip-video" controls preload="none" playsinline{poster} '
            f'aria-labelledby="{heading_id}"><source src="{_url(video)}" type="video/mp4">'
            f'{track}<a href="{_url(video)}">Download {_esc(title)}</a></video>'
            if video
            else ""
        )
        links = []
        if video:
            links.append(f'<a href="{_url(video)}" download>MP4</a>')
        if chapter.get("captions"):
            links.append(f'<a href="{_url(chapter["captions"])}">Captions (WebVTT)</a>')
        meta = (
            f'<span class="clip-duration">{_esc(format_time(duration))}</span>' if duration else ""
        )
        cards.append(
            f'<li class="clip" data-name="{_esc(name)}">'
            f"{player}"
            f'<div class="clip-body"><h3 id="{heading_id}">{index + 1}. {_esc(title)} {meta}</h3>'
            f'<p class="clip-actions"><button type="button" class="link-button" '
            f'data-start="{start:.3f}">Play in the lesson from {_esc(format_time(start))}</button>'
            f"</p>"
            f'<p class="clip-actions">{" · ".join(links)}</p>'
            f"{_parameters_html(chapter.get('parameters'))}</div></li>"
        )
    return "".join(cards)


def _summary(manifest: Mapping[str, Any]) -> str:
    """A short line about the build: duration, resolution, frame rate, quality, narration."""
    parts = []
    flagship = manifest.get("flagship") or {}
    if flagship.get("duration"):
        parts.append(format_time(flagship["duration"]))
    chapters = manifest.get("chapters") or []
    if chapters:
        parts.append(f"{len(chapters)} chapter{'s' if len(chapters) != 1 else ''}")
    resolution = manifest.get("resolution")
    if resolution and len(resolution) == 2:
        parts.append(f"{resolution[0]}×{resolution[1]}")
    if manifest.get("fps"):
        parts.append(f"{manifest['fps']} fps")
    if manifest.get("quality"):
        parts.append(f"{manifest['quality']} quality")
    narration = manifest.get("narration")
    if narration == "voice":
        parts.append("narrated")
    elif narration == "silent":
        parts.append("silent, with captions")
    return " · ".join(_esc(p) for p in parts)


_CSS = """
:root { color-scheme: dark; --bg: __BG__; --fg: __FG__; --muted: #a4abbd; --panel: #181d28;
  --line: #2a3142; --accent: #58c4dd; --accent-ink: #0b1016; --current: #223046; }
* { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue",
  Arial, sans-serif; background: var(--bg); color: var(--fg); }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, summary:focus-visible, video:focus-visible {
  outline: 3px solid var(--accent); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--accent); color: var(--accent-ink);
  padding: .5rem 1rem; }
.skip:focus { left: 1rem; z-index: 10; }
header, main, footer { max-width: 1400px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; padding-bottom: .75rem; }
h1 { font-size: clamp(1.4rem, 2.5vw + .6rem, 2.2rem); line-height: 1.2; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 0 0 .75rem; }
h3 { font-size: 1rem; margin: 0 0 .25rem; }
.summary { color: var(--muted); margin: 0; }
.player { display: grid; grid-template-columns: minmax(0, 1fr) minmax(15rem, 22rem); gap: 1.25rem;
  align-items: start; }
.stage { min-width: 0; }
.stage video { display: block; width: 100%; height: auto; background: #000; border-radius: 6px;
  aspect-ratio: var(--ratio, 16 / 9); }
.caption-bar { display: flex; align-items: flex-start; gap: .75rem; margin-top: .6rem; }
.caption-line { flex: 1; min-height: 3.4em; margin: 0; padding: .45rem .8rem; background: var(--panel);
  border: 1px solid var(--line); border-radius: 6px; font-size: 1.1rem; line-height: 1.45;
  white-space: pre-line; text-align: center; }
.caption-line:empty::before { content: "\\00a0"; }
.caption-line[hidden] { display: none; }
.toggle { font: inherit; font-size: .9rem; color: var(--fg); background: var(--panel);
  border: 1px solid var(--line); border-radius: 6px; padding: .45rem .7rem; cursor: pointer; }
.toggle[aria-pressed="true"] { border-color: var(--accent); }
.chapters { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.chapter-list { list-style: none; margin: 0; padding: 0; display: grid; gap: .25rem; }
.chapter { width: 100%; display: flex; gap: .75rem; align-items: baseline; text-align: left; font: inherit;
  color: var(--fg); background: transparent; border: 1px solid transparent; border-radius: 5px;
  padding: .45rem .6rem; cursor: pointer; }
.chapter:hover { background: #1f2533; }
.chapter[aria-current="true"] { background: var(--current); border-color: var(--accent); }
.chapter-time { font-variant-numeric: tabular-nums; color: var(--muted); min-width: 3.2em; }
.chapter[aria-current="true"] .chapter-time { color: var(--accent); }
.clips { margin-top: 2rem; }
.clip-list { list-style: none; padding: 0; margin: 0; display: grid; gap: 1.25rem;
  grid-template-columns: repeat(auto-fill, minmax(min(100%, 19rem), 1fr)); }
.clip { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; overflow: hidden; }
.clip-video { display: block; width: 100%; height: auto; background: #000; aspect-ratio: var(--ratio, 16 / 9); }
.clip-body { padding: .75rem 1rem 1rem; }
.clip-duration { color: var(--muted); font-weight: normal; font-variant-numeric: tabular-nums; }
.clip-actions { margin: .25rem 0; font-size: .9rem; }
.link-button { font: inherit; color: var(--accent); background: none; border: 0; padding: 0;
  text-decoration: underline; cursor: pointer; }
.params summary { cursor: pointer; color: var(--muted); font-size: .9rem; }
.param-list { display: grid; grid-template-columns: max-content 1fr; gap: .1rem .75rem; margin: .4rem 0 0;
  font-size: .85rem; }
.param-list div { display: contents; }
.param-list dt { color: var(--muted); }
.param-list dd { margin: 0; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
footer { color: var(--muted); font-size: .85rem; padding-top: 2rem; padding-bottom: 2rem; }
@media (max-width: 900px) { .player { grid-template-columns: minmax(0, 1fr); } }
@media (prefers-reduced-motion: reduce) { * { scroll-behavior: auto !important; } }
""".replace("__BG__", BACKGROUND).replace("__FG__", TEXT)

# The page's behaviour. Plain ES2017, no dependencies; ids and classes as in the HTML above.
_JS = r"""
(function () {
  "use strict";
  var video = document.getElementById("lesson-video");
  if (!video) { return; }
  var captionsEl = document.getElementById("lesson-captions");
  var chaptersEl = document.getElementById("lesson-chapters");
  var line = document.getElementById("caption-line");
  var toggle = document.getElementById("caption-toggle");
  var list = document.getElementById("chapter-list");
  var chapterCues = [];

  function isFullscreen() {
    var el = document.fullscreenElement || document.webkitFullscreenElement;
    return el === video || (el && el.contains && el.contains(video)) || video.webkitDisplayingFullscreen;
  }

  // On the page the native captions are hidden (still loaded, still firing cuechange): the
  // line beneath the video shows them, so nothing in the picture is covered. In full screen
  // there is no line beneath, so the native rendering takes over.
  function syncCaptionMode() {
    if (!captionsEl) { return; }
    var wanted = isFullscreen() ? "showing" : "hidden";
    if (captionsEl.track.mode !== wanted) { captionsEl.track.mode = wanted; }
  }

  function cueText(cue) {
    try {
      var frag = cue.getCueAsHTML();
      var box = document.createElement("div");
      box.appendChild(frag);
      return box.textContent;
    } catch (e) {
      return (cue.text || "").replace(/<[^>]*>/g, "");
    }
  }

  function showActiveCues() {
    if (!captionsEl || !line) { return; }
    var cues = captionsEl.track.activeCues;
    var texts = [];
    for (var i = 0; cues && i < cues.length; i++) { texts.push(cueText(cues[i])); }
    var text = texts.join("\n");
    if (line.textContent !== text) { line.textContent = text; }
  }

  if (captionsEl) {
    syncCaptionMode();
    captionsEl.track.addEventListener("cuechange", showActiveCues);
    video.addEventListener("seeked", showActiveCues);
  }
  document.addEventListener("fullscreenchange", syncCaptionMode);
  document.addEventListener("webkitfullscreenchange", syncCaptionMode);
  video.addEventListener("webkitbeginfullscreen", function () {
    if (captionsEl) { captionsEl.track.mode = "showing"; }
  });
  video.addEventListener("webkitendfullscreen", syncCaptionMode);

  if (toggle && line) {
    toggle.addEventListener("click", function () {
      var on = toggle.getAttribute("aria-pressed") !== "true";
      toggle.setAttribute("aria-pressed", on ? "true" : "false");
      line.hidden = !on;
    });
  }

  function formatTime(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var ss = (sec < 10 ? "0" : "") + sec;
    if (h) { return h + ":" + (m < 10 ? "0" : "") + m + ":" + ss; }
    return m + ":" + ss;
  }

  function seekTo(seconds) {
    // A tiny nudge past the boundary, so the frame shown (and the highlight) is the chapter's own.
    video.currentTime = Math.min(seconds + 0.001, isFinite(video.duration) ? video.duration : seconds + 0.001);
  }

  function buttons() { return list ? list.querySelectorAll("button.chapter") : []; }

  function highlight() {
    var t = video.currentTime, items = buttons(), current = -1;
    for (var i = 0; i < items.length; i++) {
      var start = parseFloat(items[i].getAttribute("data-start"));
      if (t + 0.01 >= start) { current = i; }
    }
    for (var j = 0; j < items.length; j++) {
      if (j === current) { items[j].setAttribute("aria-current", "true"); }
      else { items[j].removeAttribute("aria-current"); }
    }
  }

  // Rebuild the chapter list from the chapters track's cues (the track is the source of truth;
  // the list written from the manifest stands in until it loads, or if it never does).
  function buildChapterList() {
    if (!chaptersEl || !list) { return; }
    var cues = chaptersEl.track.cues;
    if (!cues || !cues.length) { return; }
    chapterCues = [];
    list.textContent = "";
    for (var i = 0; i < cues.length; i++) {
      var cue = cues[i];
      chapterCues.push(cue);
      var li = document.createElement("li");
      var b = document.createElement("button");
      b.type = "button";
      b.className = "chapter";
      b.setAttribute("data-start", cue.startTime.toFixed(3));
      var time = document.createElement("span");
      time.className = "chapter-time";
      time.textContent = formatTime(cue.startTime);
      var title = document.createElement("span");
      title.className = "chapter-title";
      title.textContent = cueText(cue).trim() || ("Chapter " + (i + 1));
      b.appendChild(time);
      b.appendChild(title);
      li.appendChild(b);
      list.appendChild(li);
    }
    list.setAttribute("data-source", "track");
    highlight();
  }

  if (chaptersEl) {
    chaptersEl.track.mode = "hidden";  // a chapters track loads its cues only when not disabled
    if (chaptersEl.readyState === 2) { buildChapterList(); }
    chaptersEl.addEventListener("load", buildChapterList);
  }

  document.addEventListener("click", function (event) {
    var target = event.target.closest ? event.target.closest("button[data-start]") : null;
    if (!target) { return; }
    seekTo(parseFloat(target.getAttribute("data-start")));
    if (!target.classList.contains("chapter")) {
      video.scrollIntoView({ block: "center" });
      video.focus({ preventScroll: true });
      var p = video.play();
      if (p && p.catch) { p.catch(function () {}); }
    }
  });

  video.addEventListener("timeupdate", highlight);
  video.addEventListener("seeking", highlight);
  video.addEventListener("seeked", highlight);
  highlight();
})();
"""


def render_page(manifest: Mapping[str, Any]) -> str:
    """The complete, self-contained ``index.html`` for a lesson folder described by ``manifest``.

    ``manifest`` has the build's structure (file names relative to the folder)::

        {"title", "quality", "resolution": [w, h], "fps", "narration",
         "flagship": {"name", "title", "video", "captions", "chapters", "poster", "duration"},
         "chapters": [{"name", "title", "video", "captions", "poster", "duration", "start",
                       "parameters": {...}}, ...],
         "files": {...}, "tools": {...}}

    Missing optional entries (a poster, a captions file, parameters) are left out of the page.
    All manifest text is HTML-escaped; file names are percent-encoded relative URLs.

    The page's elements, for tests and styling: ``video#lesson-video`` (the flagship, with
    ``track#lesson-captions`` and ``track#lesson-chapters``), ``#caption-line`` (the captions
    beneath the video), ``#chapter-list`` (one ``button.chapter[data-start]`` per chapter, rebuilt
    from the chapters track's cues once it loads, then ``data-source="track"``; the current one
    has ``aria-current="true"``) and ``#clip-list`` (one ``li.clip`` per chapter clip).
    """
    flagship: Mapping[str, Any] = manifest.get("flagship") or {}
    chapters: list[Mapping[str, Any]] = list(manifest.get("chapters") or [])
    title = manifest.get("title") or flagship.get("title") or "Lesson"
    flagship_title = flagship.get("title") or title
    resolution = manifest.get("resolution") or []
    ratio_style = ""
    size_attrs = ""
    if len(resolution) == 2 and all(isinstance(v, int) and v > 0 for v in resolution):
        width, height = resolution
        ratio_style = f' style="--ratio: {width} / {height}"'
        size_attrs = f' width="{width}" height="{height}"'

    poster = f' poster="{_url(flagship["poster"])}"' if flagship.get("poster") else ""
    tracks = []
    if flagship.get("captions"):
        tracks.append(
            '<track id="lesson-captions" kind="captions" srclang="en" label="English" '
            f'src="{_url(flagship["captions"])}" default>'
        )
    if flagship.get("chapters"):
        tracks.append(
            '<track id="lesson-chapters" kind="chapters" srclang="en" label="Chapters" '
            f'src="{_url(flagship["chapters"])}">'
        )
    video_src = _url(flagship.get("video", ""))
    video_html = (
        f'<video id="lesson-video" controls preload="metadata" playsinline{poster}{size_attrs} '
        f'aria-label="{_esc(flagship_title)}">'
        f'<source src="{video_src}" type="video/mp4">{"".join(tracks)}'
        f'<p>Your browser cannot play this video here: <a href="{video_src}">download it</a>.</p>'
        "</video>"
    )
    caption_bar = ""
    if flagship.get("captions"):
        caption_bar = (
            '<div class="caption-bar">'
            '<div id="caption-line" class="caption-line" lang="en"></div>'
            '<button id="caption-toggle" class="toggle" type="button" aria-pressed="true" '
            'aria-controls="caption-line">Captions</button></div>'
        )
    chapter_nav = ""
    if chapters or flagship.get("chapters"):
        chapter_nav = (
            '<nav class="chapters" aria-labelledby="chapters-heading">'
            '<h2 id="chapters-heading">Chapters</h2>'
            f'<ol id="chapter-list" class="chapter-list" data-source="manifest">'
            f"{_chapter_buttons(chapters)}</ol></nav>"
        )
    clips = ""
    if chapters:
        clips = (
            '<section class="clips" aria-labelledby="clips-heading">'
            '<h2 id="clips-heading">Chapter clips</h2>'
            f'<ol id="clip-list" class="clip-list">{_clip_cards(chapters)}</ol></section>'
        )
    downloads = []
    if flagship.get("video"):
        downloads.append(f'<a href="{video_src}" download>Download the lesson (MP4)</a>')
    if flagship.get("captions"):
        downloads.append(f'<a href="{_url(flagship["captions"])}">captions (WebVTT)</a>')
    downloads.append('<a href="manifest.json">manifest</a>')

    return (
        "<!doctype html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<meta name="color-scheme" content="dark">\n<meta name="theme-color" content="{BACKGROUND}">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        "<body>\n"
        '<a class="skip" href="#main">Skip to the lesson</a>\n'
        f'<header><h1>{_esc(title)}</h1><p class="summary">{_summary(manifest)}</p></header>\n'
        f'<main id="main"{ratio_style}>\n'
        f'<section class="player" aria-label="{_esc(flagship_title)}">'
        f'<div class="stage">{video_html}{caption_bar}</div>{chapter_nav}</section>\n'
        f"{clips}\n</main>\n"
        f"<footer><p>{' · '.join(downloads)}</p></footer>\n"
        f"<script>{_JS}</script>\n"
        "</body>\n</html>\n"
    )
