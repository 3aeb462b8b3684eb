"""Set-up scripts: finding Python 3.10, and the model cache key seeing the jieba dictionary."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

FIND = ROOT / "scripts" / "find-python.sh"


def run_find(env):
    return subprocess.run(["bash", str(FIND)], env=env, capture_output=True, text=True)


def test_finds_python_310_here():
    out = run_find(dict(os.environ))
    assert out.returncode == 0, out.stderr
    version = subprocess.run(
        [out.stdout.strip(), "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True
    ).stdout.strip()
    assert version == "(3, 10)"


def test_clear_message_without_python_310(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "cat"):  # a PATH with the shell's basics but no Python
        os.symlink(shutil.which(tool), bin_dir / tool)
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "pyenv")}
    if any(Path(p).exists() for p in ("/usr/local/bin/python3.10", "/usr/bin/python3.10")):
        return  # a system-wide 3.10 would rightly be found
    out = run_find(env)
    assert out.returncode == 1
    assert "Python 3.10 not found" in out.stderr and "pyenv install 3.10" in out.stderr


def test_a_wrong_version_in_PYTHON310_is_not_taken(tmp_path):
    env = dict(os.environ, PYTHON310=sys.executable if sys.version_info[:2] != (3, 10) else "/nonexistent")
    out = run_find(env)
    assert out.returncode == 0 and out.stdout.strip() != "/nonexistent"


def test_model_hash_sees_dictionary_contents(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    import model_hash

    root = tmp_path / "repo"
    (root / "knowledge" / "dict").mkdir(parents=True)
    (root / "data").mkdir()
    for name in ("config.yml", "domain.yml", "requirements.txt"):
        (root / name).write_text(name, encoding="utf-8")
    (root / "data" / "nlu.yml").write_text("nlu: []", encoding="utf-8")
    d = root / "knowledge" / "dict" / "userdict.txt"
    d.write_text("中小微企業 2000 n\n", encoding="utf-8")
    monkeypatch.setattr(model_hash, "ROOT", root)
    before = model_hash.model_hash()
    assert model_hash.model_hash() == before  # stable
    d.write_text("中小微企業 2000 n\n輸美實績 2000 n\n", encoding="utf-8")
    assert model_hash.model_hash() != before  # a dictionary edit forces a retrain


def make_targets_with_recipes() -> list:
    """The .PHONY targets of the Makefile that have a recipe (lines starting with a tab after the rule)."""
    lines = (ROOT / "Makefile").read_text(encoding="utf-8").splitlines()
    phony = next(line for line in lines if line.startswith(".PHONY:")).split(":", 1)[1].split()
    with_recipe = set()
    for i, line in enumerate(lines[:-1]):
        target = line.split(":", 1)[0]
        if ":" in line and target in phony and lines[i + 1].startswith("\t"):
            with_recipe.add(target)
    return sorted(with_recipe)


def test_make_help_lists_every_target():
    targets = make_targets_with_recipes()
    assert {"test-e2e", "test-stories", "scale-up", "help"} <= set(targets)  # the parser sees digits and dashes
    out = subprocess.run(["make", "--no-print-directory", "help"], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    listed = {line.split()[1] for line in out.stdout.splitlines() if line.strip().startswith("make ")}
    assert not set(targets) - listed, f"missing from make help: {sorted(set(targets) - listed)}"
