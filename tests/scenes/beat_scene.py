"""Tiny narrated scenes for the narration tests (rendered at toy resolution).

``LESSON_TEST_FAIL=1`` makes :class:`BeatScene` raise after its first beat,
to check that a failed render leaves the previous files alone.
"""

import os

from manim import BLUE, RIGHT, UP, Animation, Circle, Create, FadeIn, FadeOut, Square, Text

from lessonkit.faults import checkpoint
from lessonkit.narration import LessonScene

BEATS = (
    "Gradient descent takes a small step downhill, against the gradient.",
    "With momentum, the step also remembers <bookmark mark='turn'/> the previous one, "
    "so in a long narrow valley the velocity builds up along the floor, while the "
    "zigzag across the walls cancels out.",
    "That is the whole idea.",
)

VOICE_LINE = "Momentum remembers the past. <bookmark mark='go'/> It rolls on."


class BeatScene(LessonScene):
    def construct(self) -> None:
        self.chapter("Descent")
        circle = Circle(color=BLUE)
        # A fault-injection point in the middle of the first animation (inactive unless asked for).
        circle.add_updater(lambda _: checkpoint("animation") if self.renderer.time > 1.0 else None)
        with self.voiceover(text=BEATS[0]) as tracker:
            self.play(Create(circle), run_time=tracker.duration)
        if os.environ.get("LESSON_TEST_FAIL") == "1":
            raise RuntimeError("deliberate failure in the middle of the scene")
        self.chapter("Momentum")
        square = Square()
        label = Text("momentum", font_size=30).next_to(square, UP)
        with self.voiceover(text=BEATS[1]):
            self.wait_until_bookmark("turn")
            self.play(FadeIn(square), FadeIn(label), run_time=0.5)
        with self.voiceover(text=BEATS[2]) as tracker:
            self.play(FadeOut(circle), FadeOut(square), FadeOut(label), run_time=tracker.duration)


class VoiceBeatScene(LessonScene):
    def construct(self) -> None:
        square = Square()
        with self.voiceover(text=VOICE_LINE) as tracker:
            self.play(Create(square), run_time=tracker.duration / 2)
            self.wait_until_bookmark("go")
            self.play(FadeOut(square), run_time=0.3)


class BrokenBeatScene(LessonScene):
    """A narrated line whose animation fails.

    ``LESSON_TEST_FAIL`` is ``animation`` or ``updater``.
    """

    def construct(self) -> None:
        square = Square()
        with self.voiceover(text=BEATS[0]) as tracker:
            self.play(Create(square), run_time=tracker.duration / 2)
            if os.environ.get("LESSON_TEST_FAIL") == "updater":

                def explode(mobject, dt):
                    if self.renderer.time > tracker.start_t + tracker.duration * 0.6:
                        raise ValueError("deliberate failure inside an updater")

                square.add_updater(explode)
                self.play(square.animate.shift(RIGHT), run_time=tracker.duration / 3)
            else:
                self.play(FailingAnimation(square), run_time=tracker.duration / 3)


class FailingAnimation(Animation):
    def interpolate_mobject(self, alpha: float) -> None:
        if alpha > 0.5:
            raise ValueError("deliberate failure inside an animation")
