r"""The optimizers practitioners compare, as ``torch.optim`` defines them (torch 2.x).

======== ========================= ==================================================
name     torch.optim               update, with g = ∇L(θₜ₋₁) (+ λθₜ₋₁: weight decay)
======== ========================= ==================================================
gd       ``SGD(lr)``               θ ← θ − γg
momentum ``SGD(lr, momentum=β)``   b ← βb + g, θ ← θ − γb (nesterov: θ ← θ − γ(g + βb))
adagrad  ``Adagrad()``             s ← s + g², θ ← θ − γ̃g / (√s + ε)
rmsprop  ``RMSprop()``             v ← αv + (1 − α)g², θ ← θ − γg / (√ṽ + ε)
adam     ``Adam()``                θ ← θ − γm̂ / (√v̂ + ε)
adamw    ``AdamW()``               θ ← θ − γλθ, then Adam's step (no λθ in g)
======== ========================= ==================================================

Each adaptive update is written from the algorithm box of PyTorch's documentation,
term by term in the box's order, one coordinate array at a time:

* **Adagrad**: γ̃ = γ / (1 + (t − 1)·lr_decay); s₀ = initial_accumulator_value.
* **RMSprop**: ṽ = v, or with ``centered`` gₐᵥₑ ← αgₐᵥₑ + (1 − α)g and
  ṽ = v − gₐᵥₑ²; with ``momentum`` μ > 0, b ← μb + g / (√ṽ + ε) and θ ← θ − γb.
* **Adam/AdamW**: m ← β₁m + (1 − β₁)g, v ← β₂v + (1 − β₂)g², m̂ = m / (1 − β₁ᵗ);
  v̂ = v / (1 − β₂ᵗ), or with ``amsgrad`` vₘₐₓ ← max(vₘₐₓ, v) and v̂ = vₘₐₓ / (1 − β₂ᵗ).
  The maximum is of the raw second moment, before the bias correction, as torch
  computes it (its documentation put the maximum after the correction until
  pytorch/pytorch#142323 was fixed in December 2024; the two differ whenever v
  shrinks).

Rounding: torch's kernels fold some of these terms differently (``lerp`` for m,
√v / √(1 − β₂ᵗ) for √v̂, θ·(1 − γλ) for AdamW's decay): the same in exact arithmetic,
different in the last bits. A centered RMSprop whose ṽ rounds below 0 gets a NaN
step, as torch would; here that counts as divergence.

``gd`` and ``momentum`` run on :func:`~momentum_math.simulation.simulate`'s
heavy-ball kernel, so they take its ``convention`` too. That kernel has neither
weight decay nor dampening (torch's dampening skips the first step, which the
kernel does not model), so both must stay 0 there: they are refused otherwise.

Runs follow :mod:`momentum_math.simulation`'s rules: one kernel loops over steps,
never over runs (:func:`optimize` is :func:`optimize_batch` with a batch of one, bit
for bit); a run diverges where a coordinate leaves ±bound or is not finite, or where
L or ∇L is not finite, and stops at its last good position; no inf or NaN is stored
and no NumPy warning escapes; every batch is sized against the memory budget before
anything is allocated.

>>> from momentum_math import surfaces
>>> from momentum_math.optimizers import optimize, optimizer
>>> adam = optimizer("adam", lr=0.1)
>>> adam.hyperparameters
{'lr': 0.1, 'betas': [0.9, 0.999], 'eps': 1e-08, 'weight_decay': 0.0, 'amsgrad': False}
>>> run = optimize(surfaces.paraboloid(), [1.0, 2.0], adam, steps=1)
>>> run.positions[1].tolist()  # the first step is -lr * sign(g), up to eps
[0.9000000005, 1.90000000025]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from momentum_math import _validate
from momentum_math import simulation as _simulation
from momentum_math._budget import check_budget, max_batch_bytes
from momentum_math.rules import CONVENTIONS
from momentum_math.simulation import (
    DIVERGENCE_BOUND,
    PATH_BYTES_PER_STEP,
    RESULT_BYTES_PER_RUN,
    BatchResult,
    Record,
    Trajectory,
    simulate,
    simulate_batch,
)
from momentum_math.surfaces import Surface

__all__ = [
    "ADAPTIVE_KERNEL_BYTES_PER_RUN",
    "ADAPTIVE_SINGLE_RUN_BYTES_PER_STEP",
    "OPTIMIZERS",
    "Optimizer",
    "optimize",
    "optimize_batch",
    "optimize_batch_bytes",
    "optimizer",
]

FloatArray = NDArray[np.float64]

#: The optimizers :func:`optimizer` builds.
OPTIMIZERS: tuple[str, ...] = ("gd", "momentum", "adagrad", "rmsprop", "adam", "adamw")

#: The two that run on the heavy-ball kernel of :mod:`momentum_math.simulation`.
_HEAVY_BALL = ("gd", "momentum")

#: Each optimizer's hyper-parameters besides ``lr``, in the order they are listed.
_HYPERPARAMETERS: dict[str, tuple[str, ...]] = {
    "gd": ("weight_decay",),
    "momentum": ("beta", "dampening", "nesterov", "weight_decay", "convention"),
    "adagrad": ("lr_decay", "weight_decay", "initial_accumulator_value", "eps"),
    "rmsprop": ("alpha", "eps", "weight_decay", "momentum", "centered"),
    "adam": ("betas", "eps", "weight_decay", "amsgrad"),
    "adamw": ("betas", "eps", "weight_decay", "amsgrad"),
}

#: torch.optim's defaults (torch 2.x); ``momentum``'s β has none: it must be given.
_DEFAULTS: dict[str, dict[str, Any]] = {
    "gd": {"weight_decay": 0.0},
    "momentum": {"dampening": 0.0, "nesterov": False, "weight_decay": 0.0, "convention": "pytorch"},
    "adagrad": {
        "lr_decay": 0.0,
        "weight_decay": 0.0,
        "initial_accumulator_value": 0.0,
        "eps": 1e-10,
    },
    "rmsprop": {
        "alpha": 0.99,
        "eps": 1e-8,
        "weight_decay": 0.0,
        "momentum": 0.0,
        "centered": False,
    },
    "adam": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.0, "amsgrad": False},
    "adamw": {"betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01, "amsgrad": False},
}

#: torch.optim's default learning rates. SGD (gd, momentum) gets none here: older
#: torch required it, and recent torch's default of 1e-3 is a placeholder that fits
#: no problem in particular (on these surfaces it is far too small or diverges).
_DEFAULT_LR: dict[str, float] = {"adagrad": 0.01, "rmsprop": 0.01, "adam": 1e-3, "adamw": 1e-3}

#: Bytes of the adaptive kernel's working arrays per run in flight: positions and
#: their next values (4 float64 arrays), the step size and AdamW's γλ (2), the
#: optimizer's state (at most 3 per coordinate: 6), scratch (3), the steps taken
#: (2), the surface's buffers, the divergence and arrival records, masks, and the
#: temporaries of the surface's evaluation: at most 291 where measured with
#: tracemalloc (Ackley, AdamW with amsgrad and a threshold), 40 more on a step
#: where runs diverge.
ADAPTIVE_KERNEL_BYTES_PER_RUN = 384

#: Peak bytes per step of :func:`optimize` for an adaptive optimizer: the kernel's
#: path (:data:`~momentum_math.simulation.PATH_BYTES_PER_STEP`) and the trajectory's
#: own copies of it.
ADAPTIVE_SINGLE_RUN_BYTES_PER_STEP = 2 * PATH_BYTES_PER_STEP


# --- the optimizer and its checks -------------------------------------------------


def _real(value: Any, name: str) -> float:
    """``value`` as one float, or a TypeError/ValueError naming ``name``."""
    array = _validate.real_array(name, value)
    if array.shape != ():
        raise ValueError(f"{name} must be a single real number, got {value!r}")
    return float(array)


def _unit_interval(value: Any, name: str) -> float:
    number = _real(value, name)
    if not 0.0 <= number < 1.0:
        raise ValueError(f"{name} must be in [0, 1), got {value!r}")
    return number


def _non_negative(value: Any, name: str) -> float:
    number = _real(value, name)
    if not (math.isfinite(number) and number >= 0.0):
        raise ValueError(f"{name} must be finite and >= 0, got {value!r}")
    return number


def _positive(value: Any, name: str) -> float:
    number = _real(value, name)
    if not (math.isfinite(number) and number > 0.0):
        raise ValueError(f"{name} must be finite and > 0, got {value!r}")
    return number


def _betas(value: Any) -> tuple[float, float]:
    if isinstance(value, (str, bytes)):
        raise TypeError(f"betas must be a pair of real numbers (beta1, beta2), got {value!r}")
    array = _validate.real_array("betas", value)
    if array.shape != (2,):
        raise ValueError(
            f"betas must be a pair (beta1, beta2), each in [0, 1), got {value!r} "
            f"(shape {array.shape})"
        )
    first, second = float(array[0]), float(array[1])
    if not (0.0 <= first < 1.0 and 0.0 <= second < 1.0):
        raise ValueError(f"betas must be a pair (beta1, beta2), each in [0, 1), got {value!r}")
    return first, second


def _zero_on_heavy_ball(value: Any, name: str, optimizer_name: str) -> float:
    number = _non_negative(value, name)
    if number != 0.0:
        why = (
            "torch's dampening leaves the first step undamped, which the heavy-ball kernel "
            "does not model"
            if name == "dampening"
            else "the heavy-ball kernel has no weight decay; adagrad, rmsprop, adam and "
            "adamw take it"
        )
        raise ValueError(f"{name} must be 0 for {optimizer_name!r} ({why}), got {value!r}")
    return number


def _check_hyperparameters(name: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """``name``'s hyper-parameters (all of them, lr aside), checked and normalised."""
    checked: dict[str, Any] = {}
    for key in _HYPERPARAMETERS[name]:
        value = values[key]
        if key in ("nesterov", "centered", "amsgrad"):
            checked[key] = _validate.flag(value, key)
        elif key == "convention":
            checked[key] = _validate.choice(value, key, CONVENTIONS)
        elif key == "betas":
            checked[key] = _betas(value)
        elif key in ("beta", "alpha", "momentum"):
            checked[key] = _unit_interval(value, key)
        elif key == "eps":
            checked[key] = _positive(value, key)
        elif key in ("dampening", "weight_decay") and name in _HEAVY_BALL:
            checked[key] = _zero_on_heavy_ball(value, key, name)
        else:  # weight_decay, lr_decay, initial_accumulator_value
            checked[key] = _non_negative(value, key)
    if checked.get("nesterov") and not (checked["beta"] > 0.0 and checked["dampening"] == 0.0):
        raise ValueError(
            f"nesterov=True needs beta > 0 and dampening = 0 (as torch.optim.SGD requires), "
            f"got beta={values['beta']!r}, dampening={values['dampening']!r}"
        )
    return checked


