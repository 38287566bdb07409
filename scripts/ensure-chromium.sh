#!/usr/bin/env bash
# The browser tests drive Debian's Chromium with Playwright (Playwright's own browser download
# does not work on the project's machines). Install it when it is missing and we may.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Chromium is missing: install Debian's 'chromium' package (sudo apt-get install chromium)" >&2
  exit 1
fi
echo "Installing Chromium from Debian's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
