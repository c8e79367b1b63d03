"""The drawing pieces the storyboards share (built, never rendered to a video).

:mod:`lessonkit.text_blocks` (badges, paragraphs, code-font cells, multi-part
formulas, rule blocks, cells in columns), :class:`lessonkit.number_line.LimitLine`,
:meth:`lessonkit.code_panel.CodePanel.highlight_lines` and
:meth:`lessonkit.race.Lane.entrance`: each draws what it says, where it says.
"""

from __future__ import annotations

import numpy as np
import pytest
from manim import Create, MathTex, Text, VGroup

from lesson_narration import in_code
from lessonkit import style
from lessonkit.code_panel import CodePanel
from lessonkit.fading import FadeIn
from lessonkit.number_line import LimitLine
from lessonkit.panels import text_label
from lessonkit.race import MapRace, lane_frames
from lessonkit.text_blocks import (
    badge,
    break_before,
    math_line,
    mono_label,
    paragraph,
    place_in_columns,
    rule_block,
)
from momentum_math import presets, rules


def same_drawing(a, b) -> bool:
    """Whether two mobjects have the same points and colours, part for part."""
    parts_a, parts_b = a.family_members_with_points(), b.family_members_with_points()
    return len(parts_a) == len(parts_b) and all(
        np.array_equal(x.points, y.points)
        and np.array_equal(x.fill_rgbas, y.fill_rgbas)
        and np.array_equal(x.stroke_rgbas, y.stroke_rgbas)
        for x, y in zip(parts_a, parts_b, strict=True)
    )


# --- text blocks ---------------------------------------------------------------------------


def test_break_before_cuts_at_the_word_and_drops_the_space():
    question = "Why does plain gradient descent crawl through a long, narrow valley?"
    first, second = break_before(question, "through")
    assert (first, second) == (
        "Why does plain gradient descent crawl",
        "through a long, narrow valley?",
    )
    assert f"{first} {second}" == question
    with pytest.raises(ValueError, match="does not follow a space"):
        break_before(question, "nowhere")


def test_badge_centres_its_label_on_a_panel_coloured_disc():
    disc, digit = badge("2", style.MOMENTUM_COLOR)
    assert np.allclose(digit.get_center(), disc.get_center(), atol=1e-9)
    assert disc.width == pytest.approx(0.52)
    assert disc.get_fill_color().to_hex() == style.PANEL_COLOR.to_hex()
    assert disc.get_stroke_color().to_hex() == style.MOMENTUM_COLOR.to_hex()
    assert same_drawing(digit, text_label("2", style.MOMENTUM_COLOR, style.LABEL_SIZE))


def test_paragraph_is_lesson_text_with_its_coloured_words():
    text = "Race: 185 steps plain,\n159 with momentum."
    plain = paragraph(text, style.BODY_SIZE)
    expected = Text(
        text, font=style.FONT, font_size=style.BODY_SIZE, color=style.TEXT_COLOR, line_spacing=0.7
    )
    assert same_drawing(plain, expected)
    coloured = paragraph(text, style.BODY_SIZE, t2c={"185": style.GD_COLOR})
    colours = {part.get_fill_color().to_hex() for part in coloured.submobjects}
    assert colours == {style.TEXT_COLOR.to_hex(), style.GD_COLOR.to_hex()}
    # An empty colour map is no colour map.
    assert same_drawing(paragraph(text, style.BODY_SIZE, t2c={}), plain)


def test_mono_label_uses_the_code_font():
    cell = mono_label("(−2.40, 0.20)", style.VELOCITY_COLOR)
    expected = Text(
        "(−2.40, 0.20)",
        font=style.MONO_FONT,
        font_size=style.SMALL_SIZE,
        color=style.VELOCITY_COLOR,
    )
    assert same_drawing(cell, expected)
    # Monospaced: every glyph starts one advance after the one before.
    digits = mono_label("0000")
    starts = [glyph.get_left()[0] for glyph in digits]
    assert np.allclose(np.diff(starts), np.diff(starts)[0], atol=1e-6)


def test_math_line_keeps_its_parts_apart():
    line = math_line(r"\theta", r"\leftarrow", "2.8", size=style.BODY_SIZE + 4)
    assert len(line) == 3 and isinstance(line, MathTex)
    assert [part.tex_string for part in line] == [r"\theta", r"\leftarrow", "2.8"]
    assert same_drawing(
        line, MathTex(r"\theta", r"\leftarrow", "2.8", font_size=34, color=style.TEXT_COLOR)
    )
    with pytest.raises(ValueError):
        math_line()