def _allowed(name: str) -> str:
    keys = ("lr", *_HYPERPARAMETERS[name])
    alias = " (beta may be given as momentum, torch's name)" if name == "momentum" else ""
    return ", ".join(keys) + alias


def _resolve(name: str, given: Mapping[str, Any]) -> dict[str, Any]:
    """``name``'s hyper-parameters: those ``given``, the rest torch's defaults (unchecked)."""
    given = dict(given)
    if name == "momentum" and "momentum" in given:
        if "beta" in given:
            raise TypeError(
                f"give the momentum optimizer's beta once: beta and momentum are the same "
                f"parameter (torch calls it momentum), got beta={given['beta']!r} and "
                f"momentum={given['momentum']!r}"
            )
        given["beta"] = given.pop("momentum")
    unknown = sorted(set(given) - set(_HYPERPARAMETERS[name]))
    if unknown:
        verb = "is not a hyper-parameter" if len(unknown) == 1 else "are not hyper-parameters"
        raise TypeError(
            f"{', '.join(unknown)} {verb} of {name!r}: its hyper-parameters are {_allowed(name)}"
        )
    if name == "momentum" and "beta" not in given:
        raise TypeError(
            "the 'momentum' optimizer needs beta (torch.optim.SGD's momentum), in [0, 1): got none"
        )
    return {**_DEFAULTS[name], **given}


