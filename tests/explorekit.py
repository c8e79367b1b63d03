"""Checks of the lesson page's explorable half in headless chromium: the playground against
``momentum_math``, "Try it", the (α, β) map, the ``lesson.toml`` download, the transcript, the
quiz, axe-core, the keyboard, two screen sizes and the page's weight.

Each check takes a :class:`pagekit.LessonSite` whose page has the playground, raises
``AssertionError`` naming what failed and returns what it saw. ``tests/test_explore.py`` runs
them on a small lesson with the real playground data, ``tests/test_build.py`` on a built lesson.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pagekit

from momentum_math import simulate, simulate_batch, surfaces

#: Cases compared between the page's kernel and momentum_math.
PARITY_CASES = 600
#: Relative tolerance of positions and velocities (the page's kernel and NumPy's round alike).
PARITY_RTOL = 1e-12
#: The page's HTML, CSS, JavaScript and data (the videos aside) must weigh less than this.
PAGE_BUDGET_BYTES = 400 * 1024
#: The axe-core rule sets the page must pass.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

_CONVENTIONS = ("pytorch", "lesson", "ema", "classical")


def _data(page: Any) -> dict[str, Any]:
    return page.evaluate("() => window.lessonExplore.data")


def _python_surface(entry: dict[str, Any]) -> Any:
    """The momentum_math surface a page surface stands for: rebuilt from its configuration
    (a name or a formula table, as a lesson.toml writes it), else from its Hessian."""
    from lessonkit.config import apply
    from momentum_math.presets import get

    config = entry["config"]
    if isinstance(config, dict) or config in surfaces.NAMES:
        surface = apply(get("ravine_zigzag"), {"surface": config}, "page").surface
    else:
        hessian = np.array(entry["hessian"], dtype=float).reshape(2, 2)
        assert hessian[0, 1] == 0 == hessian[1, 0], f"{entry['name']}: no configuration"
        surface = surfaces.quadratic(np.diag(hessian))
    if entry["kind"] == "quadratic":
        got = np.asarray(surface.hessian, dtype=float)
        assert np.array_equal(got.ravel(), np.array(entry["hessian"])), entry["name"]
    return surface


def parity_cases(data: dict[str, Any], count: int, seed: int = 7) -> list[dict[str, Any]]:
    """Random runs over every surface the page computes, every convention, Nesterov on and off,
    α from a hundredth of the largest stable step to fifty times it (so many diverge)."""
    rng = np.random.default_rng(seed)
    keys = [key for key, entry in data["surfaces"].items() if entry["kind"]]
    cases = []
    for index in range(count):
        key = keys[index % len(keys)]
        entry = data["surfaces"][key]
        top = max(entry["eigen"]["values"]) if entry.get("eigen") else 12.0
        cap = 2.0 / top
        (x0, x1), (y0, y1) = entry["x_range"], entry["y_range"]
        cases.append({
            "surface": key,
            "start": [float(rng.uniform(x0, x1)), float(rng.uniform(y0, y1))],
            "lr": float(cap * 10 ** rng.uniform(-2, math.log10(50))),
            "beta": float(rng.choice([0.0, rng.uniform(0, 0.999)])),
            "steps": int(rng.integers(1, 301)),
            "convention": _CONVENTIONS[int(rng.integers(4))],
            "nesterov": bool(rng.integers(2)),
            "threshold": float(10 ** rng.uniform(-6, 0)),
        })  # fmt: skip
    return cases


_JS_RUN_CASES = """(cases) => cases.map(c => window.lessonExplore.simulate(
  window.lessonExplore.data.surfaces[c.surface], c.start, c.lr, c.beta, c.steps, c.convention,
  c.nesterov, c.threshold))"""


def _close(page_values: list[float], math_values: np.ndarray, what: str) -> None:
    got = np.asarray(page_values, dtype=float).reshape(math_values.shape)
    scale = np.maximum(np.abs(math_values), np.finfo(float).tiny)
    error = np.abs(got - math_values) / scale
    worst = float(error.max()) if error.size else 0.0
    assert worst <= PARITY_RTOL or np.allclose(got, math_values, rtol=PARITY_RTOL, atol=1e-300), (
        f"{what}: the page's numbers differ from momentum_math's by {worst:.3g} relative "
        f"(allowed {PARITY_RTOL})"
    )


def check_parity(site: pagekit.LessonSite, count: int = PARITY_CASES) -> dict[str, Any]:
    """The page's kernel against :func:`momentum_math.simulate` on ``count`` random cases:
    positions and velocities within :data:`PARITY_RTOL`, the steps to the threshold and the
    divergence step equal."""
    page = site.open()
    try:
        data = _data(page)
        cases = parity_cases(data, count)
        results = page.evaluate(_JS_RUN_CASES, cases)
    finally:
        page.context.close()
    diverged = 0
    exact = 0
    compared = 0
    kinds = set()
    for case, result in zip(cases, results, strict=True):
        surface = _python_surface(data["surfaces"][case["surface"]])
        run = simulate(
            surface, np.array(case["start"]), lr=case["lr"], beta=case["beta"],
            steps=case["steps"], convention=case["convention"], nesterov=case["nesterov"],
        )  # fmt: skip
        label = f"case {case}"
        expected_div = -1 if run.diverged_step is None else run.diverged_step
        assert result["divergedStep"] == expected_div, f"{label}: divergence step"
        steps_to = run.steps_to_converge(case["threshold"])
        assert result["stepsTo"] == (-1 if steps_to is None else steps_to), f"{label}: steps"
        _close(result["positions"], run.positions, f"{label}: positions")
        _close(result["velocities"], run.velocities, f"{label}: velocities")
        _close(result["losses"], run.losses, f"{label}: losses")
        _close(result["gradients"], run.gradients, f"{label}: gradients")
        same = np.array_equal(np.asarray(result["positions"]).reshape(-1, 2), run.positions)
        kind = data["surfaces"][case["surface"]]["kind"]
        # a quadratic is the same few multiplications and additions in both: bit for bit
        assert same or kind != "quadratic", f"{label}: a quadratic's positions not bit for bit"
        exact += int(same)
        compared += 1
        diverged += int(run.diverged)
        kinds.add((case["convention"], case["nesterov"], data["surfaces"][case["surface"]]["name"]))
    assert diverged >= count // 20, f"only {diverged} of {count} cases diverge: widen the α range"
    assert len(kinds) >= 8 * (len({c["surface"] for c in cases})), kinds
    return {
        "cases": count,
        "compared": compared,
        "diverged": diverged,
        "bit_exact": exact,
        "surfaces": sorted({data["surfaces"][c["surface"]]["name"] for c in cases}),
    }


def check_heatmap(site: pagekit.LessonSite) -> dict[str, Any]:
    """Every cell of the (α, β) map is :func:`simulate_batch`'s, and the page's kernel agrees."""
    page = site.open()
    try:
        data = _data(page)
        heat = data["heatmap"]
        key = data["tries"]["race"]["surface"] if "race" in data["tries"] else None
        assert key, "no race chapter: the map has no surface"
        recomputed = page.evaluate(
            """([key]) => { const d = window.lessonExplore.data, h = d.heatmap,
                 s = d.surfaces[key], steps = [], div = [];
               h.lrs.forEach(lr => { const a = [], b = [];
                 h.betas.forEach(beta => { const r = window.lessonExplore.simulate(s, h.start, lr,
                   beta, h.steps, h.convention, false, h.threshold); a.push(r.stepsTo);
                   b.push(r.divergedStep); }); steps.push(a); div.push(b); });
               return {steps, div}; }""",
            [key],
        )
    finally:
        page.context.close()
    surface = _python_surface(data["surfaces"][key])
    lr, beta = np.meshgrid(heat["lrs"], heat["betas"], indexing="ij")
    batch = simulate_batch(
        surface, np.array(heat["start"]), lr=lr, beta=beta, steps=heat["steps"],
        convention=heat["convention"], threshold=heat["threshold"],
    )  # fmt: skip
    assert batch.steps_to_converge is not None
    assert np.array_equal(batch.steps_to_converge, np.array(heat["steps_to"])), "steps to converge"
    assert np.array_equal(batch.diverged_step, np.array(heat["diverged"])), "divergence steps"
    assert recomputed["steps"] == heat["steps_to"], "the page's kernel disagrees with the map"
    assert recomputed["div"] == heat["diverged"], "the page's kernel disagrees on divergence"
    cells = lr.size
    diverging = int((batch.diverged_step >= 0).sum())
    converged = int((batch.steps_to_converge >= 0).sum())
    assert 0 < diverging < cells and 0 < converged < cells, (diverging, converged, cells)
    return {"cells": cells, "diverging": diverging, "converged": converged}


def _state(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => { const s = window.lessonExplore.state;
           return {surface: s.surface, start: s.start, steps: s.steps, threshold: s.threshold,
             current: s.current, preset: s.preset,
             runs: s.runs.map(r => ({lr: r.lr, beta: r.beta, convention: r.convention,
               nesterov: r.nesterov, on: r.on})),
             results: s.results.map(r => r && {stepsTo: r.stepsTo, divergedStep: r.divergedStep,
               count: r.count})}; }"""
    )


