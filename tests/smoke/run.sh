#!/usr/bin/env bash
# Smoke test of the desktop app: opens every screen in English and Chinese in a real window
# (Xvfb + Mesa's software Vulkan), screenshots it, and fails if a screenshot is blank or the
# app is not on the screen asked for (the app logs each screen it opens).
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
export RAPPORT_DATA_DIR="$out/data"
rm -rf "$RAPPORT_CONFIG_DIR"
if [ -z "${DISPLAY:-}" ] || ! xdpyinfo >/dev/null 2>&1; then
    Xvfb :97 -screen 0 1280x800x24 >/dev/null 2>&1 &
    xvfb=$!
    trap 'kill $xvfb 2>/dev/null || true' EXIT
    export DISPLAY=:97
    sleep 1
fi

failures=0
# shoot NAME SCREEN ARGS…: opens the app with `rapport open ARGS…` and keeps a screenshot
# once the window shows more than a flat background and the app is on SCREEN.
shoot() {
    local name=$1 want=$2
    shift 2
    "$bin" open "$@" >"$out/$name.log" 2>&1 &
    local pid=$! colours=0
    for _ in $(seq 1 40); do
        sleep 1
        kill -0 "$pid" 2>/dev/null || break
        xwd -root -silent | convert xwd:- "$out/$name.png" 2>/dev/null || continue
        colours=$(identify -format '%k' "$out/$name.png" 2>/dev/null || echo 0)
        # A screen with text and widgets has hundreds of colours; wait a moment more so
        # the last animation settles, then take the final picture.
        if [ "$colours" -gt 200 ] && [ "$(on_screen "$name")" = "$want" ]; then
            sleep 2
            xwd -root -silent | convert xwd:- "$out/$name.png"
            colours=$(identify -format '%k' "$out/$name.png")
            break
        fi
    done
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    local shown
    shown=$(on_screen "$name")
    if [ "$colours" -gt 200 ] && [ "$shown" = "$want" ]; then
        echo "ok   $name ($want, $colours colours)"
    elif [ "$shown" != "$want" ]; then
        echo "FAIL $name: the app shows ${shown:-no screen}, not $want; see $out/$name.log"
        failures=$((failures + 1))
    else
        echo "FAIL $name: blank or missing window ($colours colours); see $out/$name.log"
        failures=$((failures + 1))
    fi
}

# The last screen the app logged opening.
on_screen() {
    sed -n 's/.*screen: \([A-Za-z]*\).*/\1/p' "$out/$1.log" | tail -n 1
}

# Always the first choice: two of them for the role-play; enough to end any scenario for the
# debrief (choices after the end are ignored), so the check does not depend on the content.
part=1,1
whole=$(printf '1,%.0s' $(seq 1 40) | sed 's/,$//')

for lang in en zh-CN; do
    s="analytical-price.$lang.ron"
    shoot "library-$lang" Library --language "$lang"
    shoot "briefing-$lang" Briefing --language "$lang" --scenario "$s" --screen briefing
    shoot "roleplay-$lang" RolePlay --language "$lang" --scenario "$s" --seed 1 --choices "$part" --screen roleplay
    shoot "debrief-$lang" Debrief --language "$lang" --scenario "$s" --seed 1 --choices "$whole" --screen debrief
    shoot "settings-$lang" Settings --language "$lang" --screen settings
    shoot "progress-$lang" Progress --language "$lang" --screen progress --trainee "Smoke Test"
    # Two visits of an account (always the first choices), then its report.
    shoot "account-$lang" Account --language "$lang" --account "accounts/dr-ma.$lang.account.ron" \
        --steps "$whole/$whole" --trainee "Smoke Test" --screen account
done
shoot "presentation-en" RolePlay --language en --scenario analytical-price.en.ron --seed 1 --choices "$part" --screen roleplay --presentation
# The class vote on the projector: the page must be served (the app logs its address) and
# answer with the page a phone opens.
mkdir -p "$RAPPORT_CONFIG_DIR"
printf '(class_vote_address: "127.0.0.1:0")\n' > "$RAPPORT_CONFIG_DIR/settings.ron"
shoot "classvote-zh-CN" RolePlay --language zh-CN --scenario analytical-price.zh-CN.ron --seed 1 --choices "$part" --screen roleplay --presentation --class-vote
if grep -q "class vote: the phones' page is at http://127.0.0.1:" "$out/classvote-zh-CN.log"; then
    echo "ok   classvote-zh-CN served its page"
else
    echo "FAIL classvote-zh-CN: the class vote did not start; see $out/classvote-zh-CN.log"
    failures=$((failures + 1))
fi
rm -f "$RAPPORT_CONFIG_DIR/settings.ron"

echo "$(( 17 - failures )) passed, $failures failed"
[ "$failures" -eq 0 ]
