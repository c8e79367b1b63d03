"""Chapter 12, recap and quiz: three takeaways, then three questions to think about.

The takeaways carry the lesson's key numbers (the race's step counts), the
quiz asks what β controls, the steady step α/(1 − β) and what to do about
too much momentum; each question is held for a pause before its answer.
Every number comes from ``momentum_math``.

Render: ``manim render scenes/recap.py`` (add ``-ql`` for a quick 480p preview).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from manim import DOWN, LEFT, RIGHT, UL, UP, Text, VGroup

from lesson_narration.recap import RecapFigures, RecapScreen, figures, screen, script
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.narration import LessonScene
from lessonkit.panels import text_label, title_text
from lessonkit.text_blocks import badge, paragraph

#: The takeaways and the quiz cards stand under the title, indented by this much.
INDENT = RIGHT * 0.3


@dataclass(frozen=True)
class QuizCard:
    """One question of the quiz (``"Question n"`` over it) and its answer under it."""

    question: VGroup
    answer: VGroup

    @property
    def shown(self) -> list[VGroup]:
        """What is on screen once the answer is."""
        return [self.question, self.answer]


@dataclass(frozen=True)
class RecapBoard:
    """What the recap shows, laid out before the first beat: each quiz card takes the
    takeaways' place, then the previous card's."""

    title: Text
    takeaways: VGroup
    quiz: tuple[QuizCard, QuizCard, QuizCard]


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
        board = self._layout(figs, screen(figs))
        self._beat_zigzag(scene, board, lines.zigzag)
        self._beat_takeaway(scene, board.takeaways[1], lines.velocity)
        self._beat_takeaway(scene, board.takeaways[2], lines.race)
        first, second, third = board.quiz
        self._beat_quiz(scene, first, lines.question_1, lines.answer_1, leaving=[board.takeaways])
        self._beat_quiz(scene, second, lines.question_2, lines.answer_2, leaving=first.shown)
        self._beat_quiz(scene, third, lines.question_3, lines.answer_3, leaving=second.shown)
        scene.say(lines.goodbye)  # the last answer still on screen

    def _layout(self, figs: RecapFigures, text: RecapScreen) -> RecapBoard:
        """The numbered takeaways under the title, and the three quiz cards."""
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        # The race's step counts in their runs' colours.
        colors = {
            str(figs.gd_steps): style.GD_COLOR,
            str(figs.momentum_steps): style.MOMENTUM_COLOR,
        }
        rows = [
            VGroup(
                badge(str(index)),
                paragraph(sentence, self.takeaway_size, t2c=colors if index == 3 else None),
            ).arrange(RIGHT, buff=0.35, aligned_edge=UP)
            for index, sentence in enumerate(text.takeaways, start=1)
        ]
        takeaways = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.6)
        takeaways.next_to(title, DOWN, aligned_edge=LEFT, buff=0.6).shift(INDENT)
        quiz = tuple(
            self._quiz_card(title, number, question, answer)
            for number, (question, answer) in enumerate(
                zip(text.questions, text.answers, strict=True), start=1
            )
        )
        return RecapBoard(title, takeaways, quiz)

    def _quiz_card(
        self, title: Text, number: int, question_text: str, answer_text: str
    ) -> QuizCard:
        """Question ``number`` under the title, its answer under the question."""
        label = text_label(f"Question {number}", style.MUTED_TEXT_COLOR, style.LABEL_SIZE)
        question = paragraph(question_text, self.question_size, style.HIGHLIGHT_COLOR)
        card = VGroup(label, question).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        card.next_to(title, DOWN, aligned_edge=LEFT, buff=0.3).shift(INDENT)
        answer_label = text_label("Answer", style.MOMENTUM_COLOR, style.LABEL_SIZE)
        answer_body = paragraph(answer_text, self.answer_size)
        answer = VGroup(answer_label, answer_body).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        answer.next_to(card, DOWN, aligned_edge=LEFT, buff=0.35)
        return QuizCard(card, answer)

    @classmethod
    def _beat_zigzag(cls, scene: LessonScene, board: RecapBoard, zigzag: str) -> None:
        """The title and the first takeaway: plain GD zigzags and crawls."""
        with scene.voiceover(text=zigzag):
            scene.play(FadeIn(board.title), run_time=0.6)
            cls._show_takeaway(scene, board.takeaways[0])

    @classmethod
    def _beat_takeaway(cls, scene: LessonScene, row: VGroup, line: str) -> None:
        """One more takeaway, on its line."""
        with scene.voiceover(text=line):
            cls._show_takeaway(scene, row)

    @staticmethod
    def _show_takeaway(scene: LessonScene, row: VGroup) -> None:
        """Slide a takeaway in from the left."""
        scene.play(FadeIn(row, shift=RIGHT * 0.2), run_time=0.8)

    def _beat_quiz(
        self,
        scene: LessonScene,
        card: QuizCard,
        question_line: str,
        answer_line: str,
        leaving: Sequence[VGroup],
    ) -> None:
        """A question in place of what is ``leaving``, a pause to think, then its answer."""
        with scene.voiceover(text=question_line):
            scene.play(*[FadeOut(group) for group in leaving], run_time=0.5)
            scene.play(FadeIn(card.question, shift=DOWN * 0.15), run_time=0.8)
            scene.hold(card.question)  # on screen now: the guard keeps it above the paused captions
        scene.pause(self.think_s)
        with scene.voiceover(text=answer_line):
            scene.play(FadeIn(card.answer, shift=UP * 0.15), run_time=0.8)
            scene.hold(card.answer)
