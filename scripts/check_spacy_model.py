"""Checks that the spaCy pipeline named by the spaCy variant (config-spacy.yml) loads, before a training run.

    python scripts/check_spacy_model.py                     # the SpacyNLP `model:` of config-spacy.yml
    python scripts/check_spacy_model.py config-spacy.yml    # same, for another config file
    python scripts/check_spacy_model.py zh_core_web_sm      # a package name
    python scripts/check_spacy_model.py /path/to/pipeline   # a directory written by nlp.to_disk()

Exit 0 when `spacy.load(...)` works and the pipeline was made for the installed spaCy (the check Rasa's SpacyNLP
makes); exit 1 with what to install otherwise. The last line printed is `spaCy model OK: ...` or starts with
`spaCy model missing:` / `spaCy model unusable:` / `spaCy not installed:`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = "config-spacy.yml"
MODEL = "zh_core_web_sm"
RELEASES = "https://github.com/explosion/spacy-models/releases/download"


def model_from_config(config: str | Path) -> str:
    """The `model:` of the SpacyNLP entry of a Rasa config file."""
    import yaml

    path = Path(config)
    if not path.is_absolute() and not path.exists():
        path = ROOT / path
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for component in data.get("pipeline") or []:
        if component.get("name") == "SpacyNLP":
            if not component.get("model"):
                raise SystemExit(f"{path}: SpacyNLP has no `model:`")
            return str(component["model"])
    raise SystemExit(f"{path}: no SpacyNLP in the pipeline")


def wheel_version(spacy_version: str) -> str:
    """spaCy's models follow spaCy's minor version: spaCy 3.4.x loads zh_core_web_sm 3.4.x."""
    major, minor = spacy_version.split(".")[:2]
    return f"{major}.{minor}.0"


def install_hint(spacy_version: str) -> str:
    version = wheel_version(spacy_version)
    wheel = f"{MODEL}-{version}-py3-none-any.whl"
    return (
        f"Install spaCy's official {MODEL} {version} (the release for spaCy {spacy_version}):\n"
        f"  from a local file:  .venv/bin/pip install ./{wheel}\n"
        f"  or, where GitHub is reachable, from spaCy's release page:\n"
        f"    .venv/bin/pip install {RELEASES}/{MODEL}-{version}/{wheel}\n"
        f"  (equivalently `.venv/bin/python -m spacy download {MODEL}`, which fetches the same wheel).\n"
        f"Do NOT `pip install zh-core-web-sm` from PyPI: that name is a 999.9.9 placeholder, not the model.\n"
        f"The model's pkuseg segmenter needs spacy-pkuseg (pinned in requirements.txt)."
    )


def placeholder_installed() -> str | None:
    """The version of PyPI's zh-core-web-sm placeholder when it is installed."""
    from importlib import metadata

    try:
        version = metadata.version("zh-core-web-sm")
    except metadata.PackageNotFoundError:
        return None
    return version if version.startswith("999") else None


def check(name: str) -> tuple[int, str]:
    """(exit code, message) for loading the spaCy pipeline `name` (package name or path)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # spaCy's thinc imports TensorFlow when it is installed
    try:
        import spacy
    except ImportError:
        return 1, (
            "spaCy not installed: add the spacy pins of requirements.txt to .venv "
            "(`.venv/bin/pip install -r requirements.txt`)."
        )
    spacy_version = spacy.about.__version__
    placeholder = placeholder_installed() if name == MODEL else None
    if placeholder:
        return 1, (
            f"spaCy model unusable: the installed zh-core-web-sm {placeholder} is PyPI's placeholder, "
            f"not spaCy's model. Remove it (`.venv/bin/pip uninstall -y zh-core-web-sm`).\n"
            + install_hint(spacy_version)
        )
    try:
        nlp = spacy.load(name)
    except OSError:
        if os.sep in name or Path(name).exists():
            what = f"there is no spaCy pipeline directory at {name!r}"
        else:
            what = f"{name!r} is not installed" + ("" if name == MODEL else f" ({MODEL} is the variant's model)")
        return 1, f"spaCy model missing: {what}.\n" + install_hint(spacy_version)
    except ImportError as e:  # e.g. spacy-pkuseg missing for the pkuseg segmenter
        return 1, f"spaCy model unusable: {name!r} needs a package that is not installed: {e}"
    except Exception as e:  # noqa: BLE001 - a broken or incompatible pipeline: say what spaCy said
        return 1, f"spaCy model unusable: {name!r} does not load with spaCy {spacy_version}: {e}\n" + install_hint(
            spacy_version
        )
    wanted = nlp.meta.get("spacy_version", "")
    if wanted and not spacy.util.is_compatible_version(spacy_version, wanted):
        return 1, (
            f"spaCy model unusable: {name!r} was made for spaCy {wanted}, the installed spaCy is "
            f"{spacy_version} (Rasa's SpacyNLP refuses it).\n" + install_hint(spacy_version)
        )
    return 0, (
        f"spaCy model OK: {name} ({nlp.meta.get('lang')}_{nlp.meta.get('name')} "
        f"{nlp.meta.get('version')}, pipes {nlp.pipe_names}, spaCy {spacy_version})"
    )


def main(argv: list[str]) -> int:
    arg = argv[0] if argv else DEFAULT_CONFIG
    name = model_from_config(arg) if arg.endswith((".yml", ".yaml")) else arg
    code, message = check(name)
    print(message, file=sys.stderr if code else sys.stdout)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
