"""The 3-D chapters (the ravine in 3-D, beyond ravines) and the 3-D toolkit piece.

Figures tests recompute what each chapter shows from ``momentum_math`` and
an independent reference loop, compare it with the brief's published
numbers (κ = 144; the QFSP trap near (3.751, 1.155) with L ≈ 10.168 and the
escape to (1.298, −1.298) with L ≈ −5.9045 within 50 iterations) and check
that the numbers spoken are the ones on screen. Unit tests check, without
rendering, that :mod:`lessonkit.surface3d` puts faces, curves and paths on
the surface.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import chapter_module
from manim import ValueTracker
from manim.animation.animation import prepare_animation
from reference import GRADIENTS, LOSSES
from reference import run as reference_run

from lesson_narration import beyond_ravines, ravine_3d
from lessonkit import maps, style
from lessonkit.captions import reading_duration
from lessonkit.formatting import (
    MINUS,
    format_loss,
    format_number,
    format_point,
    spoken_number,
    spoken_point,
)
from lessonkit.maps import MapFrame
from lessonkit.modes import SILENT_WORDS_PER_MINUTE
from lessonkit.surface3d import LossSurface, SurfaceFrame, SurfacePath, curve_on_surface, loss_range
from momentum_math import presets, simulate, surfaces


def as_float(text: str) -> float:
    return float(text.replace(MINUS, "-"))


def spoken_matches_screen(spoken: str, screen: str) -> bool:
    """The spoken number is the screen's, with trailing zeros dropped."""
    stripped = screen.rstrip("0").rstrip(".") if "." in screen else screen
    return spoken == stripped


def silent_seconds(lines: list[str]) -> float:
    return sum(reading_duration(line, SILENT_WORDS_PER_MINUTE) for line in lines)


def on_surface(frame: SurfaceFrame, surface, scene_points: np.ndarray) -> np.ndarray:
    """How far (in scene z) each scene point is from the surface straight below or above it."""
    scene_points = np.asarray(scene_points, dtype=float)
    data = frame.to_data(scene_points)
    return np.abs(scene_points[..., 2] - frame.z_of(surface.value(data[..., :2])))


# --- the ravine in 3-D --------------------------------------------------------------


def test_ravine_3d_curvatures_are_the_briefs_hessian():
    figs = ravine_3d.figures()
    assert figs.curvature_along == pytest.approx(1 / 8)
    assert figs.curvature_across == pytest.approx(18.0)
    assert figs.condition_number == pytest.approx(144.0)  # the brief's κ
    # Independently: second differences of the brief's loss along x and across y.
    loss, h = LOSSES["ravine"], 1e-3
    along = (loss(h, 0.0) - 2 * loss(0.0, 0.0) + loss(-h, 0.0)) / h**2
    across = (loss(0.0, h) - 2 * loss(0.0, 0.0) + loss(0.0, -h)) / h**2
    assert figs.curvature_along == pytest.approx(along, rel=1e-6)
    assert figs.curvature_across == pytest.approx(across, rel=1e-6)
    assert figs.condition_number == pytest.approx(across / along, rel=1e-6)
    surface = presets.ravine_zigzag().surface
    assert (figs.x_range, figs.y_range) == (surface.x_range, surface.y_range)


def test_ravine_3d_speaks_the_numbers_it_shows():
    figs = ravine_3d.figures()
    lines = ravine_3d.script(figs)
    shown = {
        "across": format_number(figs.curvature_across, 2),
        "along": format_number(figs.curvature_along, 3),
        "ratio": format_number(figs.condition_number, 3),
    }
    assert shown == {"across": "18", "along": "0.125", "ratio": "144"}
    assert f"is {shown['across']}." in lines.across
    assert f"only {shown['along']}." in lines.along
    assert f"bends {shown['ratio']} times" in lines.ratio
    assert spoken_number(figs.curvature_across, 3) == shown["across"]
    assert '<bookmark mark="flat"/>' in lines.top_down


