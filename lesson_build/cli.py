"""``momentum-lesson build``: the lesson as web-ready media and a page, rendering only what changed.

Run from the project folder (``make lesson`` does)::

    momentum-lesson build [--quality low|medium|high|4k] [--no-voice] [--jobs N]
                          [--scheduler ADDRESS] [--config lesson.toml]
    momentum-lesson build --check        # validate media/lesson/ against its manifest

``python -m lesson_build`` is the same command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

from lesson_build.jobs import QUALITIES

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="momentum-lesson", description="Build the momentum lesson."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser(
        "build",
        help="render the chapters (only what changed), assemble the lesson, publish media/lesson/",
        description="Render each chapter once (in parallel, cached by what it depends on), "
        "assemble the whole lesson from the clips, and publish web-ready media and a lesson "
        "page under --out.",
    )
    command.add_argument(
        "--quality",
        choices=list(QUALITIES),
        default="high",
        help="480p15, 720p30, 1080p60 or 2160p60 (default: high)",
    )
    command.add_argument(
        "--no-voice", action="store_true", help="silent narration even if the voice is installed"
    )
    command.add_argument(
        "--jobs", type=int, default=None, help="chapters rendered at once (default: CPU count)"
    )
    command.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="send chapter jobs to this Dask distributed scheduler (e.g. tcp://10.0.0.5:8786)",
    )
    command.add_argument(
        "--config", type=Path, metavar="TOML", help="override the experiments' parameters"
    )
    command.add_argument(
        "--check", action="store_true", help="only validate --out against its manifest"
    )
    command.add_argument(
        "--out", type=Path, default=Path("media/lesson"), help="default: media/lesson"
    )
    command.add_argument(
        "--cache",
        type=Path,
        default=Path("media/build-cache"),
        help="where rendered chapters are kept (default: media/build-cache)",
    )
    return parser


def main(argv: Iterable[str] | None = None) -> int:
    """The ``momentum-lesson`` command."""
    args = _parser().parse_args(None if argv is None else list(argv))
    if args.jobs is not None and args.jobs < 1:
        print(f"momentum-lesson: --jobs must be >= 1, got {args.jobs}", file=sys.stderr)
        return 2
    if args.check:  # only what checking needs is imported: no numpy, no rendering code
        from lesson_build.publish import check_lesson

        failures = check_lesson(args.out.resolve())
        for failure in failures:
            print(f"check failed: {failure}", file=sys.stderr)
        print(
            f"check: {args.out} {'FAILED' if failures else 'is complete and valid'}",
            file=sys.stderr,
        )
        return 1 if failures else 0
    from lesson_build.config import ConfigError
    from lesson_build.pipeline import BuildFailed, build

    try:
        build(
            args.quality,
            False if args.no_voice else None,
            args.jobs,
            args.scheduler,
            args.config,
            args.out,
            args.cache,
        )
    except ConfigError as error:
        print(f"momentum-lesson: {error}", file=sys.stderr)
        return 2
    except BuildFailed as error:
        print(f"momentum-lesson: build failed: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # a full disk, a folder that cannot be written
        print(
            f"momentum-lesson: build failed: {error}; {args.out} was left as it was",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print(f"momentum-lesson: interrupted; {args.out} was left as it was", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
