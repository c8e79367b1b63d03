"""Benchmark: a 256 × 256 (α, β) sweep with ``simulate_batch`` against one-run-at-a-time loops.

The sweep runs 65,536 heavy-ball runs (pytorch convention, 1,000 steps each) on
the stretched bowl ½(0.1x² + 10y²), from the start point of the explainer
figure (``presets.stretched_bowl_race()``: (−4, 1.5)) and with its
convergence threshold (loss < 0.001). It asks only for a summary
(``record="summary"``): steps to converge, divergence and final losses.

The same runs are then done one at a time, two ways, in the same process:

1. the style of the source blog posts: a per-step Python loop over NumPy
   arrays of shape (2,) — ``v = beta * v + grad(theta)``, ``theta = theta - lr * v``;
2. a plain Python loop over floats.

Each loop computes the same summary (it runs every step, as the sweep does, to
get the final loss, and stops a run that leaves ±1e10 like the sweep). Both
use the sweep's arithmetic, so their results must match the sweep bit for
bit. They are timed on a random subsample of the grid (fixed seed) and the
time is extrapolated to all runs. The sweep is timed best of 3, and its peak
traced memory is measured with ``tracemalloc`` in a separate, untimed pass.

Run from the project root::

    python benchmarks/sweep_benchmark.py            # the full benchmark (about a minute)
    python benchmarks/sweep_benchmark.py --quick    # a small smoke run (a few seconds)

The exit status is 1 when a sampled run disagrees with the sweep or, in the
full benchmark, when a target is missed (sweep < 1 s, ≥ 200× the per-step
NumPy loop, ≥ 10× the float loop, peak < 1 GiB); otherwise 0.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from momentum_math import DIVERGENCE_BOUND, BatchResult, presets, simulate_batch
from momentum_math.surfaces import Surface

FloatArray = NDArray[np.float64]

MIB = 1024**2
TARGET_SWEEP_SECONDS = 1.0
TARGET_NUMPY_RATIO = 200.0
TARGET_FLOAT_RATIO = 10.0
TARGET_PEAK_BYTES = 1024**3

#: The (α, β) grid: α up past the bowl's stability edge (0.2 for plain GD,
#: 0.2(1 + β) with momentum), so the sweep includes diverging runs.
LR_RANGE = (0.001, 0.4)
BETA_RANGE = (0.0, 0.99)


@dataclass(frozen=True)
class Config:
    """Sizes of one benchmark run."""

    grid: int
    steps: int
    numpy_samples: int
    float_samples: int
    repeats: int
    seed: int
    quick: bool


class RunSummary(NamedTuple):
    """What each loop reports per run: the sweep's summary of that run."""

    steps_to_converge: int  # −1 when never below the threshold
    diverged_step: int  # −1 when it did not diverge
    final_loss: float
    final_x: float
    final_y: float


LoopFunction = Callable[[float, float], RunSummary]


# --- the sweep -------------------------------------------------------------------------


def grid_axes(size: int) -> tuple[FloatArray, FloatArray]:
    """The α and β axes of the sweep, ``size`` values each."""
    return np.linspace(*LR_RANGE, size), np.linspace(*BETA_RANGE, size)


def run_sweep(
    surface: Surface, start: tuple[float, float], threshold: float, config: Config
) -> BatchResult:
    """All grid runs at once (α along axis 0, β along axis 1), summary only."""
    lrs, betas = grid_axes(config.grid)
    return simulate_batch(
        surface,
        start,
        lr=lrs[:, None],
        beta=betas[None, :],
        steps=config.steps,
        convention="pytorch",
        threshold=threshold,
        record="summary",
    )


# --- one run at a time -----------------------------------------------------------------


