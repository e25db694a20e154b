#!/usr/bin/env bash
# Shared by .ci/start and .ci/test: install what is missing (and only that), then build.
# Every step checks first and skips what is already there, so running it again costs seconds.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
CARGO_BIN="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$CARGO_BIN:"*) ;; *) export PATH="$CARGO_BIN:$PATH" ;; esac
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

# Clippy lints the workspace's own crates while they compile, in every build this file makes
# (for people and for tests alike): one compilation is both the build and the lint, where a
# separate `cargo clippy` is a second, check-only compilation of the whole tree (about 15 minutes
# of CI: BENCHMARKS.md, "CI wall time"). Lints are errors, as `cargo clippy -- -D warnings` makes
# them. RUSTC_WORKSPACE_WRAPPER wraps only workspace members: dependencies are compiled by rustc.
# (CLIPPY_ARGS is how `cargo clippy` itself passes the arguments after `--` to clippy-driver.)
CLIPPY_DRIVER="$(rustc --print sysroot)/bin/clippy-driver"
if [ ! -x "$CLIPPY_DRIVER" ]; then
  rustup component add clippy >&2
fi
export RUSTC_WORKSPACE_WRAPPER="$CLIPPY_DRIVER"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

step() { printf '\n==> %s\n' "$*" >&2; }
have() { command -v "$1" >/dev/null 2>&1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif have sudo; then sudo "$@"; else
    echo "need root (or sudo) to run: $*" >&2; return 1
  fi
}

# Debian packages, installed only when missing.
apt_ensure() {
  local missing=() pkg
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

# One build for people and for tests: the release server and the size-optimised wasm, published
# under content-hashed names with brotli and gzip copies beside them (README, "Production build").
# BUILD_PROFILE=dev builds the debug profiles instead, for quick rebuilds while working on
# Keyport itself: a 16 MB wasm, not compressed.
export BUILD_PROFILE="${BUILD_PROFILE:-release}"
case "$BUILD_PROFILE" in
  release) WASM_PROFILE=wasm-release SERVER_PROFILE=release ;;
  dev) WASM_PROFILE=dev SERVER_PROFILE=dev ;;
  *) echo "BUILD_PROFILE must be release or dev, not '$BUILD_PROFILE'" >&2; exit 2 ;;
esac
profile_dir() { [ "$1" = dev ] && echo debug || echo "$1"; }
BUILT_SERVER="$ROOT/target/$(profile_dir "$SERVER_PROFILE")/keyport"
export BUILT_SERVER

ensure_brotli() {
  have brotli || apt_ensure brotli
}

# The page groups, one wasm each (app/src/pages/mod.rs, app::assets::PageGroup).
PAGE_GROUPS="signin portal account popout admin"

# Builds one wasm per page group, binds each, and publishes them with the stylesheet and the
# public files.
build_site() {
  local stage=target/site-stage group
  rm -rf "$stage" && mkdir -p "$stage"
  for group in $PAGE_GROUPS; do
    step "building the browser code of the $group pages (wasm, profile $WASM_PROFILE)"
    cargo build -p app --lib --target wasm32-unknown-unknown --features "page-$group" --profile "$WASM_PROFILE"
    # The name section only helps a debugger; tools that need it (twiggy) build their own copy.
    wasm-bindgen --target web --no-typescript --remove-name-section --remove-producers-section \
      --out-dir "$stage" --out-name "keyport-$group" \
      "target/wasm32-unknown-unknown/$(profile_dir "$WASM_PROFILE")/app.wasm"
  done
  cp style/main.css "$stage/keyport.css"
  publish_site "$stage"
}

# Copies a staged build into target/site under content-hashed names, writes the manifest the
# server reads (keyport-assets.json), and keeps the files of the build before, so a page opened
# just before a redeploy still finds the files it names. Older builds' files are removed.
publish_site() {
  local stage=$1 site=target/site pkg=target/site/pkg
  mkdir -p "$pkg"
  [ -d "$stage/snippets" ] && { echo "wasm-bindgen wrote snippets/: publish_site does not hash them yet" >&2; return 1; }
  local css group script wasm pages="" names
  css=$(hashed_copy "$stage/keyport.css" keyport css)
  names="$css"
  for group in $PAGE_GROUPS; do
    script=$(hashed_copy "$stage/keyport-$group.js" "keyport-$group" js)
    wasm=$(hashed_copy "$stage/keyport-${group}_bg.wasm" "keyport-$group" wasm)
    names="$names $script $wasm"
    pages="$pages${pages:+,}\"$group\":{\"script\":\"$script\",\"wasm\":\"$wasm\"}"
  done
  cp -r public/. "$site/"
  local f c name
  if [ "$BUILD_PROFILE" = release ]; then
    step "compressing the site (brotli, gzip)"
    ensure_brotli
    for f in $(printf "$pkg/%s " $names) "$site"/*.js "$site"/*.ico; do
      [ -f "$f" ] || continue
      [ -f "$f.br" ] && [ "$f.br" -nt "$f" ] || brotli -q 11 -f -k "$f"
      [ -f "$f.gz" ] && [ "$f.gz" -nt "$f" ] || gzip -9 -n -f -k "$f"
      # A copy no smaller than the file (a tiny icon) is only a cost.
      for c in "$f.br" "$f.gz"; do
        [ "$(stat -c %s "$c")" -lt "$(stat -c %s "$f")" ] || rm -f "$c"
      done
    done
  else
    for name in $names; do rm -f "$pkg/$name".{br,gz}; done
    rm -f "$site"/*.js.{br,gz}
  fi
  printf '{"stylesheet":"%s","pages":{%s}}\n' "$css" "$pages" > "$site/keyport-assets.json.new"
  mv "$site/keyport-assets.json.new" "$site/keyport-assets.json"
  # One line per build, newest last; keep the last two builds' files.
  local builds="$pkg/.builds"
  { [ -f "$builds" ] && grep -v -x -F "$names" "$builds" | tail -n 1; echo "$names"; } > "$builds.new" || true
  mv "$builds.new" "$builds"
  local keep
  keep=" $(tr '\n' ' ' < "$builds")"
  for f in "$pkg"/keyport.* "$pkg"/keyport-*; do
    [ -f "$f" ] || continue
    name=$(basename "$f"); name=${name%.br}; name=${name%.gz}
    case "$keep" in *" $name "*) ;; *) rm -f "$f" ;; esac
  done
  # wasm-bindgen's plain names from before content hashing.
  rm -f "$pkg"/keyport_bg.wasm* "$pkg"/keyport.js "$pkg"/keyport.css
  for group in $PAGE_GROUPS; do
    wasm=$(python3 -c "import json,sys; print(json.load(open('$site/keyport-assets.json'))['pages']['$group']['wasm'])")
    echo "published $pkg/$wasm ($(stat -c %s "$pkg/$wasm") bytes$( [ -f "$pkg/$wasm.br" ] && echo ", brotli $(stat -c %s "$pkg/$wasm.br")"))" >&2
  done
}

# Copies FILE into target/site/pkg as STEM.<16 hex of its sha256>.EXT; prints the new name.
hashed_copy() {
  local file=$1 stem=$2 ext=$3 hash name
  hash=$(sha256sum "$file" | cut -c1-16)
  name="$stem.$hash.$ext"
  [ -f "target/site/pkg/$name" ] || cp "$file" "target/site/pkg/$name"
  echo "$name"
}

build_server() {
  step "building the server (profile $SERVER_PROFILE)"
  cargo build -p server --profile "$SERVER_PROFILE"
}
