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


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        ("off", NarrationMode.SILENT),
        ("OFF ", NarrationMode.SILENT),
        ("on", NarrationMode.VOICE),
        ("auto", NarrationMode.VOICE),
        ("", NarrationMode.VOICE),
    ],
)
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
    with pytest.raises(
        NarrationConfigError, match="MOMENTUM_VOICE=on but the piper voice is not available"
    ):
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


def _faded(signal: np.ndarray, rate: int, seconds: float = 0.05) -> np.ndarray:
    """``signal`` faded in and out, as speech starts and ends (no step at the ends)."""
    ramp = np.sin(np.linspace(0, np.pi / 2, int(rate * seconds))) ** 2
    envelope = np.ones(signal.size)
    envelope[: ramp.size], envelope[-ramp.size :] = ramp, ramp[::-1]
    return signal * envelope


@pytest.mark.parametrize("gain", [0.05, 1.0, 8.0])
def test_normalize_loudness_hits_the_target_under_the_ceiling(gain):
    rate = 22050
    out, report = loudness.normalize_loudness(_speechlike(rate, 4.0) * gain, rate)
    assert report.integrated_lufs == pytest.approx(-16.0, abs=0.5)
    assert loudness.integrated_loudness(out, rate) == pytest.approx(
        report.integrated_lufs, abs=1e-6
    )
    assert loudness.true_peak_dbtp(out) <= loudness.TRUE_PEAK_CEILING_DBTP + 1e-6
    assert np.max(np.abs(out)) < 1.0


def test_silence_stays_silence():
    out, _ = loudness.normalize_loudness(np.zeros(22050), 22050)
    assert not np.any(out)


def test_true_peak_sees_peaks_between_samples():
    rate = 48000
    t = np.arange(rate) / rate
    # a quarter-rate sine sampled at 45°: samples reach 0.707, the wave reaches 1.0 (faded in and
    # out: a wave that starts at full height rings at the step, +0.1 dB, with any band limit)
    samples = _faded(np.sin(2 * np.pi * (rate / 4) * t + np.pi / 4), rate)
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

    from lesson_narration.zigzag import figures, script

    service = voice.PiperService()
    piper_voice = PiperVoice.load(service.model_path, config_path=service.config_path)
    lines = script(figures())
    minus = "mˈaɪnəs"
    for line in (lines.start, lines.verdict):
        phonemes = "".join("".join(sentence) for sentence in piper_voice.phonemize(line))
        assert phonemes.count(minus) == line.count("−") > 0


# --- word timing from piper's phoneme alignments -------------------------------------------


def test_phoneme_alignments_group_into_the_spoken_words():
    from piper.voice import PhonemeAlignment

    # "^" silence, "hˈɛloʊ," a comma pause, " ", "wˈɜːld." and "$"; one item is
    # a piper PhonemeAlignment, the rest (phoneme, num_samples) pairs.
    alignments = [
        ("^", 768),
        ("h", 512),
        PhonemeAlignment("ˈ", [120, 0], 256),
        ("ɛ", 1024),
        ("l", 512),
        ("o", 768),
        ("ʊ", 256),
        (",", 2048),
        (" ", 1024),
        ("w", 512),
        ("ˈ", 256),
        ("ɜ", 768),
        ("ː", 256),
        ("l", 512),
        ("d", 768),
        (".", 1536),
        ("$", 512),
    ]
    words = voice.group_phoneme_words(alignments, offset=10_000)
    assert [word.text for word in words] == ["hˈɛloʊ,", "wˈɜːld."]
    assert [word.start for word in words] == [10_000 + 768, 10_000 + 768 + 3328 + 2048 + 1024]
    assert words[1].phonemes[1] == ("ˈ", words[1].start + 512)
    # Punctuation after a space starts no word; "$" ends the last one; nothing spoken, no word.
    assert [
        w.text
        for w in voice.group_phoneme_words([("^", 1), ("a", 1), (" ", 1), ("—", 4), ("b", 1)])
    ] == ["a", "b"]
    assert voice.group_phoneme_words([("^", 5), (".", 3), ("$", 1)]) == []


