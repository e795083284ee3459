#!/usr/bin/env bash
# Installs the system packages Tern's build and tests need (Debian/Ubuntu, run as root or
# with sudo). Idempotent: packages already present are not touched.
set -euo pipefail

packages=(
  # the mail testbed
  dovecot-imapd dovecot-lmtpd openssl python3
  # a real Secret Service for keyring tests, on a private session bus
  dbus gnome-keyring
  # benchmark references and measurement
  isync time
  # building the app (Tauri 2 on WebKitGTK) and its Linux bundles
  build-essential pkg-config curl wget file libwebkit2gtk-4.1-dev libxdo-dev libssl-dev
  libayatana-appindicator3-dev librsvg2-dev patchelf rpm
  # end-to-end tests: the real webview under Xvfb over WebDriver, a recording notification
  # server, screenshots
  webkit2gtk-driver xvfb xauth x11-utils python3-dbusmock imagemagick
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $EUID -ne 0 ]] && SUDO=sudo
  export DEBIAN_FRONTEND=noninteractive
  # Debian starts services on install; the testbed runs its own instances instead.
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
    $SUDO chmod +x /usr/sbin/policy-rc.d
    trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# WebDriver front for Tauri apps (a crates.io package, built from source).
if ! command -v tauri-driver >/dev/null 2>&1 && [[ ! -x "$HOME/.cargo/bin/tauri-driver" ]]; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --quiet
fi

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "setup: Node.js 20+ and npm are needed for the UI; install them first" >&2
  exit 1
fi
