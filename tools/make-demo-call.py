#!/usr/bin/env python3
"""Build the bundled demo call: a synthesized two-party discovery call with known timing.

Output (relative to the repository root):
  assets/demo/demo-call.wav         stereo, 16 kHz, PCM16; rep on channel 0, prospect on channel 1
  assets/demo/demo-call.truth.json  sample-accurate speech segments, pauses, backchannels,
                                    interruptions and the monologue, as scripted

Usage:
  python3 tools/make-demo-call.py [--out-dir assets/demo] [--check-only]

Requirements: Python 3 (standard library only) and the espeak-ng binary on PATH.
The output is deterministic: the same espeak-ng version gives the same bytes.

How it works: every utterance of the script is synthesized on its own with espeak-ng,
resampled from espeak's 22050 Hz to 16 kHz with a windowed-sinc polyphase filter, normalised
per voice to -20 dBFS RMS over its speech frames, and trimmed to its first and last sample above
1% of full scale (plus a 5 ms margin). A soft limiter keeps the rare peaks under -1 dBFS. The script then places the trimmed clips on a timeline
with explicit gaps, so every boundary in the truth file is known to the sample. Finally the
truth is checked against the definitions of docs/product.md (pauses, backchannels, turns,
interruptions, monologue) and against the design rules of the demo (no silence anywhere
between 0.8 s and 1.25 s, rep share of talk between 40% and 60%, a monologue of at least 65 s
whose internal gaps are all under 0.25 s, ...).
"""

import argparse
import array
import json
import math
import operator
import os
import subprocess
import sys
import tempfile
import wave

RATE = 16000
ESPEAK_RATE = 22050
FULL_SCALE = 32767
TRIM_THRESHOLD = int(0.01 * FULL_SCALE)  # 1% of full scale
TRIM_MARGIN = int(0.005 * RATE)  # 5 ms kept on each side of the first/last loud sample
TARGET_RMS_DBFS = -20.0
MAX_INTERNAL_SILENCE_S = 0.25  # longer silences inside an utterance split it in the truth

# Product defaults (docs/product.md) used by the self-check.
MERGE_GAP_S = 0.3
PAUSE_MIN_S = 1.0
BACKCHANNEL_MAX_S = 1.0
INTERRUPTION_MIN_OVERLAP_S = 0.2
MONOLOGUE_WARN_S = 60.0

# Demo design rules.
AMBIGUOUS_SILENCE = (0.8, 1.25)  # no silence of the call may fall in [0.8, 1.25)
DEMO_PAUSE_MIN_S = 1.25
MONOLOGUE_MIN_S = 65.0
MONOLOGUE_MAX_GAP_S = 0.25
REP_SHARE_RANGE = (0.40, 0.60)
DURATION_RANGE_S = (120.0, 180.0)
MAX_WAV_BYTES = 10_000_000
BACKCHANNEL_DEMO_MAX_S = 0.8
INTERRUPTION_DEMO_MIN_LEN_S = 1.2
INTERRUPTION_DEMO_MIN_OVERLAP_S = 0.5
NONBACKCHANNEL_MIN_S = 1.3  # every merged non-backchannel stretch is clearly longer than backchannel_max_s

VOICES = {
    # side: espeak-ng arguments
    "rep": ["-v", "en-us", "-s", "168", "-p", "42", "-g", "0", "-z"],
    "prospect": ["-v", "en-gb+f3", "-s", "158", "-p", "62", "-g", "0", "-z"],
}

LEAD_IN_S = 0.5
TAIL_S = 1.3

# ---------------------------------------------------------------------------------------------
# The script.
#
# Each step is a tuple:
#   ("say", side, text, gap_s, note)  - starts gap_s after the end of the latest speech so far
#                                       (either side); note names a scripted pause, if any
#   ("backchannel", side, text, frac)  - placed inside the other side's latest utterance,
#                                       centred at frac of its length; the timeline does not move
#   ("interrupt", side, text, overlap_s) - starts overlap_s before the end of the other side's
#                                       latest utterance
#
# Gaps between ordinary turns are 0.3-0.4 s, gaps inside one party's turn 0.12-0.16 s, and
# scripted pauses 1.3-2.0 s, so every silence is far from the 1.0 s pause threshold.
# ---------------------------------------------------------------------------------------------

T = 0.3  # ordinary turn gap
S = 0.12  # gap between sentences of one speaker