def test_text_words_are_matched_to_the_spoken_words_through_their_phonemes():
    # "At −2.4 the end.": espeak reads the number as four words and runs "the end" together.
    alignments = [
        ("^", 100),
        ("æ", 10),
        ("t", 10),
        (" ", 5),
        ("m", 10),
        ("ˈ", 3),
        ("a", 10),
        ("ɪ", 10),
        ("n", 10),
        ("ə", 10),
        ("s", 10),
        (" ", 5),
        ("t", 10),
        ("ˈ", 3),
        ("u", 10),
        ("ː", 10),
        (" ", 5),
        ("p", 10),
        ("ɔ", 10),
        ("ɪ", 10),
        ("n", 10),
        ("t", 10),
        (" ", 5),
        ("f", 10),
        ("ˈ", 3),
        ("ɔ", 10),
        ("ː", 10),
        ("ɹ", 10),
        (" ", 5),
        ("ð", 10),
        ("ɪ", 10),
        ("ʲ", 10),
        ("ˈ", 3),
        ("ɛ", 10),
        ("n", 10),
        ("d", 10),
        (".", 50),
        ("$", 20),
    ]
    spoken = voice.group_phoneme_words(alignments)
    assert len(spoken) == 6
    own = {"At": "æt", "−2.4": "mˈaɪnəs tˈuː pɔɪnt fˈɔːɹ", "the": "ðə", "end.": "ˈɛnd."}
    starts, method = voice.match_word_starts(
        ["At", "−2.4", "the", "end."], spoken, lambda w: list(own[w])
    )
    assert method == "alignments-matched"
    assert starts == [100, 125, spoken[5].start, spoken[5].start + 30]  # "end" at its stress mark

    # One spoken word per text word: the spoken words' starts, as they are.
    two = voice.group_phoneme_words(
        [("^", 7), ("ɡ", 5), ("oʊ", 9), (",", 4), (" ", 3), ("n", 5), ("oʊ", 6), ("$", 1)]
    )
    own_two = {"Go,": ["ɡ", "oʊ", ","], "no": ["n", "oʊ"]}
    assert voice.match_word_starts(["Go,", "no"], two, own_two.get) == ([7, 28], "alignments")
    # As many spoken words as text words is not enough: here "50" was read as
    # two words and "of a" as one, so the words are matched by their phonemes.
    four = voice.group_phoneme_words(
        [
            ("^", 2),
            ("f", 3),
            ("ɪ", 3),
            ("f", 3),
            (" ", 1),
            ("t", 3),
            ("i", 3),
            (" ", 1),
            ("ʌ", 3),
            ("v", 3),
            ("ə", 3),
            (" ", 1),
            ("s", 3),
            ("ɛ", 3),
            ("t", 3),
            ("$", 1),
        ]
    )
    own_four = {"5x": list("fɪf ti"), "of": list("ʌv"), "a": ["ɐ"], "set": list("sɛt")}
    starts, method = voice.match_word_starts(["5x", "of", "a", "set"], four, own_four.get)
    assert method == "alignments-matched"
    assert starts == [2, four[2].start, four[2].start + 6, four[3].start]
    # Nothing lines up (or nothing was spoken): no answer, the caller estimates.
    assert voice.match_word_starts(["Go", "on", "now"], two, lambda w: []) is None
    assert voice.match_word_starts(["Go"], [], lambda w: ["ɡ"]) is None


def _clip_meta(tmp_path, line):
    service = voice.PiperService(cache_dir=tmp_path)
    data = service.synthesize(line)
    samples, rate = _read_wav(tmp_path / data["final_audio"])
    meta = json.loads((tmp_path / data["final_audio"]).with_suffix(".json").read_text())
    return data, meta, samples, rate


def test_word_starts_come_from_the_alignments(tmp_path):
    line = "Momentum keeps the ball rolling, it remembers."
    _, meta, samples, rate = _clip_meta(tmp_path, line)
    starts = meta["word_starts_s"]
    duration = samples.size / rate
    assert meta["word_timing"] == "alignments"
    assert meta["word_timing_by_sentence"] == ["alignments"]
    assert meta["input_data"]["config"]["alignment"] == voice.ALIGNMENT_VERSION
    assert len(starts) == len(line.split())
    assert all(b > a for a, b in zip(starts, starts[1:], strict=False))
    # The first word starts with the speech (after piper's lead-in silence),
    # the last well before it ends ("remembers." takes a while to say).
    loud = _loud_times(samples, rate)
    assert 0 <= starts[0] < 0.5
    assert starts[0] == pytest.approx(loud[0], abs=0.08)
    assert starts[-1] < min(loud[-1], duration) - 0.2


