"""A contact sheet of the whole lesson: frames of every chapter, labelled with chapter and time.

Usage::

    python tools/contact_sheet.py VIDEO.mp4 [--out docs/lesson_contact_sheet.jpg] [--per-chapter 3]

The chapters and their titles come from the lesson's registry, their times from
the video's ``.chapters.vtt`` beside it (which must list the same chapters); each chapter
contributes ``--per-chapter`` frames spread over its length (never its first
or last moments, which are fades). ``make contact-sheet`` renders the
flagship silently at 480p and writes ``docs/lesson_contact_sheet.jpg``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

import av
import webvtt
from PIL import Image, ImageDraw, ImageFont

from lesson_narration.registry import LESSON
from lessonkit.captions import vtt_seconds

FONT_PATH = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


@dataclass(frozen=True)
class SheetFrame:
    """One picture on the sheet: which chapter, when, and its label."""

    chapter: int
    title: str
    seconds: float

    @property
    def label(self) -> str:
        minutes, seconds = divmod(self.seconds, 60)
        return f"{self.chapter}. {self.title}  {int(minutes)}:{seconds:04.1f}"


def plan_frames(chapters_vtt: Path, per_chapter: int) -> list[SheetFrame]:
    """Times to sample: ``per_chapter`` per chapter, evenly inside it (away from the fades)."""
    if per_chapter < 1:
        raise ValueError(f"per_chapter must be >= 1, got {per_chapter}")
    cues = webvtt.read(str(chapters_vtt)).captions
    titles = [
        entry.title for entry in LESSON.chapters
    ]  # the registry names them; the track times them
    if [" ".join(cue.text.split()) for cue in cues] != titles:
        raise ValueError(f"{chapters_vtt}: its chapters are not the lesson's ({', '.join(titles)})")
    frames = []
    for number, (cue, title) in enumerate(zip(cues, titles, strict=True), start=1):
        start, end = vtt_seconds(cue.start), vtt_seconds(cue.end)
        for k in range(per_chapter):
            share = 0.2 + 0.65 * (k / max(per_chapter - 1, 1)) if per_chapter > 1 else 0.5
            frames.append(SheetFrame(number, title, start + share * (end - start)))
    return frames


def grab_frames(video: Path, times: list[float]) -> list[Image.Image]:
    """The first decoded frame at or after each time, in one pass over the video."""
    wanted = sorted(range(len(times)), key=lambda index: times[index])
    images: dict[int, Image.Image] = {}
    position = 0
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            while position < len(wanted) and frame.time >= times[wanted[position]] - 1e-6:
                images[wanted[position]] = frame.to_image()
                position += 1
            if position == len(wanted):
                break
    if len(images) != len(times):
        missing = [round(times[index], 2) for index in range(len(times)) if index not in images]
        raise ValueError(f"video {video} has no frames at {missing} s")
    return [images[index] for index in range(len(times))]


def compose(
    frames: list[SheetFrame], images: list[Image.Image], columns: int, width: int
) -> Image.Image:
    """The sheet: a grid of ``width``-pixel thumbnails, each with its label above it."""
    font = ImageFont.truetype(FONT_PATH, 16)
    thumb_height = round(width * images[0].height / images[0].width)
    label_height = 24
    rows = -(-len(images) // columns)
    sheet = Image.new(
        "RGB", (columns * (width + 8) + 8, rows * (thumb_height + label_height + 8) + 8), "#0b0d12"
    )
    draw = ImageDraw.Draw(sheet)
    for index, (frame, image) in enumerate(zip(frames, images, strict=True)):
        row, column = divmod(index, columns)
        x = 8 + column * (width + 8)
        y = 8 + row * (thumb_height + label_height + 8)
        draw.text((x + 2, y + 3), frame.label, fill="#e8eaf0", font=font)
        sheet.paste(
            image.convert("RGB").resize((width, thumb_height), Image.LANCZOS), (x, y + label_height)
        )
    return sheet


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "video", type=Path, help="the lesson MP4 (its .chapters.vtt must be beside it)"
    )
    parser.add_argument("--out", type=Path, default=Path("docs/lesson_contact_sheet.jpg"))
    parser.add_argument("--per-chapter", type=int, default=3)
    parser.add_argument("--columns", type=int, default=6)
    parser.add_argument("--width", type=int, default=320, help="thumbnail width in pixels")
    args = parser.parse_args(argv)
    chapters_vtt = args.video.with_suffix(".chapters.vtt")
    for path in (args.video, chapters_vtt):
        if not path.is_file():
            parser.error(f"{path} does not exist (render the lesson first: make contact-sheet)")
    frames = plan_frames(chapters_vtt, args.per_chapter)
    images = grab_frames(args.video, [frame.seconds for frame in frames])
    sheet = compose(frames, images, args.columns, args.width)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_name(f".{args.out.name}.tmp{args.out.suffix}")
    sheet.save(temporary, quality=85)
    temporary.replace(args.out)
    print(f"contact sheet: {len(frames)} frames of {frames[-1].chapter} chapters -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
