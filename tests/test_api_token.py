"""Rasa's API token (serving/api_token.py) and how `python -m serving` hands it to Rasa (serving/__main__.py)."""

import os
import pty
import stat
import subprocess
import sys

import pytest

from serving import api_token
from serving.__main__ import token_from_file
from tests.conftest import ROOT


def test_generated_once_with_mode_600_and_reused(tmp_path):
    path = tmp_path / "var" / "rasa-api-token"
    token, created = api_token.ensure(path)
    assert created and len(token) >= 40
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert api_token.ensure(path) == (token, False)
    assert api_token.ensure(tmp_path / "other")[0] != token


def test_a_file_others_can_read_is_tightened(tmp_path):
    path = tmp_path / "token"
    path.write_text("x" * 43 + "\n")
    os.chmod(path, 0o644)
    assert api_token.ensure(path) == ("x" * 43, False)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_that_is_not_a_token_is_refused(tmp_path):
    path = tmp_path / "token"
    path.write_text("short")
    with pytest.raises(SystemExit):
        api_token.ensure(path)


def run_cli(path, tty: bool) -> str:
    command = [sys.executable, "-m", "serving.api_token", str(path)]
    if not tty:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True).stdout
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(ROOT)
        os.execv(sys.executable, command)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out.decode()


def test_printed_once_with_how_to_use_it_and_the_token_only_to_a_terminal(tmp_path):
    logged = run_cli(tmp_path / "a", tty=False)  # make run's output sent to a file: a log
    token = (tmp_path / "a").read_text().strip()
    assert str(tmp_path / "a") in logged and "token=" in logged and token not in logged
    assert run_cli(tmp_path / "a", tty=False) == ""  # once: not again on the next start

    shown = run_cli(tmp_path / "b", tty=True)
    assert (tmp_path / "b").read_text().strip() in shown and "curl" in shown
    assert run_cli(tmp_path / "b", tty=True) == ""


def test_serving_reads_the_token_file_so_it_is_never_on_the_command_line(tmp_path):
    path = tmp_path / "token"
    token, _ = api_token.ensure(path)
    argv = ["serving", "run", "--enable-api", "--auth-token-file", str(path), "--port", "1"]
    assert token_from_file(argv) == ["serving", "run", "--enable-api", f"--auth-token={token}", "--port", "1"]
    # a token that starts with "-" (token_urlsafe makes one about once in 64) is still the token for Rasa's parser
    import argparse

    from rasa.cli.arguments.run import add_server_arguments

    dashed = "-" + token[1:]
    path.write_text(dashed)
    parser = argparse.ArgumentParser()
    add_server_arguments(parser)
    parsed, _ = parser.parse_known_args(token_from_file(["--auth-token-file", str(path)]))
    assert parsed.auth_token == dashed
    assert token_from_file(["serving", "run"]) == ["serving", "run"]
    with pytest.raises(SystemExit):
        token_from_file(["serving", "run", "--auth-token-file"])
