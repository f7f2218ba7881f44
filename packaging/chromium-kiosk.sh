#!/bin/sh
# Shows the kiosk full screen in Chromium, with no browser chrome and a throwaway
# profile so nothing of one session survives a restart. Started by the screen user's
# graphical session (an autostart entry laid down by packaging/install-kiosk.sh).
URL="${MADOGUCHI_URL:-http://127.0.0.1:8550}"
# The kiosk service may still be starting (boot, update): wait up to a minute for it,
# so the screen never opens on a browser error page.
if command -v curl >/dev/null 2>&1; then
    i=0
    while [ "$i" -lt 60 ] && ! curl -fsS -o /dev/null --max-time 2 "$URL/"; do
        i=$((i + 1))
        sleep 1
    done
fi
PROFILE="$(mktemp -d /tmp/madoguchi-chromium.XXXXXX)"
trap 'rm -rf "$PROFILE"' EXIT
# not exec: the trap must still remove the profile when Chromium ends
chromium --kiosk --app="$URL" --user-data-dir="$PROFILE" \
    --no-first-run --disable-translate --disable-pinch --overscroll-history-navigation=0 \
    --disable-background-networking --disable-component-update --disable-sync \
    --incognito --noerrdialogs --disable-session-crashed-bubble
