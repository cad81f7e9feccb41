#!/usr/bin/env bash
# Install Debian's Chromium for the browser tests (tests/browser) when it is missing. Playwright
# drives this one (executable_path); it never downloads a browser of its own. Idempotent: with
# Chromium present it does nothing. When it cannot be installed (no root, no apt-get) it says
# why and leaves it to the tests, which then skip with that reason.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/apt.sh

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] && exit 0
if ! (apt_install "the browser tests" chromium fonts-liberation); then
    echo "chromium: $CHROMIUM could not be installed (above): the browser tests will skip" >&2
    exit 0
fi
echo "installed $("$CHROMIUM" --version 2>/dev/null || echo chromium)"
