"""Content hash of everything a trained model depends on, including jieba's dictionary files.

Rasa's own fingerprint does not see the contents of JiebaTokenizer's dictionary, so the model cache is keyed by
this hash instead: a dictionary edit changes the hash and forces a retrain.
    python scripts/model_hash.py [CONFIG]   -> prints a 16-hex-digit key
"""

import hashlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def inputs(config: str) -> list:
    files = [ROOT / config, ROOT / "domain.yml", ROOT / "requirements.txt"]
    files += sorted((ROOT / "data").rglob("*.yml"))
    files += sorted((ROOT / "knowledge" / "dict").glob("*"))
    files += sorted((ROOT / "components").glob("*.py"))
    return [f for f in files if f.is_file()]


def spacy_model_id(config: str) -> str:
    """Name and version of the config's spaCy model (SpacyNLP `model:`), which lives outside the repository
    (an installed package); empty for configs without SpacyNLP, so their keys do not change."""
    from importlib import metadata

    import yaml

    data = yaml.safe_load((ROOT / config).read_text(encoding="utf-8"))
    pipeline = (data.get("pipeline") if isinstance(data, dict) else None) or []
    models = [str(c.get("model")) for c in pipeline if isinstance(c, dict) and c.get("name") == "SpacyNLP"]
    if not models:
        return ""
    try:
        return f"{models[0]}=={metadata.version(models[0])}"
    except (metadata.PackageNotFoundError, ValueError):
        return models[0]  # a pipeline directory or a missing package: the name alone


def model_hash(config: str = "config.yml") -> str:
    h = hashlib.sha256()
    for f in inputs(config):
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(spacy_model_id(config).encode())
    return h.hexdigest()[:16]


if __name__ == "__main__":
    print(model_hash(sys.argv[1] if len(sys.argv) > 1 else "config.yml"))
