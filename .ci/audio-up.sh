# Starts a private PulseAudio sound server with a fake call's devices, for live-capture tests
# on a machine with no sound card. Source it (". .ci/audio-up.sh"): it exports PULSE_SERVER,
# ALSA_CONFIG_PATH and the PIDs to stop (CI_PULSE_PID, CI_KEEP1, CI_KEEP2); stop them with
# audio_down. See docs/live-capture.md.
#
# The graph: the null sink `softphone` stands in for the softphone's speaker output (its
# monitor is the far end); the null sink `mic_feed` is where a test plays the rep's voice,
# and the remap source `virtual_mic` turns its monitor into an ordinary microphone.
# ALSA names them `mic` and `farend` (type pulse PCMs) for cpal's ALSA host.

CI_AUDIO_DIR=${CI_AUDIO_DIR:-/tmp/ci-audio}
mkdir -p "$CI_AUDIO_DIR"
rm -f "$CI_AUDIO_DIR/pulse.sock"
cat > "$CI_AUDIO_DIR/ci.pa" <<PA
load-module module-native-protocol-unix auth-anonymous=1 socket=$CI_AUDIO_DIR/pulse.sock
load-module module-null-sink sink_name=softphone rate=48000 channels=2 sink_properties=device.description=Softphone
load-module module-null-sink sink_name=mic_feed rate=48000 channels=1 sink_properties=device.description=MicFeed
load-module module-remap-source master=mic_feed.monitor source_name=virtual_mic source_properties=device.description=VirtualMic
set-default-sink softphone
set-default-source virtual_mic
PA
cat > "$CI_AUDIO_DIR/asound.conf" <<ASOUND
</usr/share/alsa/alsa.conf>
pcm.farend {
    type pulse
    device "softphone.monitor"
    hint { show on description "CI far end (monitor of softphone sink)" }
}
pcm.mic {
    type pulse
    device "virtual_mic"
    hint { show on description "CI microphone (virtual_mic)" }
}
ASOUND
export PULSE_SERVER="unix:$CI_AUDIO_DIR/pulse.sock"
export ALSA_CONFIG_PATH="$CI_AUDIO_DIR/asound.conf"
pulseaudio --daemonize=no --use-pid-file=no -n -F "$CI_AUDIO_DIR/ci.pa" --exit-idle-time=-1 \
    --log-target=file:"$CI_AUDIO_DIR/pulse.log" &
export CI_PULSE_PID=$!
for _ in $(seq 100); do pactl info >/dev/null 2>&1 && break; sleep 0.05; done
if ! pactl info >/dev/null 2>&1; then
    cat "$CI_AUDIO_DIR/pulse.log" >&2
    echo "audio-up: the sound server did not start" >&2
    return 1 2>/dev/null || exit 1
fi
# Keep-alive: silence into both sinks at 10 ms latency, else a fresh null sink runs with a
# 2 s latency and rewinds eat the start of what a test plays.
pacat --playback --raw --format=s16le --rate=48000 --channels=2 --latency-msec=10 -d softphone /dev/zero &
export CI_KEEP1=$!
pacat --playback --raw --format=s16le --rate=48000 --channels=1 --latency-msec=10 -d mic_feed /dev/zero &
export CI_KEEP2=$!
# A fresh null sink first plays out a 2 s block: wait until both report < 50 ms latency.
for _ in $(seq 80); do
    pactl list sinks | awk '/^[ \t]*Latency:/ { n++; if ($2 > 50000) bad = 1 } END { exit (bad || n < 2) }' && break
    sleep 0.1
done

audio_down() {
    kill "$CI_KEEP1" "$CI_KEEP2" "$CI_PULSE_PID" 2>/dev/null || true
}
