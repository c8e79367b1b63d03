"""The lesson page's explorable half (``lesson_build.explore``, ``templates/explore.js``).

The data the build computes for it (tries, the (α, β) map, the transcript, the quiz) is
checked against ``momentum_math`` here; the page itself in headless Debian chromium on a small
lesson folder (the synthetic videos of ``tests/pagekit.py``) whose page carries the real
lesson's playground data. ``tests/test_build.py`` runs the same browser checks, and "Try it"
for every chapter, on a lesson it builds. Chromium and axe-playwright-python must be installed
(``make setup``): without them these tests fail, they never skip.
"""

from __future__ import annotations

import json
import re
from typing import Any

import explorekit
import numpy as np
import pagekit
import pytest

from lesson_build import explore
from lesson_build.jobs import chapter_figures
from lesson_build.manifest import Manifest
from lesson_build.page import render_page
from lesson_narration import recap
from lesson_narration.registry import LESSON
from lessonkit.config import experiment
from momentum_math import formula_surface, simulate_batch, surfaces, theory


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return chapter_figures(LESSON.names)


@pytest.fixture(scope="module")
def data(figures: dict[str, Any]) -> dict[str, Any]:
    return explore.explore_data(figures)


# --------------------------------------------------------------------------------------------
# The data (no browser)


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (surfaces.ravine, "quadratic"),
        (surfaces.stretched_bowl, "quadratic"),
        (lambda: surfaces.quadratic([0.5, 7.0], angle=0.6), "quadratic"),
        (lambda: formula_surface("x**2/16 + 9*y**2", (-3.6, 3.6), (-0.4, 0.4)), "quadratic"),
        (surfaces.qfsp, "qfsp"),
        (surfaces.rosenbrock, None),
        (surfaces.ackley, None),
        (lambda: formula_surface("sin(x) + y**2", (-3, 3), (-2, 2)), None),
    ],
)
def test_the_page_computes_a_surface_only_where_its_formula_is_the_surfaces_own(make, kind):
    surface = make()
    got, hessian = explore.js_kind(surface)
    assert got == kind
    if kind == "quadratic":
        assert hessian == [float(v) for v in np.ravel(surface.hessian)]


def test_every_chapter_has_a_try_it_on_a_surface_the_page_computes(data):
    assert list(data["tries"]) == LESSON.names
    for name, attempt in data["tries"].items():
        surface = data["surfaces"][attempt["surface"]]
        assert surface["kind"] in {"quadratic", "qfsp"}, name
        (x0, x1), (y0, y1) = surface["x_range"], surface["y_range"]
        assert x0 <= attempt["start"][0] <= x1 and y0 <= attempt["start"][1] <= y1, name
        assert 1 <= len(attempt["runs"]) <= 2 and attempt["steps"] >= 1, name
        assert len(surface["levels"]) == 10 and surface["levels"] == sorted(surface["levels"])


def test_try_it_follows_the_configuration(tmp_path):
    config = tmp_path / "lesson.toml"
    config.write_text(
        "[presets.stretched_bowl_race]\nlr = 0.15\nstart = [-3.0, 1.0]\nbetas = [0.0, 0.8, 0.99]\n"
        "[presets.ravine_zigzag]\nstart = [-3.0, 0.3]\n",
        encoding="utf-8",
    )
    figures = chapter_figures(LESSON.names, str(config))
    data = explore.explore_data(figures, str(config))
    race = data["tries"]["race"]
    assert race["start"] == [-3.0, 1.0] and race["runs"][0]["lr"] == 0.15
    assert race["runs"][0]["beta"] == 0.8 and race["runs"][1]["beta"] == 0.0
    assert data["tries"]["opening"]["start"] == [-3.0, 0.3]
    assert data["heatmap"]["start"] == [-3.0, 1.0] and data["heatmap"]["race"]["lr"] == 0.15
    # the quiz explains with the configured lesson's own figures
    questions = explore.quiz(figures)
    assert "β = 0.8 each step keeps 80 %" in questions[0]["explanation"], questions[0]
    assert questions == explore.quiz(chapter_figures(["recap"], str(config)))
    assert questions != explore.quiz(chapter_figures(["recap"]))


