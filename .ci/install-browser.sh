#!/bin/sh
# Install what tests/test_site_browser.py needs: Chromium and its WebDriver (Debian packages) and
# selenium (PyPI). Run as root on Debian, or with sudo available; PIP defaults to .venv/bin/pip.
set -eu

PIP="${PIP:-.venv/bin/pip}"

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then
        SUDO=""
    elif command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-browser: need root (or sudo) to apt-get install chromium" >&2
        exit 1
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "install-browser: apt-get not found; install chromium and chromedriver by hand" >&2
        exit 1
    fi
    $SUDO apt-get update
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium chromium-driver
fi

"$PIP" install "selenium>=4.10"
chromium --version
chromedriver --version
