"""scripts/train.sh fails on warnings about the training data (scripts/data_warnings.py), not on library noise."""

import os
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import data_warnings  # noqa: E402

# Lines of a real `rasa train` log of this project (2026-12-01), abridged: library noise, then Rasa's warning
NOISE = """\
/x/.venv/lib/python3.10/site-packages/rasa/core/tracker_store.py:1044: MovedIn20Warning: Deprecated API features \
detected! These feature(s) are not compatible with SQLAlchemy 2.0.
/x/.venv/lib/python3.10/site-packages/rasa/shared/utils/validation.py:134: DeprecationWarning: pkg_resources is \
deprecated as an API.
/x/.venv/lib/python3.10/site-packages/pkg_resources/__init__.py:3117: DeprecationWarning: Deprecated call to \
`pkg_resources.declare_namespace('ruamel')`.
/x/.venv/lib/python3.10/site-packages/matplotlib/fontconfig_pattern.py:66: PyparsingDeprecationWarning: \
'setParseAction' deprecated - use 'set_parse_action'
2026-12-01 04:21:39 INFO     rasa.engine.training.hooks  - Finished training component 'JiebaTokenizer'.
"""
MISALIGNED = """\
\x1b[93m/x/.venv/lib/python3.10/site-packages/rasa/shared/utils/io.py:100: UserWarning: Misaligned entity annotation \
in message '節能輔導會做能源流向盤點嗎' with intent 'ask_items'. Make sure the start and end values of entities \
([(0, 2, 'esco'), (6, 8, 'esco')]) in the training data match the token boundaries
"""


def test_library_noise_is_not_a_data_warning():
    assert data_warnings.data_warnings(NOISE) == []


def test_a_misaligned_annotation_is_found_once_however_often_rasa_repeats_it():
    found = data_warnings.data_warnings(NOISE + MISALIGNED + NOISE + MISALIGNED)
    assert found == ["Misaligned entity annotation in message '節能輔導會做能源流向盤點嗎'"]


def test_other_data_warnings_are_found():
    log = (
        "UserWarning: Intent 'ask_fee' has only 1 training examples! Minimum is 2, training may fail.\n"
        "UserWarning: Issue found while processing 'data/nlu/x.yml': Intent 'greet' has no examples.\n"
    )
    assert len(data_warnings.data_warnings(log)) == 2


CONFIG = """\
recipe: default.v1
language: en
assistant_id: gate-test
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 1
    run_eagerly: true  # no tf.function tracing: it was most of the CPU of this 1-epoch model (the gate reads the log)
policies:
  - name: RulePolicy
"""
DOMAIN = """\
version: "3.1"
intents: [greet, ask]
entities: [thing]
"""
NLU = """\
version: "3.1"
nlu:
- intent: greet
  examples: |
    - hello there
    - hi friend
    - good morning
- intent: ask
  examples: |
    - tell me about [hel](thing)lo world
    - what is [foo](thing)
    - explain [bar](thing) please
"""


@pytest.mark.slow
def test_train_sh_fails_on_a_planted_misaligned_annotation(tmp_path):
    """A copy of the project's training script on tiny data where an entity ends inside the word "hello"."""
    (tmp_path / "scripts").mkdir()
    for name in ("train.sh", "model_hash.py", "data_warnings.py"):
        shutil.copy2(ROOT / "scripts" / name, tmp_path / "scripts" / name)
    os.symlink(ROOT / ".venv", tmp_path / ".venv")
    (tmp_path / "data").mkdir()
    (tmp_path / "config.yml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "domain.yml").write_text(DOMAIN, encoding="utf-8")
    (tmp_path / "requirements.txt").write_text("", encoding="utf-8")
    (tmp_path / "data" / "nlu.yml").write_text(NLU, encoding="utf-8")
    env = dict(
        os.environ,
        RASA_TELEMETRY_ENABLED="false",
        RASA_CACHE_DIRECTORY=str(tmp_path / "cache"),
        RASA_MAX_CACHE_SIZE="0",
        TF_CPP_MIN_LOG_LEVEL="2",
    )
    out = subprocess.run(
        ["bash", str(tmp_path / "scripts" / "train.sh"), "config.yml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert out.returncode != 0, out.stderr[-2000:]
    assert "training data warnings" in out.stderr
    assert "Misaligned entity annotation in message 'tell me about hello world'" in out.stderr
    assert not list((tmp_path / "models").glob("*.tar.gz")), "a model trained on bad data must not be kept"
    assert out.stdout == ""  # no model path for make to use
