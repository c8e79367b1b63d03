"""Joining chapter clips into the flagship without rendering it again.

* Video: the clips' H.264 packets are copied, not re-encoded (every clip is
  encoded with the same settings and starts on a keyframe), each clip shifted
  by the frames before it.
* Audio: joining AAC streams would leave encoder-priming gaps at every seam,
  so each clip's narration is decoded, laid on one timeline (silence where a
  chapter has none) at its clip's start, and encoded once.
* Captions and chapters: each clip's cues shifted by its start, taken from
  the clips' measured frame counts.

Every MP4 written here has its index (``moov``) first, so it starts playing
before it has downloaded.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np
import webvtt
from PIL import Image

from lessonkit.captions import ChapterMark, chapters_to_webvtt

__all__ = ["Clip", "concat_clips", "faststart_copy", "poster_frame", "shift_captions"]

AUDIO_RATE = 48_000
AUDIO_LAYOUT = "stereo"


@dataclass(frozen=True)
class Clip:
    """One chapter's rendered clip: its files and measured length."""

    title: str
    movie: Path
    captions: Path
    frames: int
    fps: float

    @property
    def duration(self) -> float:
        """Seconds, from the frame count."""
        return self.frames / self.fps


def _write_options() -> dict[str, str]:
    return {"movflags": "+faststart"}


def faststart_copy(source: Path, target: Path) -> None:
    """Copy an MP4's streams into ``target`` with the index first (no re-encoding)."""
    with (
        av.open(str(source)) as inp,
        av.open(str(target), "w", format="mp4", options=_write_options()) as out,
    ):
        mapping = {
            stream.index: out.add_stream_from_template(stream)
            for stream in inp.streams
            if stream.type in ("video", "audio")
        }
        for packet in inp.demux(*[inp.streams[index] for index in mapping]):
            if packet.dts is None:
                continue
            packet.stream = mapping[packet.stream.index]
            out.mux(packet)


def _decode_audio(movie: Path, frames_wanted: int) -> np.ndarray | None:
    """The clip's audio as float32 ``(channels, samples)`` at AUDIO_RATE, placed by timestamps."""
    buffer = np.zeros((2, frames_wanted), dtype=np.float32)
    with av.open(str(movie)) as container:
        if not container.streams.audio:
            return None
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="fltp", layout=AUDIO_LAYOUT, rate=AUDIO_RATE)
        cursor = None

        def place(frames: list[av.AudioFrame]) -> None:
            nonlocal cursor
            for converted in frames:
                samples = converted.to_ndarray()
                cursor = 0 if cursor is None else cursor
                end = min(cursor + samples.shape[1], frames_wanted)
                if end > cursor:
                    buffer[:, cursor:end] = samples[:, : end - cursor]
                cursor += samples.shape[1]

        for frame in container.decode(stream):
            if cursor is None and frame.pts is not None and frame.time_base is not None:
                cursor = max(0, round(float(frame.pts * frame.time_base) * AUDIO_RATE))
            place(resampler.resample(frame))
        place(resampler.resample(None))  # what the resampler still holds
    return buffer


def _encode_audio(
    out: av.container.OutputContainer, samples: np.ndarray
) -> tuple[av.AudioStream, list[av.Packet[Any]]]:
    """Encode the whole narration once; returns the stream and its packets."""
    stream = out.add_stream("aac", rate=AUDIO_RATE, layout=AUDIO_LAYOUT)
    stream.bit_rate = 160_000
    packets: list[av.Packet[Any]] = []
    frame_size = 1024
    for start in range(0, samples.shape[1], frame_size):
        chunk = np.ascontiguousarray(samples[:, start : start + frame_size])
        frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=AUDIO_LAYOUT)
        frame.sample_rate = AUDIO_RATE
        frame.pts = start
        frame.time_base = Fraction(1, AUDIO_RATE)
        packets += stream.encode(frame)
    packets += stream.encode(None)
    return stream, packets


def _time_base(stream: av.stream.Stream) -> Fraction:
    if stream.time_base is None:
        raise ValueError(f"stream {stream.index} has no time base")
    return stream.time_base


def _packet_seconds(packet: av.Packet[Any]) -> float:
    if packet.pts is None or packet.time_base is None:
        raise ValueError("an encoded audio packet has no timestamp")
    return float(packet.pts * packet.time_base)