def _learning_rate(name: str, lr: Any) -> Any:
    """``lr``, or torch's default for ``name`` when None (gd and momentum have none)."""
    if lr is not None:
        return lr
    if name in _HEAVY_BALL:
        raise TypeError(
            f"lr must be given for {name!r}: torch.optim.SGD has no meaningful default "
            f"learning rate (older torch required one; recent torch's 1e-3 is a "
            f"placeholder), got lr=None"
        )
    return _DEFAULT_LR[name]


def _plain(value: Any) -> Any:
    """JSON-native: tuples become lists."""
    return list(value) if isinstance(value, tuple) else value


def _reported_beta(name: str, values: Mapping[str, Any]) -> float:
    """What a result's ``beta`` holds: β, β₁ (adam, adamw), the momentum (rmsprop) or 0."""
    if name in ("adam", "adamw"):
        return float(values["betas"][0])
    if name == "rmsprop":
        return float(values["momentum"])
    if name == "momentum":
        return float(values["beta"])
    return 0.0


@dataclass(frozen=True, repr=False)
class Optimizer:
    """One optimizer and its hyper-parameters, checked; build it with :func:`optimizer`.

    :func:`optimizer` fills in torch's defaults for the optimizer named. Built
    directly, the class takes the values given and checks them the same way; its
    field defaults are neutral placeholders (Adam's ``eps``, no weight decay), and
    a hyper-parameter that does not apply to ``name`` must keep its default.

    Attributes
    ----------
    name : str
        One of :data:`OPTIMIZERS`.
    lr : float
        The step size γ, finite and > 0.
    beta, dampening, nesterov, convention
        ``momentum``: torch.optim.SGD's momentum (in [0, 1)), dampening (0 only),
        nesterov, and momentum_math's velocity convention.
    betas, amsgrad
        ``adam``, ``adamw``: (β₁, β₂), each in [0, 1), and the AMSGrad variant.
    alpha, momentum, centered
        ``rmsprop``: the smoothing constant α in [0, 1), the momentum μ in [0, 1),
        and the centered variant.
    lr_decay, initial_accumulator_value
        ``adagrad``: both finite and >= 0.
    eps : float
        Added to the denominator, finite and > 0 (adagrad, rmsprop, adam, adamw).
    weight_decay : float
        λ, finite and >= 0 (0 only for gd and momentum); added to the gradient,
        except by ``adamw``, which decays θ itself.
    """

    name: str
    lr: float
    beta: float = 0.0
    dampening: float = 0.0
    nesterov: bool = False
    convention: str = "pytorch"
    betas: tuple[float, float] = (0.9, 0.999)
    eps: float = 1e-8
    weight_decay: float = 0.0
    amsgrad: bool = False
    alpha: float = 0.99
    momentum: float = 0.0
    centered: bool = False
    lr_decay: float = 0.0
    initial_accumulator_value: float = 0.0

    def __post_init__(self) -> None:
        name = _validate.choice(self.name, "name", OPTIMIZERS)
        lr = _validate.learning_rate(self.lr)
        if lr.shape != ():
            raise ValueError(
                f"lr must be a single number in an Optimizer (use optimize_batch for arrays "
                f"of step sizes), got {self.lr!r}"
            )
        object.__setattr__(self, "lr", float(lr))
        applicable = _HYPERPARAMETERS[name]
        for item in dataclasses.fields(self)[2:]:
            value = getattr(self, item.name)
            if item.name not in applicable and not (
                type(value) is type(item.default) and value == item.default
            ):
                raise TypeError(
                    f"{item.name} is not a hyper-parameter of {name!r}, got "
                    f"{item.name}={value!r}: its hyper-parameters are {_allowed(name)}"
                )
        checked = _check_hyperparameters(name, {key: getattr(self, key) for key in applicable})
        for key, value in checked.items():
            object.__setattr__(self, key, value)

    def __repr__(self) -> str:
        shown = ", ".join(f"{key}={getattr(self, key)!r}" for key in _HYPERPARAMETERS[self.name])
        return f"Optimizer({self.name!r}, lr={self.lr!r}, {shown})"

    @property
    def hyperparameters(self) -> dict[str, Any]:
        """``lr`` and the hyper-parameters that apply to this optimizer, JSON-native.

        A new dict each time; ``optimizer(opt.name, **opt.hyperparameters) == opt``.
        """
        keys = ("lr", *_HYPERPARAMETERS[self.name])
        return {key: _plain(getattr(self, key)) for key in keys}


