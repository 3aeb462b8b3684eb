"""Password hashes, settings from the environment, the refusal to start without an account."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from staff import passwords
from staff.config import ROOT, ConfigError, load_settings
from tests.staff.conftest import PASSWORD


@pytest.mark.parametrize("scheme", passwords.SCHEMES)
def test_hash_round_trip(scheme):
    encoded = passwords.make_hash(PASSWORD, scheme=scheme, iterations=1000)
    assert encoded.startswith(scheme + "$")
    h = passwords.parse(encoded)
    assert h.verify(PASSWORD) and not h.verify(PASSWORD + "x") and not h.verify("")
    assert passwords.make_hash(PASSWORD, scheme=scheme, iterations=1000) != encoded  # random salt


def test_verification_is_constant_time(monkeypatch):
    calls = []
    real = passwords.hmac.compare_digest
    monkeypatch.setattr(passwords.hmac, "compare_digest", lambda a, b: calls.append(1) or real(a, b))
    passwords.parse(passwords.make_hash(PASSWORD, iterations=1000)).verify("guess")
    assert calls == [1]


def test_known_django_style_hash():
    # pbkdf2_sha256$<iterations>$<salt>$<base64>: the format Django and passlib's django_pbkdf2_sha256 use
    import base64
    import hashlib

    digest = base64.b64encode(hashlib.pbkdf2_hmac("sha256", b"secret", b"somesalt", 1000)).decode()
    assert passwords.parse(f"pbkdf2_sha256$1000$somesalt${digest}").verify("secret")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "plain-password",
        "md5$abc",
        "pbkdf2_sha256$x$salt$aGFzaA==",
        "pbkdf2_sha256$1000$salt$not base64!",
        "scrypt$3$8$1$c2FsdA==$aGFzaGhhc2hoYXNoaGFzaA==",
    ],
)
def test_bad_hashes_are_refused(bad):
    with pytest.raises(passwords.BadHash):
        passwords.parse(bad)


def env_with(**values):
    return {k: v for k, v in values.items() if v is not None}


def test_defaults_and_env():
    s = load_settings(env_with())
    assert (s.host, s.port, s.db) == ("127.0.0.1", 8090, None)
    assert s.tracker_db == ROOT / "var" / "tracker.db"
    s = load_settings(env_with(STAFF_DB="/tmp/s.db", STAFF_PORT="9000", TRACKER_DB="/tmp/t.db"))
    assert s.port == 9000 and s.tracker_db == Path("/tmp/t.db") and s.db == "/tmp/s.db"
    with pytest.raises(ConfigError):
        load_settings(env_with(STAFF_PORT="x"))


def test_no_shared_password_any_more():
    """The team password is gone: its variables are no longer read anywhere."""
    for path in [*(ROOT / "staff").glob("*.py"), ROOT / "Makefile"]:
        assert "STAFF_PASSWORD_HASH" not in path.read_text(encoding="utf-8"), path
    assert not (ROOT / "scripts" / "staff_password.py").exists()


def test_python_m_staff_refuses_to_start_without_an_account(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("STAFF_")}
    env.update(PYTHONPATH=str(ROOT), STAFF_DB=str(tmp_path / "staff.db"))
    out = subprocess.run([sys.executable, "-m", "staff"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "staff helper not started" in out.stderr and "make staff-user" in out.stderr


def test_not_mounted_on_the_public_rasa_server():
    """The helper is a separate process on 127.0.0.1: nothing public imports it, routes to it or links to it."""
    public = [
        ROOT / "credentials.yml",
        ROOT / "endpoints.yml",
        ROOT / "scripts" / "run.sh",
        ROOT / "scripts" / "serve_web.py",
        *(ROOT / "actions").glob("*.py"),
        *(ROOT / "channels").glob("*.py"),
        *(ROOT / "web").glob("*"),
    ]
    uses = re.compile(r"\b(from|import) staff\b|\bstaff\.(app|config|calculator|review|lookup)\b|:8090\b|STAFF_")
    for f in public:
        if f.is_file():
            assert not uses.search(f.read_text(encoding="utf-8", errors="replace")), f


def test_staff_words_live_in_labels_and_templates_not_python():
    """Labels, choices and sentences are in staff/labels.yml and the templates (issue 14): Chinese in string
    literals of staff/*.py (docstrings aside) stays at zero."""
    import ast
    import re

    cjk = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]")
    found = {}
    for path in sorted((ROOT / "staff").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {
            id(n.body[0].value)
            for n in ast.walk(tree)
            if isinstance(n, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
            and n.body
            and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)
        }
        count = sum(
            len(cjk.findall(n.value))
            for n in ast.walk(tree)
            if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs
        )
        if count:
            found[path.name] = count
    assert found == {}
