#!/usr/bin/env python3
"""Scripted training mixtures for the learned speech model, with exact frame labels.

Only the permissively licensed part of ../shared/data/train is read (never the scored sets,
never the share-alike folders):
  speech  asterisk-core-sounds/it_IT_m_Carlo (CC BY 3.0), asterisk-core-sounds-ru
          (CC BY 3.0; its tones, silences and monkey screams serve as non-speech),
          ljspeech-coqui (public domain), librosa-data/speech, rtvc-samples (CC BY 4.0),
          picovoice-leopard (Apache-2.0), cmu-arctic-pyroomacoustics (CMU ARCTIC,
          permissive with attribution)
  noise   keystrokes-zoom keys a-l (MIT; keys m-r are kept for the typing test),
          speech-commands-bg-noise without the cat imitation (CC BY 4.0),
          picovoice-leopard/audio_samples/empty.wav, librosa-data/music without the song
          (CC BY 3.0 / public domain), and synthetic noise made here (coloured noise,
          mains hum, fans, clicks)
  rooms   rirs-synthetic (CC0)

Label rule (documented in docs/vad.md): each utterance is labeled from its own clean
signal before any mixing, on the 10 ms frame grid: a frame is speech when its energy is
within 25 dB of the utterance's 95th-percentile frame energy; gaps of up to 80 ms between
speech frames are closed (stop closures inside words) and islands of 20 ms or less dropped.
Reverberation tails, noise and bleed never change a label. The 25 dB range was chosen
against the word timings in picovoice-leopard/test_data.json (the first word's start and
the last word's end of its 8 clips): at 20-25 dB the labeled onsets fall within 0-60 ms of
them and the offsets within about 0.1 s for 6 of the 8, while 35-40 dB takes in up to
0.3-0.9 s of breath and room tail.

A second rule is an option (`--label-gap-frames 15 --label-gaps-across-utterances` of
tools/train_vad.py; not used for the shipped weights, see docs/vad.md): gaps of up to
150 ms closed, inside each utterance and between consecutive utterances of a track.
tools/vad_label_rule.py chose the 150 ms on the same word timings: against the union of
the words with gaps under 0.3 s bridged (80 of the 83 inter-word gaps are 0.25 s or less,
the other three 0.35-1.02 s), 120-180 ms at 25 dB is the range that bridges every
within-phrase gap and keeps every phrase pause open, and 150 ms its middle (80 ms leaves
5 of the 80 open).

Validation holds speakers the model never hears in training: every rtvc-samples and
cmu-arctic clip (9 speakers), plus 15% of the Asterisk prompts chosen by a hash of the
file name. Utterances are resampled by a random factor of 0.88-1.12 (pitch and formants
move, as between speakers) and filtered by a random tilt and resonance, and mixtures by a
random microphone-like response.
"""

import hashlib
import json
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import fftconvolve, firwin, lfilter, resample, resample_poly

