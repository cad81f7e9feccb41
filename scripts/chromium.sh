#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser) when it is missing. Playwright
# drives this one (executable_path); it never downloads a browser of its own. Idempotent: with
# Chromium present it does nothing. Without root (and no sudo) it says so and leaves it to the
# tests, which then skip with that reason.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
        SUDO="sudo -n"
    else
        echo "chromium: $CHROMIUM is missing and installing it needs root: the browser tests will skip" >&2
        exit 0
    fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "chromium: $CHROMIUM is missing and there is no apt-get: the browser tests will skip" >&2
    exit 0
fi
echo "installing Debian packages: chromium (for the browser tests)"
$SUDO apt-get update -qq
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-liberation >/dev/null; then
    echo "chromium: apt-get install chromium failed: the browser tests will skip" >&2
    exit 0
fi
echo "installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
