"""A throwaway PostgreSQL server for the tests that need one (the handoff store, the staff helper reading Rasa's
tracker store), without the rest of the scale-out: Debian's postgresql (installed by `scripts/scale.sh install`
when missing, as root: as for `make scale-up`), a cluster in a temporary folder, on 127.0.0.1 and a free port,
with a generated password. Where the package is missing and cannot be installed (not root) the tests are skipped
with that reason; under CI that is a failure.

Use: `from tests.postgres import postgres_url  # noqa: F401` in a test module, then the fixture `postgres_url`.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from bench.procs import free_port
from tests.conftest import ROOT


def unavailable(why: str):
    if os.environ.get("CI"):
        pytest.fail(why)
    pytest.skip(why)


def pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parent.parent.name))
    return found[-1].parent if found else None


def _installed() -> Path | None:
    if pg_bin() is None and os.geteuid() == 0:
        log = Path(tempfile.mkdtemp(prefix="pg-install-"))
        done = subprocess.run(
            ["scripts/scale.sh", "install"],
            cwd=ROOT,
            env={**os.environ, "SCALE_DIR": str(log)},
            capture_output=True,
            text=True,
            timeout=900,
        )
        if done.returncode != 0:
            pytest.fail(f"scripts/scale.sh install failed:\n{done.stderr[-2000:]}")
        shutil.rmtree(log, ignore_errors=True)
    return pg_bin()


class Postgres:
    """initdb + pg_ctl start in a fresh folder; as root, as the postgres user (PostgreSQL refuses root)."""

    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = os.geteuid() == 0
        # the postgres user must reach the folder: not under pytest's mode-700 tmp_path
        self.dir = Path(tempfile.mkdtemp(prefix="test-pg-", dir="/var/tmp" if self.root else None))
        self.dir.chmod(0o755)
        self.port = free_port()
        self.password = secrets.token_hex(16)

    def _as_pg(self, *command: str) -> subprocess.CompletedProcess:
        full = ["runuser", "-u", "postgres", "--", *command] if self.root else list(command)
        return subprocess.run(full, capture_output=True, text=True, timeout=120)

    def start(self) -> str:
        data, pwfile = self.dir / "data", self.dir / "pwfile"
        pwfile.write_text(self.password + "\n", encoding="ascii")
        pwfile.chmod(0o600)
        if self.root:
            shutil.chown(self.dir, "postgres")
            shutil.chown(pwfile, "postgres")
        init = self._as_pg(
            str(self.bin / "initdb"),
            "-D",
            str(data),
            "-U",
            "rasa",
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        pwfile.unlink()
        if init.returncode != 0:
            pytest.fail(f"initdb failed:\n{init.stdout[-1500:]}{init.stderr[-1500:]}")
        self._start()
        return self.url("postgres")

    def url(self, database: str) -> str:
        return f"postgresql://rasa:{self.password}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        self._as_pg(str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """A fast stop and a start again: what a restart of the server does to open connections."""
        self.stop()
        self._start()

    def _start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.dir}"
        log = self.dir / "log"
        data = str(self.dir / "data")
        done = self._as_pg(
            str(self.bin / "pg_ctl"), "-D", data, "-l", str(log), "-w", "-t", "60", "-o", options, "start"
        )
        if done.returncode != 0:
            text = log.read_text(errors="replace") if log.exists() else ""
            pytest.fail(f"PostgreSQL did not start:\n{done.stderr[-1000:]}{text[-1500:]}")

    def remove(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres():
    bin_dir = _installed()
    if bin_dir is None:
        unavailable("PostgreSQL is not installed and this is not root: apt-get install postgresql (or run as root)")
    server = Postgres(bin_dir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        server.remove()


@pytest.fixture(scope="session")
def postgres_url(postgres) -> str:
    return postgres.url("postgres")
