#!/usr/bin/env bash
# Windows smoke test: builds tacet.exe with the MinGW linker and runs it under Wine beside
# the Linux build; every check runs, each failure is named, and any failure fails the run.
# Checked: `analyze` of the demo call in every format and with `--clips` (byte for byte
# equal to Linux's), `replay --no-ui` (its events and the report it saves), `config` (the default file equal;
# the paths under %APPDATA%), `history`, bad input and its exit codes, `devices`, Ctrl-C
# (SIGINT to the Wine process, which Wine hands to tacet as a console Ctrl-C) ending a
# replay with its report saved, live capture through WASAPI when a sound server runs, and
# the library's unit tests run under Wine. Needs gcc-mingw-w64-x86-64 and wine64 (Debian), and the rustup target
# x86_64-pc-windows-gnu; .ci/run installs them. Run from the repository's root or anywhere.
# Wine 8 lacks bcryptprimitives.dll, which Rust's standard library needs: .ci/wine/ has a
# stand-in (ProcessPrng over BCryptGenRandom), built into the test's own Wine prefix.
set -euo pipefail
cd "$(dirname "$0")/.."

target_dir=${CARGO_TARGET_DIR:-target}
cargo build --quiet --bin tacet
cargo build --quiet --bin tacet --target x86_64-pc-windows-gnu
lin=$target_dir/debug/tacet
exe=$target_dir/x86_64-pc-windows-gnu/debug/tacet.exe
wine=$(command -v wine64 || command -v wine || echo /usr/lib/wine/wine64)

wineserver=$(command -v wineserver || echo /usr/lib/wine/wineserver)