RATE_HZ = 16_000
FRAME = 160
LABEL_RANGE_DB = 25.0
# Label gaps of up to this many frames are closed inside each utterance, and with
# LABEL_GAPS_ACROSS_UTTERANCES also between consecutive utterances of a track. The option
# tried (tools/vad_label_rule.py, docs/vad.md): 15 frames, across utterances.
LABEL_GAP_FRAMES = 8
LABEL_GAPS_ACROSS_UTTERANCES = False
LABEL_ISLAND_FRAMES = 2
TRAIN_KEYS = "abcdefghijkl"
# Bleed through near-field paths only (the earpiece by the boom mic) and more bleed-only
# mixtures. Off for the shipped weights: the model trained with it scored lower on the
# validation mixtures made with it (F1 0.952 against 0.954 for the model trained without,
# both measured on the same mixtures); kept to make that comparison again.
NEAR_FIELD_BLEED = False
TEST_KEYS = "mnopqr"
# The telephone channel's band limit. "poly": scipy's resample_poly down to 8 kHz and back
# (a gentle transition around 4 kHz; the product upsamples 8 kHz files with the same filter,
# src/audio/interpolate.rs). "varied": a third of the channels so, a third brick-wall (FFT
# resampling, flat to 4 kHz), a third with a steep low-pass (127-255 taps) at 3.3-3.95 kHz
# after the way back up, as softphones and gateways band-limit a call they play at 16 kHz
# or more. With only "poly", a flat noise floor under a steep band edge was speech to the
# model in every frame (docs/vad.md). The choice is drawn from a stream of its own, so
# every other draw of a mixture is the same under either setting.
TELEPHONE_FILTERS = "poly"
_telephone_rng = np.random.default_rng(0)
# Call-progress tones (`--call-tones` of tools/train_vad.py): on CALL_TONE_SHARE of the
# mixtures, a ringback, busy or other line tone is added as non-speech (single or dual
# frequencies of 350-650 Hz, on 0.2-2.5 s and off 0.2-4.5 s, or steady), at -10 to +20 dB
# under the speech, before the telephone channel. Without them, ringback and busy tones
# are speech to the model for most of their on-time; the weights fine-tuned with them lost
# bleed and hiss robustness, so the shipped weights are not (docs/vad.md). Drawn from a
# stream of their own, as the telephone filters are.
CALL_TONES = False
CALL_TONE_SHARE = 0.3
_tone_rng = np.random.default_rng(0)
# Far-field reverberation (`--far-field` of tools/train_vad.py, training mixtures only):
# reverberation on this share of the mixtures instead of 35%, and on FAR_FIELD_SHARE of those
# a room response with the microphone at least FAR_FIELD_MIN_M from the talker (low
# direct-to-reverberant ratio, as in meeting-room audio). Off for the shipped weights.
FAR_FIELD_REVERB_SHARE = 0.6
FAR_FIELD_SHARE = 0.7
FAR_FIELD_MIN_M = 0.45
# Share of the utterances drawn from the synthesized voices in the mixtures made with them.
SYNTH_SHARE = 0.5
RU_NON_SPEECH = {"beep", "beeperr", "ascending-2tone", "descending-2tone", "tt-monkeys"}


