"""Drawing pieces moved out of the velocity, choosing-β, zigzag and 3-D chapters into lessonkit.

Each is built without rendering and checked for where it puts things: the
rolling ball (:mod:`lessonkit.rolling_ball`), the panels and boxes of
:mod:`lessonkit.boxes`, :class:`lessonkit.table.GridTable` and
:meth:`~lessonkit.table.FillTable.reveal_cells`, :meth:`lessonkit.plots.LinePlot.bars`
and :func:`~lessonkit.plots.hit_strip`, :class:`lessonkit.maps.MapLayers` and
:func:`lessonkit.surface3d.minimum_crosses`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from manim import DL, UR, DashedLine, MathTex, ValueTracker, VGroup
from manim.animation.animation import prepare_animation

from lessonkit import style
from lessonkit.boxes import highlight_box, panel_behind, parts_equation_panel
from lessonkit.maps import ContourMap, MapFrame, MapLayers, minimum_marker, ravine_map_frame
from lessonkit.panels import equation_panel, math_label, text_label
from lessonkit.plots import LinePlot, hit_strip
from lessonkit.rolling_ball import RollingBall
from lessonkit.surface3d import SurfaceFrame, minimum_crosses
from lessonkit.table import FillTable, GridTable
from momentum_math import surfaces


def same_color(mobject, color) -> bool:
    return mobject.get_fill_color().to_hex().lower() == color.to_hex().lower()


# --- lessonkit.rolling_ball -------------------------------------------------------------


@pytest.fixture
def ball() -> RollingBall:
    return RollingBall()


def roll_to(ball: RollingBall, s: float) -> None:
    ball.progress.set_value(s)
    for mobject in ball.parts:
        mobject.update()


def test_the_valley_walls_and_floor_are_where_asked():
    ball = RollingBall(floor_y=0.5, half_width=1.0, left=-5.0, right=5.0, wall_thickness=0.4)
    upper, lower = ball.walls
    assert upper.get_bottom()[1] == pytest.approx(1.5) and upper.height == pytest.approx(0.4)
    assert lower.get_top()[1] == pytest.approx(-0.5) and lower.height == pytest.approx(0.4)
    assert upper.get_left()[0] == pytest.approx(-5.0) and upper.get_right()[0] == pytest.approx(5.0)
    assert isinstance(ball.floor, DashedLine)
    np.testing.assert_allclose(ball.floor.get_start(), [-5.0, 0.5, 0.0], atol=1e-9)
    np.testing.assert_allclose(ball.floor.get_end(), [5.0, 0.5, 0.0], atol=1e-9)
    for label, wall in zip(ball.wall_labels, ball.walls, strict=True):
        np.testing.assert_allclose(label.get_center(), wall.get_center(), atol=1e-9)
    assert ball.floor_label.get_top()[1] < 0.5
    assert ball.floor_label.get_right()[0] == pytest.approx(5.0)


def test_the_roll_runs_from_the_start_to_the_end_speeding_up_then_steady(ball):
    assert ball.center_at(0.0) == pytest.approx(np.array([ball.start_x, ball.floor_y, 0.0]))
    assert ball.along(1.0) == pytest.approx(ball.end_x)
    s = np.linspace(0.0, 1.0, 401)
    xs = np.array([ball.along(t) for t in s])
    assert np.all(np.diff(xs) > 0)
    # The pace along the floor follows speed(): slow at first, steady after the ramp.
    pace = np.diff(xs) / np.diff(s)
    middles = 0.5 * (s[1:] + s[:-1])
    speeds = np.array([ball.speed(t) for t in middles])
    np.testing.assert_allclose(pace / speeds, pace[-1] / speeds[-1], rtol=2e-3)
    assert ball.speed(0.0) == pytest.approx(ball.start_speed)
    assert ball.speed(ball.ramp) == ball.speed(1.0) == pytest.approx(1.0)


def test_the_wobble_across_the_floor_dies_down(ball):
    s = np.linspace(0.0, 1.0, 401)
    offsets = np.array([ball.across(t) for t in s]) - ball.floor_y
    envelope = ball.wobble * np.exp(-ball.wobble_decay * s)
    assert np.all(np.abs(offsets) <= envelope + 1e-12)
    crossings = np.count_nonzero(np.diff(np.sign(offsets[1:-1])) != 0)
    assert crossings == 2 * ball.wobbles - 1  # it swings to each side in turn
    assert np.abs(offsets).max() < ball.top - ball.floor_y  # never into the walls


def test_the_parts_follow_progress_only_while_rolling(ball):
    assert len({id(part) for part in ball.parts}) == 8
    assert isinstance(ball.progress, ValueTracker)
    ball.start_rolling()
    roll_to(ball, 0.37)
    center = ball.center_at(0.37)
    np.testing.assert_allclose(ball.ball.get_center(), center, atol=1e-9)
    np.testing.assert_allclose(ball.path.get_end(), center, atol=1e-9)
    np.testing.assert_allclose(ball.path.get_start(), ball.center_at(0.0), atol=1e-9)
    # The velocity arrow points along the floor, its length growing with the speed.
    arrow = ball.velocity
    assert arrow.get_left()[0] == pytest.approx(center[0] + ball.arrow_gap)
    assert arrow.get_center()[1] == pytest.approx(center[1])
    length = ball.arrow_base + ball.arrow_gain * ball.speed(0.37)
    assert arrow.width == pytest.approx(length, rel=1e-6)
    # The nudges shown are those whose turn has passed.
    shown = [nudge.get_stroke_opacity() > 0 for nudge in ball.nudges]
    assert shown == [turn <= 0.37 for turn in ball.turns]
    ball.stop_rolling()
    assert not any(part.get_updaters() for part in ball.parts)
    roll_to(ball, 0.9)
    np.testing.assert_allclose(ball.ball.get_center(), center, atol=1e-9)


def test_the_ball_at_a_progress_does_not_depend_on_how_it_got_there():
    direct, stepped = RollingBall(), RollingBall()
    direct.start_rolling()
    stepped.start_rolling()
    for s in np.linspace(0.0, 0.6, 37):
        roll_to(stepped, float(s))
    roll_to(direct, 0.6)
    np.testing.assert_array_equal(direct.ball.points, stepped.ball.points)


def test_each_nudge_pushes_from_the_nearer_wall_toward_the_floor(ball):
    for turn, nudge in zip(ball.turns, ball.nudges, strict=True):
        start, end = nudge.get_start(), nudge.get_end()
        upper = ball.across(turn) > ball.floor_y
        assert start[1] == pytest.approx(ball.top if upper else ball.bottom)
        assert abs(end[1] - ball.floor_y) < abs(start[1] - ball.floor_y)
        assert start[0] == pytest.approx(ball.along(turn))
    lengths = [nudge.get_length() for nudge in ball.nudges]
    assert lengths == sorted(lengths, reverse=True)  # weaker as the wobble dies down


def test_roll_animates_progress_to_one():
    ball = RollingBall()
    animation = prepare_animation(ball.roll(run_time=2.5))
    assert animation.run_time == 2.5
    animation.begin()
    animation.interpolate(0.5)
    assert ball.progress.get_value() == pytest.approx(0.5)  # linear
    animation.interpolate(1.0)
    assert ball.progress.get_value() == pytest.approx(1.0)


# --- lessonkit.boxes ---------------------------------------------------------------------


def test_parts_equation_panel_draws_what_equation_panel_draws():
    lines = [r"v \leftarrow \beta\, v + g", r"\theta \leftarrow \theta - v"]
    whole = equation_panel(lines)
    parts = parts_equation_panel([[line] for line in lines], line_buff=0.2)
    for a, b in zip(whole.get_family(), parts.get_family(), strict=True):
        np.testing.assert_allclose(a.points, b.points, atol=1e-12)
    np.testing.assert_allclose(whole[0].fill_rgbas, parts[0].fill_rgbas)


def test_parts_equation_panel_keeps_each_part_and_stacks_lines_left_aligned():
    panel, equations = parts_equation_panel([("a", "+", "b"), ("c",)], line_buff=0.25)
    assert len(equations[0]) == 3 and isinstance(equations[0], MathTex)
    assert equations[0].get_left()[0] == pytest.approx(equations[1].get_left()[0])
    gap = equations[0].get_bottom()[1] - equations[1].get_top()[1]
    assert gap == pytest.approx(0.25)
    assert panel.width == pytest.approx(equations.width + 0.5)
    assert panel.height == pytest.approx(equations.height + 0.4)
    np.testing.assert_allclose(panel.get_center(), equations.get_center(), atol=1e-12)


def test_panel_behind_and_highlight_box_surround_their_content():
    content = math_label(r"x^2 + y^2")
    panel = panel_behind(content)
    np.testing.assert_allclose(panel.get_center(), content.get_center(), atol=1e-12)
    assert panel.get_fill_opacity() == pytest.approx(0.92)
    box = highlight_box(content, buff=0.1)
    assert box.width == pytest.approx(content.width + 0.2)
    assert box.height == pytest.approx(content.height + 0.2)
    assert box.get_stroke_color().to_hex().lower() == style.HIGHLIGHT_COLOR.to_hex().lower()


# --- lessonkit.table ---------------------------------------------------------------------


def test_grid_table_centres_cells_on_their_columns_or_starts_them_there():
    header = [math_label("a"), math_label(r"\beta")]
    rows = [[math_label(str(k)), math_label(str(k * k)), text_label(f"note {k}")] for k in range(3)]
    table = GridTable(
        rows, (-3.0, 0.0, 2.0), 0.5, 1.25, header=header, header_y=2.0, left_aligned=[2]
    )
    assert list(table.header_row) == header
    for j, cell in enumerate(table.header_row):
        np.testing.assert_allclose(cell.get_center()[:2], [(-3.0, 0.0)[j], 2.0], atol=1e-12)
    for k in range(3):
        y = 0.5 - 1.25 * k
        assert table.cell(k, 0).get_center() == pytest.approx(np.array([-3.0, y, 0.0]))
        assert table.cell(k, 1).get_center() == pytest.approx(np.array([0.0, y, 0.0]))
        assert table.cell(k, 2).get_left()[0] == pytest.approx(2.0)
        assert table.cell(k, 2).get_center()[1] == pytest.approx(y)
        assert table.body[k][2] is rows[k][2]
    assert list(table.column(1)) == [row[1] for row in rows]
    assert table.header_row in table.submobjects and table.body in table.submobjects


def test_grid_table_without_a_header_and_its_bad_inputs():
    table = GridTable([[text_label("x")]], (1.0,), 0.0, 1.0, left_aligned=[0])
    assert len(table.header_row) == 0
    assert table.cell(0, 0).get_left()[0] == pytest.approx(1.0)
    with pytest.raises(ValueError, match="row 1 has 1 cells; there are 2 columns"):
        GridTable([[text_label("a"), text_label("b")], [text_label("c")]], (0, 1), 0, 1)
    with pytest.raises(ValueError, match="the header has 2 cells; there are 1 columns"):
        GridTable([], (0,), 0, 1, header=[text_label("a"), text_label("b")], header_y=1)
    with pytest.raises(ValueError, match="a header needs header_y"):
        GridTable([], (0,), 0, 1, header=[text_label("a")])
    with pytest.raises(ValueError, match="at least one column"):
        GridTable([], (), 0, 1)


def test_fill_table_reveal_cells_shows_only_those_cells():
    table = FillTable(["k", "a", "b"], [[1, 0.5, 0.25], [2, 0.75, 0.125]])
    animation = prepare_animation(table.reveal_cells(1, [1, 2], lag_ratio=0.3))
    assert table.revealed == 2
    animation.begin()
    animation.finish()
    assert [cell.get_fill_opacity() for cell in table.cells[1]] == [0.0, 1.0, 1.0]
    assert all(cell.get_fill_opacity() == 0.0 for cell in table.cells[0])
    with pytest.raises(IndexError, match="row 2 is outside 0..1"):
        table.reveal_cells(2, [0])


# --- lessonkit.plots ---------------------------------------------------------------------


def test_bars_stand_on_zero_and_reach_their_heights():
    plot = LinePlot((-1.0, 5.0), (0.0, 2.0), width=6.0, height=4.0)
    plot.move_to([1.0, -0.5, 0.0])
    heights = [2.0, 1.0, 0.5, 0.25]
    bars = plot.bars(range(4), heights, style.GRADIENT_COLOR, width=0.5)
    assert len(bars) == 4 and bars not in plot.static
    for x, height, bar in zip(range(4), heights, bars, strict=True):
        np.testing.assert_allclose(bar.get_corner(DL), plot.c2p(x - 0.25, 0.0))
        np.testing.assert_allclose(bar.get_corner(UR), plot.c2p(x + 0.25, height))
        assert same_color(bar, style.GRADIENT_COLOR)
        assert bar.get_fill_opacity() == pytest.approx(0.85)
        assert bar.get_stroke_width() == 0
    with pytest.raises(ValueError, match="linear y axis"):
        LinePlot((0, 1), (1e-3, 1.0), log_y=True).bars([0.5], [0.1], style.GD_COLOR)
    with pytest.raises(ValueError, match="same length"):
        plot.bars([0, 1], [1.0], style.GD_COLOR)
    with pytest.raises(ValueError, match="heights must be finite"):
        plot.bars([0], [math.nan], style.GD_COLOR)


def test_hit_strip_lights_the_hits_and_labels_its_ends():
    hits = [False, True, True, False, True]
    heading, dots, low, high = hit_strip(hits, "3 of 5 work", "μ = 0", "0.95")
    assert len(dots) == 5
    assert [same_color(dot, style.HIGHLIGHT_COLOR) for dot in dots] == hits
    assert [dot.get_fill_opacity() for dot in dots] == [0.35, 1.0, 1.0, 0.35, 1.0]
    xs = [dot.get_center()[0] for dot in dots]
    assert xs == sorted(xs)
    assert low.get_right()[0] < dots.get_left()[0] and high.get_left()[0] > dots.get_right()[0]
    assert heading.get_bottom()[1] > dots.get_top()[1]
    assert heading.get_right()[0] == pytest.approx(high.get_right()[0])
    assert heading.font_size == pytest.approx(style.SMALL_SIZE)


# --- lessonkit.maps and lessonkit.surface3d ----------------------------------------------


def test_map_layers_are_the_maps_usual_three():
    surface = surfaces.ravine()
    frame = ravine_map_frame(surface)
    layers = MapLayers.for_surface(surface, frame)
    assert layers.parts == [layers.contours, layers.border, layers.minimum]
    assert isinstance(layers.contours, ContourMap)
    assert len(layers.contours) == len(ContourMap(surface, frame))
    np.testing.assert_allclose(layers.border.points, frame.border().points)
    np.testing.assert_allclose(layers.minimum.points, minimum_marker(surface, frame).points)
    cross = layers.minimum.get_center()
    np.testing.assert_allclose(cross, frame.to_scene(surface.minima[0]), atol=1e-9)


def test_minimum_crosses_sit_on_the_surface_at_each_minimum():
    surface = surfaces.qfsp()
    flat = MapFrame((-4.5, 8.0), (-4.5, 8.0), center=(-1.0, 0.5), width=7.0, height=7.0)
    frame = SurfaceFrame.for_surface(surface, flat, height=3.0, base=-1.3)
    crosses = minimum_crosses(surface, frame, size=0.1)
    assert len(crosses) == len(surface.minima)
    for cross, point in zip(crosses, frame.lift(surface, surface.minima), strict=True):
        assert isinstance(cross, VGroup) and len(cross) == 2
        np.testing.assert_allclose(cross.get_center(), point, atol=1e-9)
        assert cross.width == pytest.approx(0.2)
    for line in crosses.family_members_with_points():
        assert line.get_stroke_color().to_hex().lower() == style.MINIMUM_COLOR.to_hex().lower()
        assert line.z_index == 4
