#!/usr/bin/env bash
# Start / stop / check pcscd for tests and demos, without systemd.
#   scripts/pcsc.sh start    start pcscd in the background unless one already runs
#   scripts/pcsc.sh stop     stop the pcscd THIS script started (never someone else's)
#   scripts/pcsc.sh status   exit 0 if a pcscd answers on its socket
# With vsmartcard-vpcd installed, pcscd offers "Virtual PCD 00 00" (TCP 35963) and
# "Virtual PCD 00 01" (TCP 35964) for the virtual card: python -m kiosk.card.virtual.
# Logs go to $PCSC_LOG (default /tmp/madoguchi-pcscd.log); never add --apdu outside
# debugging (it logs every APDU, PINs included).
set -euo pipefail
SOCKET=/run/pcscd/pcscd.comm
PIDFILE="${PCSC_PIDFILE:-/tmp/madoguchi-pcscd.pid}"
LOG="${PCSC_LOG:-/tmp/madoguchi-pcscd.log}"
SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"

answering() {
    # A live daemon accepts connections on its socket; a stale socket file does not.
    python3 - "$SOCKET" <<'PY' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(1)
s.connect(sys.argv[1])
PY
}

case "${1:-status}" in
start)
    if answering; then echo "pcscd already running"; exit 0; fi
    # A daemon killed hard leaves its pid file; wait for the old process to be gone.
    for _ in $(seq 50); do pgrep -x pcscd >/dev/null || break; sleep 0.1; done
    $SUDO rm -f /run/pcscd/pcscd.pid "$SOCKET" 2>/dev/null || true
    nohup $SUDO pcscd --foreground --info >"$LOG" 2>&1 &
    echo $! >"$PIDFILE"
    for _ in $(seq 50); do answering && { echo "pcscd started (pid $(cat "$PIDFILE"))"; exit 0; }; sleep 0.1; done
    echo "pcscd did not come up; see $LOG" >&2; exit 1
    ;;
stop)
    if [[ -f "$PIDFILE" ]]; then
        pid=$(cat "$PIDFILE")
        if kill -0 "$pid" 2>/dev/null; then
            $SUDO kill "$pid"
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        fi
        rm -f "$PIDFILE"
        echo "pcscd stopped"
    else
        echo "no pcscd started by this script"
    fi
    ;;
status)
    if answering; then echo "pcscd running"; else echo "pcscd not running"; exit 1; fi
    ;;
*)
    echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
