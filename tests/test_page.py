"""The lesson page (``lesson_build.page``): its HTML, and the page in headless Debian chromium.

The browser tests run every check of ``tests/pagekit.py`` on each lesson folder in
:data:`LESSON_FOLDERS` (a synthetic lesson made here; the built lesson can be added as another
entry). Chromium must be installed (``make setup``): without it these tests fail, they never skip.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pagekit
import pytest

from lesson_build.manifest import FlagshipEntry, Manifest
from lesson_build.page import render_page


def _synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic-lesson")
    pagekit.make_synthetic_lesson(folder)
    return folder


LESSON_FOLDERS: dict[str, Callable[[pytest.TempPathFactory], Path]] = {
    "synthetic": _synthetic,
}
"""Lesson folders the browser checks run on: name -> a function that returns the folder."""

if os.environ.get("LESSON_PAGE_FOLDER"):
    # Any built lesson folder, e.g. LESSON_PAGE_FOLDER=media/lesson pytest tests/test_page.py
    LESSON_FOLDERS["env"] = lambda _factory: Path(os.environ["LESSON_PAGE_FOLDER"]).resolve()


# --------------------------------------------------------------------------------------------
# The HTML itself (no browser)


class _Collector(HTMLParser):
    """Collects tags with their attributes, and the document's text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(page: str) -> _Collector:
    collector = _Collector()
    collector.feed(page)
    return collector


def _manifest(tmp_path: Path) -> dict[str, Any]:
    return {
        "title": 'Momentum <script>alert("x")</script> & "quotes"',
        "quality": "low",
        "resolution": [854, 480],
        "fps": 15,
        "narration": "silent",
        "build_key": "test",
        "flagship": {
            "name": "ravine", "title": "The <ravine>", "video": "ravine.mp4",
            "captions": "ravine.vtt", "chapters": "ravine.chapters.vtt", "poster": "ravine.jpg",
            "duration": 95.5,
        },
        "chapters": [
            {"name": "opening", "title": "Opening & <b>hello</b>", "video": "opening.mp4",
             "captions": "opening.vtt", "poster": "opening.jpg", "duration": 30.0, "start": 0.0,
             "parameters": {"alpha": 0.1, "note": "<img src=x onerror=alert(1)>"}},
            {"name": "ravine one", "title": "Ravine", "video": "ravine one.mp4",
             "captions": "ravine one.vtt", "poster": "ravine one.jpg", "duration": 65.5,
             "start": 30.0, "parameters": {"beta": 0.9, "start": [-4.0, 1.5]}},
        ],
        "files": {}, "tools": {},
    }  # fmt: skip


def _page(data: dict[str, Any]) -> str:
    """The page for a manifest given as JSON data."""
    return render_page(Manifest.from_json(data))


def test_page_is_complete_and_self_contained(tmp_path: Path) -> None:
    page = _page(_manifest(tmp_path))
    assert page.startswith("<!doctype html>") and page.rstrip().endswith("</html>")
    parsed = _parse(page)
    tags = parsed.tags
    assert ("html", {"lang": "en"}) in tags
    # Nothing is fetched from elsewhere: no stylesheets, scripts, fonts or media by URL.
    for tag, attrs in tags:
        for key in ("src", "href", "poster"):
            value = attrs.get(key) or ""
            assert not re.match(r"^[a-z]+:|^//", value), f"<{tag} {key}={value!r}> is not relative"
        assert tag != "link", "stylesheets must be inline"
        assert not (tag == "script" and attrs.get("src")), "scripts must be inline"
    assert "@import" not in page and "url(" not in page


def test_page_embeds_flagship_with_tracks(tmp_path: Path) -> None:
    tags = _parse(_page(_manifest(tmp_path))).tags
    video = next(a for t, a in tags if t == "video" and a.get("id") == "lesson-video")
    assert (
        "controls" in video and video["preload"] == "metadata" and video["poster"] == "ravine.jpg"
    )
    tracks = {
        a["kind"]: a for t, a in tags if t == "track" and a.get("id", "").startswith("lesson-")
    }
    captions, chapters = tracks["captions"], tracks["chapters"]
    assert captions["src"] == "ravine.vtt" and captions["srclang"] == "en"
    assert captions["label"] == "English" and "default" in captions
    assert chapters["src"] == "ravine.chapters.vtt"
    buttons = [a for t, a in tags if t == "button" and "chapter" in (a.get("class") or "").split()]
    assert [b["data-start"] for b in buttons] == ["0.000", "30.000"]
    assert all(b["type"] == "button" for b in buttons)
    clips = [a for t, a in tags if t == "video" and a.get("class") == "clip-video"]
    assert [c["poster"] for c in clips] == ["opening.jpg", "ravine%20one.jpg"]
    sources = [a["src"] for t, a in tags if t == "source"]
    assert sources == ["ravine.mp4", "opening.mp4", "ravine%20one.mp4"]
    clip_tracks = [a["src"] for t, a in tags if t == "track" and not a.get("id")]
    assert clip_tracks == ["opening.vtt", "ravine%20one.vtt"]