def test_ravine_3d_ends_on_the_zigzag_chapters_map_and_keeps_3d_cheap():
    module = chapter_module("ravine_3d")
    chapter = module.Ravine3DChapter
    surface = presets.ravine_zigzag().surface
    # The lesson's one map of the ravine, the one the zigzag chapter draws.
    assert module.ravine_map_frame is maps.ravine_map_frame
    frame = maps.ravine_map_frame(surface)
    assert frame == MapFrame(
        surface.x_range, surface.y_range, center=(0.0, -0.8), width=12.6, height=3.5
    )
    assert chapter.three_d and chapter.title == "The ravine in 3-D"
    assert chapter.camera_move_s <= 2.5
    assert chapter.resolution <= 16
    assert "frame_center" not in chapter.camera_orientation  # it would shift fixed-in-frame text
    # Flattened onto z = 0 and seen from above, the surface's corners are the map's corners.
    lifted = SurfaceFrame.for_surface(surface, frame, base=chapter.tilted_base)
    landscape = LossSurface(surface, lifted, resolution=chapter.resolution)
    landscape.stretch(1e-3, 2, about_point=np.zeros(3))
    left, bottom = frame.to_scene([surface.x_range[0], surface.y_range[0]])[:2]
    right, top = frame.to_scene([surface.x_range[1], surface.y_range[1]])[:2]
    points = np.concatenate([face.points for face in landscape.faces])
    np.testing.assert_allclose([points[:, 0].min(), points[:, 0].max()], [left, right], atol=1e-9)
    np.testing.assert_allclose([points[:, 1].min(), points[:, 1].max()], [bottom, top], atol=1e-9)
    assert np.abs(points[:, 2]).max() < 0.01


def test_ravine_3d_narration_fits_its_slot():
    lines = ravine_3d.script(ravine_3d.figures()).lines()
    assert chapter_module("ravine_3d").Ravine3DChapter.ratio_pause_s == 1.5
    # 24-27 s in all: the lines, a 1.5 s pause and the 0.6 s fade-out.
    assert 24.0 <= silent_seconds(lines) + 1.5 + 0.6 <= 27.0


# --- beyond ravines -----------------------------------------------------------------


def test_beyond_ravines_plain_gd_is_trapped_where_the_brief_says():
    figs = beyond_ravines.figures()
    assert figs.start == (7.11, 6.97) and figs.lr == 0.1 and figs.convention == "classical"
    assert figs.plain.beta == 0.0
    np.testing.assert_allclose(figs.plain.final_position, (3.751, 1.155), atol=1e-3)
    assert figs.plain.final_loss == pytest.approx(10.168, abs=1e-3)
    assert not figs.plain.reached_bottom
    # The independent reference loop, written from the brief's table, agrees.
    positions, _ = reference_run(
        GRADIENTS["qfsp"], figs.start, figs.lr, 0.0, figs.steps, "classical"
    )
    np.testing.assert_allclose(figs.plain.trajectory.positions, positions, rtol=1e-12, atol=1e-12)
    # It has stopped: the gradient there is zero.
    assert np.linalg.norm(surfaces.qfsp().gradient(figs.plain.final_position)) < 1e-9


def test_beyond_ravines_momentum_escapes_to_the_global_minimum_within_50_iterations():
    figs = beyond_ravines.figures()
    np.testing.assert_allclose(figs.bottom_position, (1.298, -1.298), atol=1e-3)
    assert figs.bottom_loss == pytest.approx(-5.9045, abs=1e-4)
    run = figs.momentum
    assert run.beta in (0.5, 0.8)  # the brief's escaping momenta
    assert run.trajectory.num_steps == figs.steps == 50
    np.testing.assert_allclose(run.final_position, figs.bottom_position, atol=1e-3)
    assert run.final_loss == pytest.approx(-5.9045, abs=1e-3) and run.reached_bottom
    # Already near the bottom after 10 steps (the brief: L ≈ −5.74 for μ = 0.5).
    assert run.trajectory.losses[10] == pytest.approx(-5.74, abs=5e-3)
    positions, _ = reference_run(
        GRADIENTS["qfsp"], figs.start, figs.lr, run.beta, figs.steps, "classical"
    )
    np.testing.assert_allclose(run.trajectory.positions, positions, rtol=1e-10, atol=1e-10)
    # μ = 0.8, the brief's other escaping momentum, gets there too.
    other = presets.qfsp_escape().run(0.8)
    assert other.final_loss == pytest.approx(-5.9045, abs=1e-2)


