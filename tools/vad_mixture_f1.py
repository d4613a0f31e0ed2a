#!/usr/bin/env python3
"""Frame F1 of the tacet binary's detector over training-data mixtures.

  python3 tools/vad_mixture_f1.py TACET 'W/validation-*.wav'

Runs `TACET vad` on every mixture the pattern names (as written by tools/vad_mixtures.py
through tools/train_vad.py, each with its `.labels.npy` of 10 ms frame labels) and prints
the frame precision, recall and F1 of all of them pooled. This is the whole detector as it
ships (front end, model, rule and gates), where train_vad.py's validation figures are the
network and its rule alone; it is how a gate in front of or after the model is chosen on
the validation split (docs/vad.md). Only mixtures of the training data are read here.
"""

import glob
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def detected(binary, path, frames):
    out = subprocess.run([binary, "vad", path], capture_output=True, text=True, check=True).stdout
    d = np.zeros(frames + 400, bool)
    for line in out.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        start_s, end_s = map(float, line.split()[:2])
        d[int(round(start_s * 100)):int(round(end_s * 100))] = True
    return d[:frames]


def counts(binary, path):
    labels = np.load(path + ".labels.npy").astype(bool)
    d = detected(binary, path, len(labels))
    return (d & labels).sum(), d.sum(), labels.sum()


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, pattern = sys.argv[1], sys.argv[2]
    files = sorted(glob.glob(pattern))
    if not files:
        sys.exit(f"no mixture matches {pattern}")
    with ThreadPoolExecutor(2) as pool:
        per_file = list(pool.map(lambda f: counts(binary, f), files))
    tp, called, speech = np.array(per_file).sum(0)
    p, r = tp / called, tp / speech
    print(f"{len(files)} mixtures: F1 {2 * p * r / (p + r):.4f} P {p:.4f} R {r:.4f}")


if __name__ == "__main__":
    main()
