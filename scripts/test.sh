#!/usr/bin/env bash
# The whole test suite, as on a fresh machine: formatting, lints, and every test.
# It installs what the tests need when it is missing; .ci/run calls it.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is missing: install Rust with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
# The toolchain is pinned in rust-toolchain.toml; rustup installs it (and rustfmt, clippy) on first use.
rustup show active-toolchain >/dev/null 2>&1 || true

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings

# The PostgreSQL backend's tests need a server: found, or installed and started (scripts/postgres.sh).
source scripts/postgres.sh
ensure_test_postgres
echo "== PostgreSQL for the tests: $ZESUMMEN_TEST_POSTGRES_URL"

# The browser tests need Chromium, chromedriver and axe-core: found, or installed (scripts/browser.sh).
source scripts/browser.sh
ensure_browser

# The PDF tests read the booklet back with pdftotext (scripts/pdf-tools.sh).
source scripts/pdf-tools.sh
ensure_pdf_tools

# The `cli` crate's default feature `pdf` turns on PDF (typst) in `web` and `render` for the
# whole workspace build, so clippy above and the tests below cover the PDF code too.
echo "== cargo test"
cargo test --workspace --no-fail-fast

