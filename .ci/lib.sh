#!/usr/bin/env bash
# Shared by .ci/start and .ci/test: install what is missing (and only that), then build.
# Every step checks first and skips what is already there, so running it again costs seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2; return 1
  fi
}

# Debian packages, installed only when missing.
apt_ensure() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  step "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

ensure_wasm_target() {
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    step "adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi
}

# The wasm-bindgen CLI must be exactly the wasm-bindgen version in Cargo.lock.
ensure_wasm_bindgen() {
  local want have_version
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
  have_version=$( (wasm-bindgen --version 2>/dev/null || true) | awk '{print $2}')
  if [ "$have_version" != "$want" ]; then
    step "installing wasm-bindgen-cli $want (takes a few minutes, once)"
    # Without --locked: its own lock file wants a webpki-roots the registry lacks (TOOLCHAIN.md).
    cargo install wasm-bindgen-cli --version "$want"
  fi
}

ensure_redis() {
  # A real Redis for the test of two Keyport instances sharing sessions.
  apt_ensure redis-server
}

ensure_npm_packages() {
  local stamp="end2end/node_modules/.keyport-lock-sha"
  local want
  want=$(sha256sum end2end/package-lock.json | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    step "installing npm packages for the end-to-end tests"
    (cd end2end && npm ci --no-audit --no-fund --loglevel=error)
    echo "$want" > "$stamp"
  fi
}

ensure_chromium() {
  # Debian's Chromium: Playwright's own browser download does not work here (TOOLCHAIN.md).
  apt_ensure chromium
}

# Builds the wasm, binds it, and lays out target/site the way the server serves it.
build_site() {
  step "building the browser app (wasm)"
  cargo build -p app --lib --target wasm32-unknown-unknown --features hydrate
  mkdir -p target/site/pkg
  wasm-bindgen --target web --out-dir target/site/pkg --out-name keyport \
    target/wasm32-unknown-unknown/debug/app.wasm
  cp style/main.css target/site/pkg/keyport.css
  cp -r public/. target/site/
}

build_server() {
  step "building the server"
  cargo build -p server
}