def optimizer(name: str, lr: float | None = None, **hyper: Any) -> Optimizer:
    """The optimizer ``name`` with torch.optim's defaults for what is not given.

    Parameters
    ----------
    name : {"gd", "momentum", "adagrad", "rmsprop", "adam", "adamw"}
    lr : float or None
        The step size, finite and > 0. None takes torch's default (adagrad and
        rmsprop 0.01, adam and adamw 0.001); gd and momentum need one.
    **hyper
        The optimizer's hyper-parameters, by torch's names (:class:`Optimizer`).
        ``momentum`` needs ``beta`` (or, torch's name, ``momentum``; not both).

    Raises
    ------
    TypeError
        For a name that is not a hyper-parameter of this optimizer (the message
        lists those that are), a missing lr or beta, or a value of the wrong type
        (flags must be bools).
    ValueError
        For a value out of range, naming the parameter, the value and what is allowed.

    Examples
    --------
    >>> optimizer("adamw")
    Optimizer('adamw', lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.01, amsgrad=False)
    >>> optimizer("momentum", lr=0.1, momentum=0.9).beta
    0.9
    """
    _validate.choice(name, "name", OPTIMIZERS)
    values = _resolve(name, hyper)
    return Optimizer(name=name, lr=_learning_rate(name, lr), **values)


# --- the adaptive kernel ----------------------------------------------------------


class _Update:
    """One optimizer's step, applied to one coordinate's (n,) arrays at a time.

    ``prepare(t)`` computes step t's scalars once (Python floats); ``apply`` then
    writes θₜ of one coordinate into ``out``, updating that coordinate's state.
    The scratch arrays are shared by the coordinates, used one after the other.
    """

    def __init__(self, values: Mapping[str, Any], rate: FloatArray) -> None:
        count = len(rate)
        self.rate = rate
        self.weight_decay = float(values["weight_decay"])
        self.eps = float(values["eps"])
        self.decayed = np.empty(count)
        self.scratch = np.empty(count)
        self.denominator = np.empty(count)

    def new_state(self) -> list[FloatArray]:
        raise NotImplementedError

    def prepare(self, t: int) -> None:
        """Step t's scalars (none by default)."""

    def apply(
        self, state: list[FloatArray], theta: FloatArray, grad: FloatArray, out: FloatArray
    ) -> None:
        raise NotImplementedError

    def gradient(self, theta: FloatArray, grad: FloatArray) -> FloatArray:
        """g, or g + λθ with (coupled) weight decay."""
        if self.weight_decay == 0.0:
            return grad
        np.multiply(theta, self.weight_decay, out=self.decayed)
        np.add(grad, self.decayed, out=self.decayed)
        return self.decayed


class _Adagrad(_Update):
    def __init__(self, values: Mapping[str, Any], rate: FloatArray) -> None:
        super().__init__(values, rate)
        self.lr_decay = float(values["lr_decay"])
        self.initial = float(values["initial_accumulator_value"])
        self.clr = rate if self.lr_decay == 0.0 else np.empty(len(rate))

    def new_state(self) -> list[FloatArray]:
        return [np.full(len(self.rate), self.initial)]

    def prepare(self, t: int) -> None:
        if self.lr_decay != 0.0:  # γ̃ = γ / (1 + (t − 1)·lr_decay)
            np.divide(self.rate, 1.0 + (t - 1) * self.lr_decay, out=self.clr)

    def apply(
        self, state: list[FloatArray], theta: FloatArray, grad: FloatArray, out: FloatArray
    ) -> None:
        (total,) = state
        g, scratch, denominator = self.gradient(theta, grad), self.scratch, self.denominator
        np.multiply(g, g, out=scratch)
        np.add(total, scratch, out=total)  # s ← s + g²
        np.sqrt(total, out=denominator)
        np.add(denominator, self.eps, out=denominator)  # √s + ε
        np.multiply(self.clr, g, out=scratch)
        np.divide(scratch, denominator, out=scratch)
        np.subtract(theta, scratch, out=out)  # θ − γ̃ g / (√s + ε)


