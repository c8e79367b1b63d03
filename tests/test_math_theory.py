"""Closed-form theory on quadratics against simulated runs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from momentum_math import presets, simulate, simulate_batch, surfaces, theory

BOWL = surfaces.stretched_bowl()
BEST = theory.optimal_momentum(0.1, 10.0)

# surface, start, lr, beta, convention, nesterov
RATE_CASES = [
    (BOWL, (-4.0, 1.5), 0.1, 0.5, "pytorch", False),
    (surfaces.ravine(), (-2.4, 0.2), 0.05, 0.9, "pytorch", False),
    (surfaces.quadratic([0.5, 3.0], angle=0.7), (2.0, -1.0), 0.2, 0.6, "lesson", False),
    (surfaces.quadratic([1.0, 20.0], angle=-0.4), (1.0, 1.0), 0.05, 0.8, "ema", False),
    (surfaces.quadratic([0.2, 5.0], angle=1.1), (3.0, 0.5), 0.3, 0.3, "classical", False),
    (BOWL, (-4.0, 1.5), 0.12, 0.6, "pytorch", True),
    (surfaces.quadratic([0.3, 4.0], angle=0.25), (-1.0, 2.0), 0.2, 0.5, "lesson", True),
    (BOWL, (-4.0, 1.5), BEST.lr, BEST.beta, "pytorch", False),
    (BOWL, (-4.0, 1.5), BEST.gd_lr, 0.0, "pytorch", False),
]
RATE_IDS = [f"case{i}" for i in range(len(RATE_CASES))]


def _observed_rate(distances, first, last, window):
    """Per-step contraction from the envelope (max over a window) at two times."""
    early = distances[first : first + window].max()
    late = distances[last : last + window].max()
    return (late / early) ** (1.0 / (last - first))


@pytest.mark.parametrize("surface, start, lr, beta, convention, nesterov", RATE_CASES, ids=RATE_IDS)
def test_spectral_radius_matches_observed_contraction(
    surface, start, lr, beta, convention, nesterov
):
    rho = float(theory.contraction_rate(surface, lr, beta, convention, nesterov))
    assert 0.3 < rho < 1.0
    # enough steps to see the slow direction, few enough to stay clear of underflow
    last = int(min(2000, np.log(1e-100) / np.log(rho)))
    first = last // 2
    window = 40
    run = simulate(
        surface,
        start,
        lr=lr,
        beta=beta,
        steps=last + window,
        convention=convention,
        nesterov=nesterov,
    )
    distances = np.abs(run.positions).max(axis=-1)  # the norm's squares would underflow
    observed = _observed_rate(distances, first, last, window)
    assert observed == pytest.approx(rho, abs=3e-3)


def test_spectral_radius_per_eigenvalue_and_divergence():
    # GD on one direction: ρ = |1 − αλ|
    assert float(theory.spectral_radius(10.0, lr=0.05)) == pytest.approx(0.5)
    assert float(theory.spectral_radius(10.0, lr=0.25)) == pytest.approx(1.5)
    # complex roots: ρ = √β
    assert float(theory.spectral_radius(1.0, lr=0.5, beta=0.81)) == pytest.approx(0.9)
    # a ρ > 1 configuration really diverges, a ρ < 1 one really converges
    surface = surfaces.ravine()
    assert float(theory.contraction_rate(surface, 0.2)) > 1
    assert simulate(surface, [1.0, 1.0], lr=0.2, steps=200).diverged
    assert float(theory.contraction_rate(surface, 0.1)) < 1
    assert not simulate(surface, [1.0, 1.0], lr=0.1, steps=200).diverged


def test_spectral_radius_broadcasts():
    rho = theory.spectral_radius(
        np.array([0.1, 10.0])[:, None], lr=0.1, beta=np.array([0.0, 0.5, 0.9])
    )
    assert rho.shape == (2, 3)
    for i, eigen in enumerate([0.1, 10.0]):
        for j, beta in enumerate([0.0, 0.5, 0.9]):
            assert rho[i, j] == float(theory.spectral_radius(eigen, 0.1, beta))


LOSS_CASES = RATE_CASES + [
    (BOWL, (-4.0, 1.5), 0.18, 0.9, "ema", False),
    (BOWL, (-4.0, 1.5), 0.18, 0.99, "ema", False),
    (surfaces.ravine(), (-2.4, 0.2), 0.1, 0.8, "pytorch", False),
]


@pytest.mark.parametrize("surface, start, lr, beta, convention, nesterov", LOSS_CASES)
def test_predicted_losses_match_simulation(surface, start, lr, beta, convention, nesterov):
    steps = 300
    run = simulate(
        surface, start, lr=lr, beta=beta, steps=steps, convention=convention, nesterov=nesterov
    )
    predicted = theory.predicted_losses(surface, start, lr, beta, steps, convention, nesterov)
    assert predicted.shape == (steps + 1,)
    np.testing.assert_allclose(predicted, run.losses, rtol=1e-8, atol=1e-300)


def test_predicted_losses_of_a_diverging_run_grow_without_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        predicted = theory.predicted_losses(BOWL, (-4.0, 1.5), 0.25, 0.0, 2000)
    assert np.all(np.diff(predicted[:100]) > 0)
    run = simulate(BOWL, (-4.0, 1.5), lr=0.25, steps=2000)
    assert run.diverged
    np.testing.assert_allclose(predicted[: run.num_steps + 1], run.losses, rtol=1e-8)


def test_direction_response_is_the_one_dimensional_run():
    # along one eigen-direction the run is θₖ = θ₀ · response[k]
    surface = surfaces.stretched_bowl()
    for beta in (0.0, 0.5, 0.9):
        run = simulate(surface, [1.0, 0.0], lr=0.15, beta=beta, steps=100)
        response = theory.direction_response(0.1, 0.15, beta, 100)
        np.testing.assert_allclose(response, run.positions[:, 0], rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("beta, expected", [(0.0, 185), (0.9, 159), (0.99, None)])
def test_predicted_steps_to_converge_published(beta, expected):
    race = presets.stretched_bowl_race()
    predicted = theory.predicted_steps_to_converge(
        race.surface, race.start, race.lr, beta, 1e-3, max_steps=300, convention="ema"
    )
    assert predicted == expected
    assert race.run(beta).steps_to_converge(1e-3) == expected


@pytest.mark.parametrize("surface, start, lr, beta, convention, nesterov", RATE_CASES, ids=RATE_IDS)
def test_predicted_steps_equal_simulated_steps(surface, start, lr, beta, convention, nesterov):
    threshold = 1e-4
    predicted = theory.predicted_steps_to_converge(
        surface, start, lr, beta, threshold, 5000, convention, nesterov
    )
    batch = simulate_batch(
        surface,
        start,
        lr,
        beta,
        steps=5000,
        convention=convention,
        nesterov=nesterov,
        threshold=threshold,
    )
    simulated = int(batch.steps_to_converge)
    assert predicted is not None
    assert predicted == simulated


def test_optimal_momentum_beats_its_neighbours():
    bowl_rate = float(theory.contraction_rate(BOWL, BEST.lr, BEST.beta))
    assert bowl_rate == pytest.approx(BEST.rate, rel=1e-6)
    assert bowl_rate < BEST.gd_rate
    for lr_factor, beta_shift in itertools.product(
        (0.9, 0.97, 1.0, 1.03, 1.1), (-0.05, -0.01, 0.0, 0.01, 0.05)
    ):
        if lr_factor == 1.0 and beta_shift == 0.0:
            continue
        rate = float(theory.contraction_rate(BOWL, BEST.lr * lr_factor, BEST.beta + beta_shift))
        assert rate > bowl_rate - 1e-9, (lr_factor, beta_shift)
    # and the plain-GD optimum beats nearby plain-GD step sizes
    for factor in (0.9, 0.99, 1.01, 1.1):
        assert float(theory.contraction_rate(BOWL, BEST.gd_lr * factor)) > BEST.gd_rate - 1e-12


def test_optimal_momentum_runs_faster_than_best_gd():
    gd = simulate(BOWL, [-4.0, 1.5], lr=BEST.gd_lr, steps=2000)
    heavy = simulate(BOWL, [-4.0, 1.5], lr=BEST.lr, beta=BEST.beta, steps=2000)
    assert heavy.steps_to_converge(1e-8) < gd.steps_to_converge(1e-8)


def test_asymptotic_steps_rule_of_thumb():
    assert theory.asymptotic_steps(0.5, 1.0, 0.25) == pytest.approx(1.0)
    assert theory.asymptotic_steps(1.0, 1.0, 0.5) == float("inf")
    assert theory.asymptotic_steps(0.9, 1.0, 2.0) == 0.0
    # it tracks the real count within a few steps on an overdamped bowl
    rate = float(theory.contraction_rate(BOWL, 0.1, 0.0))
    run = simulate(BOWL, [-4.0, 0.0], lr=0.1, steps=2000)
    estimate = theory.asymptotic_steps(rate, run.losses[0], 1e-3)
    assert abs(estimate - run.steps_to_converge(1e-3)) <= 1.0


def test_effective_step_conventions():
    assert float(theory.effective_step(0.01, 0.9, "pytorch")) == pytest.approx(0.1)
    assert float(theory.effective_step(0.01, 0.9, "ema")) == pytest.approx(0.01)
    np.testing.assert_allclose(
        theory.effective_step(0.1, np.array([0.0, 0.5, 0.9])), [0.1, 0.2, 1.0]
    )


# --- ρ at the edges of stability: flat and nearly flat directions, z = -1 ----------

EDGE_BETAS = [0.0, 1e-10, 0.1, 0.5, 0.9, 0.99, 0.999999, float(np.nextafter(1.0, 0.0))]
EDGE_METHODS = [
    (convention, nesterov)
    for convention in ("pytorch", "lesson", "classical", "ema")
    for nesterov in (False, True)
]


def _exact_radius(eigenvalue: float, lr: float, beta: float, convention: str, nesterov: bool):
    """ρ from the exact binary values of the arguments, in 80-digit decimal arithmetic."""
    from decimal import Decimal, localcontext

    with localcontext() as context:
        context.prec = 80
        lam, alpha, b = Decimal(eigenvalue), Decimal(lr), Decimal(beta)
        step = alpha * (1 - b) if convention == "ema" else alpha
        a = step * lam
        trace, determinant = ((1 + b) * (1 - a), b * (1 - a)) if nesterov else (1 + b - a, b)
        discriminant = trace * trace - 4 * determinant
        if discriminant < 0:
            return determinant.sqrt()
        root = discriminant.sqrt()
        return max(abs(trace + root), abs(trace - root)) / 2


@pytest.mark.parametrize("convention, nesterov", EDGE_METHODS)
def test_a_flat_direction_neither_contracts_nor_grows(convention, nesterov):
    """λ = 0: the roots are exactly 1 and β, so ρ is exactly 1 (it was 1 ± a few ulps)."""
    for beta in EDGE_BETAS:
        for lr in (1e-3, 0.1, 0.5, 1.0, 7.0):
            rho = theory.spectral_radius(0.0, lr, beta, convention, nesterov)
            assert float(rho) == 1.0, (beta, lr, float(rho))
            # the loss along it never falls: no finite step count
            assert theory.asymptotic_steps(float(rho), 1.0, 1e-3) == float("inf")
            response = theory.direction_response(0.0, lr, beta, 1000, convention, nesterov)
            assert np.all(response == 1.0), (beta, lr, response[response != 1.0][:3])
        # in a broadcast array too, beside directions that do contract
        rho = theory.spectral_radius(np.array([0.0, 1.0, 0.0]), 0.1, beta, convention, nesterov)
        assert rho[0] == rho[2] == 1.0 and rho[1] < 1.0, (beta, rho)


@pytest.mark.parametrize("convention, nesterov", EDGE_METHODS)
def test_nearly_flat_directions_contract_at_their_true_rate(convention, nesterov):
    """A tiny eigenvalue's ρ is within 2 ulps of the exact one, and never above 1."""
    ulp = float(np.spacing(1.0))
    for beta in EDGE_BETAS:
        for eigenvalue in (5e-324, 1e-300, 1e-20, 1e-15, 1e-13, 1e-10, 1e-7, 1e-4):
            for lr in (1e-3, 0.1, 1.0):
                rho = float(theory.spectral_radius(eigenvalue, lr, beta, convention, nesterov))
                exact = float(_exact_radius(eigenvalue, lr, beta, convention, nesterov))
                case = (beta, eigenvalue, lr, rho, exact)
                assert rho <= 1.0, case
                assert abs(rho - exact) <= 2 * ulp, case


