"""momentum_math: gradient descent with momentum in pure NumPy.

Surfaces, the four update conventions, single and batched runs, closed-form
theory on quadratics, and the published experiments as presets. Imports
NumPy only; the lesson's Manim scenes draw what this package computes.
"""

from momentum_math import presets, rules, surfaces, theory
from momentum_math.rules import CONVENTIONS, UpdateRule
from momentum_math.simulation import (
    DIVERGENCE_BOUND,
    BatchResult,
    Trajectory,
    simulate,
    simulate_batch,
)
from momentum_math.surfaces import Surface
from momentum_math.worked_example import WorkedExample, worked_example

__all__ = [
    "CONVENTIONS",
    "DIVERGENCE_BOUND",
    "BatchResult",
    "Surface",
    "Trajectory",
    "UpdateRule",
    "WorkedExample",
    "presets",
    "rules",
    "simulate",
    "simulate_batch",
    "surfaces",
    "theory",
    "worked_example",
]

__version__ = "0.1.0"