SCRIPT = [
    ("say", "rep", "Thanks for your time Dana.", 0.0, None),
    ("say", "rep", "What made you want to take this call?", S, None),
    # Held pause 1: the rep asks and waits.
    ("say", "prospect", "Honestly our dispatch process is a mess right now.", 2.0, "held"),
    ("say", "prospect", "We run forty vans out of two depots.", S, None),
    ("say", "prospect", "And every route is still planned by hand every single morning.", S, None),
    ("say", "rep", "How long does the planning take?", T, None),
    # Held pause 2.
    ("say", "prospect", "About two hours per depot if nothing goes wrong.", 1.6, "held"),
    ("say", "prospect", "And when a driver calls in sick we start again from scratch.", S, None),
    # The prospect stops, thinks, and goes on: a pause after the prospect, broken by the prospect.
    ("say", "prospect", "Actually last Monday we missed eleven deliveries because of that.", 1.5, "prospect-continues"),
    ("say", "prospect", "One of them was for our biggest customer.", S, None),
    ("say", "rep", "And what did that cost you?", T, None),
    # Broken pause: the rep cannot stand the silence and rephrases.
    ("say", "rep", "I mean, did they mention the contract?", 1.4, "broken"),
    ("say", "prospect", "They did.", 0.4, None),
    ("say", "prospect", "They asked for a review meeting next month.", S, None),
    ("say", "prospect", "So my boss wants this fixed before then.", S, None),
    # The monologue: one rep turn of consecutive sentences with gaps under 0.25 s, with
    # backchannels from the prospect inside it.
    ("say", "rep", "Okay that makes sense, so let me tell you how we solve exactly that.", T, "monologue-start"),
    ("say", "rep", "Routewell plans every route for every van automatically each morning before six.", 0.16, None),
    ("say", "rep", "It reads your orders, your time windows and your depot hours straight from your system.", 0.14, None),
    ("say", "rep", "Then it builds the plan in about ninety seconds instead of two hours.", 0.16, None),
    ("backchannel", "prospect", "Mm-hmm.", 0.5),
    ("say", "rep", "When a driver calls in sick you just mark the driver as absent.", 0.15, None),
    ("say", "rep", "The plan is rebuilt in under a minute for every driver.", 0.14, None),
    ("say", "rep", "Your customers get a text with a new delivery window so nobody is surprised.", 0.16, None),
    ("say", "rep", "Your dispatchers can also see every van live on one map.", 0.14, None),
    ("say", "rep", "Most of our customers cut their planning time by more than eighty percent in the first month.", 0.15, None),
    ("backchannel", "prospect", "Okay.", 0.5),
    ("say", "rep", "One grocery client with fifty vans went from three planners down to one.", 0.14, None),
    ("say", "rep", "The other two now handle customer calls and exceptions, which they actually enjoy.", 0.16, None),
    ("backchannel", "prospect", "Right.", 0.55),
    ("say", "rep", "Setup takes about two weeks and we do most of the work for you.", 0.15, None),
    ("say", "rep", "Pricing is per van per month and there is no long contract.", 0.14, None),
    ("say", "rep", "We also include training for every dispatcher and a named contact for the first ninety days.", 0.16, None),
    ("say", "rep", "And the driver app works on any phone so there is no new hardware to buy.", 0.15, None),
    ("backchannel", "prospect", "Mm-hmm.", 0.45),
    ("say", "rep", "Honestly teams like yours usually see the difference in the very first week.", 0.14, None),
    ("say", "prospect", "That all sounds good but budget is the tricky part for us this year.", T, None),
    ("say", "prospect", "We already pay for a telematics system and my boss thinks it should do all of this.", S, None),
    # The rep talks over the prospect: an interruption with 0.7 s of overlap.
    ("interrupt", "rep", "Sorry, which system is that?", 0.7),
    ("say", "prospect", "We use Fleetlink.", T, None),
    ("say", "prospect", "We signed a three year contract with them last spring.", S, None),
    ("say", "prospect", "It tracks the vans well but it does not plan anything.", S, None),
    ("say", "prospect", "Honestly I think he just does not want another vendor.", S, None),
    ("say", "rep", "What would you need to see to move forward on your own terms?", T, None),
    # Held pause 3.
    ("say", "prospect", "A pilot at one depot I think.", 1.8, "held"),
    ("say", "prospect", "If it saves an hour a day I can make the case to my boss myself.", S, None),
    ("say", "rep", "Can we talk again on Thursday at ten?", T, None),
    # Held pause 4.
    ("say", "prospect", "Thursday at ten works.", 1.5, "held"),
    ("say", "prospect", "I will bring my boss along.", S, None),
    ("say", "prospect", "Thank you Sam and talk to you then.", S, None),
]

# The scripted intent, checked against what the definitions compute from the final truth.
EXPECTED_PAUSE_KINDS = {
    "held": ("rep", "prospect"),
    "broken": ("rep", "rep"),
    "prospect-continues": ("prospect", "prospect"),
}


# ---------------------------------------------------------------------------------------------
# Audio helpers (standard library only)
# ---------------------------------------------------------------------------------------------

def espeak_version():
    out = subprocess.run(["espeak-ng", "--version"], check=True, capture_output=True, text=True).stdout
    # "eSpeak NG text-to-speech: 1.51  Data at: ..."
    return out.split(":", 1)[1].split()[0] if ":" in out else out.strip()


