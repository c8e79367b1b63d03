"""Chapters 6–8 (worked example, race, too much momentum) and their toolkit pieces.

Figures tests recompute what each chapter shows from ``momentum_math`` and
compare it with the published numbers (LESSON_BRIEF: the course page's table;
the explainer figure's 185, 159 and "never"); script tests check that every
number the narration speaks is one of the chapter's figures. Unit tests build
:class:`lessonkit.table.FillTable` and :class:`lessonkit.race.MapRace`
without rendering and check what they would draw.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import chapter_module, load_scene_module
from manim import ValueTracker

from lesson_narration import overshoot as overshoot_narration
from lesson_narration import race as race_narration
from lesson_narration import worked_example as worked_narration
from lessonkit import style
from lessonkit.formatting import MINUS, format_loss, format_number, spoken_number
from lessonkit.layout import layout_problems
from lessonkit.race import ClampedProgress, MapRace, lane_frames, race_rows, side_by_side_frames
from lessonkit.table import FillTable, format_fixed, format_signed_integer
from momentum_math import presets, simulate, surfaces, worked_example

NUMBER = re.compile(r"[−-]?\d+(?:\.\d+)?")


def spoken_numbers(text: str) -> list[float]:
    """Every number written in ``text`` (bookmarks removed), as floats."""
    plain = re.sub(r"<bookmark[^>]*/>", " ", text)
    return [float(match.replace(MINUS, "-")) for match in NUMBER.findall(plain)]


def assert_numbers_are_figures(lines: list[str], allowed: set[float]) -> None:
    for line in lines:
        for number in spoken_numbers(line):
            assert any(np.isclose(number, value, rtol=0, atol=1e-9) for value in allowed), (
                f"{number} spoken in {line!r} is not one of the chapter's figures {sorted(allowed)}"
            )


# --- chapter 6: the worked example ------------------------------------------------------


@pytest.fixture(scope="module")
def worked_figs():
    return worked_narration.figures()


def test_worked_example_table_matches_the_course_page(worked_figs):
    published = [[0.10, 0.20], [0.19, -0.02], [0.271, 0.182], [0.3439, -0.0362]]
    assert worked_figs.steps == 4
    assert np.round(worked_figs.velocities, 4).tolist() == published
    assert [g1 for g1, _ in worked_figs.gradients] == [1.0, 1.0, 1.0, 1.0]
    assert [g2 for _, g2 in worked_figs.gradients] == [2.0, -2.0, 2.0, -2.0]
    assert (worked_figs.lr, worked_figs.beta) == (0.1, 0.9)
    assert worked_figs.limit == pytest.approx(1.0)


def test_worked_example_velocities_follow_the_lesson_rule_by_hand(worked_figs):
    # v <- beta v + alpha g, from v = 0, written out independently of momentum_math.
    velocity = np.zeros(2)
    for gradient, shown in zip(worked_figs.gradients, worked_figs.velocities, strict=True):
        velocity = 0.9 * velocity + 0.1 * np.asarray(gradient)
        assert np.allclose(shown, velocity, atol=1e-12)
    # The constant column heads for alpha/(1 - beta); the alternating one stays small.
    long_run = worked_example(steps=200).velocities
    assert long_run[-1, 0] == pytest.approx(worked_figs.limit, abs=1e-6)
    assert np.abs(long_run[:, 1]).max() <= 0.2 + 1e-12


def test_worked_example_script_speaks_the_table(worked_figs):
    lines = worked_narration.script(worked_figs).lines()
    allowed = {worked_figs.lr, worked_figs.beta, worked_figs.limit, worked_figs.one_minus_beta}
    allowed |= {value for row in worked_figs.gradients for value in row}
    allowed |= {round(value, 4) for row in worked_figs.velocities for value in row}
    assert_numbers_are_figures(lines, allowed)
    spoken = [number for line in lines for number in spoken_numbers(line)]
    # The first two rows are read out (how a row is made); the last two are shown, not read.
    for row in worked_figs.velocities[:2]:
        for value in row:
            assert round(value, 4) in spoken, f"table entry {value} is never read out"
    assert any(np.isclose(number, worked_figs.limit) for number in spoken_numbers(lines[-1]))
    assert worked_figs.lr in spoken and worked_figs.beta in spoken
    script = worked_narration.script(worked_figs)
    assert script.question.rstrip().endswith("?")  # asks before telling
    assert spoken_number(worked_figs.limit) in script.limit
    assert all(f'mark="row{k}"' in " ".join(lines) for k in range(1, 5))


# --- chapter 7: the race ------------------------------------------------------------------


@pytest.fixture(scope="module")
def race_figs():
    return race_narration.figures()


def test_race_finishes_at_the_published_steps(race_figs):
    assert (race_figs.gd_steps, race_figs.momentum_steps) == (185, 159)
    assert race_figs.margin == 26
    experiment = presets.stretched_bowl_race()
    assert race_figs.threshold == experiment.threshold == 1e-3
    for run, steps in (
        (race_figs.gd_run, race_figs.gd_steps),
        (race_figs.momentum_run, race_figs.momentum_steps),
    ):
        assert run.convention == "ema" and run.lr == 0.18
        assert run.losses[steps] < race_figs.threshold <= run.losses[:steps].min()
    assert race_figs.gd_loss_at_finish == race_figs.gd_run.losses[185]
    assert (race_figs.gd_run.beta, race_figs.momentum_run.beta) == (0.0, 0.9)


def test_race_clock_slows_down_before_the_first_finish(race_figs):
    """The storyboard's pacing: slow for the first swings, fast along the floor, slow again
    from a little before momentum crosses the line (its own numbers, not the figures')."""
    chapter = chapter_module("race").RaceChapter()
    slow_down = chapter.slow_down_step(race_figs)
    assert chapter.early_steps == 40 and slow_down == race_figs.momentum_steps - 20 == 139
    assert chapter.early_steps <= slow_down < race_figs.momentum_steps < race_figs.gd_steps
    assert not hasattr(race_figs, "early_steps") and not hasattr(race_figs, "close_steps")


def test_race_script_speaks_its_figures(race_figs):
    lines = race_narration.script(race_figs).lines()
    allowed = {
        race_figs.momentum_beta,
        race_figs.lr,
        race_figs.threshold,
        race_figs.gd_steps,
        race_figs.momentum_steps,
        race_figs.margin,
        round(race_figs.averaged_step, 3),
        race_figs.other_momentum_steps,
        race_figs.other_threshold,
        race_figs.other_finish_gd_steps,
        race_figs.other_finish_momentum_steps,
        race_figs.other_finish_other_steps,
        race_figs.ravine_lr,
        race_figs.ravine_beta,
        race_figs.ravine_gd_steps,
        race_figs.ravine_momentum_steps,
        race_figs.kappa,
    }
    assert race_figs.kappa == pytest.approx(100.0)  # 10 / 0.1, the bowl's curvatures
    assert_numbers_are_figures(lines, allowed)
    verdict = race_narration.script(race_figs).verdict
    assert "159" in verdict and "185" in verdict
    assert "?" in race_narration.script(race_figs).finish_line  # asks before telling


# --- chapter 8: too much momentum -----------------------------------------------------


@pytest.fixture(scope="module")
def overshoot_figs():
    return overshoot_narration.figures()


def test_too_much_momentum_does_not_converge_within_300_steps(overshoot_figs):
    assert overshoot_figs.steps_to_converge == {0.0: 185, 0.9: 159, 0.99: None}
    assert overshoot_figs.late_crossing == 408  # the brief: it crosses at step 408
    assert overshoot_figs.beta == 0.99 and overshoot_figs.steps == 300
    assert round(overshoot_figs.final_loss, 6) == 0.487363
    assert overshoot_figs.run.num_steps == 300
    assert overshoot_figs.run.losses.min() > overshoot_figs.threshold
    # It overshoots: the run crosses the minimum's x and comes out the other side.
    assert overshoot_figs.run.positions[:, 0].max() > 1.0


def test_too_much_momentum_script_speaks_its_figures(overshoot_figs):
    script = overshoot_narration.script(overshoot_figs)
    allowed = {
        overshoot_figs.threshold,
        float(overshoot_figs.steps),
        round(overshoot_figs.final_loss, 3),
        float(overshoot_figs.late_crossing),
    }
    allowed |= set(overshoot_figs.betas)
    allowed |= {
        float(step) for step in overshoot_figs.steps_to_converge.values() if step is not None
    }
    assert_numbers_are_figures(script.lines(), allowed)
    assert spoken_number(overshoot_figs.final_loss, 3) == "0.487"
    assert "0.487" in script.verdict and format_loss(overshoot_figs.final_loss) == "0.487"
    # not within 300 steps is not never: it says where the run does cross
    assert "never" not in script.verdict.lower()
    assert "not, within 300 steps" in script.verdict and "step 408" in script.verdict


def test_chapter_files_define_one_scene_each_and_expose_their_figures():
    from manim import Scene

    for module_name, chapter_name, title in (
        ("worked_example", "WorkedExampleChapter", "The worked example"),
        ("race", "RaceChapter", "The race"),
        ("overshoot", "OvershootChapter", "Too much momentum"),
    ):
        module = load_scene_module(module_name)
        scenes = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, Scene)
            and value.__module__ == module.__name__
        ]
        assert len(scenes) == 1, f"{module_name}.py defines {scenes}"
        chapter = getattr(chapter_module(module_name), chapter_name)()
        assert chapter.title == title
        assert chapter.figures() is not None


