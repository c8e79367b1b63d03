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

from manim import DOWN, LEFT, RIGHT, UL, UP, ManimColor, Text, ValueTracker, VGroup, linear

from lesson_narration.recap import (
    RecapClips,
    RecapFigures,
    RecapScreen,
    clips,
    figures,
    screen,
    script,
)
from lessonkit import style
from lessonkit.chapters import Chapter
from lessonkit.fading import FadeIn, FadeOut
from lessonkit.maps import MapFrame, MapLayers
from lessonkit.motion import TrajectoryTrail
from lessonkit.narration import LessonScene
from lessonkit.panels import text_label, title_text
from lessonkit.race import ClampedProgress, run_label
from lessonkit.text_blocks import badge, paragraph
from momentum_math import Trajectory

#: The takeaways and the quiz cards stand under the title, indented by this much.
INDENT = RIGHT * 0.3
#: The replays beside the takeaways: the map's centre and size, the gap to the runs' names.
CLIP_CENTER = (3.95, 1.1)
CLIP_WIDTH = 5.6
CLIP_HEIGHT = 2.3
CLIP_LABEL_GAP = 0.15


@dataclass(frozen=True, eq=False)
class ClipView:
    """A replay beside a takeaway: a map with the runs' names over it, their trails, and the
    clock (in steps) that draws the trails up to ``last_step``."""

    backdrop: VGroup
    trails: VGroup
    clock: ValueTracker
    last_step: int

    @property
    def parts(self) -> list[VGroup]:
        """Everything in the replay."""
        return [self.backdrop, self.trails]


def clip_view(runs: Sequence[Trajectory], stops: Sequence[int], names: Sequence[str]) -> ClipView:
    """``runs`` (one surface) replayed on one map at the right, each stopping at its stop step,
    named over the map in their colours."""
    surface = runs[0].surface
    frame = MapFrame(
        surface.x_range, surface.y_range, center=CLIP_CENTER, width=CLIP_WIDTH, height=CLIP_HEIGHT
    )
    layers = MapLayers.for_surface(surface, frame)
    clock = ValueTracker(0.0)
    trails = VGroup(
        *[
            TrajectoryTrail(run, frame, progress=ClampedProgress(clock, stop), dot_radius=0.06)
            for run, stop in zip(runs, stops, strict=True)
        ]
    )
    labels = VGroup(
        *[
            style.paint_run(text_label(name, size=style.SMALL_SIZE), run.beta)
            for run, name in zip(runs, names, strict=True)
        ]
    ).arrange(RIGHT, buff=0.35)
    if labels.width <= CLIP_WIDTH:  # one row over the map
        labels.next_to(layers.border, UP, buff=CLIP_LABEL_GAP).align_to(layers.border, LEFT)
    else:  # one name a line, under it
        labels.arrange(DOWN, aligned_edge=LEFT, buff=0.08)
        labels.next_to(layers.border, DOWN, buff=CLIP_LABEL_GAP).align_to(layers.border, LEFT)
    return ClipView(VGroup(*layers.parts, labels), trails, clock, max(stops))


def recap_clips(figs: RecapFigures, replays: RecapClips) -> tuple[ClipView, ClipView, ClipView]:
    """The zigzag, momentum's glide along the same ravine, and the race with too much momentum."""
    steps = replays.ravine_steps
    race_names = [
        f"plain GD: {figs.gd_steps}",
        f"β = {figs.momentum_beta:g}: {figs.momentum_steps}",
        f"β = {figs.overshoot_beta:g}: not within {figs.race_steps}",
    ]
    return (
        clip_view([replays.zigzag], [steps], [run_label(0.0, replays.ravine_lr)]),
        clip_view([replays.glide], [steps], [run_label(replays.glide.beta, replays.ravine_lr)]),
        clip_view(list(replays.race), replays.race_stops, race_names),
    )


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
    replays: tuple[ClipView, ClipView, ClipView]


