#!/usr/bin/env bash
# What Binder installs, measured: a fresh virtual environment in a temporary folder, then
# `pip install -r binder/requirements.txt` from the repository root (what repo2docker runs on top
# of its base image), and its size: number of installed distributions, bytes on disk of the whole
# environment (`du`, pip and setuptools included), the largest distributions (the files each one's
# RECORD lists) and the top-level pins. The README's "What Binder installs" section quotes it.
#
#   bash scripts/binder_size.sh             # binder/requirements.txt alone
#   bash scripts/binder_size.sh --with-lab  # plus requirements-dev.txt's JupyterLab pin: the
#                                           # environment the live browser suite runs
#
# PYTHON selects the interpreter (default: python3); Binder uses binder/runtime.txt's version.
# Packages come from PyPI (or pip's cache); nothing else is downloaded. The folder is removed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

with_lab=0
for arg in "$@"; do
  case "$arg" in
    --with-lab) with_lab=1 ;;
    *) echo "usage: bash scripts/binder_size.sh [--with-lab]" >&2; exit 2 ;;
  esac
done

extra=()
if [ "$with_lab" = 1 ]; then
  pin="$(grep -E '^jupyterlab==' requirements-dev.txt | head -n 1 | tr -d ' ')"
  [ -n "$pin" ] || { echo "requirements-dev.txt has no jupyterlab== pin" >&2; exit 1; }
  extra=("$pin")
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"${PYTHON:-python3}" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -qq --disable-pip-version-check \
  -r binder/requirements.txt "${extra[@]}"

bytes="$(du -sb "$tmp/venv" | cut -f1)"
"$tmp/venv/bin/python" - "$bytes" "${extra[@]}" <<'PY'
import platform
import re
import sys
from importlib import metadata
from pathlib import Path

total = int(sys.argv[1])
extra = sys.argv[2:]
dists = {}
for d in metadata.distributions():
    size = 0
    for f in d.files or []:
        p = Path(d.locate_file(f))
        if p.is_file():
            size += p.stat().st_size
    dists[d.metadata["Name"]] = (d.version, size)

pins = []
for line in Path("binder/requirements.txt").read_text().splitlines():
    line = line.split("#", 1)[0].strip()
    if line.startswith("-r "):
        inc = Path("binder") / line[3:].strip()
        pins += [x.split("#", 1)[0].strip() for x in inc.read_text().splitlines()]
    else:
        pins.append(line)
pins = [p for p in pins + extra if re.match(r"^[A-Za-z0-9_.-]+==", p)]

what = "binder/requirements.txt" + (f" + {' '.join(extra)}" if extra else "")
print(f"{what}: Python {platform.python_version()}, {platform.system()} {platform.machine()}")
print(f"{len(dists)} distributions, {total / 1e6:.0f} MB on disk (du of the venv)")
print("largest distributions (MB, files listed in their RECORD):")
for name, (version, size) in sorted(dists.items(), key=lambda kv: -kv[1][1])[:10]:
    print(f"  {name:<24} {version:<12} {size / 1e6:7.1f}")
gd = dists.get("gdcore")
if gd:
    print(f"  gdcore                   {gd[0]:<12} {gd[1] / 1e6:7.2f}")
print("top-level pins: " + ", ".join(pins))
PY
