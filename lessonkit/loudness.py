"""Loudness for the web: integrated loudness (ITU-R BS.1770) and a true-peak limiter.

Clips are brought to about ``-16 LUFS`` integrated (pyloudnorm) with a true peak
(4x oversampled) at or below ``-2 dBTP``, a 1 dB margin under the usual
``-1 dBTP`` limit so that AAC encoding does not push it over; never clipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "NORMALIZER_VERSION",
    "OVERSAMPLING",
    "TARGET_LUFS",
    "TRUE_PEAK_CEILING_DBTP",
    "LoudnessReport",
    "integrated_loudness",
    "normalize_loudness",
    "true_peak_dbtp",
]

#: Integrated loudness of every clip, LUFS (web/podcast convention).
TARGET_LUFS = -16.0
#: Highest true peak of a clip, dBTP: -1 dBTP minus 1 dB of margin for AAC.
TRUE_PEAK_CEILING_DBTP = -2.0
#: Bump when the normaliser changes, so cached clips are made again.
NORMALIZER_VERSION = "2"  # 2: scipy's resample_poly oversamples (was a zero-padded FFT)
#: Oversampling factor for the true-peak estimate (ITU-R BS.1770-4 uses 4x).
OVERSAMPLING = 4


def _oversampled(samples: np.ndarray, factor: int = OVERSAMPLING) -> np.ndarray:
    """Band-limited ``factor``x upsampling: :func:`scipy.signal.resample_poly`.

    Its default low-pass (an 81-tap Kaiser-windowed sinc for 4x, zeros beyond
    the ends) is flat to 0.42 of the sample rate, 0.7 dB down at 0.45 and
    6 dB at Nyquist. Returns shape ``(len(samples), factor)``: row ``i``
    holds the interpolated values from sample ``i`` to ``i + 1``.
    """
    from scipy.signal import resample_poly

    upsampled = resample_poly(np.asarray(samples, dtype=np.float64), factor, 1)
    return upsampled.reshape(-1, factor)


def true_peak_dbtp(samples: np.ndarray, factor: int = OVERSAMPLING) -> float:
    """True peak of mono ``samples`` (floats, full scale 1.0) in dBTP."""
    if len(samples) == 0:
        return -np.inf
    peak = max(float(np.max(np.abs(_oversampled(samples, factor)))), float(np.max(np.abs(samples))))
    return 20.0 * np.log10(max(peak, 1e-12))


def integrated_loudness(samples: np.ndarray, sample_rate: int) -> float:
    """Integrated loudness (ITU-R BS.1770, gated) of mono ``samples`` in LUFS."""
    import pyloudnorm

    minimum = int(0.4 * sample_rate) + 1  # one gating block
    padded = np.pad(np.asarray(samples, dtype=np.float64), (0, max(0, minimum - len(samples))))
    return float(pyloudnorm.Meter(sample_rate).integrated_loudness(padded))


def _limit(
    samples: np.ndarray, ceiling: float, sample_rate: int, lookahead_s: float = 0.005
) -> np.ndarray:
    """Smooth gain reduction so the oversampled envelope stays under ``ceiling``.

    Gain needed per sample -> running minimum over +-L -> moving average over
    L + 1: every averaged value near a peak is at most the gain that peak
    needs, so the peak is reduced enough, and the gain changes over ~2L.
    """
    from scipy.ndimage import minimum_filter1d

    envelope = np.max(np.abs(_oversampled(samples)), axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    half = max(1, int(lookahead_s * sample_rate))
    held = minimum_filter1d(needed, size=2 * half + 1, mode="nearest")
    kernel = np.ones(half + 1) / (half + 1)
    gain = np.convolve(np.pad(held, (half, half), mode="edge"), kernel, mode="same")[half:-half]
    return samples * gain


@dataclass(frozen=True)
class LoudnessReport:
    """Measured result of :func:`normalize_loudness` (after normalising)."""

    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float


def normalize_loudness(
    samples: np.ndarray,
    sample_rate: int,
    target_lufs: float = TARGET_LUFS,
    ceiling_dbtp: float = TRUE_PEAK_CEILING_DBTP,
) -> tuple[np.ndarray, LoudnessReport]:
    """Bring mono speech to ``target_lufs`` with a true peak <= ``ceiling_dbtp``.

    Gain to the target, then a smooth true-peak limiter, repeated a few times
    because limiting lowers the loudness a little; finally a plain gain cut if
    the true peak is still above the ceiling (so the ceiling always wins over
    the target). Silence stays silence.
    """
    samples = np.asarray(samples, dtype=np.float64)
    loudness = integrated_loudness(samples, sample_rate)
    if not np.isfinite(loudness):  # silence: nothing to normalise
        return samples.astype(np.float32), LoudnessReport(loudness, true_peak_dbtp(samples), 0.0)
    ceiling = 10.0 ** (ceiling_dbtp / 20.0)
    original_loudness = loudness
    out = samples
    for _ in range(4):
        out = out * 10.0 ** ((target_lufs - loudness) / 20.0)
        out = _limit(out, ceiling, sample_rate)
        loudness = integrated_loudness(out, sample_rate)
        if abs(loudness - target_lufs) < 0.1:
            break
    peak = true_peak_dbtp(out)
    if peak > ceiling_dbtp:
        out = out * 10.0 ** ((ceiling_dbtp - peak - 0.01) / 20.0)
    out = np.clip(out, -ceiling, ceiling)  # a no-op after the steps above: never clip
    loudness = integrated_loudness(out, sample_rate)
    return out.astype(np.float32), LoudnessReport(
        integrated_lufs=loudness,
        true_peak_dbtp=true_peak_dbtp(out),
        gain_db=loudness - original_loudness,
    )