def _figure_text(page: Any, run: int, cell: str) -> str:
    return page.inner_text(f"#pg-fig{run}-{cell}")


def check_controls(site: pagekit.LessonSite) -> dict[str, Any]:
    """Moving a slider, typing a β, the start and a threshold change the figures as the maths
    says; Play, Step and Reset move the current step; a bad value is named, not used."""
    page = site.open()
    try:
        data = _data(page)
        page.evaluate("() => window.lessonExplore.load('race')")
        before = _state(page)
        surface = _python_surface(data["surfaces"][before["surface"]])

        def expected(run: dict[str, Any], state: dict[str, Any]) -> int | None:
            trajectory = simulate(
                surface, np.array(state["start"]), lr=run["lr"], beta=run["beta"],
                steps=state["steps"], convention=run["convention"], nesterov=run["nesterov"],
            )  # fmt: skip
            return trajectory.steps_to_converge(state["threshold"])

        seen = []
        for beta in ("0.5", "0.95", "0"):
            page.fill("#pg-run0-beta", beta)
            state = _state(page)
            assert state["runs"][0]["beta"] == float(beta)
            want = expected(state["runs"][0], state)
            assert state["results"][0]["stepsTo"] == (-1 if want is None else want)
            text = _figure_text(page, 0, "finish")
            assert text == (f"{want} steps" if want is not None else
                            f"not within {state['steps']} steps"), text  # fmt: skip
            seen.append((beta, text))
        # the α slider: keyboard steps change α, and the figures follow
        page.focus("#pg-run0-lr-range")
        lr_before = _state(page)["runs"][0]["lr"]
        for _ in range(5):
            page.keyboard.press("ArrowRight")
        state = _state(page)
        assert state["runs"][0]["lr"] > lr_before, "ArrowRight on the α slider did not raise α"
        want = expected(state["runs"][0], state)
        assert state["results"][0]["stepsTo"] == (-1 if want is None else want)
        # a step size past the cap: the run diverges, and the table says at which step
        page.fill("#pg-run0-beta", "0")
        page.fill("#pg-run0-lr", "5")
        state = _state(page)
        run = simulate(surface, np.array(state["start"]), lr=5.0, beta=0.0, steps=state["steps"],
                       convention=state["runs"][0]["convention"])  # fmt: skip
        assert run.diverged and state["results"][0]["divergedStep"] == run.diverged_step
        assert _figure_text(page, 0, "finish") == f"diverges at step {run.diverged_step}"
        # a threshold and a start typed in
        page.fill("#pg-run0-lr", str(data["tries"]["race"]["runs"][0]["lr"]))
        page.fill("#pg-run0-beta", str(data["tries"]["race"]["runs"][0]["beta"]))
        page.fill("#pg-threshold", "0.1")
        page.fill("#pg-start-x", "-3")
        state = _state(page)
        assert state["threshold"] == 0.1 and state["start"][0] == -3.0
        for index in (0, 1):
            want = expected(state["runs"][index], state)
            assert state["results"][index]["stepsTo"] == (-1 if want is None else want)
        # a bad value is named and not used
        page.fill("#pg-run0-beta", "1.5")
        assert "β must be a number from 0" in page.inner_text("#pg-error")
        assert _state(page)["runs"][0]["beta"] != 1.5
        page.fill("#pg-run0-beta", "0.9")
        assert page.inner_text("#pg-error") == ""
        steps_before = _state(page)["steps"]
        page.fill("#pg-steps", "12.5")
        assert "steps must be a whole number" in page.inner_text("#pg-error")
        assert _state(page)["steps"] == steps_before
        # loading an experiment clears what the last bad value left
        page.evaluate("() => window.lessonExplore.load('race')")
        assert page.inner_text("#pg-error") == ""
        assert page.locator("#explore [aria-invalid=true]").count() == 0
        # the gradient arrow is the step the run takes: α(1 − β)∇L under the ema rule
        rule = data["tries"]["race"]["runs"][0]["convention"]
        key = page.inner_text("#pg-gradient-key")
        assert ("1−β" in key) == (rule == "ema"), (rule, key)
        # transport: reset to 0, step once, play to the end
        page.click("#pg-reset")
        assert _state(page)["current"] == 0
        page.click("#pg-step-once")
        assert _state(page)["current"] == 1 and _figure_text(page, 0, "step") == "1"
        page.evaluate(
            """() => { window.summaryWrites = 0; new MutationObserver(() => window.summaryWrites++)
                 .observe(document.getElementById('pg-summary'),
                          {childList: true, characterData: true, subtree: true}); }"""
        )
        page.click("#pg-play")
        page.wait_for_function(
            "() => window.lessonExplore.state.current === window.lessonExplore.state.steps",
            timeout=20000,
        )
        page.wait_for_timeout(100)
        # the live summary is written once Play stops, not at each of its frames
        writes = page.evaluate("() => window.summaryWrites")
        assert writes == 1, f"the live summary was written {writes} times during Play"
        # dragging on the map moves the start
        box = page.locator("#pg-map").bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.3)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.25, steps=4)
        page.mouse.up()
        moved = _state(page)
        assert moved["start"] != state["start"], "dragging on the map did not move the start"
        entry = data["surfaces"][moved["surface"]]
        assert entry["x_range"][0] <= moved["start"][0] <= entry["x_range"][1]
        assert site.page_errors == [], site.page_errors
        return {"betas": seen, "dragged_to": moved["start"]}
    finally:
        page.context.close()


