"""The text-led chapters (opening, refresher, in code, recap) and the code panel.

Figures tests recompute what each chapter shows from ``momentum_math`` (or
check it against the brief's published numbers) and check that the numbers
spoken are the ones on screen. Code-panel tests check, without rendering,
that the panel holds the code's text and that highlights surround the right
line or token.
"""

from __future__ import annotations

import numpy as np
import pytest

from lesson_narration import in_code, opening, recap, refresher
from lessonkit.captions import reading_duration
from lessonkit.code_panel import CodePanel, glyph_span
from lessonkit.formatting import format_point, spoken_number
from lessonkit.modes import SILENT_WORDS_PER_MINUTE
from momentum_math import presets

# --- opening -------------------------------------------------------------------


def test_opening_teases_plain_gradient_descent_on_the_lesson_ravine():
    figs = opening.figures()
    assert figs.run.beta == 0.0 and figs.run.num_steps == figs.tease_steps
    assert figs.experiment.name == "ravine_zigzag"
    reference = presets.ravine_zigzag().run(beta=0.0)
    np.testing.assert_array_equal(figs.run.positions, reference.positions[: figs.tease_steps + 1])
    # It zigzags: y changes sign every step while x only creeps toward the minimum.
    signs = np.sign(figs.run.positions[:, 1])
    assert np.all(signs[1:] == -signs[:-1])
    assert np.all(np.diff(figs.run.positions[:, 0]) > 0)
    # ... and after all the teaser's steps it has covered less than a quarter of the way.
    assert abs(figs.run.positions[-1, 0]) > 0.75 * abs(figs.run.start[0])


def test_opening_shows_the_course_title_and_asks_the_question():
    assert opening.LESSON_TITLE == "Momentum: why gradient descent gets stuck in ravines"
    lines = opening.script(opening.figures())
    assert "crawl" in lines.question and "?" in lines.question
    assert "crawl" in opening.QUESTION and "long, narrow valley" in opening.QUESTION


# --- refresher -----------------------------------------------------------------


def test_refresher_step_is_the_briefs_example_computed_by_the_simulation():
    figs = refresher.figures()
    assert figs.lr == 0.1 and figs.start == 3.0
    assert figs.gradient == pytest.approx(2.0, abs=1e-12)
    assert figs.new_theta == pytest.approx(2.8, abs=1e-12)  # the brief's published result
    assert figs.step == pytest.approx(-0.2, abs=1e-12)
    # The curve drawn is the one simulated: slope of ½λθ² at θ is λθ, loss values match.
    assert figs.curvature * figs.start == pytest.approx(figs.gradient)
    assert figs.loss(figs.start) == pytest.approx(figs.start_loss)
    assert figs.loss(figs.new_theta) == pytest.approx(figs.new_loss)
    assert figs.new_loss < figs.start_loss
    assert spoken_number(2.0 / figs.curvature) == "3"  # the curve is labelled θ²/3


def test_refresher_follows_its_inputs_rather_than_typed_numbers():
    figs = refresher.figures(lr=0.25, start=2.0, slope=1.0)
    assert figs.new_theta == pytest.approx(2.0 - 0.25 * 1.0)
    assert figs.gradient == pytest.approx(1.0)


def test_refresher_speaks_the_numbers_it_shows():
    figs = refresher.figures()
    lines = refresher.script(figs)
    assert f"theta equals {spoken_number(figs.start)}" in lines.curve
    assert spoken_number(figs.gradient) in lines.slope
    assert f"alpha equal to {spoken_number(figs.lr)}" in lines.step
    step = lines.step.replace('<bookmark mark="move"/>', "")
    assert f"we move {spoken_number(figs.lr)} times {spoken_number(figs.gradient)}" in step
    assert f"{spoken_number(abs(figs.step))} to the left" in step
    assert f"which is {spoken_number(figs.new_theta)}" in lines.result
    assert spoken_number(figs.new_theta) == "2.8"


@pytest.mark.parametrize(
    ("module", "pauses", "low", "high"), [(opening, 2.0, 20, 23), (refresher, 2.0, 26, 29)]
)
def test_opening_and_refresher_fit_their_lengths(module, pauses, low, high):
    lines = module.script(module.figures()).lines()
    # At the voice's pace, plus the pause after the key result and the 0.6 s closing fade.
    seconds = sum(reading_duration(line, SILENT_WORDS_PER_MINUTE) for line in lines) + pauses + 0.6
    assert low <= seconds <= high


# --- in code -------------------------------------------------------------------


