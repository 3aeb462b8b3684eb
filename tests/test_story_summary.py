"""scripts/story_summary.py: the one line after `make test-stories` says how many stories failed."""

import json
import subprocess
import sys

from tests.conftest import ROOT

SCRIPT = ROOT / "scripts" / "story_summary.py"
# How Rasa 3.6 writes a failed story (rasa/core/test.py: _log_stories)
FAILED_STORY = """\
version: "3.1"
stories:
- story: amount follow-up (./tests/test_stories.yml)
  steps:
  - intent: ask_amount
  - action: action_answer  # predicted: action_default_fallback
- story: hotline after a loan question (./tests/test_stories.yml)
  steps:
  - intent: ask_hotline
"""


def run(results):
    return subprocess.run([sys.executable, str(SCRIPT), str(results)], capture_output=True, text=True)


def write_report(results, correct, total):
    results.mkdir(exist_ok=True)
    (results / "story_report.json").write_text(
        json.dumps(
            {
                "conversation_accuracy": {
                    "accuracy": correct / total,
                    "correct": correct,
                    "with_warnings": 0,
                    "total": total,
                }
            }
        ),
        encoding="utf-8",
    )


def test_none_failed(tmp_path):
    write_report(tmp_path, 52, 52)
    (tmp_path / "failed_test_stories.yml").write_text("# None of the test stories failed - all good!")
    out = run(tmp_path)
    assert out.returncode == 0
    assert out.stdout.strip() == "story tests: 0 of 52 failed"


def test_two_failed_are_counted_and_named(tmp_path):
    write_report(tmp_path, 50, 52)
    (tmp_path / "failed_test_stories.yml").write_text(FAILED_STORY)
    out = run(tmp_path)
    assert out.returncode == 1
    line = out.stdout.strip()
    assert line.startswith("story tests: 2 of 52 failed (amount follow-up, hotline after a loan question)")
    assert "failed_test_stories.yml" in line and "\n" not in line


def test_no_report_is_a_failure(tmp_path):
    out = run(tmp_path)
    assert out.returncode == 1 and "no report" in out.stdout
