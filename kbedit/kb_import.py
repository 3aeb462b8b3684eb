"""`make kb-import FILE=…`: take source files exported by the staff editor into the repository's knowledge/.

    python -m kbedit.kb_import measures.yml [hotlines.yml …] [--dest knowledge]

Each file must be named as the source it replaces (measures.yml, hotlines.yml, programs.yml, lexicon.yml,
messages.yml: the editor's download keeps the name). The whole set, with the imported files in place, is
validated by `make kb`'s validator first; on any problem nothing is written. Then `make kb` rebuilds, and the
tables are those the editor published (tests/kbedit/test_export.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from kbedit.draft import Draft
from knowledge.build import SOURCES

HERE = Path(__file__).resolve().parent.parent / "knowledge"


def import_files(paths: list, dest: Path = HERE) -> list:
    """Write the files into dest if the result is valid; returns the problems (empty: written)."""
    current = Draft.from_dir(dest)
    incoming = {}
    for p in map(Path, paths):
        name = p.name
        if name not in SOURCES:
            return [f"{p}: not a knowledge-base source; the name must be one of {', '.join(SOURCES)}"]
        incoming[name] = p.read_text(encoding="utf-8")
    draft = Draft({**current.files, **incoming})
    problems = [str(x) for x in draft.problems()]
    if problems:
        return problems
    for name, text in incoming.items():
        (dest / name).write_text(text, encoding="utf-8")
    return []


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", type=Path)
    ap.add_argument("--dest", type=Path, default=HERE)
    args = ap.parse_args(argv)
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        print(f"no such file: {', '.join(missing)}", file=sys.stderr)
        return 2
    problems = import_files(args.files, args.dest)
    if problems:
        print("not imported, the knowledge base would be invalid:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    print(f"imported {', '.join(f.name for f in args.files)} into {args.dest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
