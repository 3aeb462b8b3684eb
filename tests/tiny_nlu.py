"""Trains a throwaway NLU model in a temporary folder, for tests of the pipeline's loading and parsing code
(test_components_pipeline.py, test_spacy_variant.py). Rasa's cache and telemetry stay out of the repository."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def isolated_rasa(root: Path) -> Iterator[Path]:
    """Rasa's cache in root/cache (kept empty), telemetry off, while the block runs."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("RASA_CACHE_DIRECTORY", str(root / "cache"))
        mp.setenv("RASA_MAX_CACHE_SIZE", "0")
        mp.setenv("RASA_TELEMETRY_ENABLED", "false")
        yield root


def train_tiny_nlu(root: Path, config: str, nlu: str, name: str) -> str:
    """Writes config and NLU data into root, trains, and returns the model's path."""
    from rasa.model_training import train_nlu

    (root / "config.yml").write_text(config, encoding="utf-8")
    (root / "nlu.yml").write_text(nlu, encoding="utf-8")
    with isolated_rasa(root):
        path = train_nlu(
            config=str(root / "config.yml"),
            nlu_data=str(root / "nlu.yml"),
            output=str(root / "models"),
            fixed_model_name=name,
        )
    assert path, "training produced no model"
    return path
