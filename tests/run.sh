#!/usr/bin/env bash
# Sets up and runs every test: system packages, build, then the Rust unit and integration
# tests (each integration test starts its own Dovecot testbed on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."

bash tests/setup.sh

echo "== build"
cargo build --release --locked -p tern-seed
export TERN_SEED="$PWD/target/release/tern-seed"
cargo build --locked --workspace --all-targets

echo "== checks"
cargo fmt --all -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings

echo "== tests"
python3 tests/testbed/selftest.py
cargo test --locked --workspace
