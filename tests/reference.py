"""Independent reference implementations for cross-checking momentum_math.

Plain Python floats, one loop per convention, written straight from the
lesson brief's table; nothing here imports momentum_math.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Gradient = Callable[[float, float], tuple[float, float]]
Loss = Callable[[float, float], float]

# --- surfaces, straight from the brief's table --------------------------------

LOSSES: dict[str, Loss] = {
    "ravine": lambda x, y: x * x / 16.0 + 9.0 * y * y,
    "stretched_bowl": lambda x, y: 0.5 * (0.1 * x * x + 10.0 * y * y),
    "paraboloid": lambda x, y: x * x + y * y,
    "qfsp": lambda x, y: x * x + y * y + 10.0 * math.sin(x) * math.sin(y),
}

GRADIENTS: dict[str, Gradient] = {
    "ravine": lambda x, y: (x / 8.0, 18.0 * y),
    "stretched_bowl": lambda x, y: (0.1 * x, 10.0 * y),
    "paraboloid": lambda x, y: (2.0 * x, 2.0 * y),
    "qfsp": lambda x, y: (
        2.0 * x + 10.0 * math.cos(x) * math.sin(y),
        2.0 * y + 10.0 * math.sin(x) * math.cos(y),
    ),
}


def quadratic_gradient(hessian: list[list[float]]) -> Gradient:
    """∇(½ θᵀHθ) = Hθ for a symmetric 2×2 H given as nested lists."""
    (a, b), (c, d) = hessian
    return lambda x, y: (a * x + b * y, c * x + d * y)


# --- the four update conventions ----------------------------------------------


def run(
    gradient: Gradient,
    start: tuple[float, float],
    lr: float,
    beta: float,
    steps: int,
    convention: str,
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """Positions θ₀..θₙ and velocities v₀..vₙ of one run, per the brief's table."""
    x, y = float(start[0]), float(start[1])
    vx = vy = 0.0
    positions = [(x, y)]
    velocities = [(vx, vy)]
    for _ in range(steps):
        gx, gy = gradient(x, y)
        if convention == "pytorch":  # v ← βv + ∇L ; θ ← θ − αv
            vx, vy = beta * vx + gx, beta * vy + gy
            x, y = x - lr * vx, y - lr * vy
        elif convention == "lesson":  # v ← βv + α∇L ; θ ← θ − v
            vx, vy = beta * vx + lr * gx, beta * vy + lr * gy
            x, y = x - vx, y - vy
        elif convention == "ema":  # v ← βv + (1−β)∇L ; θ ← θ − αv
            vx, vy = beta * vx + (1.0 - beta) * gx, beta * vy + (1.0 - beta) * gy
            x, y = x - lr * vx, y - lr * vy
        elif convention == "classical":  # v ← μv − α∇f ; x ← x + v
            vx, vy = beta * vx - lr * gx, beta * vy - lr * gy
            x, y = x + vx, y + vy
        else:
            raise ValueError(convention)
        positions.append((x, y))
        velocities.append((vx, vy))
    return positions, velocities


def run_nesterov_pytorch(
    gradient: Gradient, start: tuple[float, float], lr: float, beta: float, steps: int
) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """PyTorch's SGD(nesterov=True): buf ← β·buf + g; θ ← θ − α·(g + β·buf)."""
    x, y = float(start[0]), float(start[1])
    bx = by = 0.0
    positions = [(x, y)]
    buffers = [(bx, by)]
    for _ in range(steps):
        gx, gy = gradient(x, y)
        bx, by = beta * bx + gx, beta * by + gy
        x, y = x - lr * (gx + beta * bx), y - lr * (gy + beta * by)
        positions.append((x, y))
        buffers.append((bx, by))
    return positions, buffers


def plain_gradient_descent(
    gradient: Gradient, start: tuple[float, float], lr: float, steps: int
) -> list[tuple[float, float]]:
    """θ ← θ − α∇L, the update the learner already knows."""
    x, y = float(start[0]), float(start[1])
    positions = [(x, y)]
    for _ in range(steps):
        gx, gy = gradient(x, y)
        x, y = x - lr * gx, y - lr * gy
        positions.append((x, y))
    return positions


def steps_to_converge(loss: Loss, positions: list[tuple[float, float]], threshold: float):
    """First k with loss(θₖ) < threshold, or None."""
    for k, (x, y) in enumerate(positions):
        if loss(x, y) < threshold:
            return k
    return None
