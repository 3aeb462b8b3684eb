"""One line after `rasa test core`: how many test stories failed, and which; exit 1 if any failed.

Rasa ends with 「Failed stories written to …」 whether or not a story failed; this reads what it wrote
(story_report.json for the count, failed_test_stories.yml for the names) in the given results folder.
    python scripts/story_summary.py results/stories
"""

import json
import re
import sys
from pathlib import Path

REPORT = "story_report.json"
FAILED = "failed_test_stories.yml"


def failed_story_names(path: Path) -> list:
    """Story names in Rasa's failed-stories file ("- story: <name> (<source file>)"); none when it is absent."""
    if not path.is_file():
        return []
    names = re.findall(r"^- story: (.+)$", path.read_text(encoding="utf-8"), flags=re.MULTILINE)
    return [re.sub(r" \([^()]*\)$", "", name).strip() for name in names]


def summary(results: Path) -> tuple:
    """(line to print, exit code)."""
    try:
        counts = json.loads((results / REPORT).read_text(encoding="utf-8"))["conversation_accuracy"]
        total, correct = int(counts["total"]), int(counts["correct"])
    except (OSError, ValueError, KeyError, TypeError):
        return f"story tests: no report in {results / REPORT} (rasa test core stopped before the end: see above)", 1
    names = failed_story_names(results / FAILED)
    failed = max(total - correct, len(names))
    if not failed:
        return f"story tests: 0 of {total} failed", 0
    return (f"story tests: {failed} of {total} failed ({', '.join(names)}): see {results / FAILED}", 1)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    line, code = summary(Path(argv[0] if argv else "results/stories"))
    print(line)
    return code


if __name__ == "__main__":
    sys.exit(main())
