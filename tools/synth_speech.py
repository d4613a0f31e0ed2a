#!/usr/bin/env python3
"""Synthesized speech for the learned speech model's training mixtures (tools/vad_mixtures.py).

  python3 tools/synth_speech.py [--data ../shared/data] [--out DIR] [--count N]

The permissively licensed recordings of ../shared/data/train hold few voices (mostly two
telephone voices). This script adds many more, made on this machine by espeak-ng (Debian's
`espeak-ng`): each utterance is one to three prompt lines of the CC BY 3.0 Italian and Russian
Asterisk transcripts, read by a random espeak-ng language voice with a random voice variant,
speed, pitch and gap between words. A voice reads text of another language by its own letter rules,
which is speech-like all the same (the model never sees words). Whisper, robot and novelty
variants are left out: their sound is not a headset voice.

The audio is espeak-ng's output, not a copy of espeak-ng's data files; the text spoken is CC BY
3.0 (Carlo Flora; Maxim Topal, http://www.ivrvoice.ru). Synthesized speech is used for training
only, always mixed with the real recordings; the model is chosen and judged on real speech.

Fixed seed: a rerun with the same espeak-ng writes the same files.
"""

import argparse
import random
import subprocess
from pathlib import Path

SEED = 20261202
# Language voices whose letter rules read Latin or Cyrillic text (the transcripts' scripts).
LATIN = [
    "af", "an", "ca", "cs", "cy", "da", "de", "en-gb", "en-gb-scotland", "en-gb-x-rp",
    "en-us", "en-029", "eo", "es", "es-419", "et", "eu", "fi", "fr-fr", "fr-be", "ga", "gd",
    "hr", "ht", "hu", "id", "is", "it", "la", "lb", "lt", "lv", "ms", "mt", "nb", "nl",
    "pl", "pt", "pt-br", "ro", "sk", "sl", "sq", "sv", "sw", "tr", "vi",
]
CYRILLIC = ["ru", "uk", "bg", "be", "mk", "sr", "kk", "ky", "tt", "ba", "cv"]
VARIANTS = [
    "", "Adam", "Alex", "Alicia", "Andrea", "Andy", "Annie", "Antonio", "Auntie", "Belinda",
    "Benjamin", "Boris", "Caleb", "David", "Denis", "Diogo", "Ed", "Edward", "Gene",
    "Gustave", "Henrique", "Hugo", "Iven", "Jacky", "John", "Lee", "Linda", "Marcelo",
    "Marco", "Mario", "Max", "Michael", "Michel", "Miguel", "Mike", "Pablo", "Paul", "Pedro",
    "Quincy", "Rob", "Robert", "Steph", "Storm", "Zac", "anika", "female2", "female3",
    "female4", "female5", "grandpa", "klatt", "klatt2", "klatt3", "klatt4", "male2",
    "male3", "male4", "male5", "male6", "male7", "norbert", "sandro", "shelby", "travis",
    "victor", "male8", "female1", "male1", "grandma",
]


def lines(path):
    out = []
    for raw in path.read_text(encoding="utf-8-sig").splitlines():
        if raw.startswith(";") or ":" not in raw:
            continue
        text = raw.split(":", 1)[1].strip()
        if len(text) >= 4:
            out.append(text)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="../shared/data")
    ap.add_argument("--out", default="/tmp/tacet-synth-speech")
    ap.add_argument("--count", type=int, default=1200)
    args = ap.parse_args()
    train = Path(args.data) / "train"
    italian = lines(train / "asterisk-core-sounds/core-sounds-it.txt")
    russian = lines(train / "asterisk-core-sounds-ru/core-sounds-ru.txt")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    for i in range(args.count):
        path = out / f"synth-{i:04d}.wav"
        cyrillic = rng.random() < 0.3
        voice = rng.choice(CYRILLIC if cyrillic else LATIN)
        text = " ".join(rng.choice(russian if cyrillic else italian) for _ in range(rng.randint(1, 3)))
        variant = rng.choice(VARIANTS)
        name = f"{voice}+{variant}" if variant else voice
        cmd = [
            "espeak-ng", "-v", name, "-s", str(rng.randint(120, 210)),
            "-p", str(rng.randint(20, 80)),
            "-g", str(rng.randint(0, 12)), "-w", str(path), text,
        ]
        if not path.exists():
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f"{args.count} utterances in {out}")


if __name__ == "__main__":
    main()
