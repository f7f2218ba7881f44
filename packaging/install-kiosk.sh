#!/usr/bin/env bash
# Install, update and check Madoguchi on a Debian kiosk PC (docs/operations.md).
#
#   sudo packaging/install-kiosk.sh install --server-url URL --token-file FILE \
#        [--city-dir DIR] [--screen-user USER] [--port PORT]
#   sudo packaging/install-kiosk.sh update      # from this checkout; rolls back if the kiosk does not answer
#   sudo packaging/install-kiosk.sh status      # exit 0 healthy, 1 not (for the city's monitoring)
#
# What install lays down:
#   /opt/madoguchi/app             the application (this checkout, without tests and .git)
#   /opt/madoguchi/.venv           its Python environment
#   /opt/madoguchi/bin/madoguchi-chromium   Chromium in kiosk mode (packaging/chromium-kiosk.sh)
#   /etc/madoguchi/kiosk.toml      settings with safe defaults (kept on update and reinstall)
#   /etc/madoguchi/kiosk.env       the unit's environment (MADOGUCHI_CONFIG)
#   /etc/madoguchi/kiosk.token     the kiosk's credential, copied from --token-file, mode 0640 root:madoguchi
#   /etc/systemd/system/madoguchi-kiosk.service, enabled and started
#   ~SCREEN_USER/.config/autostart/madoguchi-kiosk.desktop   Chromium when that user's session starts
#   /var/lib/madoguchi             the kiosk's SQLite cache (systemd StateDirectory)
#
# Dry run on any machine: with DESTDIR set, files go under DESTDIR, and every command that
# would change the system (apt-get, useradd, pip, systemctl, chown) is printed, not run.
set -euo pipefail

PREFIX=/opt/madoguchi
CONF_DIR=/etc/madoguchi
STATE_DIR=/var/lib/madoguchi
UNIT_DIR=/etc/systemd/system
UNIT=madoguchi-kiosk.service
SERVICE_USER=madoguchi
DESTDIR="${DESTDIR:-}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE="$(cd "$HERE/.." && pwd)"
# Debian packages a kiosk needs (never the virtual reader driver: the virtual card is for workshops
# and tests only). gcc, swig and the headers build pyscard.
APT_PACKAGES=(python3 python3-venv python3-dev gcc swig libpcsclite-dev pcscd chromium curl
              fonts-morisawa-bizud-gothic fonts-noto-cjk fonts-noto-core)

say() { printf '[madoguchi] %s\n' "$*"; }
die() { printf '[madoguchi] error: %s\n' "$*" >&2; exit 2; }

# A command that changes the system: run it, or print it in a dry run.
run() {
    if [[ -n "$DESTDIR" ]]; then
        printf 'would run: %s\n' "$*"
    else
        "$@"
    fi
}

usage() {
    sed -n '2,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit "${1:-2}"
}

need_root() {
    if [[ -z "$DESTDIR" && $(id -u) -ne 0 ]]; then
        die "run as root (sudo), or set DESTDIR for a dry run"
    fi
}

# Copy the application tree: no .git, virtualenvs, tests, caches or local data.
copy_tree() {
    local from="$1" to="$2"
    mkdir -p "$to"
    tar -C "$from" \
        --exclude=./.git --exclude=./.venv --exclude=./var --exclude=./tests \
        --exclude=./test-artifacts --exclude='__pycache__' --exclude='*.pyc' \
        --exclude=./.pytest_cache --exclude=./.hypothesis -cf - . | tar -C "$to" -xf -
    if git -C "$from" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$from" describe --always --dirty >"$to/VERSION" 2>/dev/null || true
    fi
}

