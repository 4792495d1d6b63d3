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

# No module of web, cli or ingest imports a module that imports it back; the concept scheme's
# links, labels and codes are whole.
echo "== module cycles"
python3 scripts/module-cycles.py
echo "== concept scheme"
python3 scripts/check-concepts.py

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

# The evaluations print their figures (search nDCG@5 per language beside FTS5, the bridge's
# precision, classification accuracy); their floors fail the run on a regression.
echo "== evaluations"
cargo test -p search --test relevance --test bridge --test suggestions -- --nocapture 2>&1 \
  | grep -v '^\s*\(Compiling\|Finished\|Running\)'

# The `cli` crate's default feature `pdf` turns on PDF (typst) in `web` and `render` for the
# whole workspace build, so clippy above and the tests below cover the PDF code too.
echo "== cargo test"
cargo test --workspace --no-fail-fast