# --- lessonkit.table ------------------------------------------------------------------------


def make_table() -> FillTable:
    figs = worked_narration.figures()
    rows = [
        [str(k + 1), g2, v1]
        for k, ((_, g2), (v1, _)) in enumerate(zip(figs.gradients, figs.velocities, strict=True))
    ]
    fixed = lambda value: format_fixed(value, 4)  # noqa: E731
    return FillTable(
        ["k", "g_2", "v_1"],
        rows,
        formatters=[None, format_signed_integer, fixed],
        column_widths=[0.8, 1.2, 2.0],
    )


def test_table_cells_show_the_formatted_values():
    table = make_table()
    figs = worked_narration.figures()
    assert (table.num_rows, table.num_columns) == (4, 3)
    for k, (v1, _) in enumerate(figs.velocities):
        assert table.cell_text(k, 2) == format_fixed(v1, 4)
        assert table.cell(k, 2).text == format_fixed(v1, 4)
    assert [table.cell_text(k, 1) for k in range(4)] == ["+2", f"{MINUS}2", "+2", f"{MINUS}2"]
    assert table.cell_text(3, 2) == "0.3439" and table.cell_text(1, 0) == "2"
    assert format_fixed(-0.0362) == f"{MINUS}0.0362" and format_fixed(-1e-9, 2) == "0.00"