def test_beyond_ravines_caveat_is_a_real_trap_found_by_simulation():
    figs = beyond_ravines.figures()
    caveat = figs.caveat
    assert caveat.beta > figs.momentum.beta
    assert caveat.beta in figs.sweep_momenta
    assert not caveat.reached_bottom and not caveat.trajectory.diverged
    assert caveat.final_loss > figs.bottom_loss + 10
    # A local minimum: zero gradient and a positive-definite Hessian (central differences).
    surface = surfaces.qfsp()
    point = np.array(caveat.final_position)
    assert np.linalg.norm(surface.gradient(point)) < 1e-3
    h = 1e-4
    hessian = np.array(
        [
            (surface.gradient(point + h * e) - surface.gradient(point - h * e)) / (2 * h)
            for e in np.eye(2)
        ]
    )
    assert np.all(np.linalg.eigvalsh(0.5 * (hessian + hessian.T)) > 0)
    # ... and not the one plain gradient descent fell into.
    assert np.linalg.norm(point - np.array(figs.plain.final_position)) > 1.0
    # The same run, simulated again on its own.
    again = simulate(
        surface, figs.start, lr=figs.lr, beta=caveat.beta, steps=figs.steps, convention="classical"
    )
    assert again.final_loss == pytest.approx(caveat.final_loss, abs=1e-12)


def test_beyond_ravines_sweep_counts_the_runs_that_reach_the_bottom():
    figs = beyond_ravines.figures()
    assert (
        figs.sweep_momenta[0] == 0.0
        and figs.sweep_momenta[-1] == 0.95
        and len(figs.sweep_momenta) == 20
    )
    surface = surfaces.qfsp()
    for beta, reached in zip(figs.sweep_momenta, figs.sweep_reached, strict=True):
        run = simulate(
            surface, figs.start, lr=figs.lr, beta=beta, steps=figs.steps, convention="classical"
        )
        assert reached == (
            abs(run.final_loss - figs.bottom_loss) < beyond_ravines.REACH_TOLERANCE
        ), beta
    assert figs.reached_count == sum(figs.sweep_reached)
    lookup = dict(zip(figs.sweep_momenta, figs.sweep_reached, strict=True))
    assert not lookup[0.0] and lookup[0.5] and lookup[0.8] and not lookup[figs.caveat.beta]
    assert 0 < figs.reached_count < len(figs.sweep_momenta)  # momentum helps, but not always


def test_beyond_ravines_speaks_the_numbers_it_shows():
    figs = beyond_ravines.figures()
    lines = beyond_ravines.script(figs)
    # the start as its readout shows it, (7.110, 6.970): to the readout's three digits
    assert spoken_point(figs.start, 3) == "(7.11, 6.97)"
    assert spoken_point(figs.start, 3) in lines.plain
    for run, line in (
        (figs.plain, lines.plain),
        (figs.momentum, lines.momentum),
        (figs.caveat, lines.caveat),
    ):
        screen = format_loss(run.final_loss)  # the readout's loss row at the last step
        spoken = beyond_ravines.loss_words(run.final_loss)
        assert spoken in line
        assert spoken_matches_screen(spoken, screen), (spoken, screen)
    assert f"momentum {spoken_number(figs.momentum.beta)}." in lines.momentum
    assert f"With {spoken_number(figs.caveat.beta)}," in lines.caveat
    assert f"only {figs.reached_count} reach" in lines.sweep
    assert f"bottom in {figs.steps} steps" in lines.sweep
    assert f"Of {len(figs.sweep_momenta)} values from 0 to 0.95" in lines.sweep
    assert spoken_number(figs.plain.final_loss, 3) == "10.2"
    assert spoken_number(figs.momentum.final_loss, 3) == f"{MINUS}5.9"
    assert all(
        '<bookmark mark="go"/>' in line for line in (lines.plain, lines.momentum, lines.caveat)
    )


def test_beyond_ravines_window_holds_every_run_and_its_readouts_show_the_final_numbers():
    module = chapter_module("beyond_ravines")
    chapter = module.BeyondRavinesChapter()
    figs = beyond_ravines.figures()
    low, high = chapter.window
    for run in (figs.plain, figs.momentum, figs.caveat):
        positions = run.trajectory.positions
        assert positions.min() >= low and positions.max() <= high
    # Both global minima are inside the window (the chapter marks them).
    assert np.all((surfaces.qfsp().minima >= low) & (surfaces.qfsp().minima <= high))
    frame = chapter.surface_frame(surfaces.qfsp())
    path = SurfacePath(figs.momentum.trajectory, frame)
    path.progress.set_value(path.last_step)
    path.update()
    np.testing.assert_allclose(
        frame.to_data(path.dot.get_center())[:2], figs.momentum.final_position, atol=1e-9
    )
    assert format_point(figs.momentum.final_position) == f"( 1.298, {MINUS}1.298)"