class RecapChapter(Chapter):
    """Three takeaways and a three-question quiz, each answer after a pause."""

    name = "recap"
    #: Seconds the viewer gets to think before an answer is shown.
    think_s = 3.0
    #: Font sizes of the takeaways, the questions and the answers. Each line of text stays
    #: narrower than ``max_line_width`` units: Pango wraps wider lines in tiny renders.
    takeaway_size = style.LABEL_SIZE
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
        zigzag, glide, race = board.replays
        self._beat_takeaway(scene, board, 0, lines.zigzag, None)
        self._beat_takeaway(scene, board, 1, lines.velocity, zigzag)
        self._beat_takeaway(scene, board, 2, lines.race, glide)
        first, second, third = board.quiz
        leaving = [board.takeaways, *race.parts]
        self._beat_quiz(scene, first, lines.question_1, lines.answer_1, leaving=leaving)
        self._beat_quiz(scene, second, lines.question_2, lines.answer_2, leaving=first.shown)
        self._beat_quiz(scene, third, lines.question_3, lines.answer_3, leaving=second.shown)
        scene.say(lines.goodbye)  # the last answer still on screen

    def _layout(self, figs: RecapFigures, text: RecapScreen) -> RecapBoard:
        """The numbered takeaways under the title, and the three quiz cards."""
        title = title_text(self.title).to_corner(UL, buff=style.MARGIN)
        # The race's step counts in their runs' colours.
        betas = {str(figs.gd_steps): 0.0, str(figs.momentum_steps): figs.momentum_beta}
        colors = {number: style.run_color(beta) for number, beta in betas.items()}
        rows = []
        for index, sentence in enumerate(text.takeaways, start=1):
            body = paragraph(sentence, self.takeaway_size, t2c=colors if index == 3 else None)
            if index == 3:
                mark_counts(body, betas)
            rows.append(VGroup(badge(str(index)), body).arrange(RIGHT, buff=0.35, aligned_edge=UP))
        takeaways = VGroup(*rows).arrange(DOWN, aligned_edge=LEFT, buff=0.45)
        takeaways.next_to(title, DOWN, aligned_edge=LEFT, buff=0.5).shift(INDENT)
        quiz = tuple(
            self._quiz_card(title, number, question, answer)
            for number, (question, answer) in enumerate(
                zip(text.questions, text.answers, strict=True), start=1
            )
        )
        return RecapBoard(title, takeaways, quiz, recap_clips(figs, clips()))

    def _quiz_card(
        self, title: Text, number: int, question_text: str, answer_text: str
    ) -> QuizCard:
        """Question ``number`` under the title, its answer under the question."""
        label = text_label(f"Question {number}", style.MUTED_TEXT_COLOR, style.LABEL_SIZE)
        question = paragraph(question_text, self.question_size, style.HIGHLIGHT_COLOR)
        card = VGroup(label, question).arrange(DOWN, aligned_edge=LEFT, buff=0.2)
        card.next_to(title, DOWN, aligned_edge=LEFT, buff=0.3).shift(INDENT)
        answer_label = text_label("Answer", style.HIGHLIGHT_COLOR, style.LABEL_SIZE)
        answer_body = paragraph(answer_text, self.answer_size)
        answer = VGroup(answer_label, answer_body).arrange(DOWN, aligned_edge=LEFT, buff=0.15)
        answer.next_to(card, DOWN, aligned_edge=LEFT, buff=0.35)
        return QuizCard(card, answer)

    @staticmethod
    def _beat_takeaway(
        scene: LessonScene, board: RecapBoard, index: int, line: str, previous: ClipView | None
    ) -> None:
        """Takeaway ``index`` slides in from the left, its replay takes the last one's place
        on the right and plays through the line (the title comes with the first)."""
        replay = board.replays[index]
        with scene.voiceover(text=line) as tracker:
            arriving = [FadeIn(board.takeaways[index], shift=RIGHT * 0.2), FadeIn(replay.backdrop)]
            if previous is None:
                arriving.append(FadeIn(board.title))
            else:
                arriving += [FadeOut(part) for part in previous.parts]
            scene.play(*arriving, run_time=0.8)
            scene.add(replay.trails)  # moving last: the map is cached while the runs move
            scene.play(
                replay.clock.animate(rate_func=linear).set_value(replay.last_step),
                run_time=max(tracker.get_remaining_duration() - 0.1, 0.5),
            )

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


def mark_counts(body: Text, betas: dict[str, float]) -> Text:
    """Mark the glyphs ``paragraph(t2c=...)`` coloured as each count's run (``betas``: the
    count as written, the run's β) with that run's meaning."""
    by_color = {style.run_color(beta).to_hex().lower(): beta for beta in betas.values()}
    for glyph in body.submobjects:
        beta = by_color.get(ManimColor(glyph.get_fill_color()).to_hex().lower())
        if beta is not None:
            style.mark_run(glyph, beta)
    return body