def _expected_try(name: str, parameters: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """What "Try it" must load for chapter ``name``, read from its figures in the manifest."""

    def run(t: dict[str, Any]) -> dict[str, Any]:
        return {"lr": t["lr"], "beta": t["beta"], "convention": t["convention"]}

    p = parameters
    zig = data["presets"]["ravine_zigzag"]["values"]["betas"]
    if name in {"zigzag"}:
        return {"start": p["run"]["start"], "steps": p["run"]["steps"],
                "runs": [{**run(p["run"]), "beta": zig[1]}, run(p["run"])]}  # fmt: skip
    if name == "velocity":
        return {
            "start": p["start"],
            "steps": p["steps"],
            "runs": [{"lr": p["lr"], "beta": p["beta"]}, {"lr": p["lr"], "beta": 0.0}],
        }
    if name == "race":
        return {
            "start": p["start"],
            "threshold": p["threshold"],
            "runs": [{"lr": p["lr"], "beta": p["momentum_beta"]}, {"lr": p["lr"], "beta": 0.0}],
        }
    if name == "overshoot":
        return {
            "start": p["start"],
            "steps": p["steps"],
            "threshold": p["threshold"],
            "runs": [{"lr": p["lr"], "beta": p["beta"]}, {"lr": p["lr"], "beta": p["betas"][1]}],
        }
    if name == "choosing_beta":
        return {
            "start": p["start"],
            "threshold": p["threshold"],
            "runs": [
                {"lr": p["best_lr"], "beta": p["fastest_beta"], "convention": "pytorch"},
                {"lr": p["gd_lr"], "beta": 0.0, "convention": "pytorch"},
            ],
        }
    if name == "beyond_ravines":
        return {
            "start": p["start"],
            "steps": p["steps"],
            "runs": [run(p["momentum"]["trajectory"]), run(p["plain"]["trajectory"])],
        }
    if name == "in_code":
        return {
            "start": p["pytorch"]["start"],
            "steps": p["pytorch"]["steps"],
            "runs": [run(p["pytorch"]), run(p["lesson"])],
        }
    if name == "worked_example":
        return {"runs": [{"lr": p["lr"], "beta": p["beta"]}, {"lr": p["lr"], "beta": 0.0}]}
    if name == "refresher":
        return {"start": [p["start"], 0.0], "runs": [{"lr": p["lr"], "beta": 0.0}]}
    if name == "recap":
        return {
            "steps": p["race_steps"],
            "threshold": p["threshold"],
            "runs": [{"beta": p["momentum_beta"]}, {"beta": 0.0}],
        }
    if name in {"opening"}:
        e = p["experiment"]
        return {
            "start": e["start"],
            "steps": e["steps"],
            "runs": [
                {"lr": e["lr"], "beta": e["betas"][1]},
                {"lr": e["lr"], "beta": e["betas"][0]},
            ],
        }
    return {}


def _matches(state: dict[str, Any], want: dict[str, Any], name: str) -> None:
    for key in ("start", "steps", "threshold"):
        if key in want:
            assert state[key] == want[key] or np.allclose(state[key], want[key], rtol=0, atol=0), (
                f"Try it for {name}: {key} is {state[key]}, the chapter's is {want[key]}"
            )
    for index, run in enumerate(want.get("runs", [])):
        for key, value in run.items():
            assert state["runs"][index][key] == value, (
                f"Try it for {name}: run {'AB'[index]}'s {key} is {state['runs'][index][key]}, "
                f"the chapter's is {value}"
            )
    if len(want.get("runs", [])) == 1:
        assert not state["runs"][1]["on"], f"Try it for {name}: a second run the chapter has not"


def check_try_it(site: pagekit.LessonSite) -> dict[str, Any]:
    """Each chapter's "Try it" pauses the video and loads that chapter's own experiment (the
    figures in the manifest); "Back to the video" resumes where the viewer left."""
    page = site.open()
    loaded = []
    try:
        data = _data(page)
        page.wait_for_function(
            "() => document.getElementById('chapter-list').dataset.source === 'track'",
            timeout=10000,
        )
        chapters = {c["name"]: c for c in site.manifest["chapters"]}
        buttons = page.locator("#chapter-list button.try")
        names = [buttons.nth(i).get_attribute("data-try") for i in range(buttons.count())]
        assert names == [c for c in chapters if c in data["tries"]], (names, list(chapters))
        assert names, "no chapter has Try it"
        for index, name in enumerate(names):
            at = pagekit._seek(
                page, min(2.0 + index, float(site.manifest["flagship"]["duration"]) - 1)
            )
            page.evaluate("() => document.getElementById('lesson-video').play()")
            page.locator(f"#chapter-list button.try[data-try='{name}']").click()
            paused = page.evaluate("() => document.getElementById('lesson-video').paused")
            assert paused, f"Try it for {name} did not pause the video"
            state = _state(page)
            _matches(state, _expected_try(name, chapters[name]["parameters"], data), name)
            want = data["tries"][name]
            assert state["surface"] == want["surface"]
            assert page.locator("#pg-back").is_visible()
            focused = page.evaluate("() => document.activeElement.id")
            assert focused == "explore-heading", focused
            stopped_at = page.evaluate("() => document.getElementById('lesson-video').currentTime")
            page.click("#pg-back")
            page.wait_for_function(
                "() => !document.getElementById('lesson-video').paused", timeout=5000
            )
            resumed = page.evaluate("() => document.getElementById('lesson-video').currentTime")
            assert abs(resumed - stopped_at) < 1.0, (name, stopped_at, resumed)
            page.evaluate("() => document.getElementById('lesson-video').pause()")
            loaded.append({"chapter": name, "seeked": at, "state": state["runs"]})
        # from a paused video, two "Try it" in a row: back goes to where the viewer left, paused
        left_at = pagekit._seek(page, min(3.0, float(site.manifest["flagship"]["duration"]) / 2))
        page.locator(f"#chapter-list button.try[data-try='{names[0]}']").click()
        page.locator(f"#chapter-list button.try[data-try='{names[-1]}']").click()
        page.click("#pg-back")
        page.wait_for_timeout(300)
        video = page.evaluate(
            "() => { const v = document.getElementById('lesson-video');"
            " return {paused: v.paused, time: v.currentTime}; }"
        )
        assert video["paused"], "Back to the video played a video the viewer had paused"
        assert abs(video["time"] - left_at) < 0.05, (left_at, video)
        # chapters not in this lesson's list still load through the page's API
        for name in data["tries"]:
            if name in chapters:
                continue
            page.evaluate("(n) => window.lessonExplore.load(n)", name)
        assert site.page_errors == [], site.page_errors
        return {"chapters": [entry["chapter"] for entry in loaded]}
    finally:
        page.context.close()


def check_heatmap_click(site: pagekit.LessonSite) -> dict[str, Any]:
    """Hovering a cell shows its figures; clicking (or Enter) loads it into the playground."""
    page = site.open()
    try:
        data = _data(page)
        heat = data["heatmap"]
        canvas = page.locator("#pg-heat")
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        assert box is not None
        page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4)
        text = page.inner_text("#pg-heat-out")
        assert text.startswith("α = ") and "β = " in text, text
        page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4)
        state = _state(page)
        lr = float(text.split("α = ")[1].split(",")[0])
        beta = float(text.split("β = ")[1].split(":")[0])
        assert state["runs"][0]["lr"] == lr and state["runs"][0]["beta"] == beta
        i, j = heat["lrs"].index(lr), heat["betas"].index(beta)
        assert state["results"][0]["stepsTo"] == heat["steps_to"][i][j]
        # the keyboard: focus, arrows, Enter
        canvas.focus()
        for key in ("ArrowLeft", "ArrowLeft", "ArrowDown"):
            page.keyboard.press(key)
        page.keyboard.press("Enter")
        state = _state(page)
        assert state["runs"][0]["lr"] == heat["lrs"][i - 2], (state, i)
        assert state["runs"][0]["beta"] == heat["betas"][j - 1], (state, j)
        return {"clicked": text}
    finally:
        page.context.close()