def test_in_code_snippet_is_the_course_pages_pytorch_call():
    figs = in_code.figures()
    code = figs.code
    assert "optim.SGD(model.parameters()," in code
    assert "lr=0.01, momentum=0.9)" in code
    for call in ("optimizer.zero_grad()", "loss.backward()", "optimizer.step()"):
        assert call in code
    assert code.index("zero_grad") < code.index("backward") < code.index("optimizer.step")


def _pytorch_heavy_ball(start, lr, beta, steps):
    """The ravine's heavy-ball loop written out by hand (gradient (x/8, 18y))."""
    theta, velocity = np.array(start, dtype=float), np.zeros(2)
    for _ in range(steps):
        gradient = np.array([theta[0] / 8.0, 18.0 * theta[1]])
        velocity = beta * velocity + gradient
        theta = theta - lr * velocity
    return theta, velocity


def test_in_code_conventions_share_the_path_and_differ_in_velocity_by_alpha():
    figs = in_code.figures()
    experiment = presets.ravine_zigzag()
    theta, velocity = _pytorch_heavy_ball(
        experiment.start, experiment.lr, in_code.COMPARE_BETA, figs.step
    )
    np.testing.assert_allclose(figs.position, theta, rtol=1e-12)
    np.testing.assert_allclose(figs.pytorch_velocity, velocity, rtol=1e-12)
    np.testing.assert_allclose(figs.lesson_velocity, experiment.lr * velocity, rtol=1e-12)
    assert figs.max_position_gap < 1e-12
    np.testing.assert_allclose(
        figs.lesson.velocities, figs.compare_lr * figs.pytorch.velocities, rtol=1e-12
    )
    assert figs.velocity_ratio == pytest.approx(experiment.lr)
    assert figs.pytorch.convention == "pytorch" and figs.lesson.convention == "lesson"


def test_in_code_speaks_the_numbers_it_shows():
    figs = in_code.figures()
    lines = in_code.script(figs)
    assert f"momentum equals {spoken_number(figs.momentum)}" in lines.beta
    assert f"after {figs.step} steps" in lines.same_path
    assert f"alpha, {spoken_number(figs.velocity_ratio)}" in lines.same_path
    # The compared runs' α and β differ from the snippet's: both are said, and on screen
    # (β under the table, α as the factor between the velocities)
    assert f"alpha {spoken_number(figs.compare_lr)}" in lines.same_path
    assert f"beta {spoken_number(figs.compare_beta)}" in lines.same_path
    assert figs.compare_beta == figs.pytorch.beta != figs.momentum
    # The table's rows are the two runs' own numbers.
    assert format_point(figs.pytorch.positions[figs.step]) == format_point(
        figs.lesson.positions[figs.step]
    )
    assert format_point(figs.pytorch_velocity) != format_point(figs.lesson_velocity)


# --- recap ---------------------------------------------------------------------


def test_recap_numbers_are_the_race_and_rule_of_thumb_results():
    figs = recap.figures()
    assert (figs.gd_steps, figs.momentum_steps, figs.overshoot_steps) == (185, 159, None)
    assert (figs.momentum_beta, figs.overshoot_beta, figs.race_steps) == (0.9, 0.99, 300)
    race = presets.stretched_bowl_race()
    assert figs.gd_steps == race.run(0.0).steps_to_converge(race.threshold)
    assert figs.steady_step == pytest.approx(0.1)
    assert figs.steady_step == pytest.approx(figs.thumb_lr / (1 - figs.thumb_beta))
    assert figs.step_ratio == pytest.approx(10.0)


def test_recap_screen_and_narration_carry_the_same_numbers():
    figs = recap.figures()
    text = recap.screen(figs)
    lines = recap.script(figs)
    for number in (str(figs.gd_steps), str(figs.momentum_steps), str(figs.race_steps), "0.99"):
        assert number in text.takeaways[2]
        assert number in lines.race
    assert "0.1" in text.answers[1] and "0.1" in lines.answer_2
    assert "10 times" in text.answers[1] and "10 times alpha" in lines.answer_2
    assert (
        str(figs.momentum_steps) in text.answers[2] and str(figs.momentum_steps) in lines.answer_3
    )


def test_recap_quiz_first_asks_what_beta_controls():
    figs = recap.figures()
    text = recap.screen(figs)
    lines = recap.script(figs)
    assert len(text.questions) == len(text.answers) == 3
    assert "β" in text.questions[0] and "control" in text.questions[0]
    assert "previous velocity" in text.answers[0] and "previous velocity" in lines.answer_1