def make_numpy_loop(
    surface: Surface, start: tuple[float, float], threshold: float, steps: int
) -> LoopFunction:
    """The blog posts' style: a Python loop per step over shape-(2,) NumPy arrays."""
    curvature = np.diag(surface.hessian).copy()  # the bowl is axis-aligned: ∇L = h ⊙ θ
    bound = DIVERGENCE_BOUND

    def grad(theta: FloatArray) -> FloatArray:
        return curvature * theta

    def loss_at(theta: FloatArray, gradient: FloatArray) -> float:
        return float(0.5 * np.sum(gradient * theta))  # ½ θᵀHθ = ½ θ·∇L

    def run(lr: float, beta: float) -> RunSummary:
        theta = np.array(start, dtype=np.float64)
        v = np.zeros(2)
        g = grad(theta)
        loss = loss_at(theta, g)
        converged = 0 if loss < threshold else -1
        for k in range(1, steps + 1):
            v = beta * v + g
            theta_next = theta - lr * v
            if not np.all(np.abs(theta_next) <= bound):
                return RunSummary(converged, k, loss, float(theta[0]), float(theta[1]))
            theta = theta_next
            g = grad(theta)
            loss = loss_at(theta, g)
            if converged < 0 and loss < threshold:
                converged = k
        return RunSummary(converged, -1, loss, float(theta[0]), float(theta[1]))

    return run


def make_float_loop(
    surface: Surface, start: tuple[float, float], threshold: float, steps: int
) -> LoopFunction:
    """A plain Python loop over floats, one coordinate at a time."""
    h_x, h_y = (float(value) for value in np.diag(surface.hessian))
    x0, y0 = float(start[0]), float(start[1])
    bound = DIVERGENCE_BOUND

    def run(lr: float, beta: float) -> RunSummary:
        x, y = x0, y0
        vx = vy = 0.0
        gx, gy = h_x * x, h_y * y
        loss = 0.5 * (gx * x + gy * y)
        converged = 0 if loss < threshold else -1
        for k in range(1, steps + 1):
            vx = beta * vx + gx
            vy = beta * vy + gy
            next_x = x - lr * vx
            next_y = y - lr * vy
            if not (abs(next_x) <= bound and abs(next_y) <= bound):
                return RunSummary(converged, k, loss, x, y)
            x, y = next_x, next_y
            gx, gy = h_x * x, h_y * y
            loss = 0.5 * (gx * x + gy * y)
            if converged < 0 and loss < threshold:
                converged = k
        return RunSummary(converged, -1, loss, x, y)

    return run


@dataclass(frozen=True)
class LoopTiming:
    """A loop timed on a subsample, extrapolated to the whole grid."""

    name: str
    samples: int
    seconds: float
    extrapolated: float
    agree: int
    disagreements: list[str]


def time_loop(
    name: str,
    loop: LoopFunction,
    sweep: BatchResult,
    indices: NDArray[np.intp],
    total_runs: int,
) -> LoopTiming:
    """Run ``loop`` on the flat grid ``indices``, time it, and check it against the sweep."""
    lrs = sweep.lr.reshape(-1)
    betas = sweep.beta.reshape(-1)
    arguments = [(float(lrs[i]), float(betas[i])) for i in indices]
    began = time.perf_counter()
    results = [loop(lr, beta) for lr, beta in arguments]
    seconds = time.perf_counter() - began

    assert sweep.steps_to_converge is not None
    converge = sweep.steps_to_converge.reshape(-1)
    diverged = sweep.diverged_step.reshape(-1)
    final_losses = sweep.final_losses.reshape(-1)
    final_positions = sweep.final_positions.reshape(-1, 2)
    agree = 0
    disagreements: list[str] = []
    for i, (lr, beta), result in zip(indices, arguments, results, strict=True):
        expected = RunSummary(
            int(converge[i]),
            int(diverged[i]),
            float(final_losses[i]),
            float(final_positions[i, 0]),
            float(final_positions[i, 1]),
        )
        if result == expected:
            agree += 1
        else:
            disagreements.append(f"α={lr!r}, β={beta!r}: loop {result} vs sweep {expected}")
    return LoopTiming(
        name=name,
        samples=len(indices),
        seconds=seconds,
        extrapolated=seconds / len(indices) * total_runs,
        agree=agree,
        disagreements=disagreements,
    )


