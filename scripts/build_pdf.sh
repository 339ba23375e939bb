#!/usr/bin/env bash
# Build the print edition: the whole book as one PDF, printed by the local Chromium from the built
# HTML book, at _build/html/_static/gradient-descent-interactively.pdf (every HTML page links it).
#
#   bash scripts/build_pdf.sh           # builds the HTML book first unless it is up to date
#   bash scripts/build_pdf.sh --force   # print again even when the PDF is up to date
#
# Uses the active virtual environment, or creates/uses .venv; installs requirements-dev.txt
# (Playwright, pypdf) and gdcore unless GDBOOK_SKIP_INSTALL=1. Needs /usr/bin/chromium
# (Debian's chromium package; scripts/test.sh installs it). See scripts/book_pdf.py.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

force=0
for arg in "$@"; do
  case "$arg" in
    --force) force=1 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

t0="$(gd_now)"
gd_venv
gd_install requirements-dev.txt
if [ ! -x /usr/bin/chromium ]; then
  echo "error: the PDF is printed by /usr/bin/chromium: apt-get install chromium" >&2
  exit 1
fi

if "$PY" scripts/book_stamp.py check; then
  echo "[pdf] the HTML book in _build/html is up to date"
else
  echo "[pdf] the HTML book is missing or out of date: building it first"
  GDBOOK_SKIP_INSTALL=1 bash scripts/build_book.sh
fi

if [ "$force" = 0 ] && "$PY" scripts/book_pdf.py --check; then
  echo "[pdf] up to date (printed from this HTML build): _build/html/_static/gradient-descent-interactively.pdf"
  exit 0
fi
t1="$(gd_now)"
"$PY" scripts/book_pdf.py
echo "[pdf] done in $(gd_elapsed "$t1")s (total $(gd_elapsed "$t0")s)"