def test_numbers_and_run_together_words_are_matched(tmp_path):
    line = (
        "After 50 steps, the loss is still about 0.1."
        " We have only crept from x equals −2.4 to about −1.3."
    )
    data, meta, samples, rate = _clip_meta(tmp_path, line)
    starts = meta["word_starts_s"]
    assert meta["word_timing"] == "alignments"
    assert meta["word_timing_by_sentence"] == ["alignments-matched", "alignments-matched"]
    assert len(starts) == len(line.split())
    assert starts == sorted(starts) and 0 <= starts[0] and starts[-1] < samples.size / rate
    # Bookmarks work on these times (one boundary per word, plus the end).
    assert len(data["word_boundaries"]) == len(line.split()) + 1


def _loud_times(samples: np.ndarray, rate: int) -> np.ndarray:
    """Centres (seconds) of the 20 ms windows, 5 ms apart, at most 35 dB under the loudest."""
    hop, window = int(0.005 * rate), int(0.02 * rate)
    frames = np.lib.stride_tricks.sliding_window_view(samples, window)[::hop]
    level = np.sqrt(np.mean(frames**2, axis=1))
    loud = np.flatnonzero(level > level.max() * 10 ** (-35 / 20))
    return (loud * hop + window / 2) / rate


def _silences(samples: np.ndarray, rate: int, min_s: float = 0.15) -> list[tuple[float, float]]:
    """(start, end) in seconds of each stretch of silence inside the speech."""
    loud = _loud_times(samples, rate)
    return [(a, b) for a, b in zip(loud, loud[1:], strict=False) if b - a >= min_s]


@pytest.mark.parametrize(
    "line",
    [
        "Stop. Go.",  # the pause between two sentences
        "No, absolutely unbelievable.",  # a comma's pause inside one sentence
    ],
)
def test_the_word_after_a_pause_starts_when_the_speech_does(tmp_path, line):
    _, meta, samples, rate = _clip_meta(tmp_path, line)
    assert meta["word_timing"] == "alignments"
    ((silent, speech),) = _silences(samples, rate)
    second = meta["word_starts_s"][1]
    assert silent < second
    assert second == pytest.approx(speech, abs=0.08)
    # A share of the characters would have put it far from there.
    if "." not in line[:-1]:
        estimate = voice._character_share_starts(line, 0, samples.size)[1] / rate
        assert abs(estimate - speech) > 0.15


def test_without_alignments_the_words_are_estimated_with_a_warning(tmp_path, monkeypatch):
    from piper import PiperVoice

    def load_plain(self):
        if self._voice is None:
            self._voice = PiperVoice.load(self.model_path, config_path=self.config_path)
        return self._voice

    monkeypatch.setattr(voice.PiperService, "_load_voice", load_plain)
    warnings: list[str] = []
    monkeypatch.setattr(voice.logger, "warning", lambda message, *args: warnings.append(message))
    line = "Stop. Go on."
    _, meta, samples, rate = _clip_meta(tmp_path, line)
    assert meta["word_timing"] == "character-share"
    assert meta["word_timing_by_sentence"] == ["character-share", "character-share"]
    assert len(meta["word_starts_s"]) == 3 and meta["word_starts_s"] == sorted(
        meta["word_starts_s"]
    )
    assert (
        len(warnings) == 1 and "no phoneme alignments" in warnings[0] and "'Go on.'" in warnings[0]
    )


# --- difflib lines the words up as the edit-distance alignment did ------------------------------


def previous_edit_alignment(left, right):
    """PREVIOUS IMPLEMENTATION of ``voice._lined_up`` (reference only): a minimum edit-distance
    alignment (Levenshtein, unit costs) and its backtrace, diagonal first."""
    n, m = len(left), len(right)
    cost = [list(range(m + 1))]
    for i in range(1, n + 1):
        above, row, item = cost[-1], [i], left[i - 1]
        for j in range(1, m + 1):
            row.append(min(above[j - 1] + (item != right[j - 1]), above[j] + 1, row[j - 1] + 1))
        cost.append(row)
    mapping = [None] * n
    i, j = n, m
    while i > 0 and j > 0:
        if cost[i][j] == cost[i - 1][j - 1] + (left[i - 1] != right[j - 1]):
            mapping[i - 1] = j - 1
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return mapping


@pytest.fixture(scope="module")
def piper_phonemizer():
    from piper import PiperVoice

    service = voice.PiperService()
    return PiperVoice.load(service.model_path, config_path=service.config_path)


