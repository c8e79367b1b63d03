"""Narrated lesson scenes: :class:`LessonScene`, mode selection, atomic output.

Narration drives the timing. A scene writes::

    class Ravine(LessonScene):
        def construct(self):
            with self.voiceover(text="The ball rolls <bookmark mark='A'/> downhill.") as tracker:
                self.play(Create(path), run_time=tracker.duration)

and ``self.wait_until_bookmark("A")`` lands an animation on a word.

**Mode.** ``setup()`` picks the narration mode once, from the environment
variable ``MOMENTUM_VOICE`` (see :func:`resolve_narration_mode`), and logs one
line saying which:

* ``voice`` -- speech from :class:`~lessonkit.voice.PiperService`, an AAC track
  in the MP4;
* ``silent`` -- no audio stream; each line lasts as long as reading it at
  :attr:`LessonScene.words_per_minute` takes (at least
  :attr:`LessonScene.minimum_line_s`), and bookmarks sit at their word's
  position.

Both modes write the same captions: ``<scene>.srt`` (manim) and
``<scene>.vtt`` beside the MP4, plus ``<scene>.chapters.vtt`` when the scene
calls :meth:`LessonScene.chapter`.

**Nothing lost.** :class:`AtomicSceneFileWriter` renders the movie under a
temporary name in the output folder and moves it, and the caption files, into
place with :func:`os.replace` only after the whole render succeeded. A render
that fails leaves the previous files untouched.
"""

from __future__ import annotations

import datetime
import enum
import os
from collections.abc import Generator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import srt
from manim import Camera, ManimColor, config, logger
from manim.constants import RendererType
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter
from manim_voiceover import VoiceoverScene
from manim_voiceover.tracker import VoiceoverTracker

from . import style, voice
from .captions import (
    CUE_GAP_S,
    MAX_CUE_CHARS,
    ChapterMark,
    atomic_write_text,
    chapters_to_webvtt,
    cues_for_line,
    reading_duration,
    remove_bookmarks,
    srt_to_webvtt,
    word_boundaries,
    wrap_cue,
)
from .layout import layout_problems

__all__ = [
    "VOICE_ENV",
    "VOICE_ENV_VALUES",
    "AtomicSceneFileWriter",
    "FrameClockRenderer",
    "LessonScene",
    "NarrationConfigError",
    "NarrationMode",
    "SilentTracker",
    "resolve_narration_mode",
]

#: Environment variable choosing the narration mode.
VOICE_ENV = "MOMENTUM_VOICE"
#: Its allowed values (unset or empty means ``auto``).
VOICE_ENV_VALUES = ("on", "off", "auto")


class NarrationMode(enum.Enum):
    """How narration is rendered."""

    VOICE = "voice"
    SILENT = "silent"


class NarrationConfigError(RuntimeError):
    """``MOMENTUM_VOICE`` is invalid, or asks for a voice that is not there."""


