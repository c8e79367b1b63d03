"""Record the flagship's cue times for ``tests/test_lesson.py``
(after a deliberate narration change).

Renders ``scenes/ravine.py`` as the test does (silent, 384x216 at 15 fps) and
writes every caption and chapter cue (start, end, text) to
``tests/data/flagship_cue_times.json``. Run from the project root::

    python tests/data/record_cue_times.py [--project DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import webvtt

from lessonkit.captions import vtt_seconds

HERE = Path(__file__).resolve().parent


def cue_list(path: Path) -> list[list]:
    return [
        [vtt_seconds(c.start), vtt_seconds(c.end), " ".join(c.text.split())]
        for c in webvtt.read(str(path)).captions
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--project", type=Path, default=HERE.parents[1], help="the project whose flagship to render"
    )
    args = parser.parse_args()
    project = args.project.resolve()
    with tempfile.TemporaryDirectory() as scratch:
        media = Path(scratch) / "media"
        # Run as ``python -m`` in the project: its own packages come before the installed ones.
        environment = {**os.environ, "MOMENTUM_VOICE": "off"}
        environment.pop("MOMENTUM_LESSON_CONFIG", None)
        command = [
            sys.executable,
            "-m",
            "manim",
            "render",
            "-ql",
            "-r",
            "384,216",
            "--media_dir",
            str(media),
            str(project / "scenes" / "ravine.py"),
        ]
        subprocess.run(command, cwd=project, env=environment, check=True, capture_output=True)
        folder = media / "videos" / "ravine" / "216p15"
        recorded = {
            "captions": cue_list(folder / "Ravine.vtt"),
            "chapters": cue_list(folder / "Ravine.chapters.vtt"),
        }
    target = HERE / "flagship_cue_times.json"
    lines = ",\n".join(
        f"  {json.dumps(key)}: [\n"
        + ",\n".join(f"    {json.dumps(cue, ensure_ascii=False)}" for cue in cues)
        + "\n  ]"
        for key, cues in recorded.items()
    )
    target.write_text("{\n" + lines + "\n}\n", encoding="utf-8")  # one cue a line
    print(
        f"{len(recorded['captions'])} captions and {len(recorded['chapters'])} chapters "
        f"written to {target}"
    )


if __name__ == "__main__":
    main()