def _lesson_sentences() -> list[str]:
    import importlib

    from lesson_narration.registry import LESSON
    from lessonkit.captions import _SENTENCE_END, _split_keep, normalize_text

    sentences = []
    for entry in LESSON.chapters:
        module = importlib.import_module(entry.narration_module)
        for line in module.script(module.figures()).lines():
            spoken = normalize_text(line)  # as PiperService._make_clip splits it
            sentences += _split_keep(spoken, _SENTENCE_END) or [spoken]
    return sentences


def test_difflib_times_every_lesson_word_as_the_edit_distance_did(piper_phonemizer, monkeypatch):
    # Each sentence's alignments as piper.synthesize builds them ("^", the phonemes of each espeak
    # sentence, "$"), every phoneme a different length so a start names the phoneme it is on.
    rng = np.random.default_rng(11)

    def phonemize_word(word):
        phonemes = []
        for sentence in piper_phonemizer.phonemize(word):
            phonemes += ([" "] if phonemes else []) + sentence
        return phonemes

    cases = []
    for sentence in _lesson_sentences():
        alignments = []
        for phonemes in piper_phonemizer.phonemize(sentence):
            items = ["^", *phonemes, "$"] if phonemes else []
            lengths = rng.integers(1, 900, len(items)).tolist()
            alignments += list(zip(items, lengths, strict=True))
        cases.append((sentence.split(" "), voice.group_phoneme_words(alignments)))
    words = {word for text, _ in cases for word in text}
    own = {word: phonemize_word(word) for word in words}

    lined_up = []
    difflib_lined_up = voice._lined_up

    def recording(left, right):
        lined_up.append((list(left), list(right)))
        return difflib_lined_up(left, right)

    monkeypatch.setattr(voice, "_lined_up", recording)
    now = [voice.match_word_starts(text, spoken, own.get) for text, spoken in cases]
    monkeypatch.setattr(voice, "_lined_up", previous_edit_alignment)
    before = [voice.match_word_starts(text, spoken, own.get) for text, spoken in cases]

    assert len(cases) > 100 and all(result is not None for result in now)
    assert sum(result[1] == "alignments-matched" for result in now) == len(lined_up) > 40
    assert now == before  # every word of every sentence starts on the same sample
    # and not only the first phoneme of each word: every phoneme lines up with the same one
    assert all(difflib_lined_up(a, b) == previous_edit_alignment(a, b) for a, b in lined_up)


@pytest.fixture(scope="module")
def piper_sentence(tmp_path_factory):
    """One lesson sentence synthesised for real: the service, the sentence, its raw audio (before
    normalising), its rate and the words piper spoke."""
    service = voice.PiperService(cache_dir=tmp_path_factory.mktemp("voice"))
    sentence = "A run finishes when its loss drops below 0.001."  # a number read as several words
    samples, rate, _, (spoken,) = service._synthesize_sentences([sentence])
    return service, sentence, samples, rate, spoken


def test_difflib_times_piper_s_own_alignments_as_before(piper_sentence, monkeypatch):
    service, sentence, _, _, spoken = piper_sentence
    assert spoken is not None
    text = sentence.split(" ")
    now = voice.match_word_starts(text, spoken, service._phonemize_word)
    monkeypatch.setattr(voice, "_lined_up", previous_edit_alignment)
    assert now is not None and now[1] == "alignments-matched"
    assert now == voice.match_word_starts(text, spoken, service._phonemize_word)


# --- the true-peak oversampler: scipy's resample_poly, as before within 0.05 dB -----------------


def previous_oversampled(samples, factor=4):
    """PREVIOUS IMPLEMENTATION of ``loudness._oversampled`` (reference only): band-limited
    upsampling by zero-padding the spectrum (an ideal, brick-wall interpolator)."""
    pad = 256
    padded = np.pad(np.asarray(samples, dtype=np.float64), (pad, pad))
    spectrum = np.fft.rfft(padded)
    upsampled = np.fft.irfft(spectrum, n=len(padded) * factor) * factor
    return upsampled[pad * factor : (pad + len(samples)) * factor].reshape(-1, factor)


def previous_true_peak_dbtp(samples):
    """PREVIOUS IMPLEMENTATION of ``loudness.true_peak_dbtp`` (reference only)."""
    if len(samples) == 0:
        return -np.inf
    peak = max(float(np.max(np.abs(previous_oversampled(samples)))), float(np.max(np.abs(samples))))
    return 20.0 * np.log10(max(peak, 1e-12))


