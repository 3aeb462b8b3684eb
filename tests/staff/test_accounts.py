"""Accounts per person (staff/accounts.py), the admin's command (staff/users.py), roles and the audit log."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from staff import db
from staff.accounts import Account, AccountError, AccountStore
from staff.audit import AuditLog
from staff.config import ROOT
from staff.passwords import make_hash
from tests.staff.conftest import ADMIN, PASSWORD, STAFF


def test_store_file_is_private(tmp_path):
    path = tmp_path / "sub" / "staff.db"
    db.open_store(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_create_verify_roles_and_disable(tmp_path):
    store = AccountStore(db.open_store(tmp_path / "s.db"))
    store.create("chen", "editor", make_hash(PASSWORD, iterations=1000))
    assert store.verify("chen", PASSWORD) == Account("chen", "editor")
    assert store.verify("CHEN ", PASSWORD) == Account("chen", "editor")  # names are case-insensitive
    assert store.verify("chen", PASSWORD + "x") is None and store.verify("nobody", PASSWORD) is None
    with pytest.raises(AccountError, match="exists"):
        store.create("chen", "staff", make_hash(PASSWORD, iterations=1000))
    with pytest.raises(AccountError, match="role"):
        store.create("li", "root", make_hash(PASSWORD, iterations=1000))
    with pytest.raises(AccountError, match="name"):
        store.create("A B", "staff", make_hash(PASSWORD, iterations=1000))
    with pytest.raises(AccountError, match="hash"):
        store.create("li", "staff", "plain")
    editor = store.get("chen")
    assert editor.has_role("editor") and editor.has_role("staff", "editor") and not editor.has_role("admin")
    assert Account("x", "admin").has_role("editor")  # admin passes every check
    store.update("chen", active=False)
    assert store.verify("chen", PASSWORD) is None and not store.get("chen").has_role("editor")


def run_cli(db_path, *args, stdin=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STAFF_DB": str(db_path)}
    return subprocess.run(
        [sys.executable, "-m", "staff.users", *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )


def test_command_creates_accounts_and_audits_it(tmp_path):
    path = tmp_path / "staff.db"
    out = run_cli(path, "add", "wu", "--role", "admin", "--stdin", "--iterations", "1000", stdin=PASSWORD + "\n")
    assert out.returncode == 0, out.stderr
    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "2\n")
    assert run_cli(path, "add", "ho", "--password-file", str(pw), "--iterations", "1000").returncode == 0
    assert run_cli(path, "add", "ho", "--stdin", stdin="short\n").returncode == 1  # too short and exists
    store = AccountStore(db.open_store(path))
    assert store.verify("wu", PASSWORD).role == "admin" and store.verify("ho", PASSWORD + "2").role == "staff"
    assert store.get("wu").name == "wu"
    assert "pbkdf2_sha256$" not in out.stdout  # the hash is never printed
    assert run_cli(path, "role", "ho", "editor").returncode == 0 and store.get("ho").role == "editor"
    assert run_cli(path, "disable", "ho").returncode == 0 and store.verify("ho", PASSWORD + "2") is None
    listed = run_cli(path, "list").stdout
    assert "wu\tadmin\tactive" in listed and "ho\teditor\tdisabled" in listed
    log = AuditLog(db.open_store(path)).entries()
    assert [e["target"] for e in log][:2] == ["disable ho", "role ho"] and all(e["action"] == "account" for e in log)


def test_each_person_logs_in_with_their_own_account(server, anon):
    for name in (STAFF, ADMIN):
        r = anon.post(server.url + "/login", data={"name": name, "password": PASSWORD}, allow_redirects=False)
        assert r.status_code == 303
        assert name in anon.get(server.url + "/directory").text  # the header says who is logged in
        anon.post(server.url + "/logout")
    r = anon.post(server.url + "/login", data={"name": ADMIN, "password": "not it at all"}, allow_redirects=False)
    assert r.status_code == 401


def test_audit_log_only_for_admins(server, staff, admin):
    staff.get(server.url + "/review/conversation/firm-a")
    staff.get(server.url + "/review/fallbacks.csv")
    r = staff.get(server.url + "/audit", allow_redirects=False)
    assert r.status_code == 403 and STAFF not in r.text
    assert 'href="/audit"' not in staff.get(server.url + "/").text
    assert staff.get(server.url + "/audit?format=csv", allow_redirects=False).status_code == 403
    page = admin.get(server.url + "/audit")
    assert page.status_code == 200 and 'href="/audit"' in page.text
    rows = page.text.split("<tr>")
    assert any(STAFF in r and "檢視對話" in r and "firm-a" in r for r in rows)
    assert any(STAFF in r and "匯出" in r and "review-fallbacks" in r for r in rows)
    csv_text = admin.get(server.url + "/audit?format=csv").content.decode("utf-8-sig")
    assert "view,firm-a" in csv_text
