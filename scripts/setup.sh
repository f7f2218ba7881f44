#!/usr/bin/env bash
# Idempotent setup: Debian packages, a virtualenv with the project, fonts and catalogs.
# Safe to run again and again; each step skips itself when already done.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$(pwd)"
VENV="${MADOGUCHI_VENV:-$ROOT/.venv}"

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages ----------------------------------------------------------
missing=()
while read -r pkg; do
    [[ -z "$pkg" || "$pkg" == \#* ]] && continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done < scripts/apt-packages.txt
if ((${#missing[@]})); then
    log "installing Debian packages: ${missing[*]}"
    SUDO=""; [[ $(id -u) -ne 0 ]] && SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Virtualenv with the project and its dev extras ------------------------------
stamp="$VENV/.madoguchi-installed"
if [[ ! -x "$VENV/bin/python" ]]; then
    log "creating virtualenv $VENV"
    python3 -m venv "$VENV"
fi
if [[ ! -f "$stamp" || pyproject.toml -nt "$stamp" ]]; then
    log "installing Python packages"
    "$VENV/bin/pip" install -q --upgrade pip >/dev/null
    "$VENV/bin/pip" install -q -e ".[dev]"
    touch "$stamp"
fi

# 3. Fonts and translation catalogs (built, not committed) ---------------------
if [[ -f kiosk/tools/build_fonts.py ]]; then
    "$VENV/bin/python" -m kiosk.tools.build_fonts
fi
if [[ -f kiosk/tools/build_script_fonts.py ]]; then  # Chinese, Korean, Thai, ... (docs/i18n.md)
    "$VENV/bin/python" -m kiosk.tools.build_script_fonts
fi
if compgen -G "locales/*/LC_MESSAGES/*.po" >/dev/null; then
    "$VENV/bin/python" -m kiosk.tools.compile_catalogs
fi
# 4. In a git checkout: merge translation catalogs message by message (.gitattributes).
if git rev-parse --git-dir >/dev/null 2>&1; then
    git config merge.po.name "gettext catalogs, by message"
    git config merge.po.driver ".venv/bin/python -m kiosk.tools.po_merge %O %A %B"
fi
log "ready"