def test_beyond_ravines_narration_fits_its_slot():
    lines = beyond_ravines.script(beyond_ravines.figures()).lines()
    chapter = chapter_module("beyond_ravines").BeyondRavinesChapter
    assert chapter.escape_pause_s + chapter.sweep_pause_s == 3.5
    # 32-35 s in all: the lines, 3.5 s of pauses and the 0.6 s fade-out.
    assert 32.0 <= silent_seconds(lines) + 3.5 + 0.6 <= 35.0


# --- lessonkit.surface3d -----------------------------------------------------------


@pytest.fixture
def ravine_frame() -> tuple:
    surface = surfaces.ravine()
    flat = MapFrame(surface.x_range, surface.y_range, center=(0.0, -0.8), width=12.6, height=3.5)
    return surface, SurfaceFrame.for_surface(surface, flat, height=2.5, base=-1.0)


def test_surface_frame_maps_xy_like_the_flat_map_and_loss_linearly_to_height(ravine_frame):
    surface, frame = ravine_frame
    assert frame.loss_range == pytest.approx(
        (0.0, 0.81 + 1.44)
    )  # x²/16 + 9y² at the window's corner
    points = np.array([[-3.6, -0.4], [0.0, 0.0], [1.5, 0.25]])
    losses = surface.value(points)
    scene = frame.to_scene(points, losses)
    np.testing.assert_allclose(scene[:, :2], frame.map.to_scene(points)[:, :2])
    np.testing.assert_allclose(scene[:, 2], -1.0 + 2.5 * losses / 2.25)
    assert frame.z_of(frame.loss_range[0]) == pytest.approx(-1.0)
    assert frame.z_of(frame.loss_range[1]) == pytest.approx(1.5)
    back = frame.to_data(scene)
    np.testing.assert_allclose(back[:, :2], points, atol=1e-12)
    np.testing.assert_allclose(back[:, 2], losses, atol=1e-12)
    np.testing.assert_allclose(frame.lift(surface, points), scene)


def test_loss_range_includes_a_minimum_between_grid_points():
    surface = surfaces.qfsp()
    low, high = loss_range(surface, (-4.5, 8.0), (-4.5, 8.0), samples=7)
    assert low == pytest.approx(surface.min_value)
    assert high >= float(surface.value([8.0, 8.0]))


@pytest.mark.parametrize("resolution, faces", [(16, 256), (5, 25), ((6, 3), 18)])
def test_loss_surface_has_one_face_per_cell_and_every_corner_on_the_surface(
    ravine_frame, resolution, faces
):
    surface, frame = ravine_frame
    landscape = LossSurface(surface, frame, resolution=resolution)
    assert len(landscape.faces) == faces
    corners = np.concatenate([face.get_anchors() for face in landscape.faces])
    assert on_surface(frame, surface, corners).max() < 1e-9
    # The faces tile the window exactly.
    data = frame.to_data(corners)
    np.testing.assert_allclose([data[:, 0].min(), data[:, 0].max()], surface.x_range, atol=1e-12)
    np.testing.assert_allclose([data[:, 1].min(), data[:, 1].max()], surface.y_range, atol=1e-12)


def test_loss_surface_colours_low_faces_like_the_inner_contours(ravine_frame):
    surface, frame = ravine_frame
    landscape = LossSurface(surface, frame, resolution=8)
    heights = [np.mean(frame.to_data(face.get_anchors())[:, 2]) for face in landscape.faces]
    lowest, highest = (
        landscape.faces[int(np.argmin(heights))],
        landscape.faces[int(np.argmax(heights))],
    )

    def distance(face, color) -> float:
        return float(np.linalg.norm(face.get_fill_color().to_rgb() - color.to_rgb()))

    assert distance(lowest, style.CONTOUR_LOW_COLOR) < distance(lowest, style.CONTOUR_HIGH_COLOR)
    assert distance(highest, style.CONTOUR_HIGH_COLOR) < distance(highest, style.CONTOUR_LOW_COLOR)


