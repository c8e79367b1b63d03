"""``momentum-lesson build``: the lesson as web-ready media and a page, rendering only what changed.

Run from the project folder (``make lesson`` does)::

    momentum-lesson build [--quality low|medium|high|4k] [--no-voice] [--jobs N]
                          [--scheduler ADDRESS] [--config lesson.toml]
    momentum-lesson build --check        # validate media/lesson/ against its manifest
    momentum-lesson clip experiment.toml [--quality …] [--no-voice] [--out DIR]
    momentum-lesson preview [--port N]   # serve the page, rebuild and reload on every save

``python -m lesson_build`` is the same command. SIGINT (Ctrl-C), SIGTERM and SIGHUP
stop a build and every render it started (exit 130, 143, 129); ``--out`` keeps the
previous lesson.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from lesson_build.jobs import QUALITIES, STOP_SIGNALS, Stopped

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
        "--out",
        type=Path,
        default=Path("media/lesson"),
        help="the lesson folder, replaced as a whole: new, empty, or made by a build "
        "(default: media/lesson)",
    )
    command.add_argument(
        "--cache",
        type=Path,
        default=Path("media/build-cache"),
        help="where rendered chapters and voice clips are kept (default: media/build-cache)",
    )
    clip = commands.add_parser(
        "clip",
        help="render your own experiment (a TOML file) as one narrated clip",
        description="Race the optimizers of an experiment file on its surface and render "
        "one narrated, captioned clip of it, with a poster, a GIF and its figures as JSON.",
    )
    clip.add_argument("experiment", type=Path, help="the experiment's TOML file")
    clip.add_argument(
        "--quality",
        choices=["tiny", *QUALITIES],
        default="low",
        help="320x180 at 10 fps, 480p15, 720p30, 1080p60 or 2160p60 (default: low)",
    )
    clip.add_argument(
        "--no-voice", action="store_true", help="silent narration even if the voice is installed"
    )
    clip.add_argument(
        "--out",
        type=Path,
        default=Path("media/clips"),
        help="where the clip's files go (default: media/clips)",
    )
    clip.add_argument("--no-gif", action="store_true", help="skip the animated GIF")
    _preview_parser(commands)
    return parser


def _preview_parser(commands: Any) -> None:
    preview = commands.add_parser(
        "preview",
        help="serve the lesson page on localhost; rebuild and reload it on every save",
        description="Build the lesson at a preview quality into --out, serve it (byte ranges "
        "answered, so the video seeks), watch the project's sources, and on every save "
        "re-render the chapters that changed; the open page reloads at the changed chapter.",
    )
    preview.add_argument(
        "--port", type=int, default=8000, help="0 picks a free port (default 8000)"
    )
    preview.add_argument(
        "--host", default="127.0.0.1", help="the address served (default 127.0.0.1)"
    )
    preview.add_argument(
        "--quality", choices=list(QUALITIES), default="low", help="default: low (480p15)"
    )
    preview.add_argument(
        "--voice", action="store_true", help="narrate with the voice (default: silent)"
    )
    preview.add_argument(
        "--config",
        type=Path,
        metavar="TOML",
        help="override the experiments' parameters (watched too)",
    )
    preview.add_argument(
        "--out",
        type=Path,
        default=Path("media/preview"),
        help="the preview's lesson folder (default: media/preview)",
    )
    preview.add_argument(
        "--cache",
        type=Path,
        default=Path("media/build-cache"),
        help="the build cache (default: media/build-cache, shared with build)",
    )


def _preview(args: argparse.Namespace) -> int:
    from lesson_build.config import ConfigError
    from lesson_build.preview import run_preview

    if not 0 <= args.port <= 65535:
        print(f"momentum-lesson: --port must be from 0 to 65535, got {args.port}", file=sys.stderr)
        return 2
    if args.config is not None and not args.config.is_file():
        print(f"momentum-lesson: --config {args.config}: no such file", file=sys.stderr)
        return 2
    try:
        return run_preview(
            Path.cwd(),
            port=args.port,
            host=args.host,
            quality=args.quality,
            voice=args.voice,
            config=args.config.resolve() if args.config else None,
            out=args.out,
            cache=args.cache,
        )
    except ConfigError as error:  # an --out or --cache the build refuses, before any work
        print(f"momentum-lesson: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # the port is taken, the address is not this machine's
        print(
            f"momentum-lesson: preview: cannot serve {args.host}:{args.port}: {error}",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        print("preview: stopped", file=sys.stderr)
        return 0


def _clip(args: argparse.Namespace) -> int:
    """``momentum-lesson clip``: exit 0, 2 for a bad file or option, 1 for a failed render."""
    from lesson_build.clip import ClipFailed, render_clip
    from lesson_build.pipeline import BuildFailed
    from lessonkit.errors import ConfigError

    try:
        with _stopped_by_signals():
            result = render_clip(
                args.experiment,
                quality=args.quality,
                voice=False if args.no_voice else None,
                out=args.out,
                gif=not args.no_gif,
            )
    except Stopped as stop:
        print(f"momentum-lesson: stopped by {stop.name}", file=sys.stderr)
        return stop.exit_status
    except ConfigError as error:
        print(f"momentum-lesson: {error}", file=sys.stderr)
        return 2
    except (ClipFailed, BuildFailed) as error:
        print(f"momentum-lesson: clip failed: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("momentum-lesson: interrupted", file=sys.stderr)
        return 130
    print(result.files[".mp4"])
    return 0


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGINT, SIGTERM or SIGHUP: stop the build as Ctrl-C does (once: the clean-up that
    follows, stopping every render and removing scratch, is not interrupted)."""
    for stop in STOP_SIGNALS:
        signal.signal(stop, signal.SIG_IGN)
    raise Stopped(signum)


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Within the block, :data:`~lesson_build.jobs.STOP_SIGNALS` raise :class:`Stopped`."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread receives signals
        return
    previous = {stop: signal.signal(stop, _stop) for stop in STOP_SIGNALS}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def main(argv: Iterable[str] | None = None) -> int:
    """The ``momentum-lesson`` command."""
    args = _parser().parse_args(None if argv is None else list(argv))
    if args.command == "clip":
        return _clip(args)
    if args.command == "preview":
        return _preview(args)
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
        with _stopped_by_signals():
            build(
                args.quality,
                False if args.no_voice else None,
                args.jobs,
                args.scheduler,
                args.config,
                args.out,
                args.cache,
            )
    except Stopped as stop:
        print(
            f"momentum-lesson: stopped by {stop.name}: every render was stopped and its scratch "
            f"removed; {args.out} was left as it was",
            file=sys.stderr,
        )
        return stop.exit_status
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
