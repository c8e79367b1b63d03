"""Chapter 12, recap and quiz: three takeaways, then three questions to think about.

The takeaways carry the lesson's key numbers (the race's step counts), the
quiz asks what β controls, the steady step α/(1 − β) and what to do about
too much momentum; each question is held for a pause before its answer.
Every number comes from ``momentum_math``.

Render: ``manim render scenes/recap.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UL,
    UP,
    Circle,
    ManimColor,
    Text,
    VGroup,
)

from lesson_narration.recap import RecapFigures, figures, screen, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.narration import LessonScene
from lessonkit.panels import title_text


def badge(label: str, color: ManimColor = style.HIGHLIGHT_COLOR) -> VGroup:
    """A numbered disc that starts a takeaway."""
    disc = Circle(radius=0.26).set_stroke(color, 2.5).set_fill(style.PANEL_COLOR, 1.0)
    digit = Text(label, font=style.FONT, font_size=style.LABEL_SIZE, color=color).move_to(disc)
    return VGroup(disc, digit)


def paragraph(
    text: str, size: int, color: ManimColor = style.TEXT_COLOR, **t2c: ManimColor
) -> Text:
    """A short multi-line text in the lesson's font."""
    return Text(
        text, font=style.FONT, font_size=size, color=color, line_spacing=0.7, t2c=t2c or None
    )


class RecapChapter(Chapter):
    """Three takeaways and a three-question quiz, each answer after a pause."""

    name = "recap"
    #: Seconds the viewer gets to think before an answer is shown.
    think_s = 3.0
    #: Font sizes of the takeaways, the questions and the answers. Each line of text stays
    #: narrower than ``max_line_width`` units: Pango wraps wider lines in tiny renders.
    takeaway_size = style.BODY_SIZE
    question_size = style.BODY_SIZE + 6
    answer_size = style.BODY_SIZE + 2
    max_line_width = 9.3

    def figures(self) -> RecapFigures:
        """The recap's numbers (see :func:`lesson_narration.recap.figures`)."""
        return figures()

    def play(self, scene: LessonScene) -> None:
        figs = self.figures()
        lines = script(figs)
        text = screen(figs)

        # Beats: the three takeaways, one line each.
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        colors = {
            str(figs.gd_steps): style.GD_COLOR,
            str(figs.momentum_steps): style.MOMENTUM_COLOR,
        }
        rows = []
        for index, sentence in enumerate(text.takeaways, start=1):
            body = paragraph(sentence, self.takeaway_size, **(colors if index == 3 else {}))
            rows.append(VGroup(badge(str(index)), body).arrange(RIGHT, buff=0.35, aligned_edge=UP))
        takeaways = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.6)
        takeaways.next_to(title, DOWN, aligned_edge=LEFT, buff=0.6).shift(RIGHT * 0.3)
        for index, (row, line) in enumerate(
            zip(rows, (lines.zigzag, lines.velocity, lines.race), strict=True)
        ):
            with scene.voiceover(text=line):
                if index == 0:
                    scene.play(FadeIn(title), run_time=0.6)
                scene.play(FadeIn(row, shift=RIGHT * 0.2), run_time=0.8)

        # Beats: the quiz, one question at a time, a pause before each answer.
        quiz = zip(
            text.questions,
            text.answers,
            (lines.question_1, lines.question_2, lines.question_3),
            (lines.answer_1, lines.answer_2, lines.answer_3),
            strict=True,
        )
        shown: list[VGroup] = [takeaways]
        for number, (question_text, answer_text, question_line, answer_line) in enumerate(
            quiz, start=1
        ):
            label = Text(
                f"Question {number}",
                font=style.FONT,
                font_size=style.LABEL_SIZE,
                color=style.MUTED_TEXT_COLOR,
            )
            question = paragraph(question_text, self.question_size, style.HIGHLIGHT_COLOR)
            card = VGroup(label, question).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
            card.next_to(title, DOWN, aligned_edge=LEFT, buff=0.3).shift(RIGHT * 0.3)
            answer_label = Text(
                "Answer", font=style.FONT, font_size=style.LABEL_SIZE, color=style.MOMENTUM_COLOR
            )
            answer_body = paragraph(answer_text, self.answer_size)
            answer = VGroup(answer_label, answer_body).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
            answer.next_to(card, DOWN, aligned_edge=LEFT, buff=0.35)
            with scene.voiceover(text=question_line):
                scene.play(*[FadeOut(group) for group in shown], run_time=0.5)
                scene.play(FadeIn(card, shift=DOWN * 0.15), run_time=0.8)
                scene.hold(card)  # on screen now: the guard keeps it above the paused captions
            scene.pause(self.think_s)
            with scene.voiceover(text=answer_line):
                scene.play(FadeIn(answer, shift=UP * 0.15), run_time=0.8)
                scene.hold(answer)
            shown = [card, answer]

        # Beat: goodbye, the last answer still on screen.
        with scene.voiceover(text=lines.goodbye):
            pass