def test_the_heatmap_is_simulate_batch_with_the_theorys_optimum_in_the_races_rule(data):
    heat = data["heatmap"]
    race = experiment("stretched_bowl_race")
    lr, beta = np.meshgrid(heat["lrs"], heat["betas"], indexing="ij")
    batch = simulate_batch(
        race.surface, np.array(race.start), lr=lr, beta=beta, steps=race.steps,
        convention=race.convention, threshold=race.threshold,
    )  # fmt: skip
    assert batch.steps_to_converge is not None
    assert heat["steps_to"] == batch.steps_to_converge.tolist()
    assert heat["diverged"] == batch.diverged_step.tolist()
    assert 0.9 in heat["betas"] and heat["betas"][-1] == 0.98
    low, high = (float(v) for v in race.surface.hessian_eigenvalues)
    best = theory.optimal_momentum(low, high)
    # α* is the heavy ball's step; the race's ema rule steps α(1 − β): the same move is α*/(1 − β*)
    assert heat["optimum"]["lr"] * (1 - heat["optimum"]["beta"]) == pytest.approx(
        best.lr, rel=1e-12
    )
    assert heat["race"] == {"lr": race.lr, "beta": race.betas[1]}


def test_the_transcript_groups_each_caption_under_its_chapter(tmp_path):
    vtt = tmp_path / "f.vtt"
    vtt.write_text(
        "WEBVTT\n\n00:00.500 --> 00:02.000\nOne\n\n00:04.000 --> 00:05.000\nTwo\nlines\n\n"
        "00:09.000 --> 00:09.500\nThree\n",
        encoding="utf-8",
    )
    groups = explore.transcript(vtt, [("a", "A", 0.0), ("b", "B", 4.0), ("c", "C", 20.0)])
    assert [[line.text for line in g["lines"]] for g in groups] == [
        ["One"],
        ["Two lines", "Three"],
        [],
    ]
    assert groups[1]["lines"][0].start == 4.0 and groups[1]["lines"][1].end == 9.5


def test_the_quiz_is_the_recaps_with_the_right_answers_computed(figures):
    figs = recap.figures()
    questions = explore.quiz(figures)
    assert len(questions) == 3
    for question in questions:
        assert 0 <= question["answer"] < len(question["choices"]) >= 2
        assert len(set(question["choices"])) == len(question["choices"])
    steady = float(theory.effective_step(figs.thumb_lr, figs.thumb_beta, "lesson"))
    right = questions[1]["choices"][questions[1]["answer"]]
    assert recap.screen_number(steady) in right and "1 − β" in right
    assert str(figs.momentum_steps) in questions[2]["explanation"]
    assert "not below" in questions[2]["explanation"]  # "within 300", never "never"
    assert questions[2]["choices"][questions[2]["answer"]].startswith("Lower")


def test_the_page_embeds_the_data_so_no_text_can_close_its_script(data):
    manifest = _manifest_of_lesson()
    hostile = {**data, "tries": {**data["tries"]}}
    hostile["tries"]["race"] = {**data["tries"]["race"], "note": "</script><script>alert(1)"}
    page = render_page(manifest, explore=hostile)
    match = re.search(
        r'<script type="application/json" id="explore-data">(.*?)</script>', page, re.S
    )
    assert match
    parsed = json.loads(match.group(1))
    assert parsed["tries"]["race"]["note"] == "</script><script>alert(1)"
    assert parsed["chapters"] == [
        {"name": chapter.name, "start": chapter.start} for chapter in manifest.chapters
    ]
    assert len(page.encode()) < explorekit.PAGE_BUDGET_BYTES