def test_table_cells_line_up_and_stay_in_their_columns():
    table = make_table()
    for j in range(table.num_columns):
        column = table.column(j, with_header=False)
        rights = [cell.get_right()[0] for cell in column]
        assert np.allclose(rights, rights[0]), "cells of a column are right-aligned"
        box = table.column_box(j)
        for cell in column:
            assert (
                box.get_left()[0] < cell.get_left()[0] and cell.get_right()[0] < box.get_right()[0]
            )
            assert (
                box.get_bottom()[1] < cell.get_bottom()[1] and cell.get_top()[1] < box.get_top()[1]
            )
        assert box.get_top()[1] > table.header_row[j].get_top()[1]
    rows_y = [table.row(k).get_y() for k in range(table.num_rows)]
    assert np.allclose(np.diff(rows_y), -table.row_height)


def test_table_rows_appear_only_when_revealed():
    table = make_table()
    assert all(cell.get_fill_opacity() == 0 for row in table.cells for cell in row)
    animation = table.reveal_row(1)
    animation.begin()
    animation.finish()
    assert table.revealed == 2
    assert all(cell.get_fill_opacity() == 1 for cell in table.row(1))
    assert all(cell.get_fill_opacity() == 0 for k in (0, 2, 3) for cell in table.row(k))
    with pytest.raises(IndexError):
        table.reveal_row(4)


def test_table_highlight_tints_only_its_column():
    table = make_table()
    table.show_all()
    box, animation = table.highlight_column(2, style.HIGHLIGHT_COLOR)
    animation.begin()
    animation.finish()
    assert all(
        cell.get_fill_color().to_hex() == style.HIGHLIGHT_COLOR.to_hex()
        for cell in table.column(2, False)
    )
    assert all(
        cell.get_fill_color().to_hex() != style.HIGHLIGHT_COLOR.to_hex()
        for cell in table.column(1, False)
    )
    assert box.get_left()[0] >= table.rule.get_left()[0] + 0.8 + 1.2