def load(path):
    x, sr = sf.read(str(path), dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if sr != RATE_HZ:
        g = gcd(sr, RATE_HZ)
        x = resample_poly(x, RATE_HZ // g, sr // g).astype(np.float32)
    return x


VALIDATION_FOLDERS = ("rtvc-samples", "cmu-arctic-pyroomacoustics")


def is_validation(path):
    if any(part in VALIDATION_FOLDERS for part in path.parts):
        return True
    if "asterisk" not in str(path):
        return False
    h = hashlib.sha1(path.name.encode()).digest()[0]
    return h < 0.15 * 256


def speech_sources(data):
    t = data / "train"
    wide = sorted((t / "ljspeech-coqui/wavs").glob("*.wav"))
    wide += sorted((t / "librosa-data/speech").glob("*.ogg"))
    wide += sorted((t / "rtvc-samples").glob("*.mp3"))
    wide += [
        p
        for p in sorted((t / "picovoice-leopard/audio_samples").glob("*.wav"))
        if p.name != "empty.wav"
    ]
    wide += sorted((t / "cmu-arctic-pyroomacoustics").glob("*.wav"))
    tel = sorted((t / "asterisk-core-sounds/it_IT_m_Carlo").rglob("*.wav"))
    for p in sorted((t / "asterisk-core-sounds-ru").rglob("*.wav")):
        rel = p.relative_to(t / "asterisk-core-sounds-ru")
        if rel.parts[0] == "silence" or p.stem in RU_NON_SPEECH or p.stem == "is":
            continue
        tel.append(p)
    return wide, tel


def noise_sources(data, keys=TRAIN_KEYS):
    t = data / "train"
    files = [t / f"keystrokes-zoom/Zoom/{k}.wav" for k in keys]
    files += [
        p for p in sorted((t / "speech-commands-bg-noise").glob("*.wav")) if "miaow" not in p.name
    ]
    files.append(t / "picovoice-leopard/audio_samples/empty.wav")
    files += [p for p in sorted((t / "librosa-data/music").glob("*.ogg")) if "Karissa" not in p.name]
    files += [t / f"asterisk-core-sounds-ru/{n}.wav" for n in sorted(RU_NON_SPEECH)]
    return [f for f in files if f.exists()]


def frame_db(x):
    n = len(x) // FRAME
    e = (x[: n * FRAME].astype(np.float64).reshape(n, FRAME) ** 2).mean(axis=1)
    return 10 * np.log10(e + 1e-12)


def close_gaps(lab, gap_frames):
    """Runs of at most `gap_frames` non-speech frames between speech frames become speech."""
    lab = lab.copy()
    idx = np.flatnonzero(lab)
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= gap_frames + 1:
            lab[a:b] = True
    return lab


def label_frames(clean, span):
    """The label rule of the module docs, for one utterance (samples `span`) on the frame
    grid."""
    db = frame_db(clean)
    a, b = span[0] // FRAME, min(len(db), span[1] // FRAME + 1)
    if b <= a:
        return np.zeros(len(db), bool)
    loud = np.percentile(db[a:b], 95)
    lab = (db >= loud - LABEL_RANGE_DB) & (db > -100)
    lab = close_gaps(lab, LABEL_GAP_FRAMES)
    # Islands of at most LABEL_ISLAND_FRAMES frames are dropped.
    out = lab.copy()
    n = len(lab)
    i = 0
    while i < n:
        if lab[i]:
            j = i
            while j < n and lab[j]:
                j += 1
            if j - i <= LABEL_ISLAND_FRAMES:
                out[i:j] = False
            i = j
        else:
            i += 1
    return out


def rms_db(x):
    return 10 * np.log10((np.asarray(x, np.float64) ** 2).mean() + 1e-20)


def coloured_noise(rng, n):
    white = rng.standard_normal(n)
    kind = rng.integers(4)
    if kind == 0:  # pink-ish (Kellet)
        b = lfilter([0.049922035, -0.095993537, 0.050612699, -0.004408786],
                    [1, -2.494956002, 2.017265875, -0.522189400], white)
    elif kind == 1:  # brown, high-passed
        b = lfilter([1], [1, -0.995], white)
        b = lfilter([1, -1], [1, -0.98], b)
    elif kind == 2:  # fan: low-passed with a slow wobble
        b = lfilter([1], [1, -0.9], white) * (1 + 0.2 * np.sin(2 * np.pi * rng.uniform(0.2, 2) * np.arange(n) / RATE_HZ))
    else:
        b = white
    return b.astype(np.float32)


def hum(rng, n):
    f0 = rng.choice([50.0, 60.0])
    t = np.arange(n) / RATE_HZ
    x = sum(rng.uniform(0.1, 1) / h * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6)) for h in range(1, 8))
    return (x + 0.05 * rng.standard_normal(n)).astype(np.float32)


def clicks(rng, n):
    x = np.zeros(n, np.float32)
    rate = rng.uniform(1, 8)
    t = 0
    while True:
        t += int(rng.exponential(RATE_HZ / rate))
        if t >= n - 800:
            break
        length = rng.integers(40, 800)
        burst = rng.standard_normal(length) * np.exp(-np.arange(length) / rng.uniform(20, 200))
        burst = lfilter([1], [1, -rng.uniform(-0.9, 0.9)], burst)
        x[t : t + length] += rng.uniform(0.2, 1.0) * burst
    return x