class _RMSprop(_Update):
    def __init__(self, values: Mapping[str, Any], rate: FloatArray) -> None:
        super().__init__(values, rate)
        self.alpha = float(values["alpha"])
        self.one_minus_alpha = 1.0 - self.alpha
        self.momentum = float(values["momentum"])
        self.centered = bool(values["centered"])

    def new_state(self) -> list[FloatArray]:
        count = len(self.rate)
        # v, then g_ave (centered), then the buffer b (momentum > 0)
        return [np.zeros(count) for _ in range(1 + self.centered + (self.momentum > 0.0))]

    def apply(
        self, state: list[FloatArray], theta: FloatArray, grad: FloatArray, out: FloatArray
    ) -> None:
        square = state[0]
        g, scratch, denominator = self.gradient(theta, grad), self.scratch, self.denominator
        np.multiply(square, self.alpha, out=square)
        np.multiply(g, g, out=scratch)
        np.multiply(scratch, self.one_minus_alpha, out=scratch)
        np.add(square, scratch, out=square)  # v ← αv + (1 − α)g²
        if self.centered:
            average = state[1]
            np.multiply(average, self.alpha, out=average)
            np.multiply(g, self.one_minus_alpha, out=scratch)
            np.add(average, scratch, out=average)  # g_ave ← α g_ave + (1 − α)g
            np.multiply(average, average, out=scratch)
            np.subtract(square, scratch, out=denominator)  # ṽ = v − g_ave²
            np.sqrt(denominator, out=denominator)
        else:
            np.sqrt(square, out=denominator)
        np.add(denominator, self.eps, out=denominator)  # √ṽ + ε
        if self.momentum > 0.0:
            buffer = state[-1]
            np.multiply(buffer, self.momentum, out=buffer)
            np.divide(g, denominator, out=scratch)
            np.add(buffer, scratch, out=buffer)  # b ← μb + g / (√ṽ + ε)
            np.multiply(self.rate, buffer, out=scratch)
        else:
            np.multiply(self.rate, g, out=scratch)
            np.divide(scratch, denominator, out=scratch)
        np.subtract(theta, scratch, out=out)


class _Adam(_Update):
    def __init__(self, values: Mapping[str, Any], rate: FloatArray, decoupled: bool) -> None:
        super().__init__(values, rate)
        self.beta1, self.beta2 = (float(beta) for beta in values["betas"])
        self.one_minus_beta1, self.one_minus_beta2 = 1.0 - self.beta1, 1.0 - self.beta2
        self.amsgrad = bool(values["amsgrad"])
        self.correction1 = self.correction2 = 1.0
        # AdamW decays θ itself (γλ per run, computed once) and adds nothing to g.
        self.decay = rate * self.weight_decay if decoupled and self.weight_decay else None
        if decoupled:
            self.weight_decay = 0.0

    def new_state(self) -> list[FloatArray]:
        # m, v, then v_max (amsgrad)
        return [np.zeros(len(self.rate)) for _ in range(2 + self.amsgrad)]

    def prepare(self, t: int) -> None:
        self.correction1 = 1.0 - self.beta1**t
        self.correction2 = 1.0 - self.beta2**t

    def apply(
        self, state: list[FloatArray], theta: FloatArray, grad: FloatArray, out: FloatArray
    ) -> None:
        first, second = state[0], state[1]
        g, scratch, denominator = self.gradient(theta, grad), self.scratch, self.denominator
        np.multiply(first, self.beta1, out=first)
        np.multiply(g, self.one_minus_beta1, out=scratch)
        np.add(first, scratch, out=first)  # m ← β₁m + (1 − β₁)g
        np.multiply(second, self.beta2, out=second)
        np.multiply(g, g, out=scratch)
        np.multiply(scratch, self.one_minus_beta2, out=scratch)
        np.add(second, scratch, out=second)  # v ← β₂v + (1 − β₂)g²
        if self.amsgrad:
            np.maximum(state[2], second, out=state[2])  # v_max ← max(v_max, v)
            second = state[2]
        np.divide(second, self.correction2, out=denominator)  # v̂
        np.sqrt(denominator, out=denominator)
        np.add(denominator, self.eps, out=denominator)  # √v̂ + ε
        np.divide(first, self.correction1, out=scratch)  # m̂
        np.multiply(self.rate, scratch, out=scratch)
        np.divide(scratch, denominator, out=scratch)  # γ m̂ / (√v̂ + ε)
        if self.decay is None:
            np.subtract(theta, scratch, out=out)
        else:
            np.multiply(self.decay, theta, out=out)
            np.subtract(theta, out, out=out)  # θ − γλθ
            np.subtract(out, scratch, out=out)


def _make_update(name: str, values: Mapping[str, Any], rate: FloatArray) -> _Update:
    if name == "adagrad":
        return _Adagrad(values, rate)
    if name == "rmsprop":
        return _RMSprop(values, rate)
    return _Adam(values, rate, decoupled=name == "adamw")


@dataclass(frozen=True, eq=False)
class _AdaptivePlan:
    """What the adaptive kernel computes, every field checked (as ``simulation._KernelPlan``)."""

    surface: Surface
    name: str
    values: Mapping[str, Any]
    steps: int
    threshold: float | None
    record_path: bool
    bound: float
    check_values: bool


