"""The scale-out stack of scripts/scale.sh (`make scale-up`) on free ports, in a folder of its own: used by
`make bench` (one Rasa process against two behind nginx) and by tests/test_scale_out.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import ROOT, free_port

MISSING_PACKAGES = 3  # scripts/scale.sh: a Debian package is missing and this is not root


class StackUnavailable(RuntimeError):
    """The stack cannot run here (its Debian packages are missing and cannot be installed without root)."""


@dataclass
class Stack:
    dir: Path
    env: dict = field(default_factory=dict)

    def url(self, port_var: str, path: str = "/webhooks/rest/webhook") -> str:
        return f"http://127.0.0.1:{self.env[port_var]}{path}"

    @property
    def nginx(self) -> str:
        return self.url("SCALE_NGINX_PORT")

    @property
    def rasa_a(self) -> str:
        return self.url("SCALE_RASA_A_PORT")

    @property
    def rasa_b(self) -> str:
        return self.url("SCALE_RASA_B_PORT")

    @property
    def api_token(self) -> str:
        """Rasa's API token (scripts/scale.sh generates it into the stack's folder, mode 600)."""
        return (self.dir / "rasa-api-token").read_text(encoding="ascii").strip()

    def pid(self, name: str) -> int | None:
        try:
            return int((self.dir / f"{name}.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def _run(self, command: str, timeout: float) -> subprocess.CompletedProcess:
        # output to a file, not a pipe: a daemon keeping an inherited pipe open would make us wait forever
        log = self.dir / f"scale-{command}.out"
        with log.open("wb") as out:
            done = subprocess.run(
                ["scripts/scale.sh", command],
                cwd=ROOT,
                env={**os.environ, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=timeout,
            )
        done.output = log.read_text(encoding="utf-8", errors="replace")
        return done

    def up(self, timeout: float = 600) -> Stack:
        done = self._run("up", timeout)
        if done.returncode == MISSING_PACKAGES:
            raise StackUnavailable(done.output.strip())
        if done.returncode != 0:
            self.down()
            raise RuntimeError(f"scripts/scale.sh up failed ({done.returncode}):\n{done.output}")
        return self

    def down(self) -> None:
        self._run("down", 120)

    def remove(self, keep_logs: bool = False) -> None:
        """After down(): deletes PostgreSQL's data (wherever scripts/scale.sh put it) and, unless keep_logs, the
        whole folder."""
        location = self.dir / "pg-location"
        base = Path(location.read_text().strip()) if location.exists() else self.dir
        shutil.rmtree(base / "pg", ignore_errors=True)
        if base != self.dir:
            shutil.rmtree(base, ignore_errors=True)
        if not keep_logs:
            shutil.rmtree(self.dir, ignore_errors=True)


def stack(directory: Path, model: Path) -> Stack:
    """A stack description with free ports; directory must be reachable by the postgres user (not under a 0700
    folder such as pytest's tmp_path)."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o755)
    names = (
        "SCALE_NGINX_PORT",
        "SCALE_NGINX_ACTIONS_PORT",
        "SCALE_RASA_A_PORT",
        "SCALE_RASA_B_PORT",
        "SCALE_ACTIONS_PORT",
        "SCALE_PG_PORT",
        "SCALE_REDIS_PORT",
    )
    ports: set = set()
    while len(ports) < len(names):
        ports.add(free_port())
    env = dict(zip(names, map(str, sorted(ports))))
    env.update(SCALE_DIR=str(directory), SCALE_MODEL=str(model))
    return Stack(directory, env)