def check_toml_download(site: pagekit.LessonSite, folder: Path) -> dict[str, Any]:
    """ "Download lesson.toml" writes a ``--config`` file that the build's check accepts and
    that changes the chapters' figures to the playground's surface, start, α and β."""
    from lesson_build.jobs import chapter_figures
    from lesson_narration.registry import LESSON
    from lessonkit.config import load

    page = site.open()
    try:
        page.evaluate("() => window.lessonExplore.load('race')")
        page.fill("#pg-run0-beta", "0.8")
        page.fill("#pg-run0-lr", "0.15")
        page.fill("#pg-start-x", "-3.5")
        page.fill("#pg-start-y", "1.25")
        with page.expect_download() as info:
            page.click("#pg-toml-button")
        target = folder / "lesson.toml"
        info.value.save_as(target)
    finally:
        page.context.close()
    text = target.read_text(encoding="utf-8")
    overrides = load(target)
    assert "stretched_bowl_race" in overrides, text
    figures = chapter_figures(LESSON.names, str(target))
    race = figures["race"]
    assert race["lr"] == 0.15 and race["momentum_beta"] == 0.8, race
    assert race["start"] == [-3.5, 1.25], race
    assert figures["overshoot"]["start"] == [-3.5, 1.25]
    return {"toml": text, "race": {k: race[k] for k in ("lr", "momentum_beta", "gd_steps",
                                                        "momentum_steps")}}  # fmt: skip


