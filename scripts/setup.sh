#!/usr/bin/env bash
# Installs LanQA into .venv. With --test, also what the test suite needs.
# On Debian/Ubuntu it installs the system packages first (as root, or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# The window needs Debian's GTK bindings and WebKit2GTK (PyPI has neither).
apt_packages=(python3-venv python3-pip python3-gi python3-gi-cairo gir1.2-gtk-3.0 gir1.2-webkit2-4.1)
# Browser tests, the window under a virtual screen, QR decoding of screenshots,
# network namespaces, a private D-Bus session bus (keeping the laptop awake), and for
# PyInstaller objdump and the shared libpython it bundles.
test_apt_packages=(chromium xvfb imagemagick zbar-tools iproute2 dbus binutils libpython3-dev)
extras=""
if [[ "${1:-}" == "--test" ]]; then
    extras="[test]"
    apt_packages+=("${test_apt_packages[@]}")
    # npm installs axe-core for the accessibility tests; Debian's npm brings Node.js along.
    command -v npm >/dev/null || apt_packages+=(npm)
fi

if command -v apt-get >/dev/null && command -v dpkg >/dev/null; then
    missing=()
    for package in "${apt_packages[@]}"; do
        dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
    done
    if (( ${#missing[@]} )); then
        sudo=""
        [[ $(id -u) -ne 0 ]] && sudo="sudo"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
    fi
fi

# Debian's own Python sees Debian's GTK bindings (python3-gi) that the window needs.
python=python3
[[ -x /usr/bin/python3 ]] && python=/usr/bin/python3
if [[ ! -x .venv/bin/python ]]; then
    "$python" -m venv --system-site-packages .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e ".$extras"

# axe-core for tests/test_accessibility.py, at the version tests/axe/package-lock.json
# pins, into tests/axe/node_modules: a test tool, never among the files LanQA serves.
if [[ -n "$extras" ]]; then
    if ! command -v npm >/dev/null; then
        echo "setup.sh: the accessibility tests need npm (Node.js) to install axe-core" >&2
        exit 1
    fi
    npm ci --prefix tests/axe --prefer-offline --no-audit --no-fund --loglevel=error
fi
