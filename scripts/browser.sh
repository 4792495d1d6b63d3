# Sourced by scripts/test.sh: makes sure the browser tests have Chromium, chromedriver and
# axe-core, installing them as on a user's fresh Debian machine.

ensure_browser() {
  if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    echo "== installing chromium and chromium-driver (Debian packages)"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "chromium and chromium-driver are missing, and installing them needs root." >&2
        return 1
      fi
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium chromium-driver >/dev/null
  fi
  export CHROMIUM="${CHROMIUM:-$(command -v chromium)}"
  export CHROMEDRIVER="${CHROMEDRIVER:-$(command -v chromedriver)}"

  # axe-core, the accessibility engine the browser test injects into each page.
  local axe_dir="target/axe"
  if [ ! -f "$axe_dir/node_modules/axe-core/axe.min.js" ]; then
    if ! command -v npm >/dev/null 2>&1; then
      echo "npm is missing: it installs axe-core for the accessibility tests." >&2
      return 1
    fi
    echo "== installing axe-core (npm)"
    mkdir -p "$axe_dir"
    npm install --prefix "$axe_dir" --no-audit --no-fund --silent axe-core@4 >/dev/null
  fi
  export AXE_CORE_JS="$PWD/$axe_dir/node_modules/axe-core/axe.min.js"
}
