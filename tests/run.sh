#!/usr/bin/env bash
# Sets up and runs every test: system packages, the UI's checks and unit tests, the Rust
# build, lints, unit and integration tests (each integration test starts its own Dovecot on
# 127.0.0.1), then the end-to-end suite driving the real app under Xvfb over WebDriver.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

bash tests/setup.sh

echo "== UI: install, type check, unit tests, build"
npm ci --no-audit --no-fund
npm run check
npm test
npm run build

echo "== Rust: build"
cargo build --release --locked -p tern-seed
export TERN_SEED="$PWD/target/release/tern-seed"
cargo build --locked --workspace --all-targets

echo "== Rust: format and lints"
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings

echo "== Testbed self-test"
python3 tests/testbed/selftest.py

echo "== Rust: unit and integration tests"
cargo test --locked --workspace

if [[ -f tests/e2e/run.sh ]]; then
  echo "== End-to-end: the app in a real webview"
  bash tests/e2e/run.sh
fi
