"""Warnings in Rasa's training log that mean the training data is wrong, the one list of them.

scripts/train.sh saves `rasa train`'s output and runs this on it: any line matching a pattern below fails the
training (the model is removed, so the next run trains again and fails again until the data is fixed). Library
noise (DeprecationWarning, SQLAlchemy's MovedIn20Warning, …) is not matched: only Rasa's own messages about data.
`make validate` (rasa data validate --fail-on-warnings) covers the domain/stories/rules checks; these are the ones
only training sees, because they depend on the tokenizer (e.g. an entity that splits a jieba token).
    python scripts/data_warnings.py LOG   -> prints the data warnings found; exit 1 if any
"""

import re
import sys
from pathlib import Path

# Rasa 3.6's wording (rasa/nlu/extractors/extractor.py, rasa/shared/nlu/training_data/*, story readers)
PATTERNS = [
    r"Misaligned entity annotation in message '[^']*'",
    r"Intent '[^']*' has only \d+ training examples",
    r"Entity \S+ has only \d+ training examples",
    r"Found empty (intent|response)",
    r"Found inconsistent entity synonyms",
    r"Issue found (while processing|in) '[^']*'",
    r"Unexpected block found in '[^']*'",
    r"Loading domain from '[^']*' failed",
]
_FOUND = re.compile("|".join(f"(?:{p})" for p in PATTERNS))


def data_warnings(log: str) -> list:
    """The data warnings in a training log, each once, in order (Rasa repeats some per component)."""
    found = []
    for match in _FOUND.finditer(log):
        if match.group(0) not in found:
            found.append(match.group(0))
    return found


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    found = data_warnings(Path(argv[0]).read_text(encoding="utf-8", errors="replace"))
    for warning in found:
        print(f"  {warning}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
