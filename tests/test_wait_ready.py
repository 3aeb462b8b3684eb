"""scripts/wait_ready.py: make run's "ready" line waits for an answer, and gives up when a server dies."""

import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import wait_ready  # noqa: E402


class Hello(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"Hello from Rasa")

    def log_message(self, *args):
        pass


def test_ready_only_once_the_port_answers():
    probe = ThreadingHTTPServer(("127.0.0.1", 0), Hello)  # a free port, closed again: nothing answers yet
    port = probe.server_port
    probe.server_close()
    url = f"http://127.0.0.1:{port}/"
    assert not wait_ready.answers(url)
    servers = []

    def serve_late():  # like Rasa: the port opens only after loading the model
        time.sleep(1.5)
        servers.append(ThreadingHTTPServer(("127.0.0.1", port), Hello))
        servers[0].serve_forever()

    threading.Thread(target=serve_late, daemon=True).start()
    started = time.monotonic()
    assert wait_ready.wait_ready([url], timeout=30, interval=0.1)
    assert time.monotonic() - started >= 1.4
    servers[0].shutdown()


def test_gives_up_when_a_server_process_ends():
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    started = time.monotonic()
    assert not wait_ready.wait_ready(["http://127.0.0.1:9/"], pids=[dead.pid], timeout=30, interval=0.1)
    assert time.monotonic() - started < 5