# --- measuring the sweep ------------------------------------------------------------------


def best_time(function: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    """The best of ``repeats`` wall-clock times of ``function()``, and all of them."""
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return min(times), times


def traced_peak(function: Callable[[], object]) -> int:
    """Peak bytes traced by ``tracemalloc`` (NumPy's buffers included) while ``function()`` runs."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def max_rss_bytes() -> int:
    """The process's peak resident set size (ru_maxrss is KiB on Linux, bytes on macOS)."""
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss if sys.platform == "darwin" else rss * 1024


# --- reporting -----------------------------------------------------------------------------


def verdict(passed: bool, config: Config) -> str:
    if config.quick:
        return "n/a (--quick)"
    return "PASS" if passed else "FAIL"


def format_seconds(seconds: float) -> str:
    if seconds >= 100:
        return f"{seconds:,.0f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.0f} ms"


def print_table(rows: Sequence[tuple[str, str, str, str]]) -> None:
    headers = ("measure", "value", "target", "result")
    widths = [max(len(row[i]) for row in (headers, *rows)) for i in range(4)]
    line = "  ".join("-" * width for width in widths)
    print("  ".join(header.ljust(width) for header, width in zip(headers, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


def print_markdown(rows: Sequence[tuple[str, str, str, str]]) -> None:
    print("| measure | value | target | result |")
    print("| --- | ---: | ---: | :---: |")
    for row in rows:
        print("| " + " | ".join(cell or "—" for cell in row) + " |")


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(
        description="Time a (α, β) sweep with simulate_batch against per-run Python loops."
    )
    parser.add_argument("--quick", action="store_true", help="a small smoke run (32×32, 200 steps)")
    parser.add_argument("--grid", type=int, help="grid size per axis (default 256; quick 32)")
    parser.add_argument("--steps", type=int, help="steps per run (default 1000; quick 200)")
    parser.add_argument("--numpy-samples", type=int, help="runs timed with the NumPy loop (200)")
    parser.add_argument("--float-samples", type=int, help="runs timed with the float loop (1000)")
    parser.add_argument("--repeats", type=int, default=3, help="sweep timings, best taken (3)")
    parser.add_argument("--seed", type=int, default=20240607, help="seed of the subsample")
    args = parser.parse_args(argv)
    grid = args.grid or (32 if args.quick else 256)
    runs = grid * grid
    config = Config(
        grid=grid,
        steps=args.steps if args.steps is not None else (200 if args.quick else 1000),
        numpy_samples=min(runs, args.numpy_samples or (20 if args.quick else 200)),
        float_samples=min(runs, args.float_samples or (100 if args.quick else 1000)),
        repeats=max(1, args.repeats),
        seed=args.seed,
        quick=args.quick,
    )
    if config.grid < 1 or config.steps < 0 or min(config.numpy_samples, config.float_samples) < 1:
        parser.error("grid, samples must be >= 1 and steps >= 0")
    return config


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    race = presets.stretched_bowl_race()
    surface, start, threshold = race.surface, race.start, race.threshold
    assert threshold is not None
    total_runs = config.grid * config.grid
    lrs, betas = grid_axes(config.grid)

    print("Momentum sweep benchmark")
    print(
        f"  {surface.title}, start {start}, threshold {threshold:g}, pytorch convention, "
        f"{config.steps:,} steps"
    )
    print(
        f"  grid {config.grid} × {config.grid} = {total_runs:,} runs: "
        f"α in [{lrs[0]:g}, {lrs[-1]:g}], β in [{betas[0]:g}, {betas[-1]:g}]"
    )
    print(
        f"  Python {platform.python_version()}, NumPy {np.__version__}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs{'  [--quick]' if config.quick else ''}"
    )
    print()

    # 1. The sweep: best of N, then a separate pass under tracemalloc.
    sweep = run_sweep(surface, start, threshold, config)  # warm-up, and the results to check
    sweep_seconds, sweep_times = best_time(
        lambda: run_sweep(surface, start, threshold, config), config.repeats
    )
    peak_bytes = traced_peak(lambda: run_sweep(surface, start, threshold, config))
    assert sweep.steps_to_converge is not None
    print(
        "sweep times: "
        + ", ".join(format_seconds(seconds) for seconds in sweep_times)
        + f" (best {format_seconds(sweep_seconds)})"
    )
    print(
        f"sweep results: {int(sweep.converged.sum()):,} converged, "
        f"{int(sweep.diverged.sum()):,} diverged, "
        f"{int((~sweep.converged & ~sweep.diverged).sum()):,} neither, of {total_runs:,}"
    )

    # 2. The same runs one at a time, on a fixed random subsample.
    rng = np.random.default_rng(config.seed)
    numpy_indices = rng.choice(total_runs, size=config.numpy_samples, replace=False)
    float_indices = rng.choice(total_runs, size=config.float_samples, replace=False)
    numpy_loop = make_numpy_loop(surface, start, threshold, config.steps)
    float_loop = make_float_loop(surface, start, threshold, config.steps)
    timings = [
        time_loop("per-step NumPy loop", numpy_loop, sweep, numpy_indices, total_runs),
        time_loop("plain float loop", float_loop, sweep, float_indices, total_runs),
    ]
    for timing in timings:
        print(
            f"{timing.name}: {timing.samples:,} runs in {format_seconds(timing.seconds)} "
            f"({timing.seconds / timing.samples * 1e3:.2f} ms/run); results equal to the sweep "
            f"(steps to converge, divergence, final loss and position, bit for bit): "
            f"{timing.agree}/{timing.samples}"
        )
        for line in timing.disagreements[:10]:
            print(f"    differs: {line}")
    rss_bytes = max_rss_bytes()
    print()

    numpy_timing, float_timing = timings
    numpy_ratio = numpy_timing.extrapolated / sweep_seconds
    float_ratio = float_timing.extrapolated / sweep_seconds
    checks = {
        "sweep": sweep_seconds < TARGET_SWEEP_SECONDS,
        "numpy": numpy_ratio >= TARGET_NUMPY_RATIO,
        "float": float_ratio >= TARGET_FLOAT_RATIO,
        "memory": peak_bytes < TARGET_PEAK_BYTES,
    }
    all_agree = all(not timing.disagreements for timing in timings)
    rows = [
        (
            f"sweep, {total_runs:,} runs × {config.steps:,} steps (best of {config.repeats})",
            format_seconds(sweep_seconds),
            "< 1 s",
            verdict(checks["sweep"], config),
        ),
        (
            f"per-step NumPy loop, extrapolated from {numpy_timing.samples:,} runs",
            format_seconds(numpy_timing.extrapolated),
            "",
            "",
        ),
        (
            f"plain float loop, extrapolated from {float_timing.samples:,} runs",
            format_seconds(float_timing.extrapolated),
            "",
            "",
        ),
        (
            "speed-up: NumPy loop / sweep",
            f"{numpy_ratio:,.0f}×",
            "≥ 200×",
            verdict(checks["numpy"], config),
        ),
        (
            "speed-up: float loop / sweep",
            f"{float_ratio:,.0f}×",
            "≥ 10×",
            verdict(checks["float"], config),
        ),
        (
            "sweep peak traced memory (tracemalloc)",
            f"{peak_bytes / MIB:.1f} MiB",
            "< 1 GiB",
            verdict(checks["memory"], config),
        ),
        ("process max RSS (ru_maxrss)", f"{rss_bytes / MIB:.1f} MiB", "", ""),
        (
            "sampled runs equal to the sweep",
            f"{sum(t.agree for t in timings):,}/{sum(t.samples for t in timings):,}",
            "all",
            "PASS" if all_agree else "FAIL",
        ),
    ]
    print_table(rows)
    print()
    print("Markdown (for the README):")
    print()
    print_markdown(rows)

    failed = not all_agree or (not config.quick and not all(checks.values()))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
