"""The narration mode switch and the offline piper voice (needs the ``voice`` extra).

The voice is part of what ``make test`` installs, so these tests run in CI;
they fail (never skip) when the voice is missing.
"""

from __future__ import annotations

import json
import wave

import numpy as np
import pytest

from lessonkit import loudness, modes, voice
from lessonkit.modes import NarrationConfigError, NarrationMode, resolve_narration_mode

pytestmark = pytest.mark.voice


# --- MOMENTUM_VOICE ---------------------------------------------------------------


def test_voice_is_installed():
    assert voice.voice_unavailable_reason() is None


@pytest.mark.parametrize(("value", "mode"), [("off", NarrationMode.SILENT), ("OFF ", NarrationMode.SILENT),
                                              ("on", NarrationMode.VOICE), ("auto", NarrationMode.VOICE),
                                              ("", NarrationMode.VOICE)])
def test_mode_from_environment(value, mode):
    assert resolve_narration_mode({"MOMENTUM_VOICE": value})[0] is mode
    assert resolve_narration_mode({})[0] is NarrationMode.VOICE


@pytest.mark.parametrize("value", ["loud", "1", "yes please"])
def test_invalid_mode_names_the_variable_value_and_choices(value):
    with pytest.raises(NarrationConfigError) as error:
        resolve_narration_mode({"MOMENTUM_VOICE": value})
    message = str(error.value)
    assert "MOMENTUM_VOICE" in message and repr(value) in message
    assert "on" in message and "off" in message and "auto" in message


def test_missing_voice_is_an_error_when_asked_for_and_silent_otherwise(monkeypatch):
    monkeypatch.setattr(voice, "voice_unavailable_reason", lambda: "cannot import piper")
    with pytest.raises(NarrationConfigError, match="MOMENTUM_VOICE=on but the piper voice is not available"):
        resolve_narration_mode({"MOMENTUM_VOICE": "on"})
    mode, reason = resolve_narration_mode({})
    assert mode is NarrationMode.SILENT and "cannot import piper" in reason
    assert modes.resolve_narration_mode({"MOMENTUM_VOICE": "off"})[0] is NarrationMode.SILENT


# --- loudness -------------------------------------------------------------------------


def _speechlike(rate: int, seconds: float, peak_every: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(7)
    t = np.arange(int(rate * seconds)) / rate
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t) ** 2
    signal = 0.05 * envelope * (np.sin(2 * np.pi * 180 * t) + 0.3 * rng.standard_normal(t.size))
    signal[:: int(rate * peak_every)] = 0.9  # isolated clicks: high peaks, little loudness
    return signal


@pytest.mark.parametrize("gain", [0.05, 1.0, 8.0])
def test_normalize_loudness_hits_the_target_under_the_ceiling(gain):
    rate = 22050
    out, report = loudness.normalize_loudness(_speechlike(rate, 4.0) * gain, rate)
    assert report.integrated_lufs == pytest.approx(-16.0, abs=0.5)
    assert loudness.integrated_loudness(out, rate) == pytest.approx(report.integrated_lufs, abs=1e-6)
    assert loudness.true_peak_dbtp(out) <= loudness.TRUE_PEAK_CEILING_DBTP + 1e-6
    assert np.max(np.abs(out)) < 1.0


def test_silence_stays_silence():
    out, _ = loudness.normalize_loudness(np.zeros(22050), 22050)
    assert not np.any(out)


def test_true_peak_sees_peaks_between_samples():
    rate = 48000
    t = np.arange(rate) / rate
    # a quarter-rate sine sampled at 45°: samples reach 0.707, the wave reaches 1.0
    samples = np.sin(2 * np.pi * (rate / 4) * t + np.pi / 4)
    assert np.max(np.abs(samples)) == pytest.approx(np.sqrt(0.5), rel=1e-6)
    assert loudness.true_peak_dbtp(samples) == pytest.approx(0.0, abs=0.1)


# --- the speech service -------------------------------------------------------------------


def _read_wav(path) -> tuple[np.ndarray, int]:
    with wave.open(str(path)) as handle:
        rate = handle.getframerate()
        data = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    return data.astype(np.float64) / 32767.0, rate


def test_piper_speaks_normalised_audio_and_caches_it(tmp_path):
    line = "Momentum keeps <bookmark mark='A'/> the ball rolling. It remembers."
    service = voice.PiperService(cache_dir=tmp_path)
    data = service.synthesize(line)
    assert service.synthesis_count == 1
    samples, rate = _read_wav(tmp_path / data["final_audio"])
    duration = samples.size / rate
    assert 2.0 < duration < 8.0
    assert loudness.integrated_loudness(samples, rate) == pytest.approx(-16.0, abs=0.7)
    assert loudness.true_peak_dbtp(samples) < -1.0
    # word boundaries cover the spoken words, in order, inside the clip
    offsets = [b["audio_offset"] / 1e7 for b in data["word_boundaries"]]
    assert offsets == sorted(offsets) and 0 <= offsets[0] and offsets[-1] <= duration + 1e-6
    meta = json.loads((tmp_path / data["final_audio"]).with_suffix(".json").read_text())
    assert meta["input_data"]["input_text"] == "Momentum keeps the ball rolling. It remembers."

    # A second service (a later render) finds the clip by content: no synthesis.
    again = voice.PiperService(cache_dir=tmp_path)
    assert again.synthesize(line)["final_audio"] == data["final_audio"]
    assert again.synthesis_count == 0
    # Changed words are a new clip.
    other = again.synthesize("Momentum keeps the ball rolling.")
    assert other["final_audio"] != data["final_audio"]
    assert again.synthesis_count == 1


def test_a_damaged_cache_entry_is_synthesised_again(tmp_path):
    service = voice.PiperService(cache_dir=tmp_path)
    data = service.synthesize("A short line.")
    (tmp_path / data["final_audio"]).with_suffix(".json").write_text("{not json")
    again = voice.PiperService(cache_dir=tmp_path)
    again.synthesize("A short line.")
    assert again.synthesis_count == 1


def test_the_voice_says_the_minus_signs_of_the_zigzag_numbers():
    from piper import PiperVoice

    from lesson_narration.zigzag import script
    from momentum_math import presets

    service = voice.PiperService()
    piper_voice = PiperVoice.load(service.model_path, config_path=service.config_path)
    lines = script(presets.ravine_zigzag().run(beta=0.0))
    minus = "mˈaɪnəs"
    for line in (lines.start, lines.verdict):
        phonemes = "".join("".join(sentence) for sentence in piper_voice.phonemize(line))
        assert phonemes.count(minus) == line.count("−") > 0