def test_recap_text_lines_fit_without_wrapping():
    from conftest import chapter_module
    from manim import Text

    from lessonkit import style

    chapter = chapter_module("recap").RecapChapter
    text = recap.screen(recap.figures())
    groups = [
        (text.takeaways, chapter.takeaway_size),
        (text.questions, chapter.question_size),
        (text.answers, chapter.answer_size),
    ]
    for sentences, size in groups:
        for sentence in sentences:
            for line in sentence.split("\n"):
                width = Text(line, font=style.FONT, font_size=size).width
                assert width <= chapter.max_line_width, f"{line!r} is {width:.2f} units wide"


@pytest.mark.parametrize(
    ("module", "pauses", "low", "high"), [(in_code, 0.0, 32, 36), (recap, 3 * 3.0, 45, 50)]
)
def test_narration_fits_the_chapter_length(module, pauses, low, high):
    from lessonkit.modes import SILENT_WORDS_PER_MINUTE as voice_pace

    lines = module.script(module.figures()).lines()
    # At the voice's pace, plus the quiz's thinking pauses and the 0.6 s closing fade.
    seconds = sum(reading_duration(line, voice_pace) for line in lines) + pauses + 0.6
    assert low <= seconds <= high


# --- code panel ----------------------------------------------------------------

SOURCE = in_code.snippet()


@pytest.fixture(scope="module")
def panel() -> CodePanel:
    return CodePanel(SOURCE)


def test_glyph_span_counts_only_visible_characters():
    assert glyph_span("a = b(c, d=1)", "d=1") == (6, 9)
    assert glyph_span("x  y x", "x", occurrence=1) == (2, 3)
    assert glyph_span("   lr=0.01, momentum=0.9)", "momentum=0.9") == (8, 20)
    with pytest.raises(ValueError):
        glyph_span("abc", "z")
    with pytest.raises(ValueError):
        glyph_span("abc", "  ")


def test_panel_holds_the_code_text(panel):
    assert "\n".join(panel.source_lines) == SOURCE
    assert panel.line_count == SOURCE.count("\n") + 1
    for number, text in enumerate(SOURCE.split("\n"), start=1):
        visible = sum(1 for char in text if not char.isspace())
        assert len(panel.line(number)) == visible, f"line {number}"
    # Lines run top to bottom in order.
    tops = [panel.line(n).get_y() for n in range(1, panel.line_count + 1) if len(panel.line(n))]
    assert tops == sorted(tops, reverse=True)


def _inside(inner, outer) -> bool:
    return (
        outer.get_left()[0] <= inner.get_left()[0]
        and inner.get_right()[0] <= outer.get_right()[0]
        and outer.get_bottom()[1] <= inner.get_bottom()[1]
        and inner.get_top()[1] <= outer.get_top()[1]
    )


def test_token_highlight_surrounds_momentum_and_nothing_else(panel):
    token = "momentum=0.9"
    number = panel.find_line(token)
    assert number == 2
    glyphs = panel.token(token)
    assert len(glyphs) == len(token)
    box = panel.highlight_token(token)
    assert _inside(glyphs, box)
    line = panel.line(number)
    first, stop = glyph_span(panel.line_text(number), token)
    before, after = line[first - 1], line[stop]  # the "," before and the ")" after
    assert before.get_right()[0] < box.get_left()[0]
    assert box.get_right()[0] < after.get_right()[0]
    # Vertically it sits on line 2, clear of lines 1 and 4.
    assert box.get_bottom()[1] > panel.line(4).get_top()[1]
    assert box.get_top()[1] < panel.line(1).get_bottom()[1] + 0.05
    # The token's glyphs are its own: the same width as the token set on its own.
    from manim import Text

    from lessonkit import style

    alone = Text(token, font=style.MONO_FONT, font_size=style.LABEL_SIZE)
    assert glyphs.width == pytest.approx(alone.width, rel=0.05)


def test_line_highlight_surrounds_exactly_its_line(panel):
    number = panel.find_line("optimizer.step()")
    box = panel.highlight_line(number)
    assert _inside(panel.line(number), box)
    above = panel.line(number - 1)
    assert box.get_top()[1] < above.get_bottom()[1] + 0.05
    assert box.get_center()[1] == pytest.approx(panel.line(number).get_center()[1], abs=0.05)


def test_panel_refuses_unreadable_text_and_empty_lines(panel):
    with pytest.raises(ValueError):
        CodePanel("x = 1", font_size=12)
    with pytest.raises(ValueError):
        panel.highlight_line(3)  # the blank line between the call and the loop
    with pytest.raises(ValueError):
        panel.line(panel.line_count + 1)
    with pytest.raises(ValueError):
        panel.token("momentum=0.5")


def test_panel_uses_the_lesson_panel_colour(panel):
    from lessonkit import style

    assert panel.background.get_fill_color().to_hex().lower() == style.PANEL_COLOR.to_hex().lower()
