"""Chapters for the lifecycle tests: a 3-D chapter, then a flat one, in one scene or alone."""

from manim import DEGREES, UL, Create, FadeIn, Surface, Text, ThreeDAxes

from lessonkit.chapters import Chapter, LessonScene, play_chapters


class TiltedChapter(Chapter):
    title = "Tilted"
    three_d = True
    camera_orientation = {"phi": 65 * DEGREES, "theta": -60 * DEGREES}

    def play(self, scene: LessonScene) -> None:
        axes = ThreeDAxes(
            x_range=[-2, 2], y_range=[-2, 2], z_range=[0, 2], x_length=4, y_length=4, z_length=2
        )
        surface = Surface(
            lambda u, v: axes.c2p(u, v, 0.3 * (u * u + v * v)),
            u_range=[-1.5, 1.5],
            v_range=[-1.5, 1.5],
            resolution=(6, 6),
        )
        label = Text("from above", font_size=30).to_corner(UL)
        scene.add_fixed_in_frame_mobjects(label)
        with scene.voiceover(text="A bowl, seen from one side, then another."):
            scene.play(Create(axes), FadeIn(surface), run_time=0.5)
            scene.move_camera(phi=50 * DEGREES, theta=-30 * DEGREES, run_time=0.5)


class FlatChapter(Chapter):
    title = "Flat"

    def play(self, scene: LessonScene) -> None:
        title = Text("Flat title", font_size=40).to_corner(UL)
        with scene.voiceover(text="A flat chapter with a title."):
            scene.play(FadeIn(title), run_time=0.5)


class BothChapters(LessonScene):
    def construct(self) -> None:
        play_chapters(self, TiltedChapter(), FlatChapter())


class FlatAlone(LessonScene):
    def construct(self) -> None:
        play_chapters(self, FlatChapter())
