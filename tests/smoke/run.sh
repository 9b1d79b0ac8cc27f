#!/usr/bin/env bash
# Smoke test of the desktop app: opens every screen in English and Chinese in a real window
# (Xvfb + Mesa's software Vulkan), screenshots it, and fails if a screenshot is blank.
#
#   tests/smoke/run.sh [BINARY] [OUTPUT_DIR]
#
# BINARY defaults to the release build; OUTPUT_DIR (default target/smoke) receives PNGs.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${1:-${CARGO_TARGET_DIR:-target}/release/rapport}"
out="${2:-${CARGO_TARGET_DIR:-target}/smoke}"
mkdir -p "$out"
[ -x "$bin" ] || { echo "no binary at $bin (build it with cargo build --release)"; exit 1; }

export WGPU_BACKEND=vulkan
export RAPPORT_CONFIG_DIR="$out/config"
export RAPPORT_EXPORT_DIR="$out/exports"
rm -rf "$RAPPORT_CONFIG_DIR"
if [ -z "${DISPLAY:-}" ] || ! xdpyinfo >/dev/null 2>&1; then
    Xvfb :97 -screen 0 1280x800x24 >/dev/null 2>&1 &
    xvfb=$!
    trap 'kill $xvfb 2>/dev/null || true' EXIT
    export DISPLAY=:97
    sleep 1
fi

failures=0
# shoot NAME ARGS…: opens the app with `rapport open ARGS…` and keeps a screenshot once
# the window shows more than a flat background.
shoot() {
    local name=$1
    shift
    "$bin" open "$@" >"$out/$name.log" 2>&1 &
    local pid=$! colours=0
    for _ in $(seq 1 40); do
        sleep 1
        kill -0 "$pid" 2>/dev/null || break
        xwd -root -silent | convert xwd:- "$out/$name.png" 2>/dev/null || continue
        colours=$(identify -format '%k' "$out/$name.png" 2>/dev/null || echo 0)
        # A screen with text and widgets has hundreds of colours; wait a moment more so
        # the last animation settles, then take the final picture.
        if [ "$colours" -gt 200 ]; then
            sleep 2
            xwd -root -silent | convert xwd:- "$out/$name.png"
            colours=$(identify -format '%k' "$out/$name.png")
            break
        fi
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    if [ "$colours" -gt 200 ]; then
        echo "ok   $name ($colours colours)"
    else
        echo "FAIL $name: blank or missing window ($colours colours); see $out/$name.log"
        failures=$((failures + 1))
    fi
}

for lang in en zh-CN; do
    s="analytical-price.$lang.ron"
    shoot "library-$lang" --language "$lang"
    shoot "briefing-$lang" --language "$lang" --scenario "$s" --screen briefing
    shoot "roleplay-$lang" --language "$lang" --scenario "$s" --seed 1 --choices 2,2,3 --screen roleplay
    shoot "debrief-$lang" --language "$lang" --scenario "$s" --seed 1 --choices 2,2,3,2,2,2,1 --screen debrief
    shoot "settings-$lang" --language "$lang" --screen settings
done
shoot "presentation-en" --language en --scenario analytical-price.en.ron --seed 1 --choices 2,2 --screen roleplay --presentation

echo "$(( 11 - failures )) passed, $failures failed"
[ "$failures" -eq 0 ]
