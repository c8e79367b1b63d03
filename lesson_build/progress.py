"""Build progress: a live display on a terminal, plain log lines elsewhere, and a summary table."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.live import Live
from rich.table import Table

__all__ = ["Reporter"]


def _clock(seconds: float) -> str:
    minutes, rest = divmod(max(seconds, 0.0), 60)
    return f"{int(minutes)}:{int(rest):02d}"


class Reporter:
    """Follows a build: which chapters run, are done or left; time elapsed and left.

    On a terminal it redraws one status table; otherwise (CI, a log file) it
    prints one line per event. :meth:`finish` prints the summary table.
    """

    def __init__(self, console: Console, live: bool) -> None:
        self.console = console
        self.live_display = live
        self.started_at = time.monotonic()
        self.state: dict[str, str] = {}
        self.began: dict[str, float] = {}
        self.took: dict[str, float] = {}
        self.video_seconds: dict[str, float] = {}
        self._live: Live | None = None

    @classmethod
    def for_stream(cls, stream: TextIO) -> Reporter:
        """A reporter for ``stream``: live when it is a terminal."""
        console = Console(file=stream)
        return cls(console, console.is_terminal)

    # --- events -------------------------------------------------------------------------

    def begin(self, names: list[str], quality: str, narration: str) -> None:
        self.state = dict.fromkeys(names, "left")
        self._say(f"build: {len(names)} chapters, quality {quality}, narration {narration}")
        if self.live_display:
            self._live = Live(
                self._table(), console=self.console, refresh_per_second=2, transient=True
            )
            self._live.start()

    def reused(self, name: str) -> None:
        self.state[name] = "reused"
        self._say(f"build: {name}: unchanged, reusing the cached clip")

    def damaged(self, name: str, why: str) -> None:
        """``name``'s cached clip failed its checksums (``why``): it is rendered again."""
        self._say(f"build: {name}: the cached clip is damaged ({why}); rendering it again")

    def started(self, name: str) -> None:
        self.state[name] = "running"
        self.began[name] = time.monotonic()
        self._say(f"build: {name}: rendering")

    def rendered(self, name: str, video_seconds: float) -> None:
        self.state[name] = "rendered"
        self.took[name] = time.monotonic() - self.began.get(name, self.started_at)
        self.video_seconds[name] = video_seconds
        done = sum(state in ("rendered", "reused") for state in self.state.values())
        self._say(
            f"build: [{done}/{len(self.state)}] {name}: rendered in {self.took[name]:.1f} s "
            f"({self.elapsed()} elapsed, {self.remaining()} left)"
        )

    def assembling(self) -> None:
        self._say("build: assembling the lesson from the chapter clips")

    def note(self, line: str) -> None:
        """Say ``line`` (a build waiting for another one's lock, for example)."""
        self._say(line)

    def close(self) -> None:
        """Stop the live display, if any (a build that failed or was stopped). Idempotent."""
        if self._live is not None:
            self._live.stop()
            self._live = None

    def finish(self, manifest: dict[str, Any], out: Path, rendered: list[str]) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None
        table = Table(title=f"lesson built in {self.elapsed()}: {out}")
        for column in ("chapter", "duration", "size", "status", "path"):
            table.add_column(column, justify="right" if column in ("duration", "size") else "left")
        sizes = {name: entry["bytes"] for name, entry in manifest["files"].items()}
        for entry in [*manifest["chapters"], manifest["flagship"]]:
            name = entry["name"]
            status = (
                "assembled"
                if entry is manifest["flagship"]
                else ("rendered" if name in rendered else "reused")
            )
            title = "whole lesson" if entry is manifest["flagship"] else entry["title"]
            table.add_row(
                title,
                _clock(entry["duration"]),
                f"{sizes.get(entry['video'], 0) / 1e6:.1f} MB",
                status,
                str(out / entry["video"]),
            )
        self.console.print(table)

    # --- display --------------------------------------------------------------------------

    def elapsed(self) -> str:
        return _clock(time.monotonic() - self.started_at)

    def remaining(self) -> str:
        """Time left, from the mean render time so far and the jobs still to finish."""
        if not self.took:
            return "?"
        mean = sum(self.took.values()) / len(self.took)
        running = [
            time.monotonic() - self.began[name]
            for name, state in self.state.items()
            if state == "running"
        ]
        left = sum(state == "left" for state in self.state.values())
        workers = max(len(running), 1)
        return _clock((left * mean + sum(max(mean - t, 0.0) for t in running)) / workers)

    def _table(self) -> Table:
        table = Table(
            title=f"building the lesson: {self.elapsed()} elapsed, {self.remaining()} left"
        )
        table.add_column("chapter")
        table.add_column("state")
        for name, state in self.state.items():
            table.add_row(name, state)
        return table

    def _say(self, line: str) -> None:
        if self._live is not None:
            self._live.update(self._table())
        else:
            self.console.print(line, highlight=False, soft_wrap=True)
