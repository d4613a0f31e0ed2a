#!/usr/bin/env python3
"""Checks the training label rule of tools/vad_mixtures.py against word timings.

  python3 tools/vad_label_rule.py [--data ../shared/data]

`picovoice-leopard/test_data.json` (training data, Apache-2.0) gives word-level start and
end times (ASR output) for 8 clips in 8 languages. A listener, and tacet's talk time, calls
the short gaps between the words of a phrase speech and a phrase pause not. The bound
between the two is tacet's own `merge_gap_s` (0.3 s: shorter gaps inside one party's
speech are not pauses in its talk time), and the word timings bear it out: the script
prints the sorted inter-word gaps, of which 80 of 83 are 0.25 s or less and the other
three 0.35, 0.71 and 1.02 s. The reference is then the union of the word intervals with gaps under
that bound bridged, and the energy label rule (frames within `range` dB of the
utterance's 95th-percentile frame energy, label gaps of up to `gap` frames closed, islands
of 2 frames or less dropped) is scored against it for each `range` and `gap`: frame F1,
how many of the within-phrase gaps it leaves open and how many phrase pauses it keeps open.

Only this training folder is read.
"""

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import vad_mixtures  # noqa: E402


def drop_islands(lab, k):
    out = lab.copy()
    n, i = len(lab), 0
    while i < n:
        if lab[i]:
            j = i
            while j < n and lab[j]:
                j += 1
            if j - i <= k:
                out[i:j] = False
            i = j
        else:
            i += 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--bound-s", type=float, default=0.3, help="within-phrase gaps are shorter")
    args = ap.parse_args()
    root = Path(args.data) / "train/picovoice-leopard"
    tests = json.loads((root / "test_data.json").read_text())["tests"]["language_tests"]
    clips, gaps = [], []
    for t in tests:
        x = vad_mixtures.load(root / "audio_samples" / t["audio_file"])
        db = vad_mixtures.frame_db(x)
        words = [(w["start_sec"], w["end_sec"]) for w in t["words"]]
        gaps += [b[0] - a[1] for a, b in zip(words[:-1], words[1:])]
        clips.append((t["language"], db, words))
    g = np.sort(gaps)
    print(f"{len(g)} inter-word gaps in {len(clips)} clips (s): " + " ".join(f"{v:.2f}" for v in g))
    print(f"gaps under {args.bound_s:.2f} s (within a phrase): {(g < args.bound_s).sum()}, "
          f"longer (phrase pauses): {(g >= args.bound_s).sum()}")
    bound = int(round(args.bound_s * 100))
    print("gap frames | range dB: frame F1 / within-phrase gaps left open / phrase pauses kept open")
    for gap in range(6, 25):
        row = []
        for rng_db in (20.0, 22.5, 25.0, 27.5, 30.0):
            tp = fp = fn = opened = kept = short = long_ = 0
            for _, db, words in clips:
                ref = np.zeros(len(db), bool)
                for a, b in words:
                    ref[int(round(a * 100)) : int(round(b * 100))] = True
                ref = vad_mixtures.close_gaps(ref, bound - 1)
                lab = db >= np.percentile(db, 95) - rng_db
                lab = drop_islands(vad_mixtures.close_gaps(lab, gap), 2)
                tp += (lab & ref).sum()
                fp += (lab & ~ref).sum()
                fn += (~lab & ref).sum()
                for (_, e), (s, _) in zip(words[:-1], words[1:]):
                    a, b = int(round(e * 100)), int(round(s * 100))
                    if b - a < bound:
                        short += 1
                        opened += bool((~lab[a:b]).any())
                    else:
                        long_ += 1
                        kept += bool((~lab[a:b]).any())
            p, r = tp / max(1, tp + fp), tp / max(1, tp + fn)
            row.append(f"{rng_db:4.1f}: {2 * p * r / max(1e-9, p + r):.3f} {opened:2d}/{short} {kept}/{long_}")
        print(f"{gap:3d} | " + " | ".join(row))


if __name__ == "__main__":
    sys.exit(main())
