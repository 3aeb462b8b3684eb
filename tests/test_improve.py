"""scripts/improve.py (issue 18): its before-model is keyed exactly as scripts/train.sh keys the model of data/
without the review file, so the served model is found, not retrained; and its report lines up before and after."""

from __future__ import annotations

import sys

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))

from scripts import improve  # noqa: E402
from scripts.model_hash import model_hash  # noqa: E402


def test_before_hash_is_train_sh_hash_of_data_without_the_file():
    assert improve.model_hash(None) == model_hash("config.yml")
    assert improve.model_hash(ROOT / "data" / "nlu" / "no-such-file.yml") == model_hash("config.yml")
    assert improve.model_hash(ROOT / "data" / "nlu" / "loans.yml") != model_hash("config.yml")


def test_report_shows_before_after_and_delta():
    scores = {
        "before": {"intent macro-F1": 0.9, "intent accuracy": 0.95, "number-entity F1": 1.0},
        "after": {"intent macro-F1": 0.92, "intent accuracy": 0.94, "number-entity F1": 1.0},
    }
    text = improve.report(scores, {})
    assert "intent macro-F1" in text and "0.900" in text and "0.920" in text and "+0.020" in text
    assert "-0.010" in text
