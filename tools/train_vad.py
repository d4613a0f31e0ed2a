#!/usr/bin/env python3
"""Trains the learned frame stage of the speech detector (src/vad/learned.rs).

Reproducible: a fixed seed, and only the permissively licensed parts of
../shared/data/train (never the evaluation sets):
  speech: ljspeech-coqui (public domain), librosa-data/speech (CC BY 4.0),
          rtvc-samples (CC BY 4.0), picovoice-leopard (Apache-2.0; LibriSpeech CC BY 4.0)
  noise:  keystrokes-zoom (MIT), speech-commands-bg-noise (CC BY 4.0; the cat imitation
          is left out, it is a human voice), picovoice-leopard/empty.wav (Apache-2.0),
          librosa-data/music (CC BY 3.0 / public domain; the song with singing is left out)

Steps: scripted mixtures (utterances with pauses over noise at random SNRs and levels, and
noise alone) are written as 16 kHz WAV files; the Rust feature extractor
(`cargo run --release --example vad_features`) writes the classifier's clamped band SNRs per
10 ms frame; frame labels come from the clean speech's energy; a logistic regression on
causal features of the band SNRs is fitted by Newton's method with an L2 penalty; the
weights are written to src/vad/learned_weights.rs.

  python3 tools/train_vad.py [--data ../shared/data] [--work /tmp/tacet-vad-train]

Needs numpy, scipy and soundfile (pip install numpy scipy soundfile).
"""

import argparse
import subprocess
import sys
from math import gcd
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

RATE_HZ = 16_000
FRAME = 160
NUM_BANDS = 18
# Bands up to 4 kHz (the ones the rule scores): telephone audio has nothing above.
MODEL_BANDS = 16
SEED = 20240611

# Feature recurrences; src/vad/learned.rs computes the same ones.
SHORT_ALPHA = 0.7  # short mean of the band SNRs (about 30 ms)
LONG_ALPHA = 0.95  # long mean (about 200 ms)
FLUX_ALPHA = 0.8  # mean absolute frame-to-frame change of the band SNRs
SNR_SCALE = 1.0 / 30.0  # band SNRs are clamped to [0, 30] dB
# A strong penalty: the weights stay smooth across bands, which carries over from the
# synthetic mixtures to recorded speech far better than a weak one.
L2_PENALTY = 10_000.0


