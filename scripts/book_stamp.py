"""Is _build/html up to date? A stamp with a hash of everything the book is built from.

``python scripts/book_stamp.py write`` (run by build_book.sh after a successful build) records
the hash in ``_build/html/.gdbook-stamp``; ``python scripts/book_stamp.py check`` exits 0 when the
build is current. The tests' ``built_book`` fixture uses :func:`is_current`.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HTML = ROOT / "_build" / "html"
STAMP = HTML / ".gdbook-stamp"
#: what the book is built from: config, toc, chapters and pages, gdcore, the pins
INPUTS = ("_config.yml", "_toc.yml", "book", "gdcore", "requirements.txt", "requirements-book.txt")
SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints", ".pytest_cache"}


def inputs_digest(root: Path = ROOT) -> str:
    """sha256 over the relative path and bytes of every input file, in sorted order."""
    digest = hashlib.sha256()
    files: list[Path] = []
    for name in INPUTS:
        path = root / name
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file())
        elif path.is_file():
            files.append(path)
    for path in sorted(files):
        rel = path.relative_to(root)
        if SKIP_PARTS.intersection(rel.parts) or path.suffix in {".pyc", ".pyo"}:
            continue
        digest.update(rel.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def is_current(root: Path = ROOT) -> bool:
    """True when _build/html was built (successfully) from the current inputs."""
    stamp = root / "_build" / "html" / ".gdbook-stamp"
    return stamp.is_file() and stamp.read_text().strip() == inputs_digest(root)


def write(root: Path = ROOT) -> None:
    """Record the current inputs' digest in the stamp file."""
    (root / "_build" / "html" / ".gdbook-stamp").write_text(inputs_digest(root) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["write"]:
        write()
    elif sys.argv[1:] == ["check"]:
        sys.exit(0 if is_current() else 1)
    else:
        sys.exit("usage: python scripts/book_stamp.py write|check")
