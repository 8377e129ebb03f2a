#!/bin/sh
# Installs crew-lsp and its Python dependencies into bundled/libs, as Microsoft's Python-tools
# extension template does, so the .vsix needs nothing but a Python 3.11+ interpreter.
# pydantic-core is compiled: its wheels for every supported CPython (3.11 to 3.13) are merged into
# one folder (each version loads its own `.so`), for Linux x86-64 — the .vsix targets linux-x64.
# Usage: bundle-python.sh PYTHON REPO_ROOT WORK_DIR
set -eu
python=$1 root=$2 work=$3
libs=bundled/libs
rm -rf "$libs" "$work" && mkdir -p "$libs" "$work/wheel"
"$python" -m pip wheel -q --no-deps --wheel-dir "$work/wheel" "$root"
for version in 3.11 3.12 3.13; do
  "$python" -m pip install -q --no-compile --target "$work/libs-$version" --only-binary=:all: \
    --implementation cp --python-version "$version" \
    --platform manylinux2014_x86_64 --platform manylinux_2_17_x86_64 \
    "$work"/wheel/crew_lsp-*.whl
  cp -Rn "$work/libs-$version/." "$libs/"
done
# console scripts carry the build interpreter's path: the extension runs `python -m crew_lsp`
rm -rf "$libs/bin"