def load(path):
    x, sr = sf.read(str(path), dtype="float32", always_2d=True)
    x = x.mean(axis=1)
    if sr != RATE_HZ:
        g = gcd(sr, RATE_HZ)
        x = resample_poly(x, RATE_HZ // g, sr // g).astype(np.float32)
    return x


def speech_files(data):
    t = data / "train"
    files = sorted((t / "ljspeech-coqui/wavs").glob("*.wav"))
    files += sorted((t / "librosa-data/speech").glob("*.ogg"))
    files += sorted((t / "rtvc-samples").glob("*.mp3"))
    files += [
        p
        for p in sorted((t / "picovoice-leopard/audio_samples").glob("*.wav"))
        if p.name != "empty.wav"
    ]
    return files


def noise_files(data):
    t = data / "train"
    files = sorted((t / "keystrokes-zoom/Zoom").glob("*.wav"))
    files += [
        p
        for p in sorted((t / "speech-commands-bg-noise").glob("*.wav"))
        if "miaow" not in p.name
    ]
    files.append(t / "picovoice-leopard/audio_samples/empty.wav")
    files += [
        p for p in sorted((t / "librosa-data/music").glob("*.ogg")) if "Karissa" not in p.name
    ]
    return files


def frame_db(x):
    n = len(x) // FRAME
    e = (x[: n * FRAME].reshape(n, FRAME) ** 2).mean(axis=1)
    return 10 * np.log10(e + 1e-12)


def speech_labels(clean):
    """Frames whose clean-speech energy is within 30 dB of the loud frames, with gaps of up
    to 50 ms closed and one frame added at each edge (the 20 ms analysis window)."""
    db = frame_db(clean)
    loud = np.percentile(db[db > -100], 95) if (db > -100).any() else -100
    lab = db > loud - 30
    out = lab.copy()
    idx = np.flatnonzero(lab)
    for a, b in zip(idx[:-1], idx[1:]):
        if 1 < b - a <= 6:
            out[a:b] = True
    grow = out.copy()
    grow[1:] |= out[:-1]
    grow[:-1] |= out[1:]
    return grow


def rms_db(x):
    return 10 * np.log10((x.astype(np.float64) ** 2).mean() + 1e-20)


def make_mixture(rng, speech, noises, seconds, with_speech):
    n = int(seconds * RATE_HZ)
    clean = np.zeros(n, np.float32)
    if with_speech:
        t = int(rng.uniform(0.3, 2.0) * RATE_HZ)
        while True:
            u = speech[rng.integers(len(speech))]
            if len(u) > 8 * RATE_HZ:
                a = rng.integers(0, len(u) - 6 * RATE_HZ)
                u = u[a : a + int(rng.uniform(2, 6) * RATE_HZ)]
            if t + len(u) >= n:
                break
            g = 10 ** (rng.uniform(-6, 6) / 20) / max(1e-6, 10 ** (rms_db(u) / 20))
            clean[t : t + len(u)] += g * u
            t += len(u) + int(rng.uniform(0.2, 2.5) * RATE_HZ)
    labels = speech_labels(clean) if with_speech else np.zeros(n // FRAME, bool)
    mix = clean.copy()
    # One or two noises, looped to length, at a random SNR against the speech.
    for k in range(rng.integers(1, 3)):
        z = noises[rng.integers(len(noises))]
        reps = int(np.ceil(n / len(z))) + 1
        start = rng.integers(len(z))
        z = np.tile(z, reps)[start : start + n]
        snr = rng.uniform(0, 30) + 6 * k
        speech_db = rms_db(clean[clean != 0]) if with_speech else 0.0
        gain = 10 ** ((speech_db - snr - rms_db(z)) / 20)
        mix += gain * z
    # Faint room noise so nothing is digitally silent.
    mix += 10 ** (-75 / 20) * rng.standard_normal(n).astype(np.float32)
    level = rng.uniform(-50, -18)
    mix *= 10 ** ((level - rms_db(mix)) / 20)
    if rng.uniform() < 0.3:
        # An 8 kHz telephone channel.
        mix = resample_poly(resample_poly(mix, 1, 2), 2, 1)[:n].astype(np.float32)
    peak = np.abs(mix).max()
    if peak > 0.99:
        mix *= 0.99 / peak
    return mix, labels


def features(snr):
    """Causal features per frame from the clamped band SNRs (frames x NUM_BANDS, dB)."""
    n = len(snr)
    s = snr * SNR_SCALE
    short = np.zeros_like(s)
    long = np.zeros_like(s)
    flux = np.zeros_like(s)
    ms = np.zeros(MODEL_BANDS)
    ml = np.zeros(MODEL_BANDS)
    mf = np.zeros(MODEL_BANDS)
    prev = np.zeros(MODEL_BANDS)
    for t in range(n):
        ms = SHORT_ALPHA * ms + (1 - SHORT_ALPHA) * s[t]
        ml = LONG_ALPHA * ml + (1 - LONG_ALPHA) * s[t]
        mf = FLUX_ALPHA * mf + (1 - FLUX_ALPHA) * np.abs(s[t] - prev)
        prev = s[t]
        short[t], long[t], flux[t] = ms, ml, mf
    return np.hstack([s, short, long, flux])


def report(name, rule, d, y):
    tp = (d & (y > 0)).sum()
    prec = tp / max(1, d.sum())
    rec = tp / max(1, (y > 0).sum())
    print(f"{name} {rule}: speech {y.mean():.2f} P {prec:.3f} R {rec:.3f} "
          f"F1 {2 * prec * rec / max(1e-9, prec + rec):.3f}")


def fit_logistic(x, y, w_sample, l2):
    """Newton's method on the weighted, L2-penalised log loss (bias unpenalised)."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    pen = np.full(xb.shape[1], l2)
    pen[-1] = 0
    for _ in range(30):
        z = xb @ w
        p = 1 / (1 + np.exp(-z))
        g = xb.T @ (w_sample * (p - y)) + pen * w
        h = (xb * (w_sample * p * (1 - p))[:, None]).T @ xb + np.diag(pen)
        step = np.linalg.solve(h, g)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--work", default="/tmp/tacet-vad-train")
    ap.add_argument("--mixtures", type=int, default=120)
    ap.add_argument("--out", default="src/vad/learned_weights.rs")
    ap.add_argument("--extractor", help="a built vad_features binary (default: cargo run)")
    args = ap.parse_args()
    data = Path(args.data)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)

    speech = [load(p) for p in speech_files(data)]
    noises = [load(p) for p in noise_files(data)]
    print(f"{len(speech)} speech files ({sum(map(len, speech)) / RATE_HZ:.0f} s), "
          f"{len(noises)} noise files ({sum(map(len, noises)) / RATE_HZ:.0f} s)")

    paths, labels = [], []
    for i in range(args.mixtures):
        with_speech = i % 5 != 4
        mix, lab = make_mixture(rng, speech, noises, 30.0, with_speech)
        p = work / f"mix-{i:03d}.wav"
        sf.write(str(p), mix, RATE_HZ, subtype="PCM_16")
        paths.append(p)
        labels.append(lab)
    if args.extractor:
        cmd = [args.extractor]
    else:
        cmd = ["cargo", "run", "--release", "--quiet", "--example", "vad_features", "--"]
    subprocess.run(cmd + [str(p) for p in paths], check=True)
    xs, ys = [], []
    for p, lab in zip(paths, labels):
        raw = np.fromfile(str(p) + ".snr", dtype="<f4").reshape(-1, NUM_BANDS + 1)
        n = min(len(raw), len(lab))
        xs.append(features(raw[:n, :MODEL_BANDS].astype(np.float64)))
        ys.append(lab[:n].astype(np.float64))
    np.savez(work / "features.npz", *xs, *ys)
    split = int(0.8 * len(xs))
    xtr, ytr = np.vstack(xs[:split]), np.concatenate(ys[:split])
    xva, yva = np.vstack(xs[split:]), np.concatenate(ys[split:])
    # Balance the classes.
    pos = ytr.mean()
    wts = np.where(ytr > 0, 0.5 / pos, 0.5 / (1 - pos))
    w = fit_logistic(xtr, ytr, wts, l2=L2_PENALTY)
    for name, x, y in (("train", xtr, ytr), ("validation", xva, yva)):
        z = np.hstack([x, np.ones((len(x), 1))]) @ w
        for rule, d in (("rule", x[:, :16].mean(axis=1) / SNR_SCALE >= 5), ("learned", z > 0)):
            report(name, rule, d, y)


    nf = 4 * MODEL_BANDS
    with open(args.out, "w") as f:
        f.write("//! Weights of the learned frame stage (src/vad/learned.rs), written by\n")
        f.write("//! `python3 tools/train_vad.py`; do not edit by hand.\n\n")
        f.write("/// Short mean of the band SNRs (the recurrences the weights were trained with).\n")
        f.write(f"pub const SHORT_ALPHA: f32 = {SHORT_ALPHA};\n")
        f.write(f"/// Long mean of the band SNRs.\npub const LONG_ALPHA: f32 = {LONG_ALPHA};\n")
        f.write(f"/// Mean absolute change of the band SNRs.\npub const FLUX_ALPHA: f32 = {FLUX_ALPHA};\n")
        f.write(f"/// Band SNRs (dB) are scaled by this.\npub const SNR_SCALE: f32 = 1.0 / 30.0;\n")
        f.write(f"/// Bands used (the lowest ones, up to 4 kHz).\npub const MODEL_BANDS: usize = {MODEL_BANDS};\n")
        for k, name in enumerate(("SNR", "SHORT", "LONG", "FLUX")):
            vals = ", ".join(f"{v:.6}" for v in w[k * MODEL_BANDS : (k + 1) * MODEL_BANDS])
            f.write(f"/// Weights of the {name.lower()} features per band.\n")
            f.write(f"pub const W_{name}: [f32; MODEL_BANDS] = [{vals}];\n")
        f.write(f"/// Bias of the logit.\npub const BIAS: f32 = {w[nf]:.6};\n")
    # The repository's formatting (cargo fmt --check stays clean).
    subprocess.run(["rustfmt", "--edition", "2024", args.out], check=False)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    sys.exit(main())