# The Python environment and the built parts (fonts, catalogs) of an application tree.
build_app() {
    local app="$1"
    if [[ ! -x "$DESTDIR$PREFIX/.venv/bin/python" ]]; then
        run python3 -m venv "$PREFIX/.venv"
    fi
    run "$PREFIX/.venv/bin/pip" install --quiet --upgrade pip
    run "$PREFIX/.venv/bin/pip" install --quiet -e "$app"
    run env -C "$app" "$PREFIX/.venv/bin/python" -m kiosk.tools.build_fonts
    run env -C "$app" "$PREFIX/.venv/bin/python" -m kiosk.tools.build_script_fonts
    run env -C "$app" "$PREFIX/.venv/bin/python" -m kiosk.tools.compile_catalogs
}

write_config() {
    local server_url="$1" port="$2" city="$3" file="$DESTDIR$CONF_DIR/kiosk.toml"
    if [[ -f "$file" ]]; then
        say "keeping $CONF_DIR/kiosk.toml (edited settings survive a reinstall)"
        return
    fi
    {
        echo "# Madoguchi kiosk settings: docs/kiosk.md lists every one."
        echo "# No secret here: the kiosk's credential is the file kiosk_token_file names."
        echo "[kiosk]"
        echo "host = \"127.0.0.1\"          # the kiosk serves only its own screen"
        echo "port = $port"
        echo "data_dir = \"$STATE_DIR\""
        echo "server_url = \"$server_url\""
        echo "kiosk_token_file = \"$CONF_DIR/kiosk.token\""
        if [[ -n "$city" ]]; then
            echo "city_dir = \"$CONF_DIR/city\""
        fi
        echo "open_browser = false"
        echo "inactivity_timeout_s = 120"
        echo "inactivity_warning_s = 30"
        echo "card_reader = \"any\""
    } >"$file"
    chmod 0644 "$file"
}

install_token() {
    local from="$1" to="$DESTDIR$CONF_DIR/kiosk.token" token
    [[ -f "$from" ]] || die "no token file $from (python -m sync.server enrol prints one)"
    token="$(tr -d '[:space:]' <"$from")"
    [[ -n "$token" ]] || die "the token file $from is empty"
    [[ "$token" =~ ^mdk_[A-Za-z0-9_-]+$ ]] || die "$from does not hold a kiosk token (mdk_...)"
    (umask 077 && printf '%s\n' "$token" >"$to")
    chmod 0640 "$to"
    run chown "root:$SERVICE_USER" "$CONF_DIR/kiosk.token"
}

install_screen() {
    local user="$1" port="$2" home
    install -m 0755 "$HERE/chromium-kiosk.sh" "$DESTDIR$PREFIX/bin/madoguchi-chromium"
    if [[ -z "$DESTDIR" ]] && ! id "$user" >/dev/null 2>&1; then
        run useradd --create-home --shell /bin/bash --comment "Madoguchi kiosk screen" "$user"
    fi
    home="$(getent passwd "$user" | cut -d: -f6 || true)"
    home="${home:-/home/$user}"
    mkdir -p "$DESTDIR$home/.config/autostart"
    cat >"$DESTDIR$home/.config/autostart/madoguchi-kiosk.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Madoguchi kiosk
Comment=The booking kiosk, full screen
Exec=env MADOGUCHI_URL=http://127.0.0.1:$port $PREFIX/bin/madoguchi-chromium
X-GNOME-Autostart-enabled=true
NoDisplay=true
EOF
    run chown -R "$user:" "$home/.config/autostart"
}