def test_loss_surface_rejects_an_empty_grid(ravine_frame):
    surface, frame = ravine_frame
    with pytest.raises(ValueError, match="resolution"):
        LossSurface(surface, frame, resolution=0)


def test_curve_on_surface_lies_on_it(ravine_frame):
    surface, frame = ravine_frame
    across = np.stack([np.full(9, 1.2), np.linspace(-0.4, 0.4, 9)], axis=1)
    curve = curve_on_surface(surface, frame, across)
    assert on_surface(frame, surface, curve.get_anchors()).max() < 1e-9
    np.testing.assert_allclose(
        frame.to_data(np.asarray(curve.get_anchors())[[0, -1]])[:, :2], across[[0, -1]], atol=1e-12
    )


def test_surface_path_points_lie_on_the_surface_at_every_step_and_between():
    experiment = presets.qfsp_escape()
    run = experiment.run(0.5)
    surface = experiment.surface
    flat = MapFrame((-4.5, 8.0), (-4.5, 8.0), center=(-1.0, 0.5), width=7.0, height=7.0)
    frame = SurfaceFrame.for_surface(surface, flat, height=3.0, base=-1.3)
    progress = ValueTracker(0.0)
    path = SurfacePath(
        run, frame, color=style.MOMENTUM_COLOR, progress=progress, samples_per_step=4
    )
    assert len(path.scene_points) == run.num_steps * 4 + 1
    # Every position of the run is on the path, at its step, with z = the mapped loss.
    np.testing.assert_allclose(
        path.scene_points[::4], frame.to_scene(run.positions, run.losses), atol=1e-9
    )
    for step in (0, 3, 17, run.num_steps):
        point = path.point_at(step)
        np.testing.assert_allclose(
            point, frame.to_scene(run.positions[step], run.losses[step]), atol=1e-9
        )
        assert point[2] == pytest.approx(float(frame.z_of(run.losses[step])))
    # Between positions the path follows the ground, not a straight chord through the air.
    halfway = path.point_at(2.5)
    assert on_surface(frame, surface, halfway).max() < 1e-9
    chord = 0.5 * (path.point_at(2) + path.point_at(3))
    assert abs(halfway[2] - chord[2]) > 1e-3
    # Driven by the tracker: the dot at the head, the trail ending there and staying on the surface.
    progress.set_value(6.25)
    path.update()
    head = path.point_at(6.25)
    np.testing.assert_allclose(path.dot.get_center(), head, atol=1e-9)
    np.testing.assert_allclose(path.trail.get_anchors()[-1], head, atol=1e-9)
    assert on_surface(frame, surface, path.trail.get_anchors()).max() < 1e-9
    assert len(path.trail.get_anchors()) > len(
        path.scene_points[:26]
    )  # the 25 samples so far, the head


def test_surface_path_walk_clamps_to_the_run():
    run = presets.qfsp_escape().run(0.0)
    flat = MapFrame((-4.5, 8.0), (-4.5, 8.0))
    path = SurfacePath(run, SurfaceFrame.for_surface(run.surface, flat))
    animation = prepare_animation(path.walk(10_000, run_time=1.0))
    assert animation.run_time == 1.0
    animation.begin()
    animation.interpolate(1.0)
    assert path.progress.get_value() == pytest.approx(run.num_steps)
    with pytest.raises(ValueError, match="samples_per_step"):
        SurfacePath(run, SurfaceFrame.for_surface(run.surface, flat), samples_per_step=0)


def test_beyond_ravines_sweep_strip_lights_the_runs_that_reach_the_bottom():
    module = chapter_module("beyond_ravines")
    strip = module.sweep_strip(beyond_ravines.figures())
    # Heading, dots, two end labels; the heading states the count shown by the lit dots.
    heading, dots, low, high = strip
    lit = [
        dot
        for dot in dots
        if dot.get_fill_color().to_hex().lower() == style.HIGHLIGHT_COLOR.to_hex().lower()
    ]
    assert len(lit) == beyond_ravines.figures().reached_count
    assert heading.text.startswith(f"{len(lit)}of20")  # manim's Text drops spaces from .text
    assert as_float(high.text) == 0.95
