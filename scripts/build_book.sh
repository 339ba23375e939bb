#!/usr/bin/env bash
# Build the HTML book into _build/html: Jupyter Book 1.x, every chapter executed, every warning
# an error (-W -n --keep-going), MathJax served from the book.
#
#   bash scripts/build_book.sh                 # clean build
#   bash scripts/build_book.sh --incremental   # rebuild only what changed (quicker, for writing)
#
# Uses the active virtual environment, or creates/uses .venv; installs requirements-book.txt and
# gdcore (skipped when already installed, or with GDBOOK_SKIP_INSTALL=1); installs MathJax from
# the npm registry into .cache/npm on first use.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

incremental=0
for arg in "$@"; do
  case "$arg" in
    --incremental) incremental=1 ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (see --help)" >&2; exit 2 ;;
  esac
done

t0="$(gd_now)"
gd_venv
gd_install requirements-book.txt
"$PY" book/_ext/gdbook.py fetch-mathjax
t_setup="$(gd_elapsed "$t0")"

if [ "$incremental" = 0 ]; then
  rm -rf _build/html _build/.doctrees _build/jupyter_execute
fi
t1="$(gd_now)"
echo "[build] jupyter-book build . -W -n --keep-going"
# ipykernel 7 warns on every kernel start that its local TCP sockets are unencrypted; drop that
# line, keep everything else.
status=0
"$BIN/jupyter-book" build . -W -n --keep-going 2>&1 \
  | { grep -v --line-buffered "Kernel is running over TCP without encryption" || true; } \
  || status=$?
if [ "$status" != 0 ] || [ ! -f _build/html/index.html ]; then
  echo "[build] FAILED after $(gd_elapsed "$t1")s (see the warnings above)" >&2
  exit 1
fi
"$PY" scripts/book_stamp.py write
echo "[build] book built in $(gd_elapsed "$t1")s (setup $t_setup s, total $(gd_elapsed "$t0")s):" \
  "open _build/html/index.html"
