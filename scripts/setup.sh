#!/usr/bin/env bash
# What racezoo's tests need beyond the Rust toolchain, installed from the distribution's packages:
# Chromium, for the end-to-end test of the HTML report (cli/tests/html_report.rs). The test command
# (scripts/test-all.sh) runs this first; it does nothing when Chromium is already there.
set -euo pipefail

if [ -x /usr/bin/chromium ] || [ -x /usr/bin/chromium-browser ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup: no apt-get here; install Chromium yourself for the browser test (it will say it did not run)" >&2
  exit 0
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: not root and no sudo; install the 'chromium' package for the browser test" >&2
    exit 0
  fi
fi
echo "setup: installing chromium (Debian package) for the HTML report's browser test ..."
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get install -y --no-install-recommends chromium >/tmp/racezoo-setup.log 2>&1; then
  $sudo apt-get update >>/tmp/racezoo-setup.log 2>&1 || true
  $sudo apt-get install -y --no-install-recommends chromium >>/tmp/racezoo-setup.log 2>&1 \
    || echo "setup: could not install chromium (see /tmp/racezoo-setup.log); the browser test will say it did not run" >&2
fi