def _run_adaptive(
    plan: _AdaptivePlan, starts: FloatArray, lr: FloatArray
) -> _simulation._KernelOutput:
    """Apply ``plan``'s optimizer to a batch of runs: ``starts`` (*B, 2), ``lr`` shape B.

    The runs are flattened to n = prod(B), each coordinate in its own contiguous
    (n,) array, and every step is a fixed sequence of same-shape ufunc calls: a
    run's arithmetic does not depend on n. A run diverges at step t when θₜ leaves
    the bound or is not finite, or (with ``plan.check_values``) when L or ∇L at θₜ
    is not finite; it then stays at θₜ₋₁ (its state goes on changing, unused).
    """
    shape = lr.shape
    count = math.prod(shape)
    bound, low = plan.bound, -plan.bound
    flat_starts = starts.reshape(count, 2)
    x, y = flat_starts[:, 0].copy(), flat_starts[:, 1].copy()
    next_x, next_y = np.empty(count), np.empty(count)
    rate = np.array(lr, dtype=np.float64).reshape(count)
    update = _make_update(plan.name, plan.values, rate)
    state_x, state_y = update.new_state(), update.new_state()
    diverged_step = np.full(count, -1, dtype=np.int64)
    stopped = np.zeros(count, dtype=np.bool_)
    any_stopped = False
    evaluate = _simulation._evaluator(plan.surface, count)
    loss, gradient_x, gradient_y = evaluate(x, y)
    path = _simulation._PathRecorder(plan.steps, count) if plan.record_path else None
    moved_x, moved_y = np.zeros(count), np.zeros(count)  # θₜ − θₜ₋₁ (paths only)
    if path is not None:
        path.store(0, (x, y), (moved_x, moved_y), (gradient_x, gradient_y), loss)
    arrivals = None if plan.threshold is None else _simulation._Arrivals(loss, plan.threshold)

    for t in range(1, plan.steps + 1):
        update.prepare(t)
        update.apply(state_x, x, gradient_x, next_x)
        update.apply(state_y, y, gradient_y, next_y)
        if any_stopped:  # stopped runs stay where they stopped
            np.copyto(next_x, x, where=stopped)
            np.copyto(next_y, y, where=stopped)
        # Cheap reductions first; NaN fails the comparisons (see simulation._run_kernel).
        if count and not (
            next_x.max() <= bound
            and next_y.max() <= bound
            and next_x.min() >= low
            and next_y.min() >= low
        ):
            escaped = ~((np.abs(next_x) <= bound) & (np.abs(next_y) <= bound))
            next_x[escaped] = x[escaped]
            next_y[escaped] = y[escaped]
            diverged_step[escaped] = t
            stopped |= escaped
            any_stopped = True
        x, next_x = next_x, x
        y, next_y = next_y, y

        loss, gradient_x, gradient_y = evaluate(x, y)
        if (
            plan.check_values
            and count
            and not math.isfinite(loss.sum() + gradient_x.sum() + gradient_y.sum())
        ):
            failed = ~(np.isfinite(loss) & np.isfinite(gradient_x) & np.isfinite(gradient_y))
            if failed.any():
                # θₜ has no finite L or ∇L: back to θₜ₋₁ (in next_x, next_y after the swap)
                x[failed] = next_x[failed]
                y[failed] = next_y[failed]
                diverged_step[failed] = t
                stopped |= failed
                any_stopped = True
                loss, gradient_x, gradient_y = evaluate(x, y)
        if path is not None:
            np.subtract(x, next_x, out=moved_x)
            np.subtract(y, next_y, out=moved_y)
            path.store(t, (x, y), (moved_x, moved_y), (gradient_x, gradient_y), loss)
        if arrivals is not None:
            arrivals.update(t, loss)

    return _simulation._KernelOutput(
        final_positions=np.stack((x, y), axis=-1).reshape(*shape, 2),
        final_losses=np.array(loss, dtype=np.float64).reshape(shape),
        diverged_step=diverged_step.reshape(shape),
        steps_to_converge=None if arrivals is None else arrivals.step.reshape(shape),
        paths=None if path is None else path.paths(shape),
    )


def _run_adaptive_in_blocks(
    plan: _AdaptivePlan, starts: FloatArray, lr: FloatArray
) -> _simulation._KernelOutput:
    """:func:`_run_adaptive` without paths, over blocks of ``SUMMARY_BLOCK_RUNS`` runs."""
    shape = lr.shape
    count = math.prod(shape)
    flat_starts = starts.reshape(count, 2)
    flat_lrs = lr.reshape(count)
    final_positions = np.empty((count, 2))
    final_losses = np.empty(count)
    diverged_step = np.empty(count, dtype=np.int64)
    converged = None if plan.threshold is None else np.empty(count, dtype=np.int64)
    block = max(1, int(_simulation.SUMMARY_BLOCK_RUNS))
    for first in range(0, count, block):
        part = slice(first, first + block)
        out = _run_adaptive(plan, flat_starts[part], flat_lrs[part])
        final_positions[part] = out.final_positions
        final_losses[part] = out.final_losses
        diverged_step[part] = out.diverged_step
        if converged is not None and out.steps_to_converge is not None:
            converged[part] = out.steps_to_converge
    return _simulation._KernelOutput(
        final_positions=final_positions.reshape(*shape, 2),
        final_losses=final_losses.reshape(shape),
        diverged_step=diverged_step.reshape(shape),
        steps_to_converge=None if converged is None else converged.reshape(shape),
    )


# --- the public runs --------------------------------------------------------------