def synthesize(side, text, tmpdir, index):
    path = os.path.join(tmpdir, "u%03d.wav" % index)
    cmd = ["espeak-ng"] + VOICES[side] + ["-w", path, text]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    with wave.open(path, "rb") as w:
        if w.getnchannels() != 1 or w.getsampwidth() != 2:
            raise SystemExit("espeak-ng produced an unexpected WAV format: %s" % path)
        if w.getframerate() != ESPEAK_RATE:
            raise SystemExit("espeak-ng rate %d, expected %d" % (w.getframerate(), ESPEAK_RATE))
        data = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder != "little":
        data.byteswap()
    return [float(v) for v in data]


class Resampler:
    """Windowed-sinc polyphase resampler from 22050 Hz to 16000 Hz (ratio 320/441)."""

    UP, DOWN = 320, 441
    HALF_TAPS = 16  # taps on each side of the centre, at the input rate

    def __init__(self):
        cutoff = 0.45 * RATE / ESPEAK_RATE  # 7.2 kHz, as a fraction of the input rate
        n_taps = 2 * self.HALF_TAPS
        self.table = []
        for phase in range(self.UP):
            frac = phase / self.UP  # output position lies frac input samples after index i
            taps = []
            for k in range(n_taps):
                # input index i - HALF_TAPS + 1 + k
                d = (k - self.HALF_TAPS + 1) - frac
                x = 2.0 * cutoff * d
                sinc = 1.0 if x == 0 else math.sin(math.pi * x) / (math.pi * x)
                # Blackman window over [-HALF_TAPS, HALF_TAPS]
                u = (d + self.HALF_TAPS) / (2.0 * self.HALF_TAPS)
                win = 0.42 - 0.5 * math.cos(2 * math.pi * u) + 0.08 * math.cos(4 * math.pi * u)
                taps.append(2.0 * cutoff * sinc * win)
            gain = sum(taps)
            self.table.append([t / gain for t in taps])

    def __call__(self, x):
        pad = self.HALF_TAPS + 1
        xp = [0.0] * pad + x + [0.0] * (pad + 1)
        n_out = (len(x) * self.UP) // self.DOWN
        out = [0.0] * n_out
        table, up, down, half = self.table, self.UP, self.DOWN, self.HALF_TAPS
        mul = operator.mul
        for n in range(n_out):
            pos = n * down
            i, phase = divmod(pos, up)
            start = i + pad - half + 1
            out[n] = sum(map(mul, xp[start:start + 2 * half], table[phase]))
        return out


def active_rms(x, frame=320):
    """RMS over 20 ms frames that carry speech (frame RMS above -50 dBFS)."""
    floor = FULL_SCALE * 10 ** (-50 / 20)
    total, count = 0.0, 0
    for s in range(0, len(x) - frame + 1, frame):
        e = sum(v * v for v in x[s:s + frame])
        if math.sqrt(e / frame) > floor:
            total += e
            count += frame
    return total, count


LIMIT_KNEE = 0.70 * FULL_SCALE  # about -3 dBFS
LIMIT_CEILING = 0.89 * FULL_SCALE  # about -1 dBFS


def soft_limit(v):
    """Leave samples below the knee alone and bend the rare peaks above it under -1 dBFS."""
    a = abs(v)
    if a <= LIMIT_KNEE:
        return v
    room = LIMIT_CEILING - LIMIT_KNEE
    a = LIMIT_KNEE + room * math.tanh((a - LIMIT_KNEE) / room)
    return a if v > 0 else -a


def trim(x):
    """First/last sample above the threshold, widened by the margin. Returns (start, end)."""
    first = next(i for i, v in enumerate(x) if abs(v) > TRIM_THRESHOLD)
    last = len(x) - 1 - next(i for i, v in enumerate(reversed(x)) if abs(v) > TRIM_THRESHOLD)
    return max(0, first - TRIM_MARGIN), min(len(x), last + 1 + TRIM_MARGIN)


def internal_silences(x, min_len):
    """Runs of samples at or below the threshold, at least min_len samples long: [(start, end)]."""
    runs, run_start = [], None
    for i, v in enumerate(x):
        if abs(v) <= TRIM_THRESHOLD:
            if run_start is None:
                run_start = i
        elif run_start is not None:
            if i - run_start >= min_len:
                runs.append((run_start, i))
            run_start = None
    return runs


# ---------------------------------------------------------------------------------------------
# Timeline
# ---------------------------------------------------------------------------------------------

