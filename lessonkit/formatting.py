"""How numbers from ``momentum_math`` are written on screen and in narration.

Pure functions of floats, so tests can check that what a scene shows equals
the trajectory it came from.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

MINUS = "\u2212"
_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")

#: How the narration and the screen name each update rule (``momentum_math.rules``' names).
RULE_NAMES = {
    "ema": "the moving-average rule",
    "lesson": "the lesson's rule",
    "pytorch": "PyTorch's rule",
    "classical": "the classical rule",
}


def lesson_symbols(latex: str) -> str:
    r"""An update rule's LaTeX in the lesson's symbols: β for momentum, L(θ) for the loss, θ for
    the position (the classical form's μ, f and x are the same things under other names).

    >>> lesson_symbols(r"v \leftarrow \mu\, v - \alpha\, \nabla f(x)")
    'v \\leftarrow \\beta\\, v - \\alpha\\, \\nabla L(\\theta)'
    """
    latex = latex.replace(r"\mu", r"\beta").replace("f(x)", r"L(\theta)")
    return re.sub(r"(?<![\\A-Za-z])x(?![A-Za-z])", lambda _: r"\theta", latex)


def _signed(text: str) -> str:
    return text.replace("-", MINUS)


def format_number(value: float, digits: int = 3) -> str:
    """``value`` with ``digits`` significant digits, plain notation for 1e-3 ≤ |v| < 1e4.

    >>> format_number(0.10233), format_number(-1.27957), format_number(2.868e-5)
    ('0.102', '−1.28', '2.87×10⁻⁵')
    """
    if not math.isfinite(value):
        raise ValueError(f"value must be finite, got {value!r}")
    if value == 0:
        return "0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e4:
        decimals = max(digits - 1 - math.floor(math.log10(magnitude)), 0)
        return _signed(f"{value:.{decimals}f}")
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    return _signed(mantissa) + "×10" + str(int(exponent)).translate(_SUPERSCRIPTS)


def format_loss(value: float) -> str:
    """A loss for the on-screen readout (3 significant digits)."""
    return format_number(float(value), 3)


def format_step(step: int, width: int = 3) -> str:
    """A step counter, right-aligned so the readout does not jitter."""
    return f"{int(step):>{width}d}"


def format_point(point: Sequence[float], digits: int = 3) -> str:
    """A point as ``(x, y)`` with fixed decimals, e.g. ``(−2.400, 0.200)``."""
    # Adding 0.0 after rounding turns a -0.0 into 0.0, so tiny values never show as "−0.000".
    x, y = (round(float(value), digits) + 0.0 for value in point)
    return _signed(f"({x:+.{digits}f}, {y:+.{digits}f})").replace("+", " ")


def spoken_number(value: float, digits: int = 2) -> str:
    """A number as narration says it: ``digits`` significant digits, no trailing zeros.

    >>> spoken_number(0.10233, 1), spoken_number(-1.2796), spoken_number(-2.4)
    ('0.1', '−1.3', '−2.4')
    """
    if not math.isfinite(value):
        raise ValueError(f"value must be finite, got {value!r}")
    if value == 0:
        return "0"
    decimals = max(digits - 1 - math.floor(math.log10(abs(value))), 0)
    text = f"{value:.{decimals}f}"
    text = text.rstrip("0").rstrip(".") if "." in text else text
    # A true minus sign: the voice reads "−2.4" as "minus two point four" even
    # after a bracket, where it drops a hyphen's sign.
    return _signed(text)


def spoken_point(point: Sequence[float], digits: int = 2) -> str:
    """A point as narration says it: ``(−2.4, 0.2)``."""
    x, y = (float(value) for value in point)
    return f"({spoken_number(x, digits)}, {spoken_number(y, digits)})"


def tex_number(value: float, digits: int = 2) -> str:
    """A number for MathTex, written as the narration says it (an ASCII minus, which LaTeX sets).

    >>> tex_number(-0.108), tex_number(0.1)
    ('-0.11', '0.1')
    """
    return spoken_number(value, digits).replace(MINUS, "-")


def _trimmed(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text


def exact_digits(value: float) -> int:
    """The fewest significant digits that give ``value`` back exactly (as Python's ``repr``
    does): a number a file gave is then shown as it was written.

    >>> exact_digits(0.9), exact_digits(0.9000001), exact_digits(1e-5), exact_digits(0.1 + 0.2)
    (1, 7, 1, 17)
    """
    if not math.isfinite(value) or value == 0:
        return 1
    for digits in range(1, 18):
        if float(f"{value:.{digits - 1}e}") == value:
            return digits
    return 17


def shown_number(value: float, digits: int | None = None) -> str:
    """A number a file gave, shown as written: ``digits`` significant digits (default: as
    many as give it back exactly), no trailing zeros, powers of ten outside
    1e-3 ≤ |v| < 1e4.

    >>> shown_number(0.001), shown_number(1e-8), shown_number(0.0215), shown_number(2.5e-5)
    ('0.001', '1×10⁻⁸', '0.0215', '2.5×10⁻⁵')
    >>> shown_number(0.9000001), shown_number(0.123456789, 3)
    ('0.9000001', '0.123')
    """
    digits = exact_digits(value) if digits is None else digits
    text = format_number(value, max(digits, 1))
    if "×" in text:
        mantissa, power = text.split("×")
        return f"{_trimmed(mantissa)}×{power}"
    return _trimmed(text)


def said_number(value: float, digits: int | None = None) -> str:
    """A number as the narration says it: ``digits`` significant digits (default: as many
    as give it back exactly), and "m times 10 to the k" outside 1e-3 ≤ |v| < 1e6
    ("10 to the −k" for a power of ten).

    >>> said_number(0.001), said_number(1e-8), said_number(0.0215), said_number(2.5e-5)
    ('0.001', '10 to the −8', '0.0215', '2.5 times 10 to the −5')
    >>> said_number(12.5), said_number(3.2e7)
    ('12.5', '3.2 times 10 to the 7')
    """
    if not math.isfinite(value):
        raise ValueError(f"value must be finite, got {value!r}")
    digits = exact_digits(value) if digits is None else max(digits, 1)
    magnitude = abs(value)
    if value == 0 or 1e-3 <= magnitude < 1e6:
        return spoken_number(value, digits)
    mantissa_text, exponent_text = f"{value:.{digits - 1}e}".split("e")
    mantissa, exponent = _trimmed(mantissa_text), int(exponent_text)
    power = f"10 to the {_signed(str(exponent))}"
    if mantissa in ("1", "-1"):
        return _signed("-") + power if mantissa == "-1" else power
    return f"{_signed(mantissa)} times {power}"
