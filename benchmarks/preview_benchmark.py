"""Benchmark: save → page showing the new chapter, with ``momentum-lesson preview``.

On a scratch copy of the project (the working tree is never touched) it starts
``momentum-lesson preview`` (480p15, silent), waits for the first build, opens the page in
headless Chromium, then for each chapter rewords the first spoken sentence of its narration
and times the interval from the save to the page having reloaded at that chapter (its start,
paused, the new sentence among the loaded captions). It prints one row a chapter and the
median and the longest, against the issue's targets (median under 10 s, longest under 15 s),
and the chapter's own render time from the build's log beside it.

Run from the project root (about five minutes on the 2-core machine)::

    python benchmarks/preview_benchmark.py
    python benchmarks/preview_benchmark.py --chapters zigzag race --json media/preview.json

The exit status is 1 when a target is missed over every chapter. Figures are only
comparable within one run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "benchmarks")]

from render_benchmark import change_one_line, copy_project  # noqa: E402

from lesson_narration.registry import LESSON  # noqa: E402

MEDIAN_TARGET_S = 10.0
LONGEST_TARGET_S = 15.0


def measure(chapters: list[str], project: Path) -> list[dict[str, Any]]:
    import pagekit

    log = project / "preview.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "lesson_build", "preview", "--port", "0"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    rows = []
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip().removeprefix("preview: serving ")
        print(f"preview at {url}; first build (every chapter)…", flush=True)
        started = time.monotonic()
        with pagekit.launch_chromium() as browser:
            page = browser.new_page()
            page.goto(url, wait_until="load")
            page.wait_for_function(
                "() => { const n = document.getElementById('preview-note');"
                " return n && /built in/.test(n.textContent); }",
                timeout=1_800_000,
            )
            print(f"first build: {time.monotonic() - started:.1f} s", flush=True)
            for index, chapter in enumerate(chapters):
                marker = f"Benchmark save {index}"
                saved = time.monotonic()
                change_one_line(project, chapter, marker, say=False)  # the save, timed from here
                page.wait_for_function(
                    f"document.documentElement.dataset.previewChapter === {chapter!r}"
                    " && (() => { const t = document.getElementById('lesson-captions').track;"
                    " t.mode = t.mode === 'disabled' ? 'hidden' : t.mode;"
                    f" return t.cues && Array.from(t.cues).some(c => c.text.includes({marker!r}));"
                    " })()",
                    timeout=600_000,
                )
                seconds = time.monotonic() - saved
                state = json.loads(page.evaluate("fetch('/__preview/state').then(r => r.text())"))
                rows.append(
                    {
                        "chapter": chapter,
                        "save_to_page_s": round(seconds, 2),
                        "build_s": state["seconds"],
                        "changed": state["changed"],
                    }
                )
                print(
                    f"{chapter:24s} {seconds:6.1f} s   (build {state['seconds']:.1f} s)", flush=True
                )
    finally:
        process.terminate()
        process.wait(timeout=60)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chapters", nargs="+", default=list(LESSON.names))
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    unknown = [name for name in args.chapters if name not in LESSON.names]
    if unknown:
        parser.error(f"unknown chapters {unknown}; choose from {', '.join(LESSON.names)}")
    with tempfile.TemporaryDirectory(prefix="preview-benchmark-") as scratch:
        rows = measure(args.chapters, copy_project(ROOT, Path(scratch)))
    times = [row["save_to_page_s"] for row in rows]
    median, longest = statistics.median(times), max(times)
    print(
        f"\nmedian {median:.1f} s (target < {MEDIAN_TARGET_S:g} s), "
        f"longest {longest:.1f} s (target < {LONGEST_TARGET_S:g} s)"
    )
    if args.json:
        args.json.write_text(
            json.dumps({"rows": rows, "median_s": median, "longest_s": longest}, indent=2) + "\n",
            encoding="utf-8",
        )
    full = sorted(args.chapters) == sorted(LESSON.names)
    return 1 if full and (median >= MEDIAN_TARGET_S or longest >= LONGEST_TARGET_S) else 0


if __name__ == "__main__":
    sys.exit(main())
