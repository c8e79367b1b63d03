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
package's ``__init__`` imports nothing, so the modules that need no manim
(:mod:`~lessonkit.config`, :mod:`~lessonkit.captions`, :mod:`~lessonkit.formatting`,
:mod:`~lessonkit.files`, :mod:`~lessonkit.faults`, :mod:`~lessonkit.loudness`)
load without it.
"""