def call_tone(rng, n):
    """A call-progress tone of `n` samples: one or two sines, switched by a cadence (or
    steady), with 5 ms ramps at each switch."""
    t = np.arange(n) / RATE_HZ
    f1 = rng.uniform(350, 650)
    x = np.sin(2 * np.pi * f1 * t + rng.uniform(0, 6))
    if rng.uniform() < 0.6:
        x = x + np.sin(2 * np.pi * (f1 + rng.uniform(30, 200)) * t + rng.uniform(0, 6))
    if rng.uniform() < 0.85:
        on, off = rng.uniform(0.2, 2.5), rng.uniform(0.2, 4.5)
        phase = (t + rng.uniform(0, on + off)) % (on + off)
        gate = (phase < on).astype(np.float64)
        ramp = int(0.005 * RATE_HZ)
        gate = np.convolve(gate, np.ones(ramp) / ramp, mode="same")
        x = x * gate
    return x.astype(np.float32)


def random_eq(x, rng):
    """A random spectral tilt (first-order shelf) and a random resonance (peaking biquad,
    +-9 dB at 200 Hz-5 kHz): microphones, rooms and voices differ in both."""
    if rng.uniform() < 0.2:
        return x
    a = rng.uniform(-0.6, 0.6)
    y = lfilter([1, -a], [1], x)
    f0 = np.exp(rng.uniform(np.log(200), np.log(5000)))
    gain_db = rng.uniform(-9, 9)
    q = rng.uniform(0.5, 2.0)
    w0 = 2 * np.pi * f0 / RATE_HZ
    amp = 10 ** (gain_db / 40)
    alpha = np.sin(w0) / (2 * q)
    b = [1 + alpha * amp, -2 * np.cos(w0), 1 - alpha * amp]
    den = [1 + alpha / amp, -2 * np.cos(w0), 1 - alpha / amp]
    y = lfilter(b, den, y)
    return (y * 10 ** ((rms_db(x) - rms_db(y)) / 20)).astype(np.float32)


def tile_to(z, n, rng):
    reps = int(np.ceil(n / max(1, len(z)))) + 1
    start = rng.integers(max(1, len(z)))
    return np.tile(z, reps)[start : start + n]


