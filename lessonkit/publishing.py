"""Publishing a render all-or-nothing: manim's file writer made atomic (see :mod:`lessonkit.files`).

:class:`AtomicSceneFileWriter` renders the movie
under a temporary name and publishes it with its captions only when the whole
render succeeded.
"""

from __future__ import annotations

import datetime
import os
from contextlib import suppress
from pathlib import Path
from typing import Any

import srt
from manim import logger
from manim.scene.scene_file_writer import SceneFileWriter

from .captions import ChapterMark, chapters_to_webvtt, srt_to_webvtt
from .faults import checkpoint
from .files import atomic_write_text, remove_stale_scratch
from .rendering import LessonSegmentEncoder, encoder_choice

__all__ = ["AtomicSceneFileWriter"]


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
                tidy.append(
                    srt.Subtitle(
                        index=len(tidy) + 1, start=sub.start, end=stop, content=sub.content
                    )
                )
        return tidy

    def write_subcaption_file(self) -> None:
        """Prepare (not yet publish) the ``.srt`` and ``.vtt`` texts."""
        if not self.output_spec.is_video:
            return
        srt_text = srt.compose(self._tidy_subcaptions())
        self._caption_texts = (srt_text, srt_to_webvtt(srt_text))

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
        remove_stale_scratch(final)
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

    def _create_segment_encoder(self, target: Path) -> Any:
        """manim's segment encoder, or the lesson's (one conversion a held frame).

        manim's is used when ``MOMENTUM_ENCODER=manim``.
        """
        if self.video_encoder is None or encoder_choice() == "manim":
            return super()._create_segment_encoder(target)
        return LessonSegmentEncoder(target=target, spec=self.video_encoder)

    def combine_to_movie(self) -> None:
        super().combine_to_movie()
        checkpoint("combine")  # a test hook: the movie is combined, not yet published

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