@pytest.mark.parametrize("convention", ["pytorch", "lesson"])
def test_rule_block_shows_the_conventions_own_rule(convention):
    block = rule_block("heading", convention)
    heading, (velocity, position) = block
    rule = rules.rule(convention)
    assert (velocity.tex_string, position.tex_string) == (rule.velocity_latex, rule.position_latex)
    assert velocity.get_color().to_hex() == style.VELOCITY_COLOR.to_hex()
    assert heading.get_fill_color().to_hex() == style.MUTED_TEXT_COLOR.to_hex()
    # Heading over the velocity line over the position line, all left-aligned.
    assert heading.get_bottom()[1] > velocity.get_top()[1] > velocity.get_bottom()[1]
    assert velocity.get_bottom()[1] > position.get_top()[1]
    lefts = [part.get_left()[0] for part in (heading, velocity, position)]
    assert np.allclose(lefts, lefts[0], atol=1e-9)


def test_place_in_columns_starts_each_column_at_its_left_edge():
    rows = [VGroup(mono_label("step 3"), mono_label("position θ")) for _ in range(3)]
    table = place_in_columns(rows, [0.0, 1.9], 0.48)
    assert list(table) == rows
    for index, row in enumerate(rows):
        for cell, left in zip(row, [0.0, 1.9], strict=True):
            assert cell.get_left()[0] == pytest.approx(left, abs=1e-9)
            assert cell.get_y() == pytest.approx(-0.48 * index, abs=1e-9)
    with pytest.raises(ValueError, match="row 0 has 1 cells for 2 columns"):
        place_in_columns([VGroup(mono_label("x"))], [0.0, 1.0], 0.5)


# --- the limit line ------------------------------------------------------------------------


def test_limit_line_puts_each_value_at_its_share_of_the_way():
    values = [0.1, 0.19, 0.271, 0.3439]
    line = LimitLine(values, 1.0, limit_tex="1.0", name_tex="v_1", length=4.1)
    start = line.line.get_start()
    for dot, value in zip(line.marks, values, strict=True):
        assert np.allclose(dot.get_center(), start + [4.1 * value, 0, 0], atol=1e-9)
    assert line.limit_tick.get_x() == pytest.approx(line.line.get_end()[0])
    assert line.zero_tick.get_x() == pytest.approx(start[0])
    # Labels under their ticks, the name left of the line; the dots over the line.
    assert line.zero_label.get_top()[1] < line.zero_tick.get_bottom()[1]
    assert line.limit_label.get_top()[1] < line.limit_tick.get_bottom()[1]
    assert line.name_label.get_right()[0] < start[0]
    assert all(dot.z_index == 2 for dot in line.marks)
    assert list(line) == [line.axis, line.marks] and len(line.axis) == 6
    # It moves as a whole.
    line.move_to([4.1, 0.75, 0.0])
    assert np.allclose(line.marks[-1].get_center() - line.line.get_start(), [4.1 * 0.3439, 0, 0])


def test_limit_line_refuses_a_zero_limit_or_length():
    with pytest.raises(ValueError):
        LimitLine([0.1], 0.0, "0", "v")
    with pytest.raises(ValueError):
        LimitLine([0.1], 1.0, "1", "v", length=0.0)


# --- code panel: several lines -------------------------------------------------------------


@pytest.fixture(scope="module")
def panel() -> CodePanel:
    return CodePanel(in_code.snippet(), font_size=style.SMALL_SIZE)


def test_highlight_lines_surrounds_a_statement_over_two_lines(panel):
    box = panel.highlight_lines(1, 2, color=style.VELOCITY_COLOR)
    both = VGroup(panel.line(1), panel.line(2))
    assert box.get_left()[0] < both.get_left()[0] and both.get_right()[0] < box.get_right()[0]
    assert box.get_bottom()[1] < both.get_bottom()[1] and both.get_top()[1] < box.get_top()[1]
    assert box.get_bottom()[1] > panel.line(4).get_top()[1]  # clear of the loop below
    assert box.get_stroke_color().to_hex() == style.VELOCITY_COLOR.to_hex()
    # One line is the same box as highlight_line's.
    assert np.allclose(panel.highlight_lines(8, 8).points, panel.highlight_line(8).points)


def test_highlight_lines_refuses_empty_or_backward_spans(panel):
    with pytest.raises(ValueError, match="empty"):
        panel.highlight_lines(3, 3)
    with pytest.raises(ValueError, match="before"):
        panel.highlight_lines(2, 1)
    with pytest.raises(ValueError):
        panel.highlight_lines(1, panel.line_count + 1)


# --- a race lane's entrance ----------------------------------------------------------------


def test_a_lanes_entrance_draws_its_map_in_and_nothing_that_moves():
    run = presets.stretched_bowl_race().run(0.99)
    race = MapRace([run], lane_frames(run.surface)[:1], ["β = 0.99"])
    lane = race.lanes[0]
    animations = lane.entrance()
    assert [type(animation) for animation in animations] == [FadeIn, Create, FadeIn, FadeIn]
    assert [animation.mobject for animation in animations] == [
        lane.border,
        lane.contours,
        lane.minimum,
        lane.label,
    ]
    moving = {id(part) for part in race.movers.get_family()}
    assert not any(id(animation.mobject) in moving for animation in animations)
