"""Another address than loopback, on the same machine: a network namespace joined to this one by a veth pair
(`ip netns add` + `ip link add … type veth`), so a test can call a server the way a machine on the network would.
Needs root (CAP_NET_ADMIN); `foreign_host()` skips, saying why, where that is missing. Only the pair's own
addresses are used (a random 10.23x.y.0/30); everything is removed afterwards."""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import uuid

import pytest


class ForeignHost:
    def __init__(self, namespace: str, host_ip: str) -> None:
        self.namespace = namespace
        self.host_ip = host_ip  # this machine, as the namespace reaches it (not loopback)

    def request(self, url: str, method: str = "GET", body: bytes | None = None, timeout: float = 60) -> dict:
        """{"status": int} or {"error": "..."} for `url`, requested from inside the namespace."""
        code = (
            "import json, sys, urllib.request, urllib.error\n"
            "url, method, body = sys.argv[1], sys.argv[2], sys.argv[3].encode() or None\n"
            "req = urllib.request.Request(url, data=body, method=method,"
            " headers={'Content-Type': 'application/json'})\n"
            "try:\n"
            f"    with urllib.request.urlopen(req, timeout={timeout}) as r:\n"
            "        print(json.dumps({'status': r.status, 'body': r.read().decode('utf-8', 'replace')}))\n"
            "except urllib.error.HTTPError as e:\n"
            "    print(json.dumps({'status': e.code, 'body': e.read().decode('utf-8', 'replace')}))\n"
            "except OSError as e:\n"
            "    print(json.dumps({'error': type(e).__name__ + ': ' + str(e)}))\n"
        )
        done = subprocess.run(
            ["ip", "netns", "exec", self.namespace, sys.executable, "-c", code, url, method, (body or b"").decode()],
            capture_output=True,
            text=True,
            timeout=timeout + 30,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, text=True, timeout=30)


@contextlib.contextmanager
def foreign_host():
    if os.geteuid() != 0:
        pytest.skip("not root: a network namespace (another address than loopback) cannot be made here")
    if not shutil.which("ip"):
        pytest.skip("the `ip` command (iproute2) is missing: no network namespace can be made here")
    tag = uuid.uuid4().hex[:6]
    namespace, host_if, ns_if = f"t-{tag}", f"vh{tag}", f"vn{tag}"
    net = f"10.{random.randint(230, 239)}.{random.randint(0, 255)}"
    host_ip, ns_ip = f"{net}.1", f"{net}.2"
    try:
        _ip("netns", "add", namespace)
        _ip("link", "add", host_if, "type", "veth", "peer", "name", ns_if)
        _ip("link", "set", ns_if, "netns", namespace)
        _ip("addr", "add", f"{host_ip}/30", "dev", host_if)
        _ip("link", "set", host_if, "up")
        _ip("netns", "exec", namespace, "ip", "addr", "add", f"{ns_ip}/30", "dev", ns_if)
        _ip("netns", "exec", namespace, "ip", "link", "set", ns_if, "up")
        _ip("netns", "exec", namespace, "ip", "link", "set", "lo", "up")
    except subprocess.CalledProcessError as error:
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)
        pytest.skip(f"a network namespace cannot be made here: {error.stderr.strip() or error}")
    try:
        yield ForeignHost(namespace, host_ip)
    finally:
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)


def listening(pids=None) -> set:
    """(address, port) of every TCP socket in LISTEN state that one of `pids` holds (None: of any process)."""
    inodes = set()
    for pid in pids or []:
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    found = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            rows = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[3] != "0A" or (pids is not None and fields[9] not in inodes):  # 0A = LISTEN
                continue
            address, port = fields[1].split(":")
            found.add((_address(address, width), int(port, 16)))
    return found


def _address(hex_address: str, width: int) -> str:
    if width == 8:
        return ".".join(str(int(hex_address[i : i + 2], 16)) for i in (6, 4, 2, 0))
    if hex_address == "0" * 32:
        return "::"
    if hex_address == "00000000000000000000000001000000":
        return "::1"
    if hex_address.startswith("0000000000000000FFFF0000"):
        return _address(hex_address[24:], 8)
    return hex_address
