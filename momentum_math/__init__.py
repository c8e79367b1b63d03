"""momentum_math: gradient descent with momentum in pure NumPy.

Surfaces (built in, or from a formula such as ``"x**2 + 9*y**2"``), the four
update conventions, single and batched runs, torch.optim's AdaGrad, RMSprop,
Adam and AdamW (:mod:`momentum_math.optimizers`), closed-form theory on
quadratics, and the published experiments as presets. Imports NumPy only; SymPy is loaded
when a formula surface is built. The lesson's Manim scenes draw what this
package computes.

Every public function refuses bad input with a ValueError or TypeError that
names the parameter, the value and what is allowed, and otherwise returns
finite numbers without NumPy warnings (``tests/test_math_fuzz.py`` checks this
across the whole float range). The documented exceptions: ``inf`` from
``theory.asymptotic_steps`` when the rate is >= 1, and ±inf (never NaN) where
a diverging closed-form prediction passes the float range. Batches are sized
against a memory budget before anything is allocated:
``momentum_math.simulation.MAX_BATCH_BYTES`` (2 GiB), overridden per call by
``max_bytes=`` or per process by the environment variable
``MOMENTUM_MATH_MAX_BATCH_BYTES``.
"""

from momentum_math import formula, optimizers, presets, rules, surfaces, theory
from momentum_math.formula import FormulaError, formula_surface
from momentum_math.optimizers import OPTIMIZERS, Optimizer, optimize, optimize_batch, optimizer
from momentum_math.rules import CONVENTIONS, UpdateRule
from momentum_math.simulation import (
    DIVERGENCE_BOUND,
    MAX_BATCH_BYTES,
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
    "MAX_BATCH_BYTES",
    "OPTIMIZERS",
    "BatchResult",
    "FormulaError",
    "Optimizer",
    "Surface",
    "Trajectory",
    "UpdateRule",
    "WorkedExample",
    "formula",
    "formula_surface",
    "optimize",
    "optimize_batch",
    "optimizer",
    "optimizers",
    "presets",
    "rules",
    "simulate",
    "simulate_batch",
    "surfaces",
    "theory",
    "worked_example",
]

__version__ = "0.1.0"
