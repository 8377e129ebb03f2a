#!/usr/bin/env bash
# A real VS Code for the end-to-end test: code-server 4.100.3 (VS Code 1.100.3, the last release
# that runs on Node 20) from the npm registry, and Chromium from Debian to look at it.
#   usage: install-code-server.sh [DEST]   (default: $XDG_CACHE_HOME/crew-e2e/code-server)
# Safe to run again: a finished install (DEST/.installed) is kept. The last line printed is the path
# of the code-server launcher.
#
# The package is installed with its scripts turned off and finished by hand, because its own
# postinstall fetches ripgrep from GitHub (not reachable from a build machine), needs --unsafe-perm
# when run as root, and lets node-pty's rebuild stop at an npx confirmation prompt.
set -euo pipefail

VERSION=4.100.3
DEST="${1:-${XDG_CACHE_HOME:-$HOME/.cache}/crew-e2e/code-server}"
LAUNCHER="$DEST/node_modules/.bin/code-server"

if [ -f "$DEST/.installed" ] && [ -x "$LAUNCHER" ]; then
  echo "$LAUNCHER"
  exit 0
fi

# Debian packages: the browser, ripgrep (VS Code's search), and what the native modules build with.
missing=()
for package in chromium ripgrep libkrb5-dev g++ make; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

quiet=(--no-audit --no-fund --loglevel=error)
mkdir -p "$DEST"
cd "$DEST"
[ -f package.json ] || echo '{"name": "crew-e2e-code-server", "private": true}' >package.json
npm install "code-server@$VERSION" --ignore-scripts "${quiet[@]}"
npm rebuild argon2 --loglevel=error

# VS Code's own dependencies, with Debian's ripgrep where the download would have gone.
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts "${quiet[@]}"
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
npm_config_yes=true npm rebuild --loglevel=error
# code-server looks for these names, which its postinstall would have created
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
# the built-in extensions (the Markdown language, the Problems panel's friends) need their packages
(cd extensions && npm install --omit=dev "${quiet[@]}")

touch "$DEST/.installed"
echo "$LAUNCHER"