def _manifest_of_lesson() -> Manifest:
    chapters = [
        {"name": name, "title": LESSON.chapter(name).title, "video": f"{name}.mp4",
         "duration": 10.0, "start": 10.0 * i, "parameters": {}}
        for i, name in enumerate(LESSON.names)
    ]  # fmt: skip
    return Manifest.from_json({
        "title": "T", "quality": "low", "resolution": [854, 480], "fps": 15,
        "narration": "silent", "build_key": "k",
        "flagship": {"name": "ravine", "title": "T", "video": "ravine.mp4", "duration": 120.0},
        "chapters": chapters, "files": {}, "tools": {},
    })  # fmt: skip


# --------------------------------------------------------------------------------------------
# The page in headless chromium


#: A quadratic with turned axes (its Hessian [[1, 0.8], [0.8, 8]] has off-diagonal terms).
ROTATED = "0.5*x**2 + 0.8*x*y + 4*y**2"


@pytest.fixture(scope="module")
def site(tmp_path_factory, data, figures):
    """A small lesson (synthetic videos) whose page carries the real lesson's playground."""
    folder = tmp_path_factory.mktemp("explorable")
    manifest = Manifest.from_json(pagekit.make_synthetic_lesson(folder))
    groups = explore.transcript(
        folder / "ravine.vtt", [(c.name, c.title, c.start) for c in manifest.chapters]
    )
    # and one surface no chapter uses: a quadratic whose axes are turned (a formula)
    rotated = explore._surface_data(formula_surface(ROTATED, (-4.0, 4.0), (-2.0, 2.0)))
    page = render_page(
        manifest,
        explore={**data, "surfaces": {**data["surfaces"], "rotated": rotated}},
        transcript=[{**g, "lines": [vars(line) for line in g["lines"]]} for g in groups],
        quiz=explore.quiz(figures),
    )
    (folder / "index.html").write_text(page, encoding="utf-8")
    with pagekit.launch_chromium() as browser, pagekit.open_site(folder, browser) as lesson:
        yield lesson
    assert lesson.page_errors == [], lesson.page_errors


def test_the_pages_runs_equal_momentum_maths_on_random_cases(site):
    facts = explorekit.check_parity(site)
    assert facts["compared"] == explorekit.PARITY_CASES >= 500
    assert {"ravine", "stretched_bowl", "qfsp", "formula"} <= set(facts["surfaces"]), facts


def test_the_heatmap_cells_are_simulate_batchs(site):
    explorekit.check_heatmap(site)


def test_the_controls_change_the_figures_as_the_maths_says(site):
    explorekit.check_controls(site)


def test_a_heatmap_cell_loads_into_the_playground(site):
    explorekit.check_heatmap_click(site)


def test_the_downloaded_lesson_toml_renders_the_playgrounds_parameters(site, tmp_path):
    explorekit.check_toml_download(site, tmp_path)


def test_lesson_toml_from_every_try_passes_the_builds_check_or_says_why_not(site, tmp_path):
    facts = explorekit.check_toml_from_every_try(site, tmp_path)
    refused = facts["refused"]
    # the refresher's round bowl is no preset's surface; choosing β races momentum at the
    # theory's α*, where plain descent (which every chapter also draws at that α) diverges
    assert set(refused) == {"refresher", "choosing_beta"}, refused
    assert "not one a lesson.toml can set" in refused["refresher"]
    assert "β = 0 diverges at step" in refused["choosing_beta"], refused
    assert set(facts["written"]) == set(LESSON.names) - set(refused)


def test_the_transcript_follows_playback_and_seeks(site):
    explorekit.check_transcript(site)


def test_the_quiz_answers_one_question_at_a_time(site):
    explorekit.check_quiz(site)


def test_axe_finds_no_violation_and_the_keyboard_reaches_every_control(site):
    explorekit.check_accessibility(site)


def test_phone_and_desktop_layouts(site, tmp_path):
    explorekit.check_layout(site, tmp_path)
    assert {p.name for p in tmp_path.iterdir()} >= {"page-375x740.png", "page-1280x800.png"}


def test_the_page_weighs_under_its_budget_and_fetches_nothing_outside(site):
    explorekit.check_weight(site)