cmd_install() {
    local server_url="" token_file="" city="" screen_user="kiosk" port=8550
    while (($#)); do
        case "$1" in
            --server-url) server_url="${2:?}"; shift 2 ;;
            --token-file) token_file="${2:?}"; shift 2 ;;
            --city-dir) city="${2:?}"; shift 2 ;;
            --screen-user) screen_user="${2:?}"; shift 2 ;;
            --port) port="${2:?}"; shift 2 ;;
            -h|--help) usage 0 ;;
            *) die "unknown option $1" ;;
        esac
    done
    [[ -n "$server_url" ]] || die "--server-url is required (the city's central server, https://...)"
    [[ "$server_url" =~ ^https?://[^[:space:]\"]+$ ]] || die "--server-url must be an http(s) URL"
    [[ -n "$token_file" ]] || die "--token-file is required (python -m sync.server enrol CITY NAME > FILE)"
    [[ "$port" =~ ^[0-9]+$ ]] || die "--port must be a number"
    [[ -z "$city" || -f "$city/units.toml" ]] || die "--city-dir $city has no units.toml"
    need_root

    say "Debian packages"
    run apt-get update -qq
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${APT_PACKAGES[@]}"
    say "system user $SERVICE_USER"
    if [[ -n "$DESTDIR" ]] || ! id "$SERVICE_USER" >/dev/null 2>&1; then
        run useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
    fi
    mkdir -p "$DESTDIR$PREFIX/bin" "$DESTDIR$CONF_DIR" "$DESTDIR$UNIT_DIR" "$DESTDIR$STATE_DIR"
    chmod 0755 "$DESTDIR$CONF_DIR"

    say "application in $PREFIX/app"
    rm -rf "$DESTDIR$PREFIX/app"
    copy_tree "$SOURCE" "$DESTDIR$PREFIX/app"
    build_app "$PREFIX/app"

    say "settings in $CONF_DIR"
    install_token "$token_file"
    if [[ -n "$city" ]]; then
        rm -rf "$DESTDIR$CONF_DIR/city"
        mkdir -p "$DESTDIR$CONF_DIR/city"
        cp -R "$city/." "$DESTDIR$CONF_DIR/city/"
    else
        say "no --city-dir: the kiosk shows the SAMPLE city until city_dir is set in kiosk.toml"
    fi
    write_config "$server_url" "$port" "$city"
    printf 'MADOGUCHI_CONFIG=%s/kiosk.toml\n' "$CONF_DIR" >"$DESTDIR$CONF_DIR/kiosk.env"
    chmod 0644 "$DESTDIR$CONF_DIR/kiosk.env"

    say "card reader access for $SERVICE_USER (pcscd asks polkit; a service has no seat)"
    mkdir -p "$DESTDIR/etc/polkit-1/rules.d"
    cat >"$DESTDIR/etc/polkit-1/rules.d/60-madoguchi-pcscd.rules" <<RULES
// Madoguchi: the kiosk service may use the card reader (installed by install-kiosk.sh).
polkit.addRule(function(action, subject) {
    if ((action.id == "org.debian.pcsc-lite.access_pcsc" ||
         action.id == "org.debian.pcsc-lite.access_card") && subject.user == "$SERVICE_USER") {
        return polkit.Result.YES;
    }
});
RULES
    chmod 0644 "$DESTDIR/etc/polkit-1/rules.d/60-madoguchi-pcscd.rules"

    say "service $UNIT"
    sed "s#/opt/madoguchi#$PREFIX#g" "$HERE/madoguchi-kiosk.service" >"$DESTDIR$UNIT_DIR/$UNIT"
    chmod 0644 "$DESTDIR$UNIT_DIR/$UNIT"
    run systemctl daemon-reload
    run systemctl enable --now pcscd.socket
    run systemctl enable --now "$UNIT"

    say "screen: Chromium in kiosk mode when $screen_user's session starts"
    install_screen "$screen_user" "$port"
    say "installed. Check it with: $0 status"
}

kiosk_port() {
    local port
    port="$(sed -n 's/^port *= *\([0-9][0-9]*\).*/\1/p' "$DESTDIR$CONF_DIR/kiosk.toml" 2>/dev/null | head -n1)"
    echo "${port:-8550}"
}

# Wait until the kiosk answers on its port (after a start or an update).
wait_for_kiosk() {
    local url i
    url="http://127.0.0.1:$(kiosk_port)/"
    [[ -n "$DESTDIR" ]] && { printf 'would wait for %s\n' "$url"; return 0; }
    for ((i = 0; i < 60; i++)); do
        curl -fsS -o /dev/null --max-time 2 "$url" && return 0
        sleep 1
    done
    return 1
}

cmd_update() {
    while (($#)); do
        case "$1" in
            --source) SOURCE="$(cd "${2:?}" && pwd)"; shift 2 ;;
            -h|--help) usage 0 ;;
            *) die "unknown option $1" ;;
        esac
    done
    need_root
    [[ -d "$DESTDIR$PREFIX/app" ]] || die "not installed: run install first"
    say "new application tree from $SOURCE"
    rm -rf "$DESTDIR$PREFIX/app.new" "$DESTDIR$PREFIX/app.prev"
    copy_tree "$SOURCE" "$DESTDIR$PREFIX/app.new"
    run systemctl stop "$UNIT"
    mv "$DESTDIR$PREFIX/app" "$DESTDIR$PREFIX/app.prev"
    mv "$DESTDIR$PREFIX/app.new" "$DESTDIR$PREFIX/app"
    build_app "$PREFIX/app"
    sed "s#/opt/madoguchi#$PREFIX#g" "$HERE/madoguchi-kiosk.service" >"$DESTDIR$UNIT_DIR/$UNIT"
    install -m 0755 "$HERE/chromium-kiosk.sh" "$DESTDIR$PREFIX/bin/madoguchi-chromium"
    run systemctl daemon-reload
    run systemctl start "$UNIT"
    if wait_for_kiosk; then
        say "updated to $(cat "$DESTDIR$PREFIX/app/VERSION" 2>/dev/null || echo '?'); the previous version is in $PREFIX/app.prev"
        return 0
    fi
    say "the kiosk does not answer after the update: rolling back"
    run systemctl stop "$UNIT"
    rm -rf "$DESTDIR$PREFIX/app.failed"
    mv "$DESTDIR$PREFIX/app" "$DESTDIR$PREFIX/app.failed"
    mv "$DESTDIR$PREFIX/app.prev" "$DESTDIR$PREFIX/app"
    build_app "$PREFIX/app"
    run systemctl start "$UNIT"
    wait_for_kiosk || die "the previous version does not answer either: see journalctl -u $UNIT"
    die "update failed and was rolled back (the failed tree is in $PREFIX/app.failed)"
}

