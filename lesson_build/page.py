"""The lesson page: one self-contained ``index.html`` for the built lesson folder.

:func:`render_page` turns the build's :class:`~lesson_build.manifest.Manifest` into a page
that embeds the flagship video with its captions and chapters tracks, shows the captions in
a line of their own *beneath* the video (so nothing in the picture is ever covered on the
page), builds a clickable chapter list from the chapters track's cues (Chromium draws no
chapter menu itself) and lists the chapter clips. Everything is inline (CSS, JavaScript, no
fonts or scripts from elsewhere) and every link is relative, so the folder works from any
static host (one that answers byte-range requests, as every real web server does, so that
the video can seek).

The native captions track stays in the page for full screen and for other players: the page
keeps it ``hidden`` (it still loads and fires ``cuechange``) and switches it to ``showing``
while the video is full screen.

The page is the jinja2 template ``templates/index.html`` (autoescaped), with
``templates/lesson.css`` and ``templates/lesson.js`` inlined into it.

>>> from lesson_build.manifest import FlagshipEntry, Manifest
>>> flagship = FlagshipEntry(name="f", title="F", video="f.mp4", duration=1.0)
>>> page = render_page(Manifest(title="A <b> & c", quality="low", resolution=(854, 480),
...                             fps=15, narration="silent", build_key="", flagship=flagship))
>>> "<title>A &lt;b&gt; &amp; c</title>" in page
True
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from lesson_build.manifest import Manifest
from lessonkit import palette

__all__ = ["BACKGROUND", "TEXT", "format_time", "render_page"]

BACKGROUND = palette.BACKGROUND
"""The lesson's background colour (the page matches the video)."""
TEXT = palette.TEXT
"""The lesson's text colour."""


#: The update rules the playground offers, as its menu writes them (momentum_math.rules).
CONVENTION_RULES: tuple[tuple[str, str], ...] = (
    ("pytorch", "v ← βv + ∇L, θ ← θ − αv"),
    ("lesson", "v ← βv + α∇L, θ ← θ − v"),
    ("ema", "v ← βv + (1 − β)∇L, θ ← θ − αv"),
    ("classical", "v ← μv − α∇L, θ ← θ + v (μ is β)"),
)


def _url(name: str) -> str:
    """A relative URL for a file name in the lesson folder, percent-encoded.

    >>> _url("chapter one.mp4"), _url('a"b<c>.vtt')
    ('chapter%20one.mp4', 'a%22b%3Cc%3E.vtt')
    """
    return quote(name, safe="/-_.~")


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
    """A chapter parameter's value as short readable text (numbers compact, lists joined).

    >>> _parameter_text({"lr": 0.1, "start": [-4.0, 1.5], "on": True})
    'lr=0.1, start=(-4, 1.5), on=true'
    """
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        return "(" + ", ".join(_parameter_text(v) for v in value) + ")"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}={_parameter_text(v)}" for k, v in value.items())
    return str(value)


def _summary(manifest: Manifest) -> list[str]:
    """The line about the build, in parts: duration, chapters, resolution, frame rate,
    quality, narration."""
    parts = []
    if manifest.flagship.duration:
        parts.append(format_time(manifest.flagship.duration))
    if manifest.chapters:
        count = len(manifest.chapters)
        parts.append(f"{count} chapter{'s' if count != 1 else ''}")
    width, height = manifest.resolution
    parts += [f"{width}×{height}", f"{manifest.fps} fps"]
    if manifest.quality:
        parts.append(f"{manifest.quality} quality")
    parts.append("narrated" if manifest.narration == "voice" else "silent, with captions")
    return parts


@functools.cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("lesson_build", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(url=_url, clock=format_time, value=_parameter_text)
    return environment


def _asset(name: str) -> Markup:
    """A file of ``templates/`` as it is (to inline: it is not a template)."""
    environment = _environment()
    assert environment.loader is not None
    source, _, _ = environment.loader.get_source(environment, name)
    return Markup(source)


def _script_json(data: Any) -> Markup:
    """JSON for a ``<script type="application/json">``: compact, with ``<``, ``>`` and ``&``
    escaped so no text in it can close the script element.

    >>> print(_script_json({"a": "</script>"}))
    {"a":"\\u003c/script\\u003e"}
    """
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def render_page(
    manifest: Manifest,
    explore: Mapping[str, Any] | None = None,
    transcript: Sequence[Mapping[str, Any]] = (),
    quiz: Sequence[Mapping[str, Any]] = (),
) -> str:
    """The complete, self-contained ``index.html`` for a lesson folder described by ``manifest``.

    A video's missing poster or captions, the flagship's missing chapters track and a
    chapter's empty (or non-object) ``parameters`` are left out of the page. All manifest
    text is HTML-escaped; file names are percent-encoded relative URLs.

    The page's elements, for tests and styling: ``video#lesson-video`` (the flagship, with
    ``track#lesson-captions`` and ``track#lesson-chapters``), ``#caption-line`` (the captions
    beneath the video), ``#chapter-list`` (one ``button.chapter[data-start]`` per chapter,
    rebuilt from the chapters track's cues once it loads, then ``data-source="track"``; the
    current one has ``aria-current="true"``) and ``#clip-list`` (one ``li.clip`` per chapter
    clip).

    With ``explore`` (:func:`lesson_build.explore.explore_data`), the page also has the
    playground ``section#explore`` (its data in ``script#explore-data``), the (α, β) map
    ``canvas#pg-heat`` and "Try it" buttons (``button.try[data-try]``) in the chapter list;
    ``transcript`` (:func:`lesson_build.explore.transcript`) adds ``section#transcript`` (one
    ``button.cue[data-at]`` a caption) and ``quiz`` (:func:`lesson_build.explore.quiz`)
    ``section#quiz``.
    """
    template = _environment().get_template("index.html")
    if explore:  # "Try it" goes beside the chapter of the list that starts where it does
        explore = {
            **explore,
            "chapters": [
                {"name": chapter.name, "start": float(chapter.start)}
                for chapter in manifest.chapters
            ],
        }
    return template.render(
        manifest=manifest,
        summary=_summary(manifest),
        background=BACKGROUND,
        text=TEXT,
        css=_asset("lesson.css"),
        js=_asset("lesson.js"),
        explore=explore,
        explore_json=_script_json(explore) if explore else "",
        explore_js=_asset("explore.js") if explore else "",
        surfaces=list(explore["surfaces"].items()) if explore else [],
        colors=explore["colors"] if explore else {},
        heatmap=explore["heatmap"] if explore else {},
        run_bands=explore["run_bands"] if explore else [],
        conventions=CONVENTION_RULES,
        transcript=list(transcript),
        quiz=list(quiz),
    )
