"""The storyboards: one module a chapter, each a ``lessonkit.chapters.Chapter``."""

# First, the toolkit package: its __init__ filters pydub's audioop DeprecationWarning,
# which manim raises as it loads (a storyboard imports manim before lessonkit).
import lessonkit  # noqa: F401