def build(tmpdir):
    resample = Resampler()
    clips = []  # per step: dict(side, text, samples)
    for idx, step in enumerate(SCRIPT):
        side, text = step[1], step[2]
        raw = synthesize(side, text, tmpdir, idx)
        clips.append({"side": side, "text": text, "x": resample(raw)})

    # One gain per voice: -20 dBFS RMS over its speech frames.
    gains = {}
    for side in VOICES:
        total, count = 0.0, 0
        for c in clips:
            if c["side"] == side:
                t, n = active_rms(c["x"])
                total += t
                count += n
        rms = math.sqrt(total / count)
        gains[side] = FULL_SCALE * 10 ** (TARGET_RMS_DBFS / 20) / rms

    for c in clips:
        g = gains[c["side"]]
        y = [int(round(soft_limit(v * g))) for v in c["x"]]
        peak = max(abs(v) for v in y)
        if peak >= FULL_SCALE:
            raise SystemExit("clipping in %r (peak %d)" % (c["text"], peak))
        a, b = trim(y)
        c["y"] = y[a:b]

    # Place the clips.
    latest = {"rep": None, "prospect": None}  # index of each side's latest placed utterance
    placed = []  # dicts: side, text, start, end (samples), kind, note
    cursor = int(round(LEAD_IN_S * RATE))  # end of the latest speech so far (either side)
    first = True
    for idx, step in enumerate(SCRIPT):
        c = clips[idx]
        n = len(c["y"])
        kind = step[0]
        note = None
        if kind == "say":
            gap, note = step[3], step[4]
            start = cursor if first else cursor + int(round(gap * RATE))
            first = False
        elif kind == "backchannel":
            other = "prospect" if c["side"] == "rep" else "rep"
            host = placed[latest[other]]
            frac = step[3]
            centre = host["start"] + int(round(frac * (host["end"] - host["start"])))
            start = centre - n // 2
        elif kind == "interrupt":
            other = "prospect" if c["side"] == "rep" else "rep"
            host = placed[latest[other]]
            start = host["end"] - int(round(step[3] * RATE))
        else:
            raise SystemExit("unknown step kind %r" % kind)
        item = {"side": c["side"], "text": c["text"], "start": start, "end": start + n,
                "kind": kind, "note": note, "y": c["y"]}
        if kind == "backchannel":
            item["host"] = latest[other]
        if kind == "interrupt":
            item["host"] = latest[other]
        placed.append(item)
        latest[c["side"]] = len(placed) - 1
        if kind != "backchannel":
            cursor = max(cursor, start + n)
    total = cursor + int(round(TAIL_S * RATE))
    return placed, total, gains


def render(placed, total):
    chans = {"rep": array.array("h", [0]) * total, "prospect": array.array("h", [0]) * total}
    for p in placed:
        ch = chans[p["side"]]
        for i, v in enumerate(p["y"]):
            if ch[p["start"] + i] != 0:
                raise SystemExit("two utterances of one side overlap at sample %d" % (p["start"] + i))
            ch[p["start"] + i] = v
    inter = array.array("h", [0]) * (2 * total)
    inter[0::2] = chans["rep"]
    inter[1::2] = chans["prospect"]
    if sys.byteorder != "little":
        inter.byteswap()
    return inter, chans


# ---------------------------------------------------------------------------------------------
# Truth and the self-check
# ---------------------------------------------------------------------------------------------

def sec(samples):
    return round(samples / RATE, 3)


def split_segments(placed):
    """Truth segments per utterance; an utterance with an internal silence over the limit is split."""
    min_len = int(MAX_INTERNAL_SILENCE_S * RATE) + 1
    segs = []
    for idx, p in enumerate(placed):
        cuts = internal_silences(p["y"], min_len)
        bounds, s = [], 0
        for a, b in cuts:
            # keep the trim margin around the cut, as at the utterance edges
            bounds.append((s, min(a + TRIM_MARGIN, len(p["y"]))))
            s = max(b - TRIM_MARGIN, 0)
        bounds.append((s, len(p["y"])))
        for part, (a, b) in enumerate(bounds):
            segs.append({"side": p["side"], "start": p["start"] + a, "end": p["start"] + b,
                         "text": p["text"] if len(bounds) == 1 else "%s [part %d/%d]" % (p["text"], part + 1, len(bounds)),
                         "utt": idx})
    return segs


def merge(segs, gap_s):
    """Bridge gaps shorter than gap_s inside one party's speech."""
    out = []
    for s in sorted(segs, key=lambda s: s["start"]):
        if out and s["start"] - out[-1]["end"] < gap_s * RATE:
            out[-1]["end"] = max(out[-1]["end"], s["end"])
            out[-1]["parts"].append(s)
        else:
            out.append({"side": s["side"], "start": s["start"], "end": s["end"], "parts": [s]})
    return out