_JS_TOML = """() => ({ text: window.lessonExplore.toml(),
  disabled: document.getElementById('pg-toml-button').disabled,
  note: document.getElementById('pg-toml-note').textContent })"""


def _toml_round_trip(text: str, target: Path) -> dict[str, Any]:
    """``text`` through the build's configuration check: every chapter's figures under it."""
    from lesson_build.jobs import chapter_figures
    from lesson_narration.registry import LESSON, PRESET_KEYS
    from lessonkit.config import load

    target.write_text(text, encoding="utf-8")
    overrides = load(target)
    for name, changes in overrides.items():
        assert set(changes) <= set(PRESET_KEYS[name]), (name, changes)
    return chapter_figures(LESSON.names, str(target))


def check_toml_from_every_try(site: pagekit.LessonSite, folder: Path) -> dict[str, Any]:
    """From every chapter's "Try it", and after slider moves that give α and β more digits
    than the chapters say, "Download lesson.toml" either writes a file the build's check
    accepts or is disabled with the reason; a β the chapters cannot race is refused."""
    page = site.open()
    written: dict[str, str] = {}
    refused: dict[str, str] = {}
    try:
        names = page.evaluate("() => Object.keys(window.lessonExplore.data.tries)")
        for name in names:
            page.evaluate("(n) => window.lessonExplore.load(n)", name)
            got = page.evaluate(_JS_TOML)
            if got["text"] is None:
                assert got["disabled"] and got["note"].strip(), (name, got)
                refused[name] = got["note"]
                continue
            assert not got["disabled"], (name, got)
            figures = _toml_round_trip(got["text"], folder / f"{name}.toml")
            assert figures, name
            written[name] = got["text"]
        # slider positions give α and β three digits: the file rounds them to the chapters' two
        page.evaluate("() => window.lessonExplore.load('race')")
        _set_range(page, "#pg-run0-beta-range", 873)
        _set_range(page, "#pg-run0-lr-range", 600)
        lr = page.evaluate("() => window.lessonExplore.state.runs[0].lr")
        got = page.evaluate(_JS_TOML)
        assert got["text"] and "0.87" in got["text"] and "2 significant digits" in got["note"], got
        rounded = float(f"{lr:.2g}")
        assert rounded != lr, f"the slider's α {lr} already has two digits: move it elsewhere"
        race = _toml_round_trip(got["text"], folder / "sliders.toml")["race"]
        assert race["lr"] == rounded and race["momentum_beta"] == 0.87, race
        # β = 0 and β at or past too much momentum cannot be the race's momentum
        for beta in ("0", "0.995"):
            page.fill("#pg-run0-beta", beta)
            got = page.evaluate(_JS_TOML)
            assert got["text"] is None and got["disabled"] and "β" in got["note"], (beta, got)
    finally:
        page.context.close()
    assert written, "no chapter's experiment could be written as a lesson.toml"
    return {"written": sorted(written), "refused": refused}