def concat_clips(clips: Sequence[Clip], target: Path) -> None:
    """Join ``clips`` into ``target``: video copied, narration encoded once, index first."""
    if not clips:
        raise ValueError("concat_clips needs at least one clip")
    fps = clips[0].fps
    if any(abs(clip.fps - fps) > 1e-6 for clip in clips):
        raise ValueError(f"clips differ in frame rate: {[clip.fps for clip in clips]}")
    total_frames = sum(clip.frames for clip in clips)
    total_samples = round(total_frames / fps * AUDIO_RATE)
    narration = np.zeros((2, total_samples), dtype=np.float32)
    has_audio = False
    start_frame = 0
    for clip in clips:
        offset = round(start_frame / fps * AUDIO_RATE)
        audio = _decode_audio(clip.movie, round(clip.frames / fps * AUDIO_RATE))
        if audio is not None:
            has_audio = True
            narration[:, offset : offset + audio.shape[1]] = audio[:, : total_samples - offset]
        start_frame += clip.frames

    with av.open(str(target), "w", format="mp4", options=_write_options()) as out:
        with av.open(str(clips[0].movie)) as first:
            video_out = out.add_stream_from_template(first.streams.video[0])
        audio_packets: list[av.Packet[Any]] = []
        if has_audio:
            _, audio_packets = _encode_audio(out, narration)
        audio_queue = list(audio_packets)
        start_frame = 0
        for clip in clips:
            with av.open(str(clip.movie)) as container:
                stream = container.streams.video[0]
                time_base = _time_base(stream)
                offset = round(
                    Fraction(start_frame) / Fraction(fps).limit_denominator(1001) / time_base
                )
                for packet in container.demux(stream):
                    if packet.dts is None or packet.pts is None:
                        continue
                    packet.pts += offset
                    packet.dts += offset
                    seconds = float(packet.dts * time_base)
                    while audio_queue and _packet_seconds(audio_queue[0]) <= seconds:
                        out.mux(audio_queue.pop(0))
                    packet.stream = video_out
                    out.mux(packet)
            start_frame += clip.frames
        for packet in audio_queue:
            out.mux(packet)


def shift_captions(clips: Sequence[Clip]) -> tuple[str, str]:
    """The flagship's captions (WebVTT) and chapters track from the clips' own captions.

    Each clip's cues are moved by the clip's start with webvtt-py's ``shift``
    (the start rounded to the millisecond once, so every cue of a clip moves
    by the same amount and its chapter mark says the same time); the cues keep
    their timing and text, not their identifiers or settings.
    """
    captions: list[webvtt.Caption] = []
    chapters = []
    start = 0.0
    for clip in clips:
        chapters.append(ChapterMark(start, clip.title))
        clip_captions = webvtt.read(str(clip.captions))
        clip_captions.shift(start)
        for cue in clip_captions.captions:
            captions.append(webvtt.Caption(cue.start, cue.end, cue.raw_text))
        start += clip.frames / clip.fps
    return webvtt.WebVTT(captions=captions).content, chapters_to_webvtt(chapters, start)


def poster_frame(movie: Path, target: Path, share: float = 0.45) -> None:
    """A representative frame of ``movie`` as JPEG: the busiest of a few, never a black one.

    Frames at several points around ``share`` of the video are scored by their
    pixel spread; the one with the most going on is kept.
    """
    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        duration = float(container.duration or 0) / 1e6
        wanted = sorted(
            {max(0.0, min(duration - 0.1, duration * s)) for s in (share, 0.3, 0.6, 0.75)}
        )
        best: tuple[float, Image.Image] | None = None
        for moment in wanted:
            # from the keyframe before each moment, not from the start: the same frames, a
            # few dozen decoded instead of most of the video
            container.seek(
                int(moment / _time_base(stream)), stream=stream, backward=True, any_frame=False
            )
            for frame in container.decode(stream):
                frame_time: float | None = frame.time  # None for a frame without a timestamp
                if frame_time is not None and frame_time >= moment:
                    image = frame.to_image()  # type: ignore[no-untyped-call]
                    pixels = np.asarray(image.convert("L"), dtype=np.float32)
                    score = float(pixels.std())
                    if best is None or score > best[0]:
                        best = (score, image)
                    break
    if best is None or best[0] < 1.0:
        raise ValueError(f"{movie}: no frame with content found for a poster")
    data = io.BytesIO()
    best[1].convert("RGB").save(data, format="JPEG", quality=88)
    target.write_bytes(data.getvalue())
