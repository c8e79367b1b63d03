"""The lesson toolkit's data path: what a scene draws equals the trajectory it came from.

These tests build the toolkit's mobjects without rendering and check their
numbers and geometry, not pixels.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from manim import ValueTracker

from lesson_narration.zigzag import ZigzagFigures, script
from lessonkit import formatting
from lessonkit.maps import ContourMap, MapFrame, contour_levels
from lessonkit.motion import StepArrows, TrajectoryTrail
from lessonkit.panels import Readout
from momentum_math import presets, simulate, surfaces


def parse_number(text: str) -> float:
    """Read back a number written by :mod:`lessonkit.formatting`."""
    text = text.replace(formatting.MINUS, "-")
    match = re.fullmatch(r"(-?[\d.]+)(?:×10([⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+))?", text)
    assert match, f"not a formatted number: {text!r}"
    exponent = match.group(2)
    if exponent is None:
        return float(match.group(1))
    digits = exponent.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789"))
    return float(match.group(1)) * 10.0 ** int(digits)


@pytest.fixture(scope="module")
def zigzag_run():
    return presets.ravine_zigzag().run(beta=0.0)


@pytest.fixture(scope="module")
def frame(zigzag_run):
    surface = zigzag_run.surface
    return MapFrame(surface.x_range, surface.y_range, center=(0.0, -0.8), width=12.6, height=3.5)


# --- formatting ------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).filter(
        lambda v: v == 0 or abs(v) > 1e-300
    )
)
def test_format_number_reads_back_to_three_significant_digits(value):
    shown = parse_number(formatting.format_number(value))
    assert shown == pytest.approx(value, rel=5e-3, abs=0)


def test_format_number_examples():
    assert formatting.format_number(0.0) == "0"
    assert formatting.format_number(2.868e-5) == "2.87×10⁻⁵"
    assert formatting.format_number(-1.27957) == "−1.28"
    assert formatting.format_number(12345.0) == "1.23×10⁴"


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_formatting_rejects_non_finite_values(bad):
    with pytest.raises(ValueError, match="value must be finite"):
        formatting.format_number(bad)
    with pytest.raises(ValueError, match="value must be finite"):
        formatting.spoken_number(bad)


def test_format_point_never_shows_negative_zero():
    assert formatting.format_point((-1e-9, -0.0)) == "( 0.000,  0.000)"
    assert formatting.format_point((-2.4, 0.2)) == "(−2.400,  0.200)"


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False).filter(
        lambda v: v == 0 or abs(v) > 1e-12
    )
)
def test_spoken_number_keeps_two_significant_digits(value):
    spoken = formatting.spoken_number(value)
    assert float(spoken.replace(formatting.MINUS, "-")) == pytest.approx(value, rel=0.051)
    assert not spoken.endswith(".")


# --- frame and contours ---------------------------------------------------------------


def test_map_frame_maps_the_window_onto_its_rectangle(frame):
    corners = [(frame.x_range[0], frame.y_range[0]), (frame.x_range[1], frame.y_range[1])]
    low, high = frame.to_scene(corners)
    np.testing.assert_allclose(low[:2], [-6.3, -0.8 - 1.75])
    np.testing.assert_allclose(high[:2], [6.3, -0.8 + 1.75])
    step = np.array([0.5, -0.1])
    origin = np.array([1.0, 0.2])
    np.testing.assert_allclose(
        frame.to_scene(origin + step) - frame.to_scene(origin), frame.vector_to_scene(step)
    )


def test_contour_ellipses_lie_on_their_level_sets(frame, zigzag_run):
    surface = zigzag_run.surface
    contours = ContourMap(surface, frame)
    assert sorted(set(contours.line_levels)) == list(contours.levels) and len(contours.levels) >= 5
    assert np.all(np.diff(contours.levels) > 0)
    inverse_scale = np.array([1.0 / frame.x_scale, 1.0 / frame.y_scale])
    center = frame.to_scene(surface.minima[0])[:2]
    whole = 0
    for level, ring in zip(contours.line_levels, contours, strict=True):
        points = np.asarray(ring.get_anchors())[:, :2]
        data = (points - center) * inverse_scale
        closed = np.allclose(points[0], points[-1])
        # a ring the window cuts ends on its edge (between two of its points on the level set)
        inner = data if closed else data[1:-1]
        np.testing.assert_allclose(surface.value(inner), level, rtol=1e-6)
        whole += closed
        # every ring lies inside the plot window
        assert np.all(np.abs(data[:, 0]) <= frame.x_range[1] + 1e-9)
        assert np.all(np.abs(data[:, 1]) <= frame.y_range[1] + 1e-9)
    assert whole >= 5  # the inner rings are whole ellipses


def test_contour_lines_of_a_non_quadratic_surface_follow_their_levels():
    surface = surfaces.qfsp()
    frame = MapFrame(surface.x_range, surface.y_range, width=6.0, height=6.0)
    contours = ContourMap(surface, frame)
    assert set(contours.line_levels) == set(contour_levels(surface, frame))
    xs = np.linspace(*surface.x_range, 50)
    spread = float(np.ptp(surface.value(np.stack(np.meshgrid(xs, xs), axis=-1))))
    mid = np.array([np.mean(frame.x_range), np.mean(frame.y_range)])
    for level, line in zip(contours.line_levels, contours, strict=True):
        points = np.asarray(line.get_anchors())[:, :2]
        data = (points - np.array(frame.center)) / np.array([frame.x_scale, frame.y_scale]) + mid
        # traced on a 160x160 grid: within a small fraction of the loss range
        assert np.max(np.abs(surface.value(data) - level)) < 0.01 * spread


def test_contour_levels_reject_a_bad_count(frame, zigzag_run):
    with pytest.raises(ValueError, match="count must be >= 1, got 0"):
        contour_levels(zigzag_run.surface, frame, count=0)


# --- the trajectory, its arrows and its readout -------------------------------------


@pytest.mark.parametrize("step", [0, 1, 2, 7, 25, 50])
def test_trail_dot_sits_on_the_trajectory(zigzag_run, frame, step):
    trail = TrajectoryTrail(zigzag_run, frame)
    trail.progress.set_value(step)
    trail.update()
    expected = frame.to_scene(zigzag_run.positions[step])
    np.testing.assert_allclose(trail.dot.get_center(), expected, atol=1e-9)
    # the trail runs through every position so far, in order
    corners = np.asarray(trail.trail.get_anchors())
    for k in range(step + 1):
        assert (
            np.min(np.linalg.norm(corners - frame.to_scene(zigzag_run.positions[k]), axis=1)) < 1e-9
        )


def test_trail_halfway_between_steps_is_on_the_segment(zigzag_run, frame):
    trail = TrajectoryTrail(zigzag_run, frame)
    trail.progress.set_value(3.5)
    trail.update()
    expected = frame.to_scene(0.5 * (zigzag_run.positions[3] + zigzag_run.positions[4]))
    np.testing.assert_allclose(trail.dot.get_center(), expected, atol=1e-9)


@pytest.mark.parametrize("step", [0, 1, 5, 49])
def test_step_arrow_goes_from_this_position_to_the_next(zigzag_run, frame, step):
    trail = TrajectoryTrail(zigzag_run, frame)
    arrows = StepArrows(zigzag_run.positions[:-1], zigzag_run.displacements, frame, trail.progress)
    trail.progress.set_value(step + 0.3)
    arrows.update()
    start, end = arrows.shown_segment
    np.testing.assert_allclose(start, frame.to_scene(zigzag_run.positions[step]), atol=1e-9)
    np.testing.assert_allclose(end, frame.to_scene(zigzag_run.positions[step + 1]), atol=1e-9)


def test_step_arrow_flips_across_the_valley(zigzag_run, frame):
    # The arrow drawn is -α∇L: across the ravine it points the other way every step.
    trail = TrajectoryTrail(zigzag_run, frame)
    arrows = StepArrows(zigzag_run.positions[:-1], zigzag_run.displacements, frame, trail.progress)
    drawn = []
    for step in range(12):
        trail.progress.set_value(step + 0.5)
        arrows.update()
        shaft, *_, tip = [part for part in arrows.arrow.get_family() if part.has_points()]
        tip_minus_tail = tip.points.mean(axis=0) - shaft.points[0]
        drawn.append(np.sign(tip_minus_tail[1]))
    assert all(sign != 0 for sign in drawn)
    assert all(later == -earlier for earlier, later in zip(drawn, drawn[1:], strict=False))


@pytest.mark.parametrize("step", [0, 1, 2, 10, 50])
def test_readout_shows_the_trajectory_numbers(zigzag_run, frame, step):
    trail = TrajectoryTrail(zigzag_run, frame)
    readout = Readout(zigzag_run, trail.progress, title="plain gradient descent")
    trail.progress.set_value(step)
    readout.update()
    step_line, loss_line, theta_line = readout.shown_texts
    assert int(step_line.split()[-1]) == step
    loss = parse_number(loss_line.split()[-1])
    assert loss == pytest.approx(zigzag_run.losses[step], rel=5e-3)
    numbers = re.findall(r"[−-]?\d+\.\d+", theta_line)
    shown = [float(n.replace(formatting.MINUS, "-")) for n in numbers]
    np.testing.assert_allclose(shown, zigzag_run.positions[step], atol=5e-4)


def test_readout_follows_a_different_run(frame):
    run = simulate(surfaces.ravine(), (-2.4, 0.2), lr=0.1, beta=0.8, steps=50)
    trail = TrajectoryTrail(run, frame)
    readout = Readout(run, trail.progress)
    trail.progress.set_value(50)
    readout.update()
    assert parse_number(readout.shown_texts[1].split()[-1]) == pytest.approx(
        run.final_loss, rel=5e-3
    )


# --- the narration's numbers -------------------------------------------------------------


def test_zigzag_script_speaks_the_runs_numbers(zigzag_run):
    lines = script(ZigzagFigures(presets.ravine_zigzag(), zigzag_run))
    assert "(−2.4, 0.2)" in lines.start
    assert "0.1" in lines.start
    assert f"After {zigzag_run.num_steps} steps" in lines.verdict
    assert formatting.spoken_number(zigzag_run.final_loss, 1) in lines.verdict
    assert formatting.spoken_number(zigzag_run.final_position[0]) in lines.verdict


def test_zigzag_script_changes_with_the_run():
    other = simulate(surfaces.ravine(), (-3.0, 0.3), lr=0.05, steps=80)
    lines = script(ZigzagFigures(presets.ravine_zigzag(), other))
    assert "(−3, 0.3)" in lines.start
    assert "0.05" in lines.start
    assert "After 80 steps" in lines.verdict
    assert formatting.spoken_number(other.final_loss, 1) in lines.verdict


def test_step_arrow_label_shows_only_on_long_arrows(zigzag_run, frame):
    trail = TrajectoryTrail(zigzag_run, frame)
    arrows = StepArrows(
        zigzag_run.positions[:-1],
        zigzag_run.displacements,
        frame,
        trail.progress,
        label=r"-\alpha\nabla L",
    )

    def label_opacity():
        return max(
            part.get_fill_opacity() for part in arrows.label.get_family() if part.has_points()
        )

    assert arrows.label_visible and label_opacity() == 1.0  # the first step is long: labelled
    trail.progress.set_value(40)
    arrows.update()
    start, end = arrows.shown_segment
    assert np.linalg.norm(end - start) < arrows.min_label_length
    assert not arrows.label_visible and label_opacity() == 0.0
    trail.progress.set_value(1)
    arrows.update()
    assert arrows.label_visible and label_opacity() == 1.0


def test_readout_lines_have_the_same_structure_whatever_their_history(zigzag_run, frame):
    # manim caches animations by hashing mobjects: a line that showed other
    # numbers before must look exactly like one built fresh.
    direct = Readout(zigzag_run, ValueTracker(7), title="gd")
    walked = Readout(zigzag_run, ValueTracker(0), title="gd")
    for step in (1, 3, 50, 12, 7):
        walked.progress.set_value(step)
        walked.update()
    for fresh, reused in zip(direct.lines, walked.lines, strict=True):
        assert len(fresh.submobjects) == len(reused.submobjects)
        for a, b in zip(fresh.get_family(), reused.get_family(), strict=True):
            np.testing.assert_array_equal(a.points, b.points)


def test_layout_problems_name_what_crosses_which_edge():
    from manim import Square

    from lessonkit.layout import layout_problems, safe_box

    left, right, bottom, top = safe_box()
    assert layout_problems([Square(side_length=2)]) == []
    low = Square(side_length=1).move_to([0, bottom, 0])
    assert layout_problems([low]) == ["Square crosses the caption area by 0.50 units"]
    wide = Square(side_length=1).move_to([right, top, 0])
    assert layout_problems([wide]) == [
        "Square crosses the right edge by 0.50 units",
        "Square crosses the top edge by 0.50 units",
    ]
    assert layout_problems([low.copy().set_opacity(0)]) == []


def test_mono_glyphs_lay_out_readout_strings_exactly_as_pango_does(zigzag_run):
    # Readouts place cached glyph outlines instead of running Pango for every step:
    # the line must be Text's own glyphs, only shifted as a whole.
    from manim import WHITE, Text

    from lessonkit import style
    from lessonkit.panels import mono_glyphs

    glyphs = mono_glyphs(WHITE)
    readout = Readout(zigzag_run, ValueTracker(0), title="gd")
    steps = sorted({0, 1, 2, 3, zigzag_run.num_steps, *range(0, zigzag_run.num_steps, 9)})
    strings = {text for step in steps for text in readout.texts(step)}
    strings |= {
        "β  0.99   v ×2",
        "loss   1.00×10⁻³",
        "α = 0.1, β = 0.9 (−4, 1.5)",
        "step 日本 wide",
    }
    for text in sorted(strings):
        laid_out = glyphs.glyphs(text)
        pango = Text(
            text, font=style.MONO_FONT, font_size=style.SMALL_SIZE, color=WHITE
        ).submobjects
        assert len(laid_out) == len(pango), text
        shift = pango[0].points[0] - laid_out[0].points[0]
        for ours, theirs in zip(laid_out, pango, strict=True):
            np.testing.assert_allclose(ours.points + shift, theirs.points, atol=1e-6, err_msg=text)
            assert ours.get_fill_color().to_hex() == theirs.get_fill_color().to_hex()
    assert (
        glyphs._outline("日") is None
    )  # a fallback font's wide glyph: that string went through Pango


# --- fades without copies -----------------------------------------------------------------------


def _fade_states(animation_class, **options):
    """Every interpolated state of a fade of a mixed group.

    Also whether the group is left on screen.
    """
    import manim
    from manim import (
        BLUE,
        RIGHT,
        YELLOW,
        Circle,
        Dot,
        Group,
        MathTex,
        Scene,
        Text,
        ValueTracker,
        VGroup,
    )

    shapes = VGroup(
        Text("loss 1.2", color=YELLOW), Circle().set_fill(BLUE, 0.5), MathTex(r"\beta v"), Dot()
    )
    shapes.arrange(RIGHT)
    group = Group(shapes, ValueTracker(3.0))  # trackers sit in scenes too: not drawn, only moved
    scene = Scene()
    if animation_class.__name__ == "FadeOut":
        scene.add(group)
    animation = animation_class(group, **options)
    animation._setup_scene(scene)
    animation.begin()
    states = []
    for alpha in np.linspace(0, 1, 9):
        animation.interpolate(alpha)
        states.append(
            [
                np.concatenate(
                    [
                        part.points.ravel(),
                        np.ravel(part.fill_rgbas),
                        np.ravel(part.stroke_rgbas),
                        np.ravel(part.background_stroke_rgbas),
                    ]
                )
                if isinstance(part, manim.VMobject)
                else part.points.ravel().copy()
                for part in group.family_members_with_points()
            ]
        )
    animation.finish()
    animation.clean_up_from_scene(scene)
    return states, group in scene.mobjects, manim


@pytest.mark.parametrize("name", ["FadeIn", "FadeOut"])
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"shift": np.array([0, 0.2, 0])},
        {"scale": 1.5},
        {"shift": np.array([-1.0, 0, 0]), "scale": 0.7},
        {"run_time": 2.0, "rate_func": lambda t: t * t},
    ],
)
def test_fades_without_copies_draw_what_manims_fades_draw(name, options):
    from lessonkit import fading

    ours, ours_on_screen, manim = _fade_states(getattr(fading, name), **options)
    theirs, theirs_on_screen, _ = _fade_states(getattr(manim, name), **options)
    assert ours_on_screen == theirs_on_screen == (name == "FadeIn")
    for our_parts, their_parts in zip(ours, theirs, strict=True):
        for a, b in zip(our_parts, their_parts, strict=True):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_fades_refuse_what_they_cannot_draw_the_same():
    from manim import Square

    from lessonkit.fading import FadeIn, FadeOut

    with pytest.raises(TypeError, match="does not take target_position"):
        FadeIn(Square(), target_position=(1, 0, 0))
    with pytest.raises(TypeError, match="does not take lag_ratio"):
        FadeOut(Square(), lag_ratio=0.5)
    with pytest.raises(ValueError, match="At least one mobject"):
        FadeIn()


def test_legibility_problems_catch_small_and_faint_text_and_nothing_else():
    from manim import ManimColor, MathTex, Rectangle, Text

    from lessonkit import style
    from lessonkit.layout import cap_height_px, contrast_ratio, legibility_problems

    readable = Text("step 40", font=style.FONT, font_size=style.SMALL_SIZE)
    formula = MathTex(r"\alpha = 0.1", font_size=style.SMALL_MATH_SIZE)
    assert legibility_problems([readable, formula]) == []
    # the measure is the font's, not the letters': an "x" is as tall as an "X" would be
    assert cap_height_px(Text("xv", font_size=22)) == pytest.approx(
        cap_height_px(Text("HT", font_size=22))
    )
    tiny = Text("-v_x x 6", font=style.FONT, font_size=style.SMALL_SIZE).scale(0.5)
    [problem] = legibility_problems([tiny])
    assert "'-v_x x 6'" in problem and "6.7 px tall" in problem and "at least 10" in problem
    small_tex = MathTex("0.05", font_size=style.SMALL_SIZE)
    assert "9.4 px" in legibility_problems([small_tex])[0]
    faint = Text("ghost", font_size=30, color=style.AXIS_COLOR)
    [problem] = legibility_problems([faint])
    assert "contrast 3.13:1" in problem and "4.5:1" in problem
    dimmed = Text("dimmed", font_size=30, color=style.TEXT_COLOR).set_opacity(0.3)
    assert "contrast" in legibility_problems([dimmed])[0]
    # the colour behind is what a panel drawn under the text shows, not the background
    muted = Text("on a panel", font_size=30, color=style.MUTED_TEXT_COLOR)
    panel = Rectangle(width=6, height=2).set_fill(style.TEXT_COLOR, 1.0).set_stroke(width=0)
    assert legibility_problems([muted]) == []
    assert "contrast" in legibility_problems([panel, muted])[0]
    assert legibility_problems([muted, panel]) == []  # drawn after the text: not behind it
    assert contrast_ratio(style.TEXT_COLOR, style.TEXT_COLOR) == pytest.approx(1.0)
    assert contrast_ratio(ManimColor("#000000"), ManimColor("#ffffff")) == pytest.approx(21.0)


def test_text_left_on_screen_through_a_line_is_held_above_the_paused_caption_line(
    tmp_path, monkeypatch
):
    from manim import Text, tempconfig

    from lessonkit import style
    from lessonkit.layout import safe_box
    from lessonkit.narration import LessonScene

    warnings: list[list[str]] = []
    depths: list[float] = []

    class Low(LessonScene):
        def construct(self):
            bottom = safe_box("held")[2]
            low = Text("just below the line", font_size=30).move_to([0, bottom - 0.1, 0])
            brief = Text("gone", font_size=30).move_to([0, bottom - 0.1, 0])
            depths.extend(bottom - text.get_bottom()[1] for text in (low, brief))
            self.add(low)
            warnings.append(list(self.check_layout()))  # new this line: not held yet
            warnings.append(list(self.check_layout()))  # still there a line later: held
            self.remove(low)
            self.add(brief)
            warnings.append(list(self.check_layout(pausing=True)))  # on screen in a pause

    monkeypatch.setenv("MOMENTUM_VOICE", "off")
    with tempconfig({"media_dir": str(tmp_path), "dry_run": True, "quality": "low_quality"}):
        Low().render()
    first, second, paused = warnings
    assert first == []
    assert second == [
        f"Text 'just below the line' crosses the paused-caption line by {depths[0]:.2f} units"
    ]
    assert paused == [f"Text 'gone' crosses the paused-caption line by {depths[1]:.2f} units"]
    assert style.PAUSED_CAPTION_TOP == 0.66


def test_clipped_rings_end_on_the_window_edge_and_reach_the_races_start():
    from lessonkit.maps import ContourMap, MapFrame, clip_closed_curve
    from momentum_math import presets

    square = np.array([[-2.0, -2.0], [2.0, -2.0], [2.0, 2.0], [-2.0, 2.0]])
    assert clip_closed_curve(square, (-3, 3), (-3, 3))[0].shape == (5, 2)
    assert clip_closed_curve(square, (5, 6), (5, 6)) == []
    angles = np.linspace(0, 2 * np.pi, 400, endpoint=False)
    wide = np.stack([4 * np.cos(angles), np.sin(angles)], axis=1)
    pieces = clip_closed_curve(wide, (-2.0, 2.0), (-2.0, 2.0))
    assert len(pieces) == 2
    for piece in pieces:
        assert np.all(np.abs(piece[:, 0]) <= 2.0 + 1e-12)
        assert np.abs(piece[[0, -1], 0]) == pytest.approx([2.0, 2.0])
    race = presets.stretched_bowl_race()
    surface = race.surface
    frame = MapFrame(surface.x_range, surface.y_range, center=(0, 0), width=6.45, height=3.1)
    rings = ContourMap(surface, frame)
    start_loss = float(surface.value(np.array(race.start)))
    assert max(rings.line_levels) > start_loss  # a ring outside the start: the runs cross rings
    left, right = frame.to_scene(np.array([[surface.x_range[0], 0], [surface.x_range[1], 0]]))[:, 0]
    for ring in rings.submobjects:
        assert left - 1e-6 <= ring.points[:, 0].min() and ring.points[:, 0].max() <= right + 1e-6


def test_runs_are_coloured_by_their_beta_and_each_band_has_one_meaning():
    from manim import Text

    from lessonkit import palette, style

    assert style.run_meaning(0.0) == "plain descent"
    # the lesson's βs: those shown together in one chapter fall in different bands
    together = [(0, 0.8, 0.9), (0, 0.9, 0.99), (0, 0.5, 0.7), (0.5, 0.9, 0.99), (0, 0.8), (0, 0.9)]
    for betas in together:
        assert len({style.run_meaning(b) for b in betas}) == len(betas), betas
    assert style.run_color(0.9) == style.run_color(0.85) != style.run_color(0.8)
    assert style.run_meaning(0.99) == "too much momentum"
    hexes = [color.lower() for color in palette.MEANINGS.values()]
    assert len(hexes) == len(set(hexes))  # one colour, one meaning
    others = {palette.HIGHLIGHT, palette.TEXT, palette.MUTED_TEXT, palette.MINIMUM}
    others |= {palette.ADAGRAD, palette.RMSPROP, palette.ADAM, palette.ADAMW}
    assert not {color.lower() for color in others} & set(hexes)
    for bad in (-0.1, 1.0, 1.5):
        with pytest.raises(ValueError, match="beta must be in"):
            style.run_color(bad)
    with pytest.raises(ValueError, match="meaning must be one of"):
        style.mark(Text("x"), "blue")


def test_colour_problems_catch_a_meaning_colour_used_for_something_else():
    from manim import Line, Rectangle, Text, VGroup

    from lessonkit import style
    from lessonkit.layout import colour_problems

    band = Rectangle(width=2, height=1).set_fill(style.OVERSHOOT_COLOR, 0.5).set_stroke(width=0)
    [problem] = colour_problems([band])
    assert problem == (
        "Rectangle is drawn in the colour of 'too much momentum' (#ff5d8f) but is unmarked"
    )
    run = style.mark_run(VGroup(Line(), Text("β = 0.9")), 0.9)
    run.set_color(style.run_color(0.9))
    assert colour_problems([run]) == []
    wrong = style.mark_run(Line().set_stroke(style.MOMENTUM_COLOR), 0.9)  # a β = 0.9 run in teal
    assert colour_problems([wrong]) == [
        "Line is drawn in the colour of 'momentum' (#36d6b0) but is marked 'long-memory momentum'"
    ]
    box = Rectangle().set_stroke(style.GRADIENT_COLOR)  # a highlight in the gradient's yellow
    assert "'gradient'" in colour_problems([box])[0]
    # parts added to a marked mobject later take its meaning; neutral colours need no mark
    run.add(Line().set_stroke(style.run_color(0.9)))
    neutral = Rectangle().set_stroke(style.HIGHLIGHT_COLOR)
    assert colour_problems([run, neutral]) == []
    label = style.paint_run(Text("plain GD"), 0.0)
    assert colour_problems([label]) == []
    assert "Text 'loose'" in colour_problems([Text("loose", color=style.GD_COLOR)])[0]


def test_storyboards_take_run_colours_from_the_runs_beta():
    # A chapter names no run colour: it asks for the colour of a β (style.run_color,
    # paint_run, mark_run), so a run's colour always follows the β it runs with.
    from pathlib import Path

    names = ("GD_COLOR", "LIGHT_MOMENTUM_COLOR", "MOMENTUM_COLOR", "LONG_MOMENTUM_COLOR")
    names += ("OVERSHOOT_COLOR",)
    root = Path(__file__).resolve().parents[1]
    for path in sorted((root / "lesson_chapters").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        for name in names:
            assert f"style.{name}" not in source, f"{path.name} uses style.{name}"


def test_one_symbol_one_meaning_beta_is_momentum_lambda_an_eigenvalue_L_the_loss():
    from pathlib import Path

    from lessonkit.formatting import lesson_symbols
    from lessonkit.race import rule_tex
    from momentum_math import rules

    for convention in ("lesson", "pytorch", "ema", "classical"):
        rule = rules.rule(convention)
        shown = rule_tex(convention) + lesson_symbols(rule.velocity_latex + rule.position_latex)
        assert r"\mu" not in shown and "f(x)" not in shown and r"\beta" in shown
        assert "x" not in shown.replace(r"\text", "")
    root = Path(__file__).resolve().parents[1]
    sources = [*(root / "lesson_chapters").glob("*.py"), *(root / "lesson_narration").glob("*.py")]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        # μ (an eigenvalue, or the classical form's momentum) is never on screen or spoken
        assert r"\mu" not in text and "μ" not in text, path.name
        # L is the loss: an eigenvalue is λ, never L
        for pattern in (r"\frac{{L}}", r"\sqrt L", r")/L", "/L}"):
            assert pattern not in text, f"{path.name}: {pattern}"


def test_a_borderless_map_keeps_only_the_rings_that_close_inside_its_window(zigzag_run):
    from lessonkit.maps import ContourMap, MapFrame, contour_levels, whole_rings

    surface = zigzag_run.surface
    frame = MapFrame(surface.x_range, surface.y_range, center=(0, 0), width=12.6, height=3.5)
    every = list(contour_levels(surface, frame))
    kept = whole_rings(surface, frame)
    assert 5 <= len(kept) < len(every) and kept == every[: len(kept)]  # the outer ones go
    rings = ContourMap(surface, frame, levels=kept)
    assert len(rings) == len(kept)  # one whole ellipse each, none cut in pieces
    for ring in rings:
        assert np.allclose(ring.points[0], ring.points[-1])