work=$(mktemp -d)
# Wine's server outlives the programs and writes into the prefix: it is stopped before the
# folder is removed, and the cleanup keeps the script's own exit code.
cleanup() {
  local rc=$?
  WINEPREFIX=$work/prefix "$wineserver" -k >/dev/null 2>&1 || true
  WINEPREFIX=$work/prefix "$wineserver" -w >/dev/null 2>&1 || true
  rm -rf "$work" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# The HTML report shows local time: Linux's is made UTC, as Windows' is (platform::clock).
export TZ=UTC
unset TACET_DATA_DIR
demo=assets/demo/demo-call.wav
failures=0

fail() {
  echo "windows-smoke: FAIL: $*" >&2
  failures=$((failures + 1))
}
pass() { echo "windows-smoke: ok: $*"; }

# Runs the Windows build under Wine: stdout, stderr and the exit code into $work/w.*.
win() {
  set +e
  "$wine" "$exe" "$@" >"$work/w.out" 2>"$work/w.err"
  echo $? >"$work/w.rc"
  set -e
}
# The same for the Linux build, into $work/l.*.
lin() {
  set +e
  "$lin" "$@" >"$work/l.out" 2>"$work/l.err"
  echo $? >"$work/l.rc"
  set -e
}
rc() { cat "$work/$1.rc"; }

# Wine's first start creates its prefix (about 10 s); done here so no check times it.
"$wine" cmd /c exit 0 >/dev/null 2>&1 || true
# Debian 12's Wine 8 has no bcryptprimitives.dll, which Rust's standard library needs.
if [ ! -e "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ]; then
  x86_64-w64-mingw32-gcc -O2 -shared -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
    .ci/wine/bcryptprimitives.c .ci/wine/bcryptprimitives.def -lbcrypt
fi

# 1. analyze, every format: byte for byte.
for format in text json csv html rttm audacity; do
  lin analyze "$demo" --format "$format"
  win analyze "$demo" --format "$format"
  if [ "$(rc l)" != 0 ] || [ "$(rc w)" != 0 ]; then
    fail "analyze --format $format: exit codes linux $(rc l), windows $(rc w): $(head -c 400 "$work/w.err")"
  elif ! cmp -s "$work/l.out" "$work/w.out"; then
    fail "analyze --format $format differs from Linux:"
    diff "$work/l.out" "$work/w.out" | head -20 >&2
  else
    pass "analyze --format $format ($(wc -c <"$work/w.out") bytes) equals Linux's"
  fi
done

# 1b. --clips: the HTML report with each moment's FLAC clip, byte for byte.
lin analyze "$demo" --clips --format html
win analyze "$demo" --clips --format html
if [ "$(rc l)" != 0 ] || [ "$(rc w)" != 0 ]; then
  fail "analyze --clips: exit codes linux $(rc l), windows $(rc w): $(head -c 400 "$work/w.err")"
elif ! grep -q 'data:audio/flac;base64,' "$work/w.out" || ! cmp -s "$work/l.out" "$work/w.out"; then
  fail "analyze --clips differs from Linux, or has no clip"
else
  pass "analyze --clips ($(grep -o 'data:audio/flac' "$work/w.out" | wc -l) clips) equals Linux's"
fi

# 2. -o writes the file (a Windows path into the data folder's drive).
win analyze "$demo" --format json -o "$work/out/w.json"
if [ "$(rc w)" = 0 ] && lin analyze "$demo" --format json && cmp -s "$work/l.out" "$work/out/w.json"; then
  pass "analyze -o writes the same JSON"
else
  fail "analyze -o: exit $(rc w): $(head -c 400 "$work/w.err")"
fi

# 3. replay --no-ui: the same events as Linux (times aside), and the same saved report.
strip_times() { sed -E 's/"started_at": ?"[^"]*"/"started_at":"-"/g' "$1"; }
lin --data-dir "$work/ldata" replay "$demo" --no-ui --speed 100 --format json -o "$work/l-replay.json"
cp "$work/l.out" "$work/l-events"
win --data-dir "$work/wdata" replay "$demo" --no-ui --speed 100 --format json -o "$work/w-replay.json"
if [ "$(rc w)" != 0 ] || [ "$(rc l)" != 0 ]; then
  fail "replay --no-ui: exit codes linux $(rc l), windows $(rc w): $(head -c 400 "$work/w.err")"
elif ! diff <(strip_times "$work/l-events") <(strip_times "$work/w.out") >"$work/d" ||
  ! diff <(strip_times "$work/l-replay.json") <(strip_times "$work/w-replay.json") >>"$work/d"; then
  fail "replay --no-ui differs from Linux:"
  head -20 "$work/d" >&2
elif [ "$(find "$work/wdata/sessions" -name report.json | wc -l)" != 1 ] ||
  [ "$(find "$work/wdata/sessions" -name report.html | wc -l)" != 1 ]; then
  fail "replay saved no report.json/report.html under --data-dir: $(find "$work/wdata" | head)"
else
  pass "replay --no-ui: $(wc -l <"$work/w.out") events and the saved report equal Linux's"
fi

# 4. config: the default file byte for byte; the paths in use under %APPDATA%.
lin config --default
win config --default
if [ "$(rc w)" = 0 ] && cmp -s "$work/l.out" "$work/w.out"; then
  pass "config --default equals Linux's"
else
  fail "config --default: exit $(rc w); differs: $(diff "$work/l.out" "$work/w.out" | head -5)"
fi
win config
# Wine's %APPDATA% is C:\users\<user>\AppData\Roaming.
if [ "$(rc w)" = 0 ] && grep -q 'AppData\\Roaming\\tacet\\config.toml' "$work/w.out" &&
  grep -q 'AppData\\Roaming\\tacet' "$work/w.out"; then
  pass "config: paths under %APPDATA% ($(grep -o '[A-Z]:\\[^ ]*AppData\\Roaming\\tacet[^ ]*' "$work/w.out" | head -2 | tr '\n' ' '))"
else
  fail "config does not name %APPDATA%\\tacet: exit $(rc w): $(cat "$work/w.out" "$work/w.err" | head -20)"
fi

# 5. history of the replayed session.
lin --data-dir "$work/ldata" history
win --data-dir "$work/wdata" history
if [ "$(rc w)" = 0 ] && grep -q -- '-replay ' "$work/w.out" &&
  [ "$(wc -l <"$work/w.out")" = "$(wc -l <"$work/l.out")" ]; then
  pass "history lists the replayed call as Linux does"
else
  fail "history: exit $(rc w): $(cat "$work/w.out" "$work/w.err" | head -10)"
fi

# 6. Bad input: the exit codes of product.md, and a message naming what is wrong.
printf 'RIFF....WAVEjunk' >"$work/broken.wav"
printf 'nudge_after_s = -1.0\n' >"$work/bad.toml"
printf 'no_such_key = 1\n' >"$work/unknown.toml"
while IFS='|' read -r want needle args; do
  # shellcheck disable=SC2086
  lin $args
  # shellcheck disable=SC2086
  win $args
  if [ "$(rc w)" != "$want" ] || [ "$(rc l)" != "$want" ]; then
    fail "'$args': exit codes linux $(rc l), windows $(rc w), want $want: $(head -c 300 "$work/w.err")"
  elif ! grep -q -- "$needle" "$work/w.err"; then
    fail "'$args': the message does not name '$needle': $(head -c 300 "$work/w.err")"
  else
    pass "'$args' exits $want naming '$needle'"
  fi
done <<EOF
3|no-such.wav|analyze no-such.wav
3|broken.wav|analyze $work/broken.wav
2|xml|analyze $demo --format xml
2|--rep-channel|analyze $demo --rep-channel 5
2|nudge_after_s|--config $work/bad.toml analyze $demo
2|no_such_key|--config $work/unknown.toml config
2|--last|history --last 0
2|unexpected|--no-such-flag
EOF

# 7. devices: lists the hosts and exits 0 (Wine's WASAPI, with whatever devices it has).
win devices
if [ "$(rc w)" = 0 ] && grep -q 'audio hosts: WASAPI' "$work/w.out"; then
  pass "devices lists the WASAPI host"
else
  fail "devices: exit $(rc w): $(cat "$work/w.out" "$work/w.err" | head -10)"
fi

# 8. Ctrl-C: SIGINT to the Wine process ends a real-time replay, with its report saved.
rm -rf "$work/cdata"
"$wine" "$exe" --data-dir "$work/cdata" replay "$demo" --no-ui >"$work/c.out" 2>"$work/c.err" &
pid=$!
for _ in $(seq 300); do
  grep -q speech_start "$work/c.out" 2>/dev/null && break
  sleep 0.1
done
sleep 1
kill -INT "$pid" 2>/dev/null || true
code=124
for _ in $(seq 200); do
  if ! kill -0 "$pid" 2>/dev/null; then
    set +e
    wait "$pid"
    code=$?
    set -e
    break
  fi
  sleep 0.1
done
if [ "$code" = 124 ]; then
  kill -KILL "$pid" 2>/dev/null || true
  fail "Ctrl-C: tacet.exe did not stop within 20 s"
elif [ "$code" != 0 ] || [ "$(find "$work/cdata/sessions" -name report.json 2>/dev/null | wc -l)" != 1 ]; then
  fail "Ctrl-C: exit $code, saved: $(find "$work/cdata" -name 'report.*' 2>/dev/null | tr '\n' ' '); $(tail -c 300 "$work/c.err")"
else
  pass "Ctrl-C ends a replay with exit 0 and its report saved ($(grep -c . "$work/c.out") events)"
fi

# 9. Live capture through cpal's WASAPI host, when a sound server runs (.ci/audio-up.sh):
# Wine's WASAPI serves PulseAudio's devices. The prospect's side is played into the
# `softphone` sink and captured from its monitor (an input: Wine 8's WASAPI has no
# loopback, so the loopback of an output is only checked to fail as a device error).
if [ -n "${PULSE_SERVER:-}" ] && command -v paplay >/dev/null && command -v sox >/dev/null; then
  sox "$demo" -r 48000 "$work/prospect.wav" remix 2 trim 0 12
  (sleep 3 && paplay -d softphone "$work/prospect.wav") &
  player=$!
  win --data-dir "$work/ldev" live --mic VirtualMic --far "Monitor of Softphone" --no-ui \
    --duration 14 --format json -o "$work/live.json"
  kill "$player" 2>/dev/null || true
  wait "$player" 2>/dev/null || true
  prospect_s=$(sed -n '/"prospect": {/,/}/s/.*"talk_s": \([0-9.]*\).*/\1/p' "$work/live.json" 2>/dev/null | head -1)
  if [ "$(rc w)" = 0 ] && awk -v t="${prospect_s:-0}" 'BEGIN { exit !(t > 2) }'; then
    pass "live through WASAPI: the prospect's side captured (${prospect_s} s of talk)"
  else
    fail "live through WASAPI: exit $(rc w), prospect talk '${prospect_s:-}': $(tail -c 400 "$work/w.err")"
  fi
  win live --mic VirtualMic --loopback Softphone --no-ui --duration 2
  if [ "$(rc w)" = 0 ]; then
    pass "live --loopback: Wine's WASAPI captured the output's loopback"
  elif [ "$(rc w)" = 4 ] && grep -q 'wasapi:' "$work/w.err"; then
    pass "live --loopback: exit 4 naming the device (Wine 8 has no WASAPI loopback)"
  else
    fail "live --loopback: exit $(rc w): $(tail -c 400 "$work/w.err")"
  fi
else
  echo "windows-smoke: live capture skipped: no sound server (PULSE_SERVER unset) or no paplay/sox"
fi

# 10. The library's unit tests, built for Windows and run under Wine (the Unix-only ones
# are compiled out there).
if CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$wine" \
  cargo test --quiet --lib --target x86_64-pc-windows-gnu >"$work/unit.out" 2>&1; then
  pass "unit tests under Wine: $(grep -o 'test result: ok. [0-9]* passed' "$work/unit.out" | tail -1)"
else
  fail "unit tests under Wine:"
  grep -E 'FAILED|panicked|test result|error' "$work/unit.out" | head -20 >&2
fi

if [ "$failures" -gt 0 ]; then
  echo "windows-smoke: $failures check(s) failed" >&2
  exit 1
fi
echo "windows-smoke: all checks passed"