def optimize_batch_bytes(opt_name: str, runs: int, steps: int, record: str = "summary") -> int:
    """Estimated peak bytes :func:`optimize_batch` allocates for ``runs`` runs of ``steps`` steps.

    gd and momentum: :func:`~momentum_math.simulation.batch_bytes`. The adaptive
    optimizers: ``runs`` × :data:`~momentum_math.simulation.RESULT_BYTES_PER_RUN`,
    plus :data:`ADAPTIVE_KERNEL_BYTES_PER_RUN` per run in flight (all runs with
    ``record="path"``, one block of ``SUMMARY_BLOCK_RUNS`` otherwise), plus with
    ``record="path"`` ``runs`` × (steps + 1) × ``PATH_BYTES_PER_STEP``.
    """
    _validate.choice(opt_name, "opt_name", OPTIMIZERS)
    if opt_name in _HEAVY_BALL:
        return _simulation.batch_bytes(runs, steps, record)
    runs = _validate.count(runs, "runs")
    steps = _validate.steps(steps)
    _validate.choice(record, "record", ("summary", "path"))
    block = max(1, int(_simulation.SUMMARY_BLOCK_RUNS))
    in_flight = runs if record == "path" else min(runs, block)
    total = runs * RESULT_BYTES_PER_RUN + in_flight * ADAPTIVE_KERNEL_BYTES_PER_RUN
    if record == "path":
        total += runs * (steps + 1) * PATH_BYTES_PER_STEP
    return total


def _plan(
    surface: Surface,
    name: str,
    values: Mapping[str, Any],
    steps: int,
    threshold: float | None,
    record_path: bool,
    bound: float,
) -> _AdaptivePlan:
    return _AdaptivePlan(
        surface=surface,
        name=name,
        values=values,
        steps=steps,
        threshold=threshold,
        record_path=record_path,
        bound=bound,
        check_values=_simulation._values_may_overflow(surface, bound),
    )


def optimize(
    surface: Surface,
    start: ArrayLike,
    opt: Optimizer,
    steps: int = 100,
    bound: float = DIVERGENCE_BOUND,
    max_bytes: int | None = None,
) -> Trajectory:
    """Run ``opt`` from ``start`` for ``steps`` steps.

    gd and momentum return exactly what :func:`~momentum_math.simulation.simulate`
    returns (``beta`` = 0 for gd), with ``optimizer`` and ``hyperparameters`` filled
    in. The adaptive optimizers return a :class:`Trajectory` whose ``lr`` is γ,
    ``beta`` β₁ (adam, adamw), μ (rmsprop) or 0 (adagrad), ``convention`` "pytorch",
    ``nesterov`` False, and whose ``velocities`` are the steps taken, vₖ = θₖ − θₖ₋₁
    (v₀ = 0). ``hyperparameters`` is a copy of ``opt.hyperparameters`` (a plain dict: the mobjects
    that draw a run are deep-copied, and a read-only mapping cannot be).

    Parameters
    ----------
    surface, start, steps, bound, max_bytes
        As in :func:`~momentum_math.simulation.simulate` (an adaptive run needs
        about :data:`ADAPTIVE_SINGLE_RUN_BYTES_PER_STEP` bytes a step).
    opt : Optimizer
        From :func:`optimizer`.
    """
    if not isinstance(opt, Optimizer):
        raise TypeError(
            f"opt must be a momentum_math.optimizers.Optimizer (e.g. optimizer('adam')), "
            f"got {opt!r}"
        )
    hyperparameters = dict(opt.hyperparameters)
    if opt.name in _HEAVY_BALL:
        run = simulate(
            surface,
            start,
            lr=opt.lr,
            beta=opt.beta,
            steps=steps,
            convention=opt.convention,
            nesterov=opt.nesterov,
            bound=bound,
            max_bytes=max_bytes,
        )
        return dataclasses.replace(run, optimizer=opt.name, hyperparameters=hyperparameters)
    lr_array, _, step_count = _simulation._check_common(
        surface, opt.lr, 0.0, steps, "pytorch", False
    )
    start_array = _validate.points(start, "start", surface.dimension)
    if start_array.shape != (surface.dimension,):
        raise ValueError(
            f"start must be one point of shape ({surface.dimension},) in optimize "
            f"(use optimize_batch for many), got shape {start_array.shape} from {start!r}"
        )
    bound_value = _validate.positive(bound, "bound")
    check_budget(
        ADAPTIVE_SINGLE_RUN_BYTES_PER_STEP * (step_count + 1) + ADAPTIVE_KERNEL_BYTES_PER_RUN,
        f"optimize({opt.name!r}) for {step_count} steps",
        "ask for fewer steps",
        max_bytes,
    )
    _simulation._check_starts(surface, start_array, bound_value)
    values = {key: getattr(opt, key) for key in _HYPERPARAMETERS[opt.name]}
    plan = _plan(surface, opt.name, values, step_count, None, True, bound_value)
    with np.errstate(all="ignore"):
        out = _run_adaptive(plan, start_array, lr_array)
    paths = _simulation._recorded(out)
    failed_at = int(out.diverged_step)
    stored = step_count + 1 if failed_at < 0 else failed_at
    return Trajectory(
        surface=surface,
        start=start_array.copy(),
        lr=opt.lr,
        beta=_reported_beta(opt.name, values),
        steps=step_count,
        convention="pytorch",
        nesterov=False,
        positions=paths.positions[:stored].copy(),
        velocities=paths.velocities[:stored].copy(),
        gradients=paths.gradients[:stored].copy(),
        losses=paths.losses[:stored].copy(),
        diverged_step=None if failed_at < 0 else failed_at,
        optimizer=opt.name,
        hyperparameters=hyperparameters,
    )


