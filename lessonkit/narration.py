"""Narrated lesson scenes: :class:`LessonScene`.

Narration drives the timing. A scene writes::

    class Ravine(LessonScene):
        def construct(self):
            with self.voiceover(text="The ball rolls <bookmark mark='A'/> downhill.") as tracker:
                self.play(Create(path), run_time=tracker.duration)

and ``self.wait_until_bookmark("A")`` lands an animation on a word.

**Mode.** ``setup()`` picks the narration mode once, from the environment
variable ``MOMENTUM_VOICE`` (:func:`lessonkit.modes.resolve_narration_mode`),
and logs one line saying which: the piper voice (an AAC track in the MP4) or
silent (no audio; each line lasts as long as the voice would take to read it).
Both modes write the same captions: ``<scene>.srt`` and ``<scene>.vtt`` beside
the MP4, plus ``<scene>.chapters.vtt`` when the scene calls
:meth:`LessonScene.chapter`.

**Cameras.** A lesson mixes flat and 3-D chapters in one scene: the flat
camera is the default, :meth:`LessonScene.use_3d_camera` swaps in a fresh
``ThreeDCamera`` (``move_camera``, ``set_camera_orientation`` and
``add_fixed_in_frame_mobjects`` then work as in a ``ThreeDScene``) and
:meth:`LessonScene.use_2d_camera` puts the flat one back, so nothing of a 3-D
chapter leaks into the next.

**Nothing lost.** :class:`~lessonkit.publishing.AtomicSceneFileWriter`
publishes the movie and captions only after the whole render succeeded.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from manim import Camera, ManimColor, ThreeDCamera, ThreeDScene, config, logger
from manim.constants import RendererType
from manim.scene.scene import Scene
from manim_voiceover import VoiceoverScene
from manim_voiceover.tracker import VoiceoverTracker

from . import style, voice
from .captions import (
    CUE_GAP_S,
    MAX_CUE_CHARS,
    ChapterMark,
    cues_for_line,
    reading_duration,
    wrap_cue,
)
from .clock import FrameClockRenderer
from .files import remove_broken_svgs
from .layout import colour_problems, layout_problems, legibility_problems, text_units
from .modes import (
    SILENT_WORDS_PER_MINUTE,
    LessonTracker,
    NarrationMode,
    SilentTracker,
    resolve_narration_mode,
)
from .publishing import AtomicSceneFileWriter
from .rendering import apply_render_defaults

__all__ = ["VOICE_CACHE_ENV", "LessonScene"]

#: Environment variable naming a voice clip cache shared by several renders (default:
#: ``<media_dir>/voiceovers``).
VOICE_CACHE_ENV = "MOMENTUM_VOICE_CACHE"


class LessonScene(VoiceoverScene, ThreeDScene):
    """Base scene of the lesson: narration-timed, captioned, written atomically.

    Class attributes tune a scene (override in a subclass):

    ``background_color``
        The lesson's background (``style.BACKGROUND_COLOR``; ``None`` keeps manim's).

    ``words_per_minute``
        Reading speed that times lines in silent mode (the voice's own pace,
        :data:`~lessonkit.modes.SILENT_WORDS_PER_MINUTE`).
    ``minimum_line_s``
        Shortest silent line, seconds (1.5).
    ``max_cue_chars``
        Longest caption cue (84 characters, two lines of 42).
    ``max_pause_s``
        Longest silent :meth:`pause` a chapter may ask for (4 s).

    Use :meth:`voiceover` (context manager yielding a tracker with
    ``duration`` and bookmarks), :meth:`wait_until_bookmark`,
    :meth:`chapter`, :meth:`use_3d_camera` / :meth:`use_2d_camera`.
    Subclasses that override :meth:`setup` must call ``super().setup()``.
    """

    background_color: ClassVar[ManimColor | None] = style.BACKGROUND_COLOR
    words_per_minute: ClassVar[float] = SILENT_WORDS_PER_MINUTE
    minimum_line_s: ClassVar[float] = 1.5
    max_cue_chars: ClassVar[int] = MAX_CUE_CHARS
    cue_gap_s: ClassVar[float] = CUE_GAP_S
    max_pause_s: ClassVar[float] = 4.0

    narration_mode: NarrationMode

    def __init__(
        self,
        renderer: Any = None,
        camera_class: type[Camera] = Camera,
        skip_animations: bool = False,
        **kwargs: Any,
    ) -> None:
        # the lesson's fast encoder settings, unless the user chose their own
        apply_render_defaults()
        if renderer is None and config.renderer != RendererType.OPENGL:
            renderer = FrameClockRenderer(
                file_writer_class=AtomicSceneFileWriter,
                camera_class=camera_class,
                skip_animations=skip_animations,
            )
        elif renderer is None:
            from manim.renderer.opengl_renderer import OpenGLRenderer

            renderer = OpenGLRenderer(
                file_writer_class=AtomicSceneFileWriter, skip_animations=skip_animations
            )
        super().__init__(
            renderer=renderer, camera_class=camera_class, skip_animations=skip_animations, **kwargs
        )
        self.current_tracker = None
        self._flat_camera: Camera | None = None
        self._held: list[Any] = []
        self._texts_at_last_check: set[int] = set()

    # --- setup -----------------------------------------------------------------

    def setup(self) -> None:
        """Paint the lesson background; pick the narration mode (once) and log it."""
        super().setup()
        self._paint_background(self.renderer.camera)
        self._flat_camera = self.renderer.camera
        for broken in remove_broken_svgs(
            Path(config.get_dir("text_dir")), Path(config.get_dir("tex_dir"))
        ):
            logger.info(f"Removed a cache file cut short by an earlier render: {broken}")
        writer = self.renderer.file_writer
        if isinstance(writer, AtomicSceneFileWriter):
            writer.scene_time = lambda: float(self.renderer.time)
        mode, reason = resolve_narration_mode()
        self.narration_mode = mode
        if mode is NarrationMode.VOICE:
            # The lesson build shares one clip cache between chapters rendered apart.
            service = voice.PiperService(cache_dir=os.environ.get(VOICE_CACHE_ENV) or None)
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

    def _paint_background(self, camera: Camera) -> None:
        if self.background_color is not None and hasattr(camera, "init_background"):
            camera.background_color = ManimColor(self.background_color)
            camera.init_background()
            camera.reset()

    # --- cameras -----------------------------------------------------------------

    @property
    def is_3d(self) -> bool:
        """Whether the 3-D camera is in use."""
        return isinstance(self.renderer.camera, ThreeDCamera)

    def _install_camera(self, camera: Camera) -> None:
        self.renderer.camera = camera
        self.renderer.static_image = None  # the cached background was drawn by the old camera

    def use_3d_camera(self, **orientation: Any) -> None:
        """Swap in a fresh ``ThreeDCamera`` oriented by ``orientation``.

        Takes ``set_camera_orientation``'s keywords (``phi``, ``theta``,
        ``gamma``, ``zoom``, ``focal_distance``, ``frame_center``).
        """
        if config.renderer == RendererType.OPENGL:
            raise NotImplementedError("3-D chapters need the Cairo renderer")
        camera = ThreeDCamera()
        self._paint_background(camera)
        self._install_camera(camera)
        self.set_camera_orientation(**orientation)

    def use_2d_camera(self) -> None:
        """Put the flat camera back (a no-op when it is already in use)."""
        if self._flat_camera is not None and self.renderer.camera is not self._flat_camera:
            self._install_camera(self._flat_camera)

    def get_moving_mobjects(self, *animations: Any) -> list[Any]:
        # ThreeDScene's version asks the camera for its trackers; the flat camera has none.
        if self.is_3d:
            return ThreeDScene.get_moving_mobjects(self, *animations)
        return Scene.get_moving_mobjects(self, *animations)

    # --- narration ---------------------------------------------------------------

    def _narrate(self, text: str, subcaption: str | None) -> VoiceoverTracker:
        tracker: VoiceoverTracker
        if self.narration_mode is NarrationMode.VOICE:
            service = self.speech_service
            data = service.synthesize(text)
            tracker = LessonTracker(self, data, Path(service.cache_dir))
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
    def voiceover(
        self, text: str, subcaption: str | None = None
    ) -> Generator[VoiceoverTracker, None, None]:
        """Speak ``text`` (or, silently, time it) while the block's animations play.

        Yields the tracker: ``tracker.duration`` (seconds) for ``run_time``,
        and bookmarks for :meth:`wait_until_bookmark`. On leaving the block
        the scene waits for the line to end. ``subcaption`` replaces the
        caption text (default: ``text`` without bookmarks).

        When the block raises (or is interrupted), the error goes straight up:
        waiting out the line would start another animation on top of the
        broken one and bury the real cause under manim's "cannot open a video
        segment" error.
        """
        yield self._narrate(text, subcaption)
        self.wait_for_voiceover()
        self.check_layout()

    def say(self, text: str, subcaption: str | None = None) -> None:
        """Speak ``text`` over what is on screen, animating nothing (a closing remark, a
        question left to think about): the same as an empty :meth:`voiceover` block."""
        with self.voiceover(text, subcaption):
            pass

    def hold(self, *mobjects: Any) -> None:
        """Mark ``mobjects`` as left on screen for the viewer to think about.

        While they are on screen the layout guard also keeps them above the
        line a paused player's captions reach (``style.PAUSED_CAPTION_TOP``).
        Text needs no marking: text that stays on screen through a whole
        narrated line, or through a :meth:`pause`, is held by itself.
        """
        self._held.extend(mobjects)

    def check_layout(self, pausing: bool = False) -> list[str]:
        """Warn about anything on screen outside the frame, over the captions or illegible.

        Called after every narrated line (and as a :meth:`pause` starts); returns
        the problems found. Held mobjects (:meth:`hold`), text already on screen
        at the previous check, and all text during a pause are checked against
        the paused-caption line; all text for size and contrast
        (:func:`~lessonkit.layout.legibility_problems`).
        """
        camera = self.renderer.camera
        problems = layout_problems(self.mobjects, camera)
        on_screen = {id(part) for mobject in self.mobjects for part in mobject.get_family()}
        self._held = [mobject for mobject in self._held if id(mobject) in on_screen]
        texts = text_units(self.mobjects)
        held_texts = [text for text in texts if pausing or id(text) in self._texts_at_last_check]
        self._texts_at_last_check = {id(text) for text in texts}
        held_ids = {id(mobject) for mobject in self._held}
        held = self._held + [text for text in held_texts if id(text) not in held_ids]
        problems += layout_problems(held, camera, region="held")
        problems += colour_problems(self.mobjects)
        problems += legibility_problems(
            self.mobjects, camera, ManimColor(self.background_color or style.BACKGROUND_COLOR)
        )
        for problem in dict.fromkeys(problems):
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

    def pause(self, seconds: float = 1.5) -> None:
        """Hold still, with no narration, for the viewer to think (at most ``max_pause_s``).

        The only silence a chapter should ask for besides its fade-out: the
        lesson's captions never leave a longer gap than this.
        """
        if not 0 < seconds <= self.max_pause_s:
            raise ValueError(f"pause seconds must be in (0, {self.max_pause_s:g}], got {seconds!r}")
        self.current_tracker = None
        self.check_layout(pausing=True)
        self.wait(seconds)

    # --- chapters ------------------------------------------------------------------

    def chapter(self, title: str) -> None:
        """Start a chapter called ``title`` now (written to ``<movie>.chapters.vtt``)."""
        writer = self.renderer.file_writer
        if isinstance(writer, AtomicSceneFileWriter):
            writer.chapters.append(ChapterMark(float(self.renderer.time), title))
        else:
            logger.warning(f"chapter({title!r}) ignored: the file writer does not record chapters")
