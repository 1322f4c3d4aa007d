#!/usr/bin/env bash
# Builds the LanQA app with PyInstaller: dist/LanQA/ (onedir), and dist/LanQA.app on macOS.
# Usage: bash packaging/build.sh [FOLDER]  (FOLDER instead of dist, with the work files in it)
# Uses .venv's Python (or $PYTHON), which needs LanQA's dependencies and pyinstaller.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=${1:-dist}
work=build/pyinstaller
[[ $# -gt 0 ]] && work="$dist/build"

python=${PYTHON:-}
if [[ -z "$python" ]]; then
    python=.venv/bin/python
    [[ -x "$python" ]] || python=.venv/Scripts/python.exe  # a venv on Windows
fi
if ! "$python" -c "import PyInstaller" 2>/dev/null; then
    echo "build.sh: PyInstaller is missing: $python -m pip install pyinstaller" >&2
    exit 1
fi
system=$(uname -s)
# On macOS PyInstaller turns packaging/lanqa.png into the .icns icon with Pillow.
if [[ "$system" == Darwin ]] && ! "$python" -c "import PIL" 2>/dev/null; then
    echo "build.sh: Pillow is missing (for the app icon): $python -m pip install pillow" >&2
    exit 1
fi

# --clean: no cached analysis from an older tree, so the bundle always matches this one.
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
    --distpath "$dist" --workpath "$work" packaging/lanqa.spec

if [[ "$system" == Linux ]]; then
    # The menu entry and its icon travel with the bundle (packaging/README.md: installing).
    cp packaging/lanqa.desktop packaging/lanqa.png "$dist/LanQA/"
fi
echo "Built $dist/LanQA/ ($(du -sh "$dist/LanQA" | cut -f1))"
if [[ "$system" == Darwin ]]; then
    echo "Built $dist/LanQA.app ($(du -sh "$dist/LanQA.app" | cut -f1))"
fi