def _peak_signals() -> dict[str, tuple[np.ndarray, float]]:
    """Test signals and how far (dB) the two oversamplers may differ on each."""
    from scipy.signal import butter, sosfiltfilt

    rate = 22050  # piper's rate
    t = np.arange(rate) / rate
    rng = np.random.default_rng(3)
    signals: dict[str, tuple[np.ndarray, float]] = {}
    for share in (0.24, 0.25, 0.26, 0.1, 0.4):  # around Nyquist/2 (rate/4), low and high
        for phase in (0.0, np.pi / 4, 0.3):
            sine = 0.7 * np.sin(2 * np.pi * share * rate * t + phase)
            signals[f"sine {share} fs, phase {phase:.2f}"] = (_faded(sine, rate), 0.05)
    quarter = np.sin(2 * np.pi * (rate / 4) * t + np.pi / 4)  # samples at 0.707, the wave at 1
    signals["quarter-rate sine between its samples"] = (quarter, 0.05)
    for gap in (1, 2, 3):
        clicks = np.zeros(2000)
        clicks[1000], clicks[1000 + gap] = 0.6, 0.6  # the wave peaks between the two clicks
        signals[f"two clicks {gap} apart"] = (clicks, 0.05)
    noise = 0.2 * rng.standard_normal(rate)
    band = sosfiltfilt(butter(8, 0.8, output="sos"), noise)  # below 0.4 fs, as speech mostly is
    signals["noise below 0.4 fs"] = (_faded(band, rate), 0.05)
    signals["speech-like"] = (_speechlike(rate, 2.0), 0.05)
    # White noise reaches Nyquist: resample_poly's filter is flat to 0.42 fs only, the previous
    # brick wall kept every frequency up to Nyquist, so the peaks can differ by tenths of a dB.
    signals["white noise"] = (_faded(noise, rate), 0.7)
    signals["silence"] = (np.zeros(rate), 0.0)
    return signals


@pytest.mark.parametrize("name", list(_peak_signals()))
def test_true_peak_is_measured_as_before(name):
    samples, tolerance = _peak_signals()[name]
    now, before = loudness.true_peak_dbtp(samples), previous_true_peak_dbtp(samples)
    if name == "silence":
        assert now == before == -240.0
    else:
        assert now == pytest.approx(before, abs=tolerance)


def test_the_oversampler_keeps_the_samples_and_fills_in_between():
    samples = np.random.default_rng(5).uniform(-0.5, 0.5, 1000)
    upsampled = loudness._oversampled(samples)
    assert upsampled.shape == (1000, loudness.OVERSAMPLING)
    # the filter's middle tap is 0.06 % over one (scipy scales it for unity gain at DC), so a lone
    # peak reads 0.005 dB high: a safe side to err on
    assert upsampled[:, 0] == pytest.approx(samples, abs=1e-3)
    assert loudness.true_peak_dbtp(np.array([0.5])) == pytest.approx(-6.0206, abs=0.01)


@pytest.mark.parametrize("source", ["piper", "speech-like"])
def test_the_voice_s_loudness_is_the_same_as_before(source, piper_sentence, monkeypatch):
    # normalize_loudness with both oversamplers (its limiter reads the oversampled envelope too):
    # the same loudness and true peak. The samples move by a few steps of 16 bit, so the
    # normaliser's version, part of every clip's cache key, changed with the oversampler.
    if source == "piper":
        _, _, raw, rate, _ = piper_sentence
        tolerance = 0.005  # measured on five lesson lines: 0.0006 LU, 0.0000 dB
    else:
        rate = 22050
        raw = _speechlike(rate, 3.0)  # lone full-band clicks: 0.012 LU, 0.01 dB
        tolerance = 0.05
    out, report = loudness.normalize_loudness(raw, rate)
    monkeypatch.setattr(loudness, "_oversampled", previous_oversampled)
    out_before, report_before = loudness.normalize_loudness(raw, rate)
    assert report.integrated_lufs == pytest.approx(report_before.integrated_lufs, abs=tolerance)
    assert report.true_peak_dbtp == pytest.approx(report_before.true_peak_dbtp, abs=tolerance)
    assert report.true_peak_dbtp <= loudness.TRUE_PEAK_CEILING_DBTP
    assert 0 < np.max(np.abs(out - out_before)) < 2e-3
    assert loudness.NORMALIZER_VERSION == "2"
