#!/usr/bin/env bash
# Installs the system packages Tern's build and tests need (Debian/Ubuntu, run as root or
# with sudo). Idempotent: packages already present are not touched.
set -euo pipefail

packages=(
  # the mail testbed: Dovecot for IMAP, Postfix for SMTP submission (delivering into Dovecot
  # over LMTP)
  dovecot-imapd dovecot-lmtpd postfix openssl python3
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
  # Postfix asks what kind of mail server this is. "No configuration" writes no
  # /etc/postfix/main.cf, so no system Postfix can start; the testbed runs private instances
  # from configs of its own.
  if [[ " ${missing[*]} " == *" postfix "* ]]; then
    echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
  fi
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # The package enables its boot service: disable a Postfix we just installed (one that was
  # here before is the machine owner's and is left alone).
  if [[ " ${missing[*]} " == *" postfix "* ]]; then
    if command -v systemctl >/dev/null 2>&1; then
      $SUDO systemctl disable postfix.service >/dev/null 2>&1 || true
      if [[ -d /run/systemd/system ]]; then $SUDO systemctl stop postfix.service || true; fi
    elif command -v update-rc.d >/dev/null 2>&1; then
      $SUDO update-rc.d postfix disable >/dev/null 2>&1 || true
    fi
  fi
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
