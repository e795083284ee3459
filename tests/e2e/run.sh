#!/usr/bin/env bash
# End-to-end tests of the built app: the real webview under Xvfb, driven over WebDriver
# (tauri-driver + WebKitWebDriver), against throwaway Dovecot testbeds on 127.0.0.1.
#
#   bash tests/e2e/run.sh [extra node --test arguments, e.g. tests/e2e/live.test.mjs]
#   npm run test:e2e
#
# Everything runs inside a private D-Bus session with a private HOME: an unlocked
# gnome-keyring (Secret Service) and python3-dbusmock as a recording notification server.
# Needs the debug build (npm run build && cargo build -p tern-app -p tern-cli) and the
# packages from tests/setup.sh. The temp dir (profiles, logs, screenshots) is removed after a
# green run and kept after a failure, or always with TERN_E2E_KEEP=1. TERN_E2E_APP and
# TERN_E2E_CLI point the tests at other builds of tern-app and tern.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD

if [[ -z ${TERN_E2E_INNER:-} ]]; then
  # ---- outside the private session: check prerequisites, then re-enter in one ----
  problems=()
  for bin in "${TERN_E2E_APP:-target/debug/tern-app}" "${TERN_E2E_CLI:-target/debug/tern}"; do
    [[ -x $bin ]] || problems+=("$bin is missing: build it with 'npm run build && cargo build -p tern-app -p tern-cli'")
  done
  if [[ -n ${TERN_SEED:-} ]]; then
    [[ -x $TERN_SEED ]] || problems+=("TERN_SEED=$TERN_SEED is not executable")
  elif [[ -x target/release/tern-seed ]]; then
    export TERN_SEED=$ROOT/target/release/tern-seed
  else
    problems+=("target/release/tern-seed is missing: build it with 'cargo build --release -p tern-seed'")
  fi
  driver=${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}
  [[ -x $driver ]] || problems+=("tauri-driver not found: 'cargo install tauri-driver --locked'")
  for tool in WebKitWebDriver Xvfb xwininfo xprop dbus-run-session gnome-keyring-daemon dbus-send node; do
    command -v "$tool" >/dev/null || problems+=("$tool not found: run 'bash tests/setup.sh'")
  done
  /usr/bin/python3 -c 'import dbusmock' 2>/dev/null || problems+=("python3-dbusmock not installed: run 'bash tests/setup.sh'")
  [[ -d node_modules/webdriverio ]] || problems+=("webdriverio is not installed: run 'npm ci'")
  if ((${#problems[@]})); then
    printf 'e2e: %s\n' "${problems[@]}" >&2
    exit 2
  fi

  # The app must embed the UI it was built with; a binary from `tauri dev` loads a dev server.
  if [[ -z ${TERN_E2E_APP:-} && -n $(find ui/src -newer target/debug/tern-app -type f -print -quit 2>/dev/null) ]]; then
    echo "e2e: warning: ui/src has changes newer than target/debug/tern-app (rebuild to test them)" >&2
  fi

  tmp=$(mktemp -d /tmp/tern-e2e.XXXXXX)
  # Dovecot (as user dovecot) must reach the testbeds below this directory.
  chmod 755 "$tmp"
  mkdir -p "$tmp/home/run"
  chmod 700 "$tmp/home" "$tmp/home/run"
  export TERN_E2E_TMP=$tmp TAURI_DRIVER=$driver TERN_E2E_INNER=1
  export TERN_E2E_RUN_ID=${tmp##*/}

  # Safety net for a test file that died without cleaning up (or an interrupted run): stop its
  # testbeds and any process still carrying this run's id in its environment (the driver,
  # WebKitWebDriver, the app).
  outer_cleanup() {
    local env pid p
    for env in "$tmp"/*/testbed/testbed.env; do
      [[ -e $env ]] && tests/testbed/testbed stop "$(dirname "$env")" >/dev/null 2>&1
    done
    for p in /proc/[0-9]*; do
      pid=${p#/proc/}
      [[ $pid == "$$" ]] && continue
      if { tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -qx "TERN_E2E_RUN_ID=$TERN_E2E_RUN_ID"; then
        echo "e2e: killing leftover process $pid ($({ tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | cut -c1-80))" >&2
        kill -KILL "$pid" 2>/dev/null
      fi
    done
    if [[ -n ${TERN_E2E_KEEP:-} || ${rc:-1} -ne 0 ]]; then
      echo "e2e: kept $tmp (profiles, driver logs, screenshots of failures)" >&2
    else
      rm -rf "$tmp"
    fi
  }
  trap outer_cleanup EXIT
  trap 'exit 130' INT TERM

  set +e
  HOME=$tmp/home NO_AT_BRIDGE=1 XDG_RUNTIME_DIR=$tmp/home/run dbus-run-session -- bash "$0" "$@"
  rc=$?
  set -e
  exit "$rc"
fi

# ---- inside the private D-Bus session ----
tmp=$TERN_E2E_TMP
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

has_name() {
  dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner "string:$1" 2>/dev/null | grep -q 'boolean true'
}

# A Secret Service with an unlocked login collection (it exits with the session bus).
printf pw | gnome-keyring-daemon --unlock --components=secrets >"$tmp/keyring.env"

# The recording notification server.
export TERN_E2E_NOTIFY_LOG=$tmp/notifications.log
: >"$TERN_E2E_NOTIFY_LOG"
/usr/bin/python3 -m dbusmock --session --template notification_daemon -l "$TERN_E2E_NOTIFY_LOG" \
  >"$tmp/dbusmock.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  has_name org.freedesktop.Notifications && break
  sleep 0.1
done
has_name org.freedesktop.Notifications || { echo "e2e: dbusmock did not take org.freedesktop.Notifications" >&2; cat "$tmp/dbusmock.out" >&2; exit 1; }

# A private X server on the first free display (Xvfb writes the number it took to fd 3).
Xvfb -displayfd 3 -screen 0 1400x900x24 -nolisten tcp 3>"$tmp/display" >"$tmp/xvfb.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  [[ -s $tmp/display ]] && break
  sleep 0.1
done
[[ -s $tmp/display ]] || { echo "e2e: Xvfb did not start" >&2; cat "$tmp/xvfb.log" >&2; exit 1; }
export DISPLAY=:$(tr -dc 0-9 <"$tmp/display")

echo "e2e: DISPLAY=$DISPLAY, temp dir $tmp"
set +e
node --test --test-concurrency=1 "${@:-tests/e2e/}"
rc=$?
set -e
exit "$rc"