def optimize_batch(
    surface: Surface,
    start: ArrayLike,
    opt_name: str,
    lr: ArrayLike | None = None,
    steps: int = 100,
    threshold: float | None = None,
    record: Record = "summary",
    bound: float = DIVERGENCE_BOUND,
    max_bytes: int | None = None,
    **hyper: Any,
) -> BatchResult:
    """Many runs of one optimizer at once; ``start`` (..., 2) and ``lr`` broadcast.

    The batch shape B is ``broadcast_shapes(start.shape[:-1], lr.shape)``; every
    other hyper-parameter is one number (or flag) for the whole batch. Every run
    equals :func:`optimize` with the same arguments, bit for bit. gd and momentum
    return :func:`~momentum_math.simulation.simulate_batch`'s result; the adaptive
    optimizers fill ``beta`` and the path ``velocities`` as :func:`optimize` does
    (a stopped run's velocity is 0 from the step it diverged at). The result's
    ``hyperparameters`` are the scalar ones, without ``lr`` (the array ``lr``).

    Parameters
    ----------
    surface, start, steps, threshold, record, bound, max_bytes
        As in :func:`~momentum_math.simulation.simulate_batch`; the budget is
        checked against :func:`optimize_batch_bytes` before anything is allocated.
    opt_name : str
        One of :data:`OPTIMIZERS`.
    lr : array_like or None
        Step sizes (> 0); None takes torch's default (not for gd and momentum).
    **hyper
        The optimizer's hyper-parameters, as in :func:`optimizer`.

    Examples
    --------
    >>> import numpy as np
    >>> from momentum_math import surfaces
    >>> sweep = optimize_batch(surfaces.ravine(), [-2.4, 0.2], "adam",
    ...     lr=np.array([0.01, 0.1]), steps=300, threshold=1e-3)
    >>> sweep.steps_to_converge.tolist()
    [-1, 32]
    """
    _validate.choice(opt_name, "opt_name", OPTIMIZERS)
    values = _check_hyperparameters(opt_name, _resolve(opt_name, hyper))
    lr_given = _learning_rate(opt_name, lr)
    hyperparameters = {key: _plain(value) for key, value in values.items()}
    if opt_name in _HEAVY_BALL:
        result = simulate_batch(
            surface,
            start,
            lr_given,
            beta=values.get("beta", 0.0),
            steps=steps,
            convention=values.get("convention", "pytorch"),
            nesterov=values.get("nesterov", False),
            threshold=threshold,
            record=record,
            bound=bound,
            max_bytes=max_bytes,
        )
        return dataclasses.replace(result, optimizer=opt_name, hyperparameters=hyperparameters)
    lr_array, _, step_count = _simulation._check_common(
        surface, lr_given, 0.0, steps, "pytorch", False
    )
    start_array = _validate.points(start, "start", surface.dimension)
    threshold_value = None if threshold is None else _validate.positive(threshold, "threshold")
    _validate.choice(record, "record", ("summary", "path"))
    bound_value = _validate.positive(bound, "bound")
    max_batch_bytes(max_bytes)  # a bad max_bytes is refused whatever the batch
    try:
        shape = np.broadcast_shapes(start_array.shape[:-1], lr_array.shape)
    except ValueError:
        raise ValueError(
            f"start (shape {start_array.shape[:-1]} + (2,)) and lr (shape {lr_array.shape}) "
            f"must broadcast to one batch shape"
        ) from None
    runs = math.prod(shape)
    check_budget(
        optimize_batch_bytes(opt_name, runs, step_count, record),
        f"optimize_batch({opt_name!r}, record={record!r}) for {runs} runs (batch shape "
        f"{shape}) of {step_count} steps",
        "use record='summary' for big sweeps, split the batch"
        if record == "path"
        else "split the batch",
        max_bytes,
    )
    _simulation._check_starts(surface, start_array, bound_value)
    plan = _plan(
        surface, opt_name, values, step_count, threshold_value, record == "path", bound_value
    )
    starts = np.broadcast_to(start_array, (*shape, surface.dimension)).copy()
    lr_full = np.broadcast_to(lr_array, shape).copy()
    with np.errstate(all="ignore"):
        if plan.record_path:
            out = _run_adaptive(plan, starts, lr_full)
        else:
            out = _run_adaptive_in_blocks(plan, starts, lr_full)
    paths = out.paths
    return BatchResult(
        surface=surface,
        starts=starts,
        lr=lr_full,
        beta=np.full(shape, _reported_beta(opt_name, values)),
        steps=step_count,
        convention="pytorch",
        nesterov=False,
        threshold=threshold_value,
        final_positions=out.final_positions,
        final_losses=np.asarray(out.final_losses),
        diverged_step=out.diverged_step,
        steps_to_converge=out.steps_to_converge,
        positions=None if paths is None else paths.positions,
        velocities=None if paths is None else paths.velocities,
        gradients=None if paths is None else paths.gradients,
        losses=None if paths is None else paths.losses,
        optimizer=opt_name,
        hyperparameters=hyperparameters,
    )