def test_the_edges_of_stability_are_exact():
    """ρ = 1 exactly where a root is exactly ±1 for the float coefficients.

    β = 0: ρ = |1 − αλ| (1 at αλ = 0 and 2, 0 at αλ = 1); the root −1 at
    αλ = 2(1 + β) on heavy ball and 2(1 + β)/(1 + 2β) on Nesterov.
    """
    ulp = float(np.spacing(1.0))
    for convention, nesterov in EDGE_METHODS:
        for product in (0.0, 1e-300, 1e-17, 1e-12, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5):
            rho = float(theory.spectral_radius(product, 1.0, 0.0, convention, nesterov))
            assert abs(rho - abs(1.0 - product)) <= 2 * ulp * max(1.0, product), (product, rho)
            if product in (0.0, 1.0, 2.0):
                assert rho == abs(1.0 - product), (convention, nesterov, product, rho)
    for beta in (0.25, 0.5, 0.75):
        assert float(theory.spectral_radius(2.0 * (1.0 + beta), 1.0, beta)) == 1.0, beta
        edge = 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta)
        assert edge * (1.0 + 2.0 * beta) == 2.0 * (1.0 + beta)  # the float edge is exact
        assert float(theory.spectral_radius(edge, 1.0, beta, nesterov=True)) == 1.0, beta


def test_rho_is_accurate_across_a_grid():
    """Against exact arithmetic: 4 ulps of ρ (or of 1), and on the right side of 1."""
    rng = np.random.default_rng(20)
    for _ in range(400):
        eigenvalue = float(10 ** rng.uniform(-16, 3))
        lr = float(10 ** rng.uniform(-4, 0.5))
        beta = float(1.0 - 10 ** rng.uniform(-8, 0))
        convention, nesterov = EDGE_METHODS[int(rng.integers(len(EDGE_METHODS)))]
        rho = float(theory.spectral_radius(eigenvalue, lr, beta, convention, nesterov))
        exact = float(_exact_radius(eigenvalue, lr, beta, convention, nesterov))
        case = (eigenvalue, lr, beta, convention, nesterov, rho, exact)
        assert abs(rho - exact) <= 4 * float(np.spacing(max(1.0, rho))), case
        if exact < 1.0:
            assert rho < 1.0, case
