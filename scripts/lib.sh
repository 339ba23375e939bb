# Shared helpers for scripts/build_book.sh and scripts/test.sh (sourced, not run).
# ROOT must be set to the repository root by the caller.

# Use the active virtual environment, or create/use $ROOT/.venv. Sets VENV, PY, BIN and puts
# BIN first on PATH (the Jupyter kernels that execute the chapters run this Python).
gd_venv() {
  if [ -n "${VIRTUAL_ENV:-}" ] && [ -x "${VIRTUAL_ENV}/bin/python" ]; then
    VENV="$VIRTUAL_ENV"
  else
    VENV="$ROOT/.venv"
    if [ ! -x "$VENV/bin/python" ]; then
      local python="${PYTHON:-python3}"
      if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "error: Python >= 3.11 is needed to create $VENV (set PYTHON=/path/to/python3.11)" >&2
        return 1
      fi
      echo "[setup] creating virtual environment $VENV"
      "$python" -m venv "$VENV"
    fi
  fi
  PY="$VENV/bin/python"
  BIN="$VENV/bin"
  export VIRTUAL_ENV="$VENV"
  export PATH="$BIN:$PATH"
  export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
}

# gd_install REQUIREMENTS_FILE: pip install it and gdcore (editable), unless the same pins were
# installed before (a hash of requirements*.txt and pyproject.toml is kept in the venv).
# GDBOOK_SKIP_INSTALL=1 skips this altogether.
gd_install() {
  local req="$1" stamp digest
  if [ "${GDBOOK_SKIP_INSTALL:-0}" = 1 ]; then
    return 0
  fi
  stamp="$VENV/.gdbook-$(basename "$req" .txt).sha256"
  digest="$(cat "$ROOT"/requirements*.txt "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ] \
      && "$PY" -c 'import gdcore' >/dev/null 2>&1; then
    echo "[setup] $req already installed in $VENV"
    return 0
  fi
  echo "[setup] pip install -r $req -e . (into $VENV)"
  "$PY" -m pip install --quiet -r "$ROOT/$req"
  "$PY" -m pip install --quiet -e "$ROOT"
  echo "$digest" > "$stamp"
}

# Seconds since the Unix epoch, with decimals.
gd_now() {
  date +%s.%N
}

# gd_elapsed START: seconds since START, one decimal.
gd_elapsed() {
  awk -v a="$1" -v b="$(gd_now)" 'BEGIN { printf "%.1f", b - a }'
}
