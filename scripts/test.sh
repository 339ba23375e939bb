#!/usr/bin/env bash
# Run every check the project has: ruff, the book build (-W), the PDF edition, the test suite
# (tests/) and strict nbval over the chapter notebooks, in one pytest run with one summary.
# Right after `bash scripts/build_book.sh` the up-to-date build is reused (not built again).
#
#   bash scripts/test.sh            # everything
#   bash scripts/test.sh -x -k api  # extra arguments go to pytest
#
# Uses the active virtual environment, or creates/uses .venv; installs requirements-dev.txt and
# gdcore (skipped when already installed); installs Debian's chromium for the browser tests when
# /usr/bin/chromium is missing (as root, with apt-get).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

t0="$(gd_now)"
gd_venv
gd_install requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "[setup] installing chromium (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q
    apt-get install -y -q --no-install-recommends chromium
  else
    echo "error: the browser tests need /usr/bin/chromium: sudo apt-get install chromium" >&2
    exit 1
  fi
fi
echo "[setup] done in $(gd_elapsed "$t0")s"

t1="$(gd_now)"
echo "[lint] ruff check ."
"$BIN/ruff" check .
echo "[lint] done in $(gd_elapsed "$t1")s"

t2="$(gd_now)"
# A build made by scripts/build_book.sh from the current sources (its stamp, a hash of _config.yml,
# _toc.yml, book/, gdcore/ and the pins, matches) is reused; a missing or stale one is rebuilt.
if "$PY" scripts/book_stamp.py check; then
  echo "[build] reusing _build/html: it was built (with -W) from the current sources" \
    "(scripts/book_stamp.py); a change to them makes this run build it again"
else
  GDBOOK_SKIP_INSTALL=1 bash scripts/build_book.sh
fi
export GDCORE_BOOK_BUILT=1  # the tests' built_book fixture reuses this build
echo "[build] done in $(gd_elapsed "$t2")s"

t_pdf="$(gd_now)"
GDBOOK_SKIP_INSTALL=1 bash scripts/build_pdf.sh
echo "[pdf] done in $(gd_elapsed "$t_pdf")s"

t3="$(gd_now)"
shopt -s nullglob
notebooks=(book/[0-9][0-9]_*.ipynb)
echo "[test] pytest tests/ (gdcore's docstring examples included) and strict nbval over ${#notebooks[@]} chapter notebooks"
status=0
"$BIN/python" -m pytest -p no:cacheprovider tests "${notebooks[@]}" \
  --nbval --nbval-current-env --nbval-sanitize-with book/nbval_sanitize.cfg "$@" || status=$?
echo "[test] done in $(gd_elapsed "$t3")s; total $(gd_elapsed "$t0")s"
exit "$status"
