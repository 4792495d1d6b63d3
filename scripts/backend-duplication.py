#!/usr/bin/env python3
"""Count the lines the two storage backends repeat from each other.

A line counts when it stands in a run of at least MIN_RUN consecutive non-blank
lines that appear, in the same order, in the other backend's sources. Lines are
compared after folding whitespace and SQL placeholders (`?1`, `$1`, `?`), so
that a query differing only in its placeholder syntax still counts as repeated.

Usage: scripts/backend-duplication.py [--min-run N] [--list] [SQLITE_SRC POSTGRES_SRC]
"""

import argparse
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"[?$]\d*")
SPACE = re.compile(r"\s+")


def normalised_lines(path):
    """The file's non-blank lines, folded, with their line numbers."""
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = SPACE.sub(" ", PLACEHOLDER.sub("?", raw)).strip()
        if line:
            out.append((number, line))
    return out


def load(root):
    return {p: normalised_lines(p) for p in sorted(Path(root).rglob("*.rs"))}


def windows(files, size):
    """Map each run of `size` folded lines to the places it starts."""
    index = {}
    for path, lines in files.items():
        for start in range(len(lines) - size + 1):
            key = tuple(line for _, line in lines[start : start + size])
            index.setdefault(key, []).append((path, start))
    return index


def mark(files, places, size, marked):
    for path, start in places:
        for offset in range(size):
            marked.add((path, files[path][start + offset][0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-run", type=int, default=6)
    parser.add_argument("--list", action="store_true", help="print each repeated line's place")
    parser.add_argument("sqlite", nargs="?", default="crates/store-sqlite/src")
    parser.add_argument("postgres", nargs="?", default="crates/store-postgres/src")
    args = parser.parse_args()
    for root in (args.sqlite, args.postgres):
        if not Path(root).is_dir():
            sys.exit(f"{root}: not a directory (run from the workspace root or name both src dirs)")

    sqlite, postgres = load(args.sqlite), load(args.postgres)
    left, right = windows(sqlite, args.min_run), windows(postgres, args.min_run)
    marked_sqlite, marked_postgres = set(), set()
    for key, places in left.items():
        if key in right:
            mark(sqlite, places, args.min_run, marked_sqlite)
            mark(postgres, right[key], args.min_run, marked_postgres)

    total_sqlite = sum(len(v) for v in sqlite.values())
    total_postgres = sum(len(v) for v in postgres.values())
    if args.list:
        for path, line in sorted(marked_sqlite | marked_postgres):
            print(f"{path}:{line}")
    print(f"non-blank lines: sqlite {total_sqlite}, postgres {total_postgres}")
    print(
        f"lines in shared runs of >= {args.min_run}: sqlite {len(marked_sqlite)}, "
        f"postgres {len(marked_postgres)}, both {len(marked_sqlite) + len(marked_postgres)}"
    )
    per_file = {}
    for path, _ in marked_sqlite | marked_postgres:
        per_file[path] = per_file.get(path, 0) + 1
    for path, count in sorted(per_file.items(), key=lambda item: -item[1]):
        print(f"  {count:5}  {path}")


if __name__ == "__main__":
    main()