def analyse(segs, total):
    """The product's definitions (docs/product.md) applied to the truth segments, in samples."""
    merged = {side: merge([s for s in segs if s["side"] == side], MERGE_GAP_S) for side in VOICES}
    allm = sorted(merged["rep"] + merged["prospect"], key=lambda s: (s["start"], s["side"]))
    other = {"rep": "prospect", "prospect": "rep"}

    def speaking(side, t):
        return any(m["start"] <= t < m["end"] for m in merged[side])

    def last_end_before(side, t):
        ends = [m["end"] for m in merged[side] if m["start"] < t]
        return max(ends) if ends else None

    floor = None
    turns = []  # [side, start, end]
    floor_at = []  # (sample, side) floor changes
    for m in allm:
        m["backchannel"] = False
        side = m["side"]
        if floor is None:
            floor = side
            turns.append([side, m["start"], m["end"]])
            floor_at.append((m["start"], side))
            continue
        if side == floor:
            turns[-1][2] = max(turns[-1][2], m["end"])
            continue
        holder_last = last_end_before(floor, m["start"])
        near = speaking(floor, m["start"]) or (
            holder_last is not None and m["start"] - holder_last < PAUSE_MIN_S * RATE)
        if m["end"] - m["start"] <= BACKCHANNEL_MAX_S * RATE and near:
            m["backchannel"] = True
            continue
        floor = side
        turns.append([side, m["start"], m["end"]])
        floor_at.append((m["start"], side))

    def floor_holder(t):
        h = None
        for s, side in floor_at:
            if s <= t:
                h = side
        return h

    # silences: gaps of the union of all speech (backchannels included)
    union = []
    for m in sorted(allm, key=lambda m: m["start"]):
        if union and m["start"] <= union[-1][1]:
            union[-1][1] = max(union[-1][1], m["end"])
        else:
            union.append([m["start"], m["end"]])
    silences = []
    for (a0, a1), (b0, b1) in zip(union, union[1:]):
        starters = sorted({m["side"] for m in allm if m["start"] == b0})
        silences.append((a1, b0, starters))
    silences.append((union[-1][1], total, []))
    pauses = []
    for a, b, starters in silences:
        if b - a >= PAUSE_MIN_S * RATE:
            broken = "none" if not starters else (starters[0] if len(starters) == 1 else "both")
            pauses.append({"start": a, "end": b, "after": floor_holder(a - 1), "broken_by": broken})

    interruptions = []
    for m in allm:
        if m["backchannel"]:
            continue
        o = other[m["side"]]
        if not speaking(o, m["start"]):
            continue
        overlap = sum(max(0, min(m["end"], x["end"]) - max(m["start"], x["start"])) for x in merged[o])
        if overlap >= INTERRUPTION_MIN_OVERLAP_S * RATE:
            interruptions.append({"by": m["side"], "seg": m, "overlap": overlap})
    return merged, allm, turns, union, silences, pauses, interruptions


