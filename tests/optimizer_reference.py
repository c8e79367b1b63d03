"""Independent references for momentum_math.optimizers, from PyTorch's documentation.

Plain Python: scalar floats, one coordinate at a time, ``math.sqrt``; nothing here
imports NumPy or momentum_math. Each function is the algorithm box of the
``torch.optim`` class it names (torch 2.x documentation, AMSGrad as corrected in
torch 2.6: the maximum of the raw second moment, bias-corrected after), run over a
gradient callback ``(x, y) -> (∂L/∂x, ∂L/∂y)``. Each returns the positions θ₀ … θₙ.
"""

from __future__ import annotations

import math
from collections.abc import Callable

Gradient = Callable[[float, float], tuple[float, float]]
Point = tuple[float, float]


def sgd(
    gradient: Gradient,
    start: Point,
    steps: int,
    lr: float,
    momentum: float = 0.0,
    dampening: float = 0.0,
    weight_decay: float = 0.0,
    nesterov: bool = False,
) -> list[Point]:
    """torch.optim.SGD.

    g ← g + λθ; b₁ = g, bₜ = μbₜ₋₁ + (1 − τ)g; nesterov: g ← g + μb, else g ← b;
    θ ← θ − γg.
    """
    theta = [float(start[0]), float(start[1])]
    buffer = [0.0, 0.0]
    positions = [(theta[0], theta[1])]
    for t in range(1, steps + 1):
        grads = gradient(theta[0], theta[1])
        for i in range(2):
            g = grads[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            if momentum != 0:
                if t > 1:
                    buffer[i] = momentum * buffer[i] + (1 - dampening) * g
                else:
                    buffer[i] = g
                g = g + momentum * buffer[i] if nesterov else buffer[i]
            theta[i] = theta[i] - lr * g
        positions.append((theta[0], theta[1]))
    return positions


def adagrad(
    gradient: Gradient,
    start: Point,
    steps: int,
    lr: float = 0.01,
    lr_decay: float = 0.0,
    weight_decay: float = 0.0,
    initial_accumulator_value: float = 0.0,
    eps: float = 1e-10,
) -> list[Point]:
    """torch.optim.Adagrad.

    γ̃ = γ / (1 + (t − 1)η); g ← g + λθ; s ← s + g²; θ ← θ − γ̃ g / (√s + ε).
    """
    theta = [float(start[0]), float(start[1])]
    state_sum = [initial_accumulator_value, initial_accumulator_value]
    positions = [(theta[0], theta[1])]
    for t in range(1, steps + 1):
        grads = gradient(theta[0], theta[1])
        clr = lr / (1 + (t - 1) * lr_decay)
        for i in range(2):
            g = grads[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            state_sum[i] = state_sum[i] + g * g
            theta[i] = theta[i] - clr * g / (math.sqrt(state_sum[i]) + eps)
        positions.append((theta[0], theta[1]))
    return positions


def rmsprop(
    gradient: Gradient,
    start: Point,
    steps: int,
    lr: float = 0.01,
    alpha: float = 0.99,
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    momentum: float = 0.0,
    centered: bool = False,
) -> list[Point]:
    """torch.optim.RMSprop.

    g ← g + λθ; v ← αv + (1 − α)g²; ṽ = v; centered: gₐ ← gₐα + (1 − α)g, ṽ ← ṽ − gₐ²;
    μ > 0: b ← μb + g / (√ṽ + ε), θ ← θ − γb; else θ ← θ − γ g / (√ṽ + ε).
    """
    theta = [float(start[0]), float(start[1])]
    square_avg = [0.0, 0.0]
    grad_avg = [0.0, 0.0]
    buffer = [0.0, 0.0]
    positions = [(theta[0], theta[1])]
    for _ in range(steps):
        grads = gradient(theta[0], theta[1])
        for i in range(2):
            g = grads[i]
            if weight_decay != 0:
                g = g + weight_decay * theta[i]
            square_avg[i] = alpha * square_avg[i] + (1 - alpha) * (g * g)
            v_tilde = square_avg[i]
            if centered:
                grad_avg[i] = grad_avg[i] * alpha + (1 - alpha) * g
                v_tilde = v_tilde - grad_avg[i] * grad_avg[i]
            if momentum > 0:
                buffer[i] = momentum * buffer[i] + g / (math.sqrt(v_tilde) + eps)
                theta[i] = theta[i] - lr * buffer[i]
            else:
                theta[i] = theta[i] - lr * g / (math.sqrt(v_tilde) + eps)
        positions.append((theta[0], theta[1]))
    return positions


def adam(
    gradient: Gradient,
    start: Point,
    steps: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.0,
    amsgrad: bool = False,
    decoupled: bool = False,
) -> list[Point]:
    """torch.optim.Adam, or with ``decoupled`` torch.optim.AdamW.

    AdamW: θ ← θ − γλθ first (and no λθ in g). Adam: g ← g + λθ.
    m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; m̂ = m / (1 − β₁ᵗ);
    amsgrad: vₘₐₓ ← max(vₘₐₓ, v), v̂ = vₘₐₓ / (1 − β₂ᵗ); else v̂ = v / (1 − β₂ᵗ);
    θ ← θ − γ m̂ / (√v̂ + ε).
    """
    beta1, beta2 = betas
    theta = [float(start[0]), float(start[1])]
    first = [0.0, 0.0]
    second = [0.0, 0.0]
    second_max = [0.0, 0.0]
    positions = [(theta[0], theta[1])]
    for t in range(1, steps + 1):
        grads = gradient(theta[0], theta[1])
        for i in range(2):
            g = grads[i]
            if decoupled:
                if weight_decay != 0:
                    theta[i] = theta[i] - lr * weight_decay * theta[i]
            elif weight_decay != 0:
                g = g + weight_decay * theta[i]
            first[i] = beta1 * first[i] + (1 - beta1) * g
            second[i] = beta2 * second[i] + (1 - beta2) * (g * g)
            m_hat = first[i] / (1 - beta1**t)
            if amsgrad:
                second_max[i] = max(second_max[i], second[i])
                v_hat = second_max[i] / (1 - beta2**t)
            else:
                v_hat = second[i] / (1 - beta2**t)
            theta[i] = theta[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        positions.append((theta[0], theta[1]))
    return positions


def adamw(
    gradient: Gradient,
    start: Point,
    steps: int,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
    eps: float = 1e-8,
    weight_decay: float = 0.01,
    amsgrad: bool = False,
) -> list[Point]:
    """torch.optim.AdamW: :func:`adam` with decoupled weight decay (default λ = 0.01)."""
    return adam(gradient, start, steps, lr, betas, eps, weight_decay, amsgrad, decoupled=True)