def test_page_escapes_manifest_text(tmp_path: Path) -> None:
    page = _page(_manifest(tmp_path))
    parsed = _parse(page)
    assert "<script>alert" not in page and "<img src=x" not in page and "<b>hello" not in page
    assert [t for t, _ in parsed.tags].count("script") == 1  # the page's own, nothing injected
    assert not any(t in {"img", "b"} for t, _ in parsed.tags)
    text = "".join(parsed.text)
    assert 'Momentum <script>alert("x")</script> & "quotes"' in text
    assert "Opening & <b>hello</b>" in text and "<img src=x onerror=alert(1)>" in text


def test_page_escapes_chapter_titles(tmp_path: Path) -> None:
    """A chapter title with markup or ``&`` is text on the page, wherever it appears."""
    data = _manifest(tmp_path)
    title = '</title><script>alert("t")</script> & <i>co</i>'
    data["chapters"][0]["title"] = title
    data["chapters"][0]["name"] = 'a"b'
    page = _page(data)
    assert "<script>alert" not in page and "<i>co" not in page and 'data-name="a"b"' not in page
    escaped = "&lt;/title&gt;&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &amp; &lt;i&gt;co"
    assert page.count(escaped) == 3  # the chapter button, the clip's heading and its link
    parsed = _parse(page)
    assert [t for t, _ in parsed.tags].count("script") == 1
    assert not any(t == "i" for t, _ in parsed.tags)
    assert "".join(parsed.text).count(title) == 3
    clip = next(a for t, a in parsed.tags if t == "li" and a.get("class") == "clip")
    assert clip["data-name"] == 'a"b'


def test_page_with_a_minimal_manifest() -> None:
    flagship = FlagshipEntry(name="v", title="Only a video", video="v.mp4", duration=1.0)
    manifest = Manifest(
        title="Only a video", quality="low", resolution=(854, 480), fps=15,
        narration="silent", build_key="", flagship=flagship,
    )  # fmt: skip
    page = render_page(manifest)
    tags = _parse(page).tags
    assert any(t == "video" and a.get("id") == "lesson-video" for t, a in tags)
    assert not any(t == "track" for t, _ in tags)


# --------------------------------------------------------------------------------------------
# In the browser


def test_chromium_is_installed() -> None:
    """Fails (never skips) with the fix when Debian's chromium is missing."""
    assert Path(pagekit.chromium_path()).exists()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with pagekit.launch_chromium() as launched:
        yield launched


@pytest.fixture(scope="module", params=sorted(LESSON_FOLDERS))
def site(request: pytest.FixtureRequest, browser: Any, tmp_path_factory: pytest.TempPathFactory):
    folder = LESSON_FOLDERS[request.param](tmp_path_factory)
    with pagekit.open_site(folder, browser) as opened:
        yield opened


def test_page_loads(site: pagekit.LessonSite) -> None:
    pagekit.check_loads(site)


def test_poster_shows_before_play(site: pagekit.LessonSite) -> None:
    pagekit.check_poster(site)


def test_flagship_plays(site: pagekit.LessonSite) -> None:
    pagekit.check_plays(site)


def test_captions_and_chapters_tracks_load(site: pagekit.LessonSite) -> None:
    pagekit.check_tracks(site)


def test_chapter_list_seeks(site: pagekit.LessonSite) -> None:
    pagekit.check_chapter_list(site)


def test_caption_line_beneath_the_video(site: pagekit.LessonSite) -> None:
    pagekit.check_caption_line(site)


def test_native_captions_shown_in_full_screen_only(site: pagekit.LessonSite) -> None:
    pagekit.check_fullscreen_captions(site)


def test_native_captions_never_cover_drawn_content(site: pagekit.LessonSite) -> None:
    coverage = pagekit.check_native_captions_clear(site, sizes=pagekit.PLAYER_SIZES, samples=6)
    assert {c.size for c in coverage} == set(pagekit.PLAYER_SIZES)
    # The caption boxes sit at the bottom, across the middle (as Chromium draws them).
    for c in coverage:
        left, top, right, bottom = c.box_fraction
        assert top > 0.5 and bottom > 0.9 and left > 0.05 and right < 0.95, c


def test_native_caption_check_can_fail(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A video that draws into the bottom band, where captions sit, fails the check."""
    folder = tmp_path_factory.mktemp("intruding-lesson")
    pagekit.make_synthetic_lesson(folder, intrude=True)
    with pagekit.open_site(folder, browser) as site:
        with pytest.raises(AssertionError, match="native captions cover drawn content"):
            pagekit.check_native_captions_clear(site, sizes=[(640, 360)], samples=2)


def test_native_caption_check_in_a_letterboxed_player(
    browser: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """manim's low quality is 854x480, a hair off 16:9: the sub-pixel letterbox in a 640x360
    player is not drawn content."""
    folder = tmp_path_factory.mktemp("lesson-480p")
    pagekit.make_synthetic_lesson(folder, width=854, height=480)
    with pagekit.open_site(folder, browser) as site:
        coverage = pagekit.check_native_captions_clear(site, samples=2)
    assert all(c.content_pixels == 0 for c in coverage), coverage