cmd_status() {
    local healthy=0 python="${PYTHON:-$DESTDIR$PREFIX/.venv/bin/python}"
    if [[ -z "$DESTDIR" ]]; then
        printf 'service   %s (%s)\n' "$(systemctl is-active "$UNIT" || true)" "$(systemctl is-enabled "$UNIT" || true)"
        systemctl is-active --quiet "$UNIT" || healthy=1
        printf 'pcscd     %s\n' "$(systemctl is-active pcscd.socket pcscd.service | tr '\n' ' ')"
        if curl -fsS -o /dev/null --max-time 3 "http://127.0.0.1:$(kiosk_port)/"; then
            echo "screen    answers on 127.0.0.1:$(kiosk_port)"
        else
            echo "screen    NOT answering on 127.0.0.1:$(kiosk_port)"
            healthy=1
        fi
    fi
    [[ -x "$python" ]] || die "no Python environment in $PREFIX/.venv: run install"
    # sync state, the outbox and the central server, as JSON (kiosk/tools/kiosk_status.py)
    if ! MADOGUCHI_CONFIG="$DESTDIR$CONF_DIR/kiosk.toml" PYTHONPATH="$DESTDIR$PREFIX/app" \
            "$python" -m kiosk.tools.kiosk_status --root "$DESTDIR" \
            --version-file "$DESTDIR$PREFIX/app/VERSION"; then
        healthy=1
    fi
    if [[ -z "$DESTDIR" ]]; then
        echo "last log lines (journalctl -u $UNIT):"
        journalctl -u "$UNIT" -n 10 --no-pager -o short-iso 2>/dev/null || true
    fi
    return "$healthy"
}

main() {
    local cmd="${1:-}"
    [[ -n "$cmd" ]] || usage 2
    shift
    case "$cmd" in
        install) cmd_install "$@" ;;
        update) cmd_update "$@" ;;
        status) cmd_status "$@" ;;
        -h|--help|help) usage 0 ;;
        *) die "unknown command $cmd (install, update, status)" ;;
    esac
}

main "$@"