def test_table_rejects_ragged_rows_and_tiny_text():
    with pytest.raises(ValueError, match="row 1 has 1 cells"):
        FillTable(["a", "b"], [[1, 2], [3]])
    with pytest.raises(ValueError, match="SMALL_SIZE"):
        FillTable(["a"], [[1]], font_size=style.SMALL_SIZE - 4)
    with pytest.raises(ValueError, match="column 0 needs"):
        FillTable(["a"], [["a very long cell indeed"]], column_widths=0.5)


# --- lessonkit.race ------------------------------------------------------------------------


@pytest.fixture
def race(race_figs):
    return MapRace(
        [race_figs.gd_run, race_figs.momentum_run],
        lane_frames(race_figs.gd_run.surface),
        labels=["plain GD", "momentum"],
        stop_steps=[race_figs.gd_steps, race_figs.momentum_steps],
    )


def test_clamped_progress_follows_then_stops():
    clock = ValueTracker(0.0)
    progress = ClampedProgress(clock, 10)
    for value, expected in ((-3, 0), (4.5, 4.5), (10, 10), (250, 10)):
        clock.set_value(value)
        assert progress.get_value() == expected
    assert progress.stopped
    with pytest.raises(ValueError):
        ClampedProgress(clock, -1)


def test_each_counter_stops_at_its_own_step_while_the_clock_goes_on(race, race_figs):
    gd, momentum = race.lanes
    assert race.finish_step == 185
    for clock, gd_step, momentum_step in (
        (0, 0, 0),
        (100, 100, 100),
        (170, 170, 159),
        (185, 185, 159),
        (300, 185, 159),
    ):
        race.set_step(clock)
        assert race.clock.get_value() == clock
        assert (gd.current_step(), momentum.current_step()) == (gd_step, momentum_step)
        assert gd.readout.shown_texts[0].endswith(f"{gd_step:>3d}")
        assert momentum.readout.shown_texts[1].endswith(
            format_loss(race_figs.momentum_run.losses[momentum_step])
        )
        assert gd.stopped == (clock >= 185) and momentum.stopped == (clock >= 159)
        # The finish box shows exactly when the lane has stopped.
        assert (gd.finish_box.get_stroke_opacity() > 0) == gd.stopped
        assert (momentum.finish_box.get_stroke_opacity() > 0) == momentum.stopped


def test_each_dot_sits_on_its_own_run(race):
    for step in (0, 1, 7, 40, 158, 159, 160, 184, 185, 240):
        race.set_step(step)
        for lane in race.lanes:
            shown = min(step, lane.stop_step)
            expected = lane.frame.to_scene(lane.trajectory.positions[shown])
            assert np.allclose(lane.dot_position(), expected, atol=1e-9)
            assert np.allclose(lane.trail.trail.points[-1], expected, atol=1e-9)
    # Between two steps the dot is on the segment joining them.
    race.set_step(3.5)
    lane = race.lanes[1]
    halfway = lane.frame.to_scene(lane.trajectory.positions[3:5].mean(axis=0))
    assert np.allclose(lane.dot_position(), halfway, atol=1e-9)


def test_a_lane_without_a_stop_runs_to_its_last_step_and_shows_no_finish_box(race_figs):
    run = presets.stretched_bowl_race().run(0.99)
    single = MapRace([run], lane_frames(run.surface)[:1], ["β = 0.99"])
    single.set_step(1000)
    lane = single.lanes[0]
    assert lane.current_step() == run.num_steps == 300
    assert lane.readout.shown_texts[1].endswith(format_loss(run.final_loss))
    assert lane.finish_box.get_stroke_opacity() == 0