def telephone(x, rng):
    """An 8 kHz G.711 mu-law channel: down to 8 kHz, companded to 8 bits, back up (the band
    limit after `TELEPHONE_FILTERS`)."""
    kind = 0 if TELEPHONE_FILTERS == "poly" else int(_telephone_rng.integers(3))
    y = resample(x, (len(x) + 1) // 2) if kind == 1 else resample_poly(x, 1, 2)
    peak = np.abs(y).max() + 1e-9
    scale = min(1.0, 0.9 / peak)
    y = y * scale
    mu = 255.0
    c = np.sign(y) * np.log1p(mu * np.abs(y)) / np.log1p(mu)
    c = np.round(c * 127) / 127
    y = np.sign(c) * ((1 + mu) ** np.abs(c) - 1) / mu / scale
    if kind == 1:
        return resample(y, 2 * len(y))[: len(x)].astype(np.float32)
    up = resample_poly(y, 2, 1)[: len(x)]
    if kind == 2:
        taps = 2 * int(_telephone_rng.integers(63, 128)) + 1
        h = firwin(taps, _telephone_rng.uniform(3300, 3950), fs=RATE_HZ)
        up = np.convolve(up, h, mode="same")
    return up.astype(np.float32)


def share_alike_sources(data):
    """Real voices under share-alike licences, for a second validation set only (never for
    weights that ship): FSDD's six digit speakers and the English Asterisk voice, all 8 kHz."""
    t = data / "train"
    tel = sorted((t / "fsdd/recordings").glob("*.wav"))
    tel += sorted((t / "asterisk-core-sounds/en_US_f_Allison").rglob("*.wav"))
    return tel


class Library:
    def __init__(self, data, synth_dir=None, share_alike=False):
        wide, tel = speech_sources(data)
        # Synthesized voices (tools/synth_speech.py), for training mixtures only.
        self.synth = []
        if synth_dir is not None:
            for p in sorted(Path(synth_dir).glob("*.wav")):
                x = load(p)
                if len(x) >= FRAME * 10 and rms_db(x) > -60:
                    self.synth.append(x)
        self.speech = {"train": {"wide": [], "tel": []}, "validation": {"wide": [], "tel": []}}
        for kind, files in (("wide", wide), ("tel", tel)):
            for p in files:
                x = load(p)
                if len(x) < FRAME * 10:
                    continue
                split = "validation" if is_validation(p) else "train"
                self.speech[split][kind].append(x)
        if share_alike:
            # The validation pool holds the share-alike voices instead (telephone band only).
            self.speech["validation"] = {"wide": [], "tel": []}
            for p in share_alike_sources(data):
                x = load(p)
                if len(x) >= FRAME * 10:
                    self.speech["validation"]["tel"].append(x)
        self.noise = [load(p) for p in noise_sources(data)]
        rir_dir = data / "train/rirs-synthetic"
        self.rirs = [load(p) for p in sorted(rir_dir.glob("*.wav"))]
        # Headset bleed is near field: the earpiece a few centimetres from the boom mic.
        near, far = set(), set()
        for line in (rir_dir / "rirs.csv").read_text().splitlines()[1:]:
            name, _, _, distance_m, _ = line.split(",")
            if float(distance_m) < 0.3:
                near.add(name)
            if float(distance_m) >= FAR_FIELD_MIN_M:
                far.add(name)
        self.near_rirs = [load(rir_dir / n) for n in sorted(near)]
        self.far_rirs = [load(rir_dir / n) for n in sorted(far)]
        self.far_field = False

    def utterance(self, rng, split, kind):
        pool = self.speech[split][kind]
        if split == "train" and self.synth and rng.uniform() < SYNTH_SHARE:
            pool = self.synth
        u = pool[rng.integers(len(pool))]
        if len(u) > 8 * RATE_HZ:
            a = rng.integers(0, len(u) - 6 * RATE_HZ)
            u = u[a : a + int(rng.uniform(2, 6) * RATE_HZ)]
        if rng.uniform() < 0.75:
            # Another voice: pitch and formants move by the resampling factor.
            factor = rng.uniform(0.88, 1.12)
            up = 100
            u = resample_poly(u, up, int(round(up * factor))).astype(np.float32)
        return random_eq(u, rng)

    def noise_signal(self, rng, n):
        r = rng.uniform()
        if r < 0.55:
            return tile_to(self.noise[rng.integers(len(self.noise))], n, rng)
        if r < 0.75:
            return coloured_noise(rng, n)
        if r < 0.85:
            return hum(rng, n)
        return clicks(rng, n)


def speech_track(lib, rng, n, split, reverb, kind):
    """Utterances with pauses: the mixed-in speech and its frame labels."""
    track = np.zeros(n, np.float32)
    labels = np.zeros(n // FRAME, bool)
    t = int(rng.uniform(0.2, 2.0) * RATE_HZ)
    rirs = lib.rirs
    if reverb and lib.far_field and rng.uniform() < FAR_FIELD_SHARE:
        rirs = lib.far_rirs
    rir = rirs[rng.integers(len(rirs))] if reverb else None
    while True:
        u = lib.utterance(rng, split, kind)
        # Start on a random sample, so labels do not always meet frame edges.
        if t + len(u) >= n:
            break
        g = 10 ** (rng.uniform(-6, 6) / 20) / max(1e-6, 10 ** (rms_db(u) / 20))
        clean = np.zeros(n, np.float32)
        clean[t : t + len(u)] = g * u
        lab = label_frames(clean, (t, t + len(u)))
        labels[: len(lab)] |= lab
        if rir is not None:
            wet = fftconvolve(clean, rir)[:n].astype(np.float32)
            # Keep the dry level: the RIR's peak is 1, its energy varies.
            wet *= 10 ** ((rms_db(clean) - rms_db(wet)) / 20)
            clean = wet
        track += clean
        short = rng.uniform() < 0.4
        gap = rng.uniform(0.1, 0.6) if short else rng.uniform(0.6, 4.0)
        t += len(u) + int(gap * RATE_HZ)
    if LABEL_GAPS_ACROSS_UTTERANCES:
        labels = close_gaps(labels, LABEL_GAP_FRAMES)
    return track, labels


def make_mixture(lib, rng, split):
    """One mixture: (channels, labels, description). Channels is [mic] or [mic, far].
    A third are short (4-15 s), so the start of a recording, before the noise floor is
    known, is trained as often as it occurs in short clips."""
    seconds = rng.uniform(4, 15) if rng.uniform() < 1 / 3 else 30.0
    n = int(seconds * RATE_HZ)
    if NEAR_FIELD_BLEED:
        bleed = rng.uniform() < 0.35
        with_speech = rng.uniform() < (0.6 if bleed else 0.8)
        reverb = rng.uniform() < 0.35
    else:
        with_speech = rng.uniform() < 0.8
        reverb = rng.uniform() < (FAR_FIELD_REVERB_SHARE if lib.far_field else 0.35)
        # Headset bleed (two channels: the microphone and its far-end reference), also with
        # the rep silent: the far end's voice in the microphone is never the rep's speech.
        bleed = rng.uniform() < 0.35
    # Telephone prompts (8 kHz recordings) only in telephone-band mixtures: mixed with
    # wideband noise, their empty upper band would itself look like a speech cue.
    kind = "tel" if rng.uniform() < 0.5 else "wide"
    if not lib.speech[split]["wide"]:
        kind = "tel"
    band_limited = kind == "tel" or rng.uniform() < 0.25
    if with_speech:
        speech, labels = speech_track(lib, rng, n, split, reverb, kind)
        speech_db = rms_db(speech[speech != 0]) if (speech != 0).any() else -30.0
    else:
        speech, labels = np.zeros(n, np.float32), np.zeros(n // FRAME, bool)
        speech_db = -30.0
    mix = speech.copy()
    noises = rng.integers(0, 3) if with_speech else rng.integers(1, 3)
    for k in range(noises):
        z = lib.noise_signal(rng, n)
        snr = rng.uniform(-5, 30) + 6 * k
        mix += 10 ** ((speech_db - snr - rms_db(z)) / 20) * z
    if CALL_TONES and _tone_rng.uniform() < CALL_TONE_SHARE:
        z = call_tone(_tone_rng, n)
        snr = _tone_rng.uniform(-10, 20)
        mix += 10 ** ((speech_db - snr - rms_db(z)) / 20) * z
    far = None
    if bleed:
        far_kind = "tel" if rng.uniform() < 0.5 or not lib.speech[split]["wide"] else "wide"
        far, _ = speech_track(lib, rng, n, split, False, far_kind)
        if rng.uniform() < 0.5:
            far = telephone(far, rng)
        far += 10 ** (-60 / 20) * rng.standard_normal(n).astype(np.float32) * 10 ** (rms_db(far) / 20)
        if not NEAR_FIELD_BLEED:
            rir = lib.rirs[rng.integers(len(lib.rirs))]
            leak = fftconvolve(far, rir)[:n].astype(np.float32)
        elif rng.uniform() < 0.4:
            # The earpiece's own path: a delay of 0-20 ms and a transducer's band.
            d = rng.integers(0, 20 * RATE_HZ // 1000)
            leak = np.concatenate([np.zeros(d, np.float32), far[: n - d]])
            leak = lfilter([1, -rng.uniform(0.5, 0.95)], [1], leak).astype(np.float32)
        else:
            rirs = lib.near_rirs if rng.uniform() < 0.7 else lib.rirs
            leak = fftconvolve(far, rirs[rng.integers(len(rirs))])[:n].astype(np.float32)
        leak_db = speech_db - rng.uniform(12, 35)
        mix += 10 ** ((leak_db - rms_db(leak)) / 20) * leak
    if rng.uniform() < 0.9:
        floor_db = speech_db - rng.uniform(45, 75)
        mix += 10 ** (floor_db / 20) * rng.standard_normal(n).astype(np.float32)
    if band_limited:
        mix = telephone(mix, rng)
    else:
        mix = random_eq(mix, rng)
    level = rng.uniform(-55, -15)
    gain = 10 ** ((level - rms_db(mix)) / 20)
    mix *= gain
    peak = np.abs(mix).max()
    if peak > 0.99:
        mix *= 0.99 / peak
    # Half the mixtures carry 16-bit quantisation noise, half are exact (as audio decoded
    # to floats or resampled from 8 kHz is, whose upper band is then empty).
    quantised = rng.uniform() < 0.5
    if quantised:
        mix = np.round(mix * 32768) / 32768
    channels = [mix.astype(np.float32)]
    if far is not None:
        far = far * (10 ** ((rng.uniform(-35, -15) - rms_db(far)) / 20))
        channels.append(np.clip(far, -0.99, 0.99).astype(np.float32))
    desc = dict(speech=bool(with_speech), reverb=bool(reverb), bleed=bool(bleed),
                noises=int(noises), telephone=bool(band_limited), kind=kind,
                quantised=bool(quantised), seconds=seconds)
    return channels, labels, desc


def write_set(data, work, count, split, seed, name=None, synth_dir=None, share_alike=False,
              audio_from=None, far_field=False, telephone_filters="poly", call_tones=False):
    """`count` mixtures of `split` into `work`, files named after `name` (default: the
    split); with `synth_dir`, training utterances are also drawn from synthesized voices;
    with `share_alike`, validation speech is the share-alike voices. With `audio_from` (a
    work directory made with the same seeds and mixture recipe), only the labels are
    written, and the audio and its features are linked from there: the label rule draws
    no random numbers, so the mixtures are the same. With `far_field`, more of the mixtures
    are reverberant, most of those far from the microphone. `telephone_filters` is
    `TELEPHONE_FILTERS` for this set, `call_tones` `CALL_TONES`."""
    global TELEPHONE_FILTERS, _telephone_rng, CALL_TONES, _tone_rng
    TELEPHONE_FILTERS = telephone_filters
    _telephone_rng = np.random.default_rng(seed + 7919)
    CALL_TONES = call_tones
    _tone_rng = np.random.default_rng(seed + 104729)
    name = name or split
    lib = Library(data, synth_dir, share_alike)
    lib.far_field = far_field
    rng = np.random.default_rng(seed)
    work.mkdir(parents=True, exist_ok=True)
    index = []
    for i in range(count):
        channels, labels, desc = make_mixture(lib, rng, split)
        path = work / f"{name}-{i:04d}.wav"
        if audio_from is None:
            sf.write(str(path), np.stack(channels, axis=1), RATE_HZ, subtype="FLOAT")
        else:
            stored, _ = sf.read(str(Path(audio_from) / path.name), dtype="float32", always_2d=True)
            if stored.shape[0] != len(channels[0]) or not np.array_equal(stored[:, 0], channels[0]):
                raise SystemExit(f"{path.name}: not the mixture stored in {audio_from}")
            for ext in ("", ".feat"):
                link = Path(str(path) + ext)
                if link.is_symlink() or link.exists():
                    link.unlink()
                link.symlink_to(Path(audio_from).resolve() / (path.name + ext))
        np.save(str(path) + ".labels.npy", labels)
        desc["path"] = str(path)
        index.append(desc)
    (work / f"{name}.json").write_text(json.dumps(index, indent=1))
    return [Path(d["path"]) for d in index]