def _set_range(page: Any, selector: str, value: int) -> None:
    page.eval_on_selector(
        selector,
        "(el, v) => { el.value = String(v); el.dispatchEvent(new Event('input')); }",
        value,
    )


def check_transcript(site: pagekit.LessonSite) -> dict[str, Any]:
    """Every caption is a line of the transcript (plain text, by chapter); the line being
    spoken is highlighted as the video plays, and a click on a line seeks there."""
    cues = pagekit.read_vtt(site.path(site.manifest["flagship"]["captions"]))
    page = site.open()
    try:
        lines = page.locator("#transcript button.cue")
        assert lines.count() == len(cues), (lines.count(), len(cues))
        texts = [" ".join(t.split()) for t in lines.all_inner_texts()]
        assert texts == [pagekit._normalise(c.text) for c in cues]
        headings = page.locator("#transcript h3").all_inner_texts()
        assert headings == [c["title"] for c in site.manifest["chapters"]]
        picks = sorted({0, len(cues) // 2, len(cues) - 1})
        for index in picks:
            start, end = pagekit.cue_seconds(cues[index])
            pagekit._seek(page, (start + end) / 2)
            current = page.evaluate(
                "() => Array.from(document.querySelectorAll('#transcript .cue'))"
                ".findIndex(b => b.classList.contains('current'))"
            )
            assert current == index, (
                f"at {(start + end) / 2:.2f} s line {current} is lit, not {index}"
            )
        target = picks[len(picks) // 2]
        lines.nth(target).click()
        page.wait_for_function(
            "(t) => Math.abs(document.getElementById('lesson-video').currentTime - t) < 0.05",
            arg=pagekit.cue_seconds(cues[target])[0],
            timeout=5000,
        )
        # plain text: the browser's find reaches every word
        body = page.inner_text("#transcript")
        assert pagekit._normalise(cues[-1].text).split()[-1] in body
        return {"lines": len(cues), "checked": picks}
    finally:
        page.context.close()


def check_quiz(site: pagekit.LessonSite) -> dict[str, Any]:
    """The quiz: one question at a time ("1 / 3"), a wrong answer and a right one each get
    their feedback with the explanation, and "Next question" moves on."""
    page = site.open()
    answered = []
    try:
        questions = page.locator("#quiz .question")
        total = questions.count()
        assert total == 3, total
        for index in range(total):
            assert page.inner_text("#quiz-progress") == f"{index + 1} / {total}"
            question = questions.nth(index)
            assert question.is_visible()
            for other in range(total):
                if other != index:
                    assert not questions.nth(other).is_visible()
            answer = int(question.get_attribute("data-answer") or "-1")
            choices = question.locator("input[type=radio]")
            wrong = 0 if answer != 0 else 1
            choices.nth(wrong).check()
            question.locator(".check").click()
            feedback = question.locator(".feedback").inner_text()
            assert feedback.startswith("Not quite."), feedback
            choices.nth(answer).check()
            question.locator(".check").click()
            feedback = question.locator(".feedback").inner_text()
            assert feedback.startswith("Right."), feedback
            answered.append(feedback)
            if index < total - 1:
                question.locator(".next").click()
        return {"feedback": answered}
    finally:
        page.context.close()


def _axe(page: Any, state: str) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    violations = results.response.get("violations", [])
    return [
        f"{state}: {v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in violations
    ]


def check_accessibility(site: pagekit.LessonSite) -> dict[str, Any]:
    """axe-core finds no WCAG 2.1 AA violation, with the page as loaded, the playground opened
    from a chapter, and the quiz answered; every control is reached by Tab and shows a focus."""
    page = site.open()
    try:
        problems = _axe(page, "as loaded")
        if page.locator("button.try").count():
            page.locator("button.try").first.click()
        else:
            page.evaluate("() => window.lessonExplore.load('race')")
        problems += _axe(page, "playground open")
        for index in range(page.locator("#quiz .question").count()):
            question = page.locator("#quiz .question").nth(index)
            question.locator("input[type=radio]").nth(
                int(question.get_attribute("data-answer") or 0)
            ).check()
            question.locator(".check").click()
            if index < 2:
                question.locator(".next").click()
        problems += _axe(page, "quiz answered")
        assert not problems, "\n".join(problems)
        # the keyboard alone: Tab reaches every playground control, each with a visible outline
        page.evaluate(
            "() => { window.scrollTo(0, 0);"
            " if (document.activeElement) document.activeElement.blur(); }"
        )
        controls = page.evaluate(
            "() => Array.from(document.querySelectorAll('#explore input, #explore select, "
            "#explore button, #explore canvas[tabindex]')).filter(e => e.offsetParent !== null && "
            "!e.disabled).map(e => e.id)"
        )
        reached: set[str] = set()
        no_outline = []
        for _ in range(400):
            page.keyboard.press("Tab")
            info = page.evaluate(
                "() => { const e = document.activeElement; const s = getComputedStyle(e);"
                " return {id: e.id, outline: s.outlineStyle, width: s.outlineWidth}; }"
            )
            if info["id"] in controls:
                if info["id"] not in reached and (
                    info["outline"] == "none" or info["width"] == "0px"
                ):
                    no_outline.append(info["id"])
                reached.add(info["id"])
            if reached >= set(controls):
                break
        missing = set(controls) - reached
        assert not missing, f"Tab never reaches {sorted(missing)}"
        assert not no_outline, f"no visible focus on {no_outline}"
        return {"controls": len(controls)}
    finally:
        page.context.close()


def check_layout(site: pagekit.LessonSite, shots: Path) -> dict[str, Any]:
    """At 375×740 nothing scrolls sideways and the video spans the width; at 1280×800 the
    playground sits beside or under the video, never over it. Screenshots go to ``shots``."""
    shots.mkdir(parents=True, exist_ok=True)
    seen = {}
    for width, height in ((375, 740), (1280, 800)):
        page = site.open(viewport=(width, height))
        try:
            if page.locator("button.try").count():
                page.locator("button.try").first.click()
            facts = page.evaluate(
                """() => {
                   const v = document.getElementById('lesson-video').getBoundingClientRect();
                   const p = document.getElementById('explore').getBoundingClientRect();
                   return {scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
                     video: [v.left, v.top + scrollY, v.width, v.height],
                     explore: [p.left, p.top + scrollY, p.width, p.height]}; }"""
            )
            assert facts["scroll"] <= facts["inner"], f"{width}×{height}: scrolls sideways {facts}"
            problems = _axe(page, f"{width}×{height}, playground open")
            assert not problems, "\n".join(problems)
            vx, vy, vw, vh = facts["video"]
            px, py, pw, ph = facts["explore"]
            overlap = not (px >= vx + vw or px + pw <= vx or py >= vy + vh or py + ph <= vy)
            assert not overlap, f"{width}×{height}: the playground covers the video {facts}"
            if width < 500:
                assert vw >= width - 48, f"the video does not span the phone's width: {vw}"
            page.screenshot(path=str(shots / f"page-{width}x{height}.png"), full_page=True)
            page.locator("#explore").screenshot(
                path=str(shots / f"playground-{width}x{height}.png")
            )
            seen[f"{width}x{height}"] = facts
        finally:
            page.context.close()
    return seen


def check_weight(site: pagekit.LessonSite) -> dict[str, Any]:
    """HTML, CSS, JavaScript and data (everything but the videos, captions and posters) under
    :data:`PAGE_BUDGET_BYTES`; nothing fetched from outside the folder."""
    media = {".mp4", ".vtt", ".jpg", ".png", ".gif", ".srt"}
    files = [p for p in site.folder.iterdir() if p.is_file() and p.suffix not in media]
    total = sum(p.stat().st_size for p in files if p.name != "manifest.json")
    assert total < PAGE_BUDGET_BYTES, f"the page weighs {total} bytes: {[p.name for p in files]}"
    page = site.open()
    try:
        page.evaluate("() => window.lessonExplore.load('race')")
    finally:
        page.context.close()
    assert site.outside_requests == [], site.outside_requests
    return {"bytes": total, "files": sorted(p.name for p in files)}


def check_explorable(folder: Path, work: Path) -> dict[str, Any]:
    """Every check above on one built lesson folder, in one headless chromium."""
    with pagekit.launch_chromium() as browser, pagekit.open_site(folder, browser) as site:
        facts = {
            "parity": check_parity(site),
            "heatmap": check_heatmap(site),
            "controls": check_controls(site),
            "try_it": check_try_it(site),
            "heatmap_click": check_heatmap_click(site),
            "toml": check_toml_download(site, work),
            "transcript": check_transcript(site),
            "quiz": check_quiz(site),
            "accessibility": check_accessibility(site),
            "layout": check_layout(site, work / "shots"),
            "weight": check_weight(site),
        }
        assert site.page_errors == [], site.page_errors
    (work / "explore-facts.json").write_text(json.dumps(facts, indent=1, default=str))
    return facts