def check_and_truth(placed, segs, total):
    merged, allm, turns, union, silences, pauses, interruptions = analyse(segs, total)
    errors = []

    def expect(cond, msg):
        if not cond:
            errors.append(msg)

    duration = total / RATE
    expect(DURATION_RANGE_S[0] <= duration <= DURATION_RANGE_S[1], "duration %.3f s out of range" % duration)

    # 1. No silence of the call in the ambiguous band: gaps between any two consecutive
    #    speech stretches of the combined call (truth segments, before any bridging).
    raw_union = []
    for s in sorted(segs, key=lambda s: s["start"]):
        if raw_union and s["start"] <= raw_union[-1][1]:
            raw_union[-1][1] = max(raw_union[-1][1], s["end"])
        else:
            raw_union.append([s["start"], s["end"]])
    gaps = [(a1, b0) for (a0, a1), (b0, b1) in zip(raw_union, raw_union[1:])]
    gaps.append((raw_union[-1][1], total))
    for a, b in gaps:
        g = (b - a) / RATE
        expect(not (AMBIGUOUS_SILENCE[0] <= g < AMBIGUOUS_SILENCE[1]),
               "ambiguous silence %.3f s at %.3f" % (g, a / RATE))
    # Same-side gaps stay clear of merge_gap_s (0.3 s): under 0.25 s or over 0.35 s.
    for side in VOICES:
        ss = sorted([s for s in segs if s["side"] == side], key=lambda s: s["start"])
        for x, y in zip(ss, ss[1:]):
            g = (y["start"] - x["end"]) / RATE
            expect(g < 0.25 or g > 0.35, "%s gap %.3f s near merge_gap_s at %.3f" % (side, g, x["end"] / RATE))
    # Internal silences of utterances stay under the limit (else they were split above).
    worst_internal = 0
    for p in placed:
        runs = internal_silences(p["y"], 1)
        if runs:
            worst_internal = max(worst_internal, max(b - a for a, b in runs))

    # 2. Pauses: every pause is >= 1.25 s and matches the script's intent.
    for p in pauses:
        expect((p["end"] - p["start"]) / RATE >= DEMO_PAUSE_MIN_S,
               "pause %.3f-%.3f shorter than %.2f s" % (p["start"] / RATE, p["end"] / RATE, DEMO_PAUSE_MIN_S))
    scripted = [p for p in placed if p["note"] in EXPECTED_PAUSE_KINDS]
    body_pauses = [p for p in pauses if p["broken_by"] != "none"]
    expect(len(body_pauses) == len(scripted),
           "%d pauses found, %d scripted" % (len(body_pauses), len(scripted)))
    for sp, p in zip(scripted, body_pauses):
        after, broken = EXPECTED_PAUSE_KINDS[sp["note"]]
        expect(p["end"] == sp["start"], "pause ending %.3f does not end at scripted %r" % (p["end"] / RATE, sp["text"]))
        expect((p["after"], p["broken_by"]) == (after, broken),
               "pause at %.3f is %s/%s, scripted %s/%s" % (p["start"] / RATE, p["after"], p["broken_by"], after, broken))
    held = [p for p in pauses if p["after"] == "rep" and p["broken_by"] == "prospect"]
    broken = [p for p in pauses if p["after"] == "rep" and p["broken_by"] == "rep"]
    expect(len(held) >= 4, "only %d held pauses" % len(held))
    expect(len(broken) >= 1, "no broken pause")
    expect(pauses[-1]["broken_by"] == "none" and pauses[-1]["end"] == total, "no trailing pause")

    # 3. Backchannels: exactly the scripted ones, short, inside a rep utterance.
    bc_steps = [p for p in placed if p["kind"] == "backchannel"]
    bc_found = [m for m in allm if m["backchannel"]]
    expect(len(bc_found) == len(bc_steps), "%d backchannels found, %d scripted" % (len(bc_found), len(bc_steps)))
    for p in bc_steps:
        host = placed[p["host"]]
        expect((p["end"] - p["start"]) / RATE <= BACKCHANNEL_DEMO_MAX_S, "backchannel %r too long" % p["text"])
        expect(host["start"] + 0.3 * RATE <= p["start"] and p["end"] <= host["end"] - 0.3 * RATE,
               "backchannel %r not in the middle of %r" % (p["text"], host["text"]))
        expect(any(m["start"] == p["start"] and m["backchannel"] for m in allm),
               "backchannel %r not classified as one" % p["text"])
    # every other merged stretch is clearly longer than backchannel_max_s
    for m in allm:
        if not m["backchannel"]:
            expect((m["end"] - m["start"]) / RATE >= NONBACKCHANNEL_MIN_S,
                   "%s stretch at %.3f only %.3f s" % (m["side"], m["start"] / RATE, (m["end"] - m["start"]) / RATE))

    # 4. Interruptions: exactly the scripted one.
    int_steps = [p for p in placed if p["kind"] == "interrupt"]
    expect(len(interruptions) == len(int_steps), "%d interruptions found, %d scripted" % (len(interruptions), len(int_steps)))
    for p in int_steps:
        host = placed[p["host"]]
        overlap = (host["end"] - p["start"]) / RATE
        expect((p["end"] - p["start"]) / RATE > INTERRUPTION_DEMO_MIN_LEN_S, "interruption too short")
        expect(overlap >= INTERRUPTION_DEMO_MIN_OVERLAP_S, "interruption overlap %.3f s" % overlap)

    # 5. Monologue: the longest rep turn, >= 65 s, internal rep gaps < 0.25 s.
    rep_turns = [t for t in turns if t[0] == "rep"]
    mono = max(rep_turns, key=lambda t: t[2] - t[1])
    mono_len = (mono[2] - mono[1]) / RATE
    expect(mono_len >= MONOLOGUE_MIN_S, "monologue only %.3f s" % mono_len)
    mono_segs = sorted([s for s in segs if s["side"] == "rep" and mono[1] <= s["start"] < mono[2]],
                       key=lambda s: s["start"])
    mono_max_gap = max((y["start"] - x["end"]) / RATE for x, y in zip(mono_segs, mono_segs[1:]))
    expect(mono_max_gap < MONOLOGUE_MAX_GAP_S, "monologue gap %.3f s" % mono_max_gap)
    mono_start_step = next(p for p in placed if p["note"] == "monologue-start")
    expect(mono[1] == mono_start_step["start"], "monologue does not start where scripted")
    expect(len(merge(mono_segs, MERGE_GAP_S)) == 1, "monologue is not one bridged segment")

    # 6. Talk share.
    talk = {}
    for side in VOICES:
        u = merge([s for s in segs if s["side"] == side], 0.0)
        talk[side] = sum(m["end"] - m["start"] for m in u) / RATE
    share = talk["rep"] / (talk["rep"] + talk["prospect"])
    expect(REP_SHARE_RANGE[0] <= share <= REP_SHARE_RANGE[1], "rep share %.3f" % share)
    # The same after bridging gaps under merge_gap_s, as the product counts talk.
    talk_bridged = {side: sum(m["end"] - m["start"] for m in merged[side]) / RATE for side in VOICES}
    share_bridged = talk_bridged["rep"] / (talk_bridged["rep"] + talk_bridged["prospect"])
    expect(REP_SHARE_RANGE[0] <= share_bridged <= REP_SHARE_RANGE[1], "bridged rep share %.3f" % share_bridged)

    # Truth document.
    def seg_json(s):
        return {"start_s": sec(s["start"]), "end_s": sec(s["end"]), "text": s["text"],
                "start_sample": s["start"], "end_sample": s["end"]}

    idx_of = {}
    for side in VOICES:
        for i, s in enumerate(sorted([s for s in segs if s["side"] == side], key=lambda s: s["start"])):
            idx_of[(side, s["start"])] = i

    truth = {
        "description": "Synthesized demo sales call (espeak-ng), made by tools/make-demo-call.py. "
                       "Timing is exact: every segment is a trimmed synthesized utterance placed on the timeline.",
        "generator": {"script": "tools/make-demo-call.py", "espeak_ng_version": espeak_version()},
        "sample_rate": RATE,
        "channels": {"rep": 0, "prospect": 1},
        "duration_s": sec(total),
        "total_samples": total,
        "conventions": {
            "segments": "[start_s, end_s) of each synthesized utterance after trimming to the first/last "
                        "sample above 1% of full scale plus a 5 ms margin; seconds rounded to 3 decimals, "
                        "start_sample/end_sample exact",
            "pauses": "scripted silences of the whole call of at least 1.25 s (no silence of the call lies "
                      "between 0.8 s and 1.25 s); after/broken_by follow docs/product.md",
            "segment_index": "index into that side's segment list",
        },
        "rep": {"voice": " ".join(VOICES["rep"]), "talk_s": round(talk["rep"], 3),
                "segments": [seg_json(s) for s in sorted([s for s in segs if s["side"] == "rep"], key=lambda s: s["start"])]},
        "prospect": {"voice": " ".join(VOICES["prospect"]), "talk_s": round(talk["prospect"], 3),
                     "segments": [seg_json(s) for s in sorted([s for s in segs if s["side"] == "prospect"], key=lambda s: s["start"])]},
        "rep_share_of_talk": round(share, 4),
        "bridged": {
            "merge_gap_s": MERGE_GAP_S,
            "note": "talk after bridging same-side gaps shorter than merge_gap_s, as docs/product.md counts it",
            "rep_talk_s": round(talk_bridged["rep"], 3),
            "prospect_talk_s": round(talk_bridged["prospect"], 3),
            "rep_share_of_talk": round(share_bridged, 4),
        },
        "pauses": [{"start_s": sec(p["start"]), "end_s": sec(p["end"]),
                    "duration_s": sec(p["end"] - p["start"]),
                    "after": p["after"], "broken_by": p["broken_by"]} for p in pauses],
        "backchannels": [{"side": p["side"], "segment_index": idx_of[(p["side"], p["start"])],
                          "start_s": sec(p["start"]), "end_s": sec(p["end"]), "text": p["text"],
                          "during": {"side": placed[p["host"]]["side"],
                                     "segment_index": idx_of[(placed[p["host"]]["side"], placed[p["host"]]["start"])],
                                     "text": placed[p["host"]]["text"]}} for p in bc_steps],
        "interruptions": [{"by": p["side"], "segment_index": idx_of[(p["side"], p["start"])],
                           "start_s": sec(p["start"]), "end_s": sec(p["end"]), "text": p["text"],
                           "overlap_s": sec(placed[p["host"]]["end"] - p["start"]),
                           "over": {"side": placed[p["host"]]["side"],
                                    "segment_index": idx_of[(placed[p["host"]]["side"], placed[p["host"]]["start"])],
                                    "text": placed[p["host"]]["text"]}} for p in int_steps],
        "monologue": {"start_s": sec(mono[1]), "end_s": sec(mono[2]), "duration_s": sec(mono[2] - mono[1]),
                      "max_internal_gap_s": round(mono_max_gap, 3),
                      "segments": len(mono_segs)},
        "turns": [{"side": t[0], "start_s": sec(t[1]), "end_s": sec(t[2])} for t in turns],
    }
    stats = {"worst_internal_silence_s": worst_internal / RATE,
             "shortest_silence_s": min((b - a) / RATE for a, b in gaps),
             "gaps": gaps}
    return truth, errors, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--out-dir", default=os.path.join(root, "assets", "demo"))
    ap.add_argument("--check-only", action="store_true", help="build and check, write nothing")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="demo-call-") as tmp:
        placed, total, gains = build(tmp)
    segs = split_segments(placed)
    truth, errors, stats = check_and_truth(placed, segs, total)
    inter, chans = render(placed, total)

    # Level report per channel (speech frames only).
    levels = {}
    for side in VOICES:
        ch = chans[side]
        t, n = 0.0, 0
        for s in segs:
            if s["side"] == side:
                tt, nn = active_rms([float(v) for v in ch[s["start"]:s["end"]]])
                t += tt
                n += nn
        peak = max(abs(v) for v in ch)
        levels[side] = (20 * math.log10(math.sqrt(t / n) / FULL_SCALE), 20 * math.log10(peak / FULL_SCALE))

    print("duration        %.3f s (%d samples at %d Hz)" % (total / RATE, total, RATE))
    for side in VOICES:
        print("%-15s talk %.3f s, %d segments, speech RMS %.1f dBFS, peak %.1f dBFS, gain %.2f"
              % (side, truth[side]["talk_s"], len(truth[side]["segments"]), levels[side][0], levels[side][1], gains[side]))
    print("rep share       %.1f%% of talk (%.1f%% after bridging gaps < %.1f s)"
          % (100 * truth["rep_share_of_talk"], 100 * truth["bridged"]["rep_share_of_talk"], MERGE_GAP_S))
    print("monologue       %.3f-%.3f s (%.3f s, %d utterances, largest gap %.3f s)"
          % (truth["monologue"]["start_s"], truth["monologue"]["end_s"], truth["monologue"]["duration_s"],
             truth["monologue"]["segments"], truth["monologue"]["max_internal_gap_s"]))
    print("pauses (>= %.2f s):" % DEMO_PAUSE_MIN_S)
    for p in truth["pauses"]:
        print("  %8.3f - %8.3f  %.3f s  after %-8s broken by %s"
              % (p["start_s"], p["end_s"], p["duration_s"], p["after"], p["broken_by"]))
    for b in truth["backchannels"]:
        print("backchannel     %s %.3f-%.3f %r during rep %r" % (b["side"], b["start_s"], b["end_s"], b["text"], b["during"]["text"]))
    for i in truth["interruptions"]:
        print("interruption    %s %.3f-%.3f overlap %.3f s %r" % (i["by"], i["start_s"], i["end_s"], i["overlap_s"], i["text"]))
    sil = sorted((b - a) / RATE for a, b in stats["gaps"])
    short = [g for g in sil if g < 0.8]
    print("silences        %d short (max %.3f s), %d pauses (min %.3f s); none in [0.8, 1.25)"
          % (len(short), max(short), len(sil) - len(short), min(g for g in sil if g >= 0.8)))
    print("inside utterances: longest silence %.3f s" % stats["worst_internal_silence_s"])
    for side in VOICES:
        if levels[side][1] > -1.0:
            errors.append("%s peaks at %.2f dBFS (limit -1 dBFS)" % (side, levels[side][1]))
        if abs(levels[side][0] - TARGET_RMS_DBFS) > 1.0:
            errors.append("%s level %.1f dBFS" % (side, levels[side][0]))

    wav_bytes = 44 + 4 * total
    print("wav size        %d bytes" % wav_bytes)
    if wav_bytes >= MAX_WAV_BYTES:
        errors.append("the WAV would be %d bytes (limit %d)" % (wav_bytes, MAX_WAV_BYTES))

    if errors:
        print("\nCHECK FAILED:")
        for e in errors:
            print("  - " + e)
        sys.exit(1)
    print("all checks passed")
    if args.check_only:
        return

    os.makedirs(args.out_dir, exist_ok=True)
    wav_path = os.path.join(args.out_dir, "demo-call.wav")
    with wave.open(wav_path, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(inter.tobytes())
    with open(os.path.join(args.out_dir, "demo-call.truth.json"), "w") as f:
        json.dump(truth, f, indent=2)
        f.write("\n")
    verify_written(wav_path, truth)
    print("wrote %s and demo-call.truth.json (read back and verified)" % wav_path)


def verify_written(wav_path, truth):
    """Read the WAV back: silence outside the truth segments, speech at their edges."""
    with wave.open(wav_path, "rb") as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate()) == (2, 2, RATE)
        assert w.getnframes() == truth["total_samples"]
        data = array.array("h", w.readframes(w.getnframes()))
    if sys.byteorder != "little":
        data.byteswap()
    for ch, side in ((0, "rep"), (1, "prospect")):
        x = data[ch::2]
        inside = bytearray(len(x))
        for seg in truth[side]["segments"]:
            a, b = seg["start_sample"], seg["end_sample"]
            inside[a:b] = b"\x01" * (b - a)
            loud = [i for i in range(a, b) if abs(x[i]) > TRIM_THRESHOLD]
            if not loud or loud[0] - a > TRIM_MARGIN or b - 1 - loud[-1] > TRIM_MARGIN:
                raise SystemExit("read-back: %s segment %r edges are not speech" % (side, seg["text"]))
        stray = sum(1 for i, v in enumerate(x) if v != 0 and not inside[i])
        if stray:
            raise SystemExit("read-back: %d %s samples outside the truth segments" % (stray, side))


if __name__ == "__main__":
    main()