def test_race_maps_sit_side_by_side_inside_the_frame(race):
    race.set_step(race.finish_step)
    frames = [lane.frame for lane in race.lanes]
    assert frames[0].width == frames[1].width and frames[0].height == frames[1].height
    assert frames[0].center[0] + frames[0].width / 2 < frames[1].center[0] - frames[1].width / 2
    assert layout_problems([race]) == []
    # Readouts sit inside their maps and clear of their labels.
    for lane in race.lanes:
        assert lane.border.get_left()[0] < lane.readout.get_left()[0]
        assert lane.readout.get_right()[0] < lane.border.get_right()[0]
        assert lane.readout.get_top()[1] < lane.border.get_top()[1] < lane.label.get_bottom()[1]
    # Static parts and moving parts are separate groups (the backdrop is drawn once).
    assert not any(part.updaters for part in race.backdrop.get_family())
    assert any(part.updaters for part in race.movers.get_family())


def test_race_rows_and_frames_validate():
    run = simulate(
        surfaces.stretched_bowl(),
        np.array([-4.0, 1.5]),
        lr=0.18,
        beta=0.9,
        steps=20,
        convention="ema",
    )
    rows = race_rows(run)
    assert [row.label for row in rows] == ["step", "loss"]
    assert rows[1].value(3) == format_loss(run.losses[3])
    frames = side_by_side_frames((-5, 5), (-2.2, 2.2), count=3, total_width=12, gap=0.3)
    assert [frame.width for frame in frames] == pytest.approx([3.8] * 3)
    with pytest.raises(ValueError):
        MapRace([run], lane_frames(run.surface), ["a"])
    with pytest.raises(ValueError, match="stop step"):
        MapRace([run], lane_frames(run.surface)[:1], ["a"], stop_steps=[21])


def test_shown_numbers_use_the_lesson_formatting(race_figs, overshoot_figs):
    assert format_number(race_figs.threshold, 1) == "0.001"
    assert format_loss(overshoot_figs.final_loss) == "0.487"


def test_race_and_overshoot_read_the_lesson_configuration(tmp_path, monkeypatch):
    from lessonkit.config import CONFIG_ENV

    config = tmp_path / "lesson.toml"
    # A stricter finish line (a looser one, 0.01, lets β = 0.99 finish too: the overshoot
    # chapter's check refuses it, see tests/test_config_checks.py).
    config.write_text("[presets.stretched_bowl_race]\nthreshold = 1e-4\n", encoding="utf-8")
    monkeypatch.setenv(CONFIG_ENV, str(config))
    race = race_narration.figures()
    overshoot = overshoot_narration.figures()
    assert race.threshold == overshoot.threshold == 1e-4
    assert race.gd_steps > 185 and race.momentum_steps > 159
    assert overshoot.steps_to_converge[0.0] == race.gd_steps
    # The spoken finish line follows the configured threshold.
    assert "0.0001" in race_narration.script(race).finish_line


@pytest.mark.parametrize(
    ("module_name", "chapter_name", "narration", "low", "high"),
    [
        ("worked_example", "WorkedExampleChapter", worked_narration, 33.0, 37.0),
        ("race", "RaceChapter", race_narration, 72.0, 78.0),
        ("overshoot", "OvershootChapter", overshoot_narration, 36.0, 40.0),
    ],
)
def test_chapter_lasts_its_target_at_the_voice_pace(
    module_name, chapter_name, narration, low, high
):
    """Silent length = lines read at the voice's pace + the chapter's two pauses + its fade-out
    (within 0.1 s of the silent -ql renders: 33.7, 35.3 and 34.2 s)."""
    from lessonkit.captions import reading_duration
    from lessonkit.chapters import Chapter
    from lessonkit.modes import SILENT_WORDS_PER_MINUTE

    assert SILENT_WORDS_PER_MINUTE == 160
    chapter = getattr(chapter_module(module_name), chapter_name)
    lines = narration.script(narration.figures()).lines()
    spoken = sum(reading_duration(line, SILENT_WORDS_PER_MINUTE) for line in lines)
    pauses = chapter.question_pause_s + chapter.result_pause_s
    pauses += getattr(chapter, "teaser_pause_s", 0.0)  # the overshoot's closing question
    assert 1.5 <= chapter.question_pause_s <= 2.5 and 1.5 <= chapter.result_pause_s <= 2.5
    total = spoken + pauses + Chapter.fade_out_s
    assert low <= total <= high, f"{module_name}: about {total:.1f} s silent, target {low}-{high} s"
