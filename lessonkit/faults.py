"""Fault-injection checkpoints, so tests can interrupt a render or a build at a known stage.

``checkpoint(stage)`` does nothing unless the environment variable
``LESSONKIT_STALL_AT`` names that stage; then it prints
``lessonkit: stalled at <stage>`` on standard error and sleeps, so a test can
kill the process exactly there. Stages: ``synthesis`` (a voice clip is being
made), ``combine`` (the movie is being put together), ``build-between-chapters``
and ``build-assembly`` (the lesson build).
"""

from __future__ import annotations

import os
import sys
import time

__all__ = ["STALL_ENV", "checkpoint"]

#: Environment variable naming the stage at which to stall.
STALL_ENV = "LESSONKIT_STALL_AT"


def checkpoint(stage: str, seconds: float = 600.0) -> None:
    """Stall here for ``seconds`` when ``LESSONKIT_STALL_AT`` is ``stage`` (a test hook)."""
    if os.environ.get(STALL_ENV) == stage:
        print(f"lessonkit: stalled at {stage}", file=sys.stderr, flush=True)
        time.sleep(seconds)
