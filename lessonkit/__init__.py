"""Lesson toolkit: narration-timed scenes, the offline voice, captions, drawing pieces.

Modules by concern:

* scenes and narration: :mod:`~lessonkit.narration` (``LessonScene``),
  :mod:`~lessonkit.chapters` (``Chapter``, ``play_chapters``),
  :mod:`~lessonkit.modes` (voice or silent), :mod:`~lessonkit.clock` (the
  frame-counting renderer), :mod:`~lessonkit.publishing` (atomic output);
* sound and text: :mod:`~lessonkit.voice` (piper), :mod:`~lessonkit.loudness`,
  :mod:`~lessonkit.captions`, :mod:`~lessonkit.formatting`;
* drawing: :mod:`~lessonkit.style`, :mod:`~lessonkit.layout`,
  :mod:`~lessonkit.maps`, :mod:`~lessonkit.motion`, :mod:`~lessonkit.panels`,
  :mod:`~lessonkit.boxes`, :mod:`~lessonkit.text_blocks`, :mod:`~lessonkit.plots`,
  :mod:`~lessonkit.table`, :mod:`~lessonkit.number_line`, :mod:`~lessonkit.race`,
  :mod:`~lessonkit.rolling_ball`, :mod:`~lessonkit.surface3d`, :mod:`~lessonkit.code_panel`.

Import from the modules (``from lessonkit.narration import LessonScene``): this
package's ``__init__`` imports nothing (it only installs one warnings filter, for
pydub's ``audioop`` deprecation, below), so the modules that need no manim
(:mod:`~lessonkit.config`, :mod:`~lessonkit.captions`, :mod:`~lessonkit.formatting`,
:mod:`~lessonkit.files`, :mod:`~lessonkit.faults`, :mod:`~lessonkit.loudness`)
load without it.
"""

import warnings as _warnings

# pydub, which manim imports as it loads (manim.scene.scene_file_writer), runs
# `import audioop`: a DeprecationWarning since Python 3.11 (audioop goes in 3.13;
# pydub is manim's dependency, not ours). The project's own imports must be
# warning-free under `python -W error`, and any module of this toolkit (or a
# storyboard: lesson_chapters/__init__.py imports this package) may be the first
# to import manim. So ignore exactly that warning, raised by pydub.utils, and
# nothing else. A filter, not a `catch_warnings()` around an import: importing
# pydub here would load it into the build, which imports only this package's
# manim-free modules (see tests/test_build_isolation.py).
_warnings.filterwarnings(
    "ignore",
    message=r"'audioop' is deprecated",
    category=DeprecationWarning,
    module=r"pydub\.utils",
)