def resolve_narration_mode(environ: Mapping[str, str] | None = None) -> tuple[NarrationMode, str]:
    """Narration mode from ``MOMENTUM_VOICE`` and why, as ``(mode, reason)``.

    ``on``: the piper voice, or :class:`NarrationConfigError` if it is not
    installed; ``off``: silent; ``auto`` or unset: the voice when installed,
    else silent. Any other value is an error naming the variable, the value
    and the allowed values.
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(VOICE_ENV, "")
    value = raw.strip().lower() or "auto"
    if value not in VOICE_ENV_VALUES:
        raise NarrationConfigError(
            f"{VOICE_ENV}={raw!r} is not valid; use one of: on (voice, error if it is "
            "missing), off (silent), auto (voice if installed; the default when unset)"
        )
    if value == "off":
        return NarrationMode.SILENT, f"{VOICE_ENV}=off"
    unavailable = voice.voice_unavailable_reason()
    if unavailable is None:
        return NarrationMode.VOICE, f"{VOICE_ENV}={value}"
    if value == "on":
        raise NarrationConfigError(f"{VOICE_ENV}=on but the piper voice is not available: {unavailable}")
    return NarrationMode.SILENT, f"voice not available: {unavailable}"


class SilentTracker(VoiceoverTracker):
    """A voiceover tracker with no audio: duration from reading speed.

    Word ``i`` of ``n`` is placed at ``duration * i / n``, so bookmarks land
    where they would at an even reading pace.
    """

    def __init__(self, scene: Any, text: str, duration: float) -> None:
        self.scene = scene
        self.cache_dir = ""
        self.duration = float(duration)
        n_words = len(remove_bookmarks(text).split())
        starts = [self.duration * index / max(1, n_words) for index in range(n_words)]
        self.data = {"input_text": text, "word_boundaries": word_boundaries(text, starts, self.duration)}
        self.start_t = float(scene.renderer.time or 0.0)
        self.end_t = self.start_t + self.duration
        self._process_bookmarks()


class AtomicSceneFileWriter(SceneFileWriter):
    """manim's file writer, publishing the movie and captions all-or-nothing.

    While :meth:`finish` runs, :attr:`movie_file_path` points to a temporary
    sibling (``.<name>.partial-<pid>.mp4``), so manim's own combine step
    (concatenating segments, muxing the AAC track through its own ``_temp``
    file) never touches the published movie. Afterwards the captions are
    written to temporary files and everything is moved into place with
    :func:`os.replace`. On any error the temporary files are removed and the
    previous movie, ``.srt``, ``.vtt`` and ``.chapters.vtt`` stay as they were.

    Captions are tidied before writing: sorted, each cue ending no later than
    the next starts and no later than :attr:`scene_time` (the video's end).
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.chapters: list[ChapterMark] = []
        self.scene_time: Any = None  # callable returning the scene's end time, set by LessonScene
        self._staging: Path | None = None
        self._caption_texts: tuple[str, str] | None = None

    @property
    def movie_file_path(self) -> Path:
        if self._staging is not None:
            return self._staging
        return super().movie_file_path

    @property
    def final_movie_path(self) -> Path:
        """Where the finished movie is published."""
        return super().movie_file_path

    def _video_end(self) -> float | None:
        return None if self.scene_time is None else float(self.scene_time())

    def _tidy_subcaptions(self) -> list[srt.Subtitle]:
        end = self._video_end()
        subtitles = sorted(self.subcaptions, key=lambda sub: (sub.start, sub.end))
        tidy: list[srt.Subtitle] = []
        for index, sub in enumerate(subtitles):
            stop = sub.end
            if index + 1 < len(subtitles):
                stop = min(stop, subtitles[index + 1].start)
            if end is not None:
                stop = min(stop, datetime.timedelta(seconds=end))
            if stop > sub.start:
                tidy.append(srt.Subtitle(index=len(tidy) + 1, start=sub.start, end=stop, content=sub.content))
        return tidy

    def write_subcaption_file(self) -> None:
        """Prepare (not yet publish) the ``.srt`` and ``.vtt`` texts."""
        if not self.output_spec.is_video:
            return
        srt_text = srt.compose(self._tidy_subcaptions())
        scratch = self.final_movie_path.with_name(f".{self.final_movie_path.stem}.cues-{os.getpid()}.srt")
        try:
            atomic_write_text(scratch, srt_text)
            vtt_text = srt_to_webvtt(scratch)
        finally:
            scratch.unlink(missing_ok=True)
        self._caption_texts = (srt_text, vtt_text)

    def _staging_leftovers(self, staging: Path) -> list[Path]:
        return [
            staging,
            staging.with_suffix(".wav"),
            staging.with_suffix(".aac"),
            staging.with_suffix(".ogg"),
            staging.with_name(f"{staging.stem}_temp{staging.suffix}"),
        ]

    def finish(self) -> None:
        if not self.output_spec.is_video:
            super().finish()
            return
        final = self.final_movie_path
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = final.with_name(f".{final.stem}.partial-{os.getpid()}{final.suffix}")
        self._staging = staging
        self._caption_texts = None
        try:
            super().finish()
        except BaseException:
            for leftover in self._staging_leftovers(staging):
                with suppress(OSError):
                    leftover.unlink(missing_ok=True)
            raise
        finally:
            self._staging = None
        try:
            self._publish(staging, final)
        finally:
            # manim leaves the mixed .wav/.aac beside the movie; they are scratch.
            for leftover in self._staging_leftovers(staging):
                with suppress(OSError):
                    leftover.unlink(missing_ok=True)

    def _publish(self, staging: Path, final: Path) -> None:
        subcaption_file = self.output_plan.subcaption_file
        vtt_file = final.with_suffix(".vtt")
        chapters_file = final.with_suffix(".chapters.vtt")
        # Prepare every file first, then move them all into place.
        moves: list[tuple[Path, Path]] = []
        try:
            if staging.exists():
                moves.append((staging, final))
            if self._caption_texts is not None and subcaption_file is not None:
                srt_text, vtt_text = self._caption_texts
                for text, target in ((srt_text, Path(subcaption_file)), (vtt_text, vtt_file)):
                    temporary = target.with_name(f".{target.name}.new-{os.getpid()}")
                    atomic_write_text(temporary, text)
                    moves.append((temporary, target))
            if self.chapters:
                end = self._video_end() or max(chapter.start for chapter in self.chapters)
                temporary = chapters_file.with_name(f".{chapters_file.name}.new-{os.getpid()}")
                atomic_write_text(temporary, chapters_to_webvtt(self.chapters, end))
                moves.append((temporary, chapters_file))
        except BaseException:
            for temporary, _ in moves:
                temporary.unlink(missing_ok=True)
            raise
        for temporary, target in moves:
            os.replace(temporary, target)
        # Captions of a previous render that no longer apply would mislead.
        stale = []
        if self._caption_texts is None and subcaption_file is not None:
            stale += [Path(subcaption_file), vtt_file]
        if not self.chapters:
            stale.append(chapters_file)
        for path in stale:
            path.unlink(missing_ok=True)
        if self._caption_texts is not None:
            logger.info(f"Captions written: {subcaption_file} and {vtt_file}")
        if any(target == final for _, target in moves):
            super().print_file_ready_message(str(final))

    def print_file_ready_message(self, file_path: Any) -> None:
        # manim announces the staging file; the real announcement follows publishing.
        if self._staging is not None and Path(file_path) == self._staging:
            return
        super().print_file_ready_message(file_path)


class FrameClockRenderer(CairoRenderer):
    """manim's Cairo renderer with a clock that counts whole frames.

    manim advances ``renderer.time`` by the frames it writes when it renders a
    play, but by the exact duration when it reuses a cached one. Narration
    computes waits from that clock, so a re-render would drift by fractions of
    a frame, change the next animation's hash and render everything after it
    again. Here the clock always moves by the number of frames the play
    produces, so cached and fresh plays keep the same time and re-renders
    reuse every unchanged animation.
    """

    def play(self, scene: Any, *args: Any, **kwargs: Any) -> None:
        start = self.time
        super().play(scene, *args, **kwargs)
        if self._original_skipping_status or scene.animations is None:
            return  # no movie is written (-s, -n): the exact clock is right
        frame_time = 1 / self.camera.frame_rate
        if scene.is_current_animation_frozen_frame():
            frames = int(scene.duration / frame_time)  # as freeze_current_frame counts them
        else:
            frames = len(np.arange(0, scene.duration, frame_time))  # as get_time_progression does
        self.time = start + frames * frame_time


class LessonScene(VoiceoverScene):
    """Base scene of the lesson: narration-timed, captioned, written atomically.

    Class attributes tune a scene (override in a subclass):

    ``background_color``
        The lesson's background (``style.BACKGROUND_COLOR``; ``None`` keeps manim's).

    ``words_per_minute``
        Reading speed that times lines in silent mode (150).
    ``minimum_line_s``
        Shortest silent line, seconds (1.5).
    ``max_cue_chars``
        Longest caption cue (84 characters, two lines of 42).

    Use :meth:`voiceover` (context manager yielding a tracker with
    ``duration`` and bookmarks), :meth:`wait_until_bookmark`,
    :meth:`chapter`. Subclasses that override :meth:`setup` must call
    ``super().setup()``.
    """

    background_color: ClassVar[ManimColor | None] = style.BACKGROUND_COLOR
    words_per_minute: ClassVar[float] = 150.0
    minimum_line_s: ClassVar[float] = 1.5
    max_cue_chars: ClassVar[int] = MAX_CUE_CHARS
    cue_gap_s: ClassVar[float] = CUE_GAP_S

    narration_mode: NarrationMode

    def __init__(
        self,
        renderer: Any = None,
        camera_class: type[Camera] = Camera,
        skip_animations: bool = False,
        **kwargs: Any,
    ) -> None:
        if renderer is None and config.renderer != RendererType.OPENGL:
            renderer = FrameClockRenderer(
                file_writer_class=AtomicSceneFileWriter,
                camera_class=camera_class,
                skip_animations=skip_animations,
            )
        elif renderer is None:
            from manim.renderer.opengl_renderer import OpenGLRenderer

            renderer = OpenGLRenderer(file_writer_class=AtomicSceneFileWriter, skip_animations=skip_animations)
        super().__init__(renderer=renderer, camera_class=camera_class, skip_animations=skip_animations, **kwargs)
        self.current_tracker = None

    # --- setup -----------------------------------------------------------------

    def setup(self) -> None:
        """Paint the lesson background; pick the narration mode (once) and log it."""
        super().setup()
        if self.background_color is not None and hasattr(self.camera, "init_background"):
            self.camera.background_color = ManimColor(self.background_color)
            self.camera.init_background()
            self.camera.reset()
        writer = self.renderer.file_writer
        if isinstance(writer, AtomicSceneFileWriter):
            writer.scene_time = lambda: float(self.renderer.time)
        mode, reason = resolve_narration_mode()
        self.narration_mode = mode
        if mode is NarrationMode.VOICE:
            service = voice.PiperService()
            self.set_speech_service(service, create_subcaption=True)
            logger.info(
                f"Narration: VOICE (piper, {service.voice_name}; {reason}); "
                f"clips cached in {service.cache_dir}"
            )
        else:
            self.speech_service = None  # type: ignore[assignment]
            self.current_tracker = None
            self.create_subcaption = not config.save_last_frame
            logger.info(
                f"Narration: SILENT ({reason}); no audio, lines timed at "
                f"{self.words_per_minute:g} words/minute, captions still written"
            )

    # --- narration ---------------------------------------------------------------

    def _narrate(self, text: str, subcaption: str | None) -> VoiceoverTracker:
        tracker: VoiceoverTracker
        if self.narration_mode is NarrationMode.VOICE:
            service = self.speech_service
            data = service.synthesize(text)
            tracker = VoiceoverTracker(self, data, Path(service.cache_dir))
            self.renderer.skip_animations = self.renderer._original_skipping_status
            self.add_sound(str(Path(service.cache_dir) / data["final_audio"]))
        else:
            duration = reading_duration(text, self.words_per_minute, self.minimum_line_s)
            tracker = SilentTracker(self, " ".join(text.split()), duration)
        self.current_tracker = tracker
        if self.create_subcaption:
            self.add_captions(subcaption if subcaption is not None else text, tracker.duration)
        return tracker

    def add_captions(self, text: str, duration: float, offset: float = 0.0) -> None:
        """Caption ``text`` over the next ``duration`` seconds, split into cues."""
        for cue in cues_for_line(text, offset, duration, self.max_cue_chars, self.cue_gap_s):
            self.add_subcaption(wrap_cue(cue.text), duration=cue.end - cue.start, offset=cue.start)

    @contextmanager
    def voiceover(self, text: str, subcaption: str | None = None) -> Generator[VoiceoverTracker, None, None]:
        """Speak ``text`` (or, silently, time it) while the block's animations play.

        Yields the tracker: ``tracker.duration`` (seconds) for ``run_time``,
        and bookmarks for :meth:`wait_until_bookmark`. On leaving the block
        the scene waits for the line to end. ``subcaption`` replaces the
        caption text (default: ``text`` without bookmarks).
        """
        try:
            yield self._narrate(text, subcaption)
        finally:
            self.wait_for_voiceover()
        self.check_layout()

    def check_layout(self) -> list[str]:
        """Warn about anything on screen outside the frame or over the captions.

        Called after every narrated line; returns the problems found.
        """
        problems = layout_problems(self.mobjects)
        for problem in problems:
            logger.warning(f"Layout at {float(self.renderer.time):.1f} s: {problem}")
        return problems

    def add_voiceover_text(self, text: str, subcaption: str | None = None) -> VoiceoverTracker:
        """Start narrating ``text`` without a ``with`` block (manim-voiceover's API)."""
        return self._narrate(text, subcaption)

    def wait_for_voiceover(self) -> None:
        """Wait until the current line has been spoken (even a last partial frame)."""
        tracker = self.current_tracker
        if tracker is None:
            return
        remaining = tracker.get_remaining_duration()
        if remaining > 1e-3:
            self.wait(remaining)

    # --- chapters ------------------------------------------------------------------

    def chapter(self, title: str) -> None:
        """Start a chapter called ``title`` now (written to ``<movie>.chapters.vtt``)."""
        writer = self.renderer.file_writer
        if isinstance(writer, AtomicSceneFileWriter):
            writer.chapters.append(ChapterMark(float(self.renderer.time), title))
        else:
            logger.warning(f"chapter({title!r}) ignored: the file writer does not record chapters")
