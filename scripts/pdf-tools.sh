# Sourced by scripts/test.sh: makes sure the PDF tests have pdftotext and pdftoppm (Debian's
# poppler-utils), installing them as on a user's fresh Debian machine.

ensure_pdf_tools() {
  if ! command -v pdftotext >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
    echo "== installing poppler-utils (pdftotext, pdftoppm; Debian package)"
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "pdftotext and pdftoppm are missing, and installing poppler-utils needs root." >&2
        return 1
      fi
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq poppler-utils >/dev/null
  fi
}
