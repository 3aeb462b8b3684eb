"""The staff helper's log keeps which page was served, when and how; never what a caller or firm said."""

from __future__ import annotations

import io
import logging
import socket
import time
from urllib.parse import quote

from staff.access_log import runner_options
from staff.app import create_app
from tests.staff.conftest import LOGIN, Server, client, make_settings

SECRETS = [
    "鴻海精密",
    "八百萬",
    "1234",
    "一成五",
    "firm-a",
    "firm-b",
    "這個補助",
    "房貸利率",
    "script",
    "秘密",
    "q=",
    "revenue",
    "amount",
    "?",
    "%E5",
    "\\x",
    "\\xe5",
    "Referer",
    "Mozilla",
    "python-requests",
    "127.0.0.1",
]


def test_log_has_no_figures_queries_sender_ids_or_message_text(kb, kb_path, staff_db, tracker_db):
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    loggers = [logging.getLogger(n) for n in ("staff", "aiohttp")]
    old = [(lg.level, lg.propagate) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.INFO)
    try:
        app = create_app(make_settings(staff_db, tracker_db, kb_path), kb)
        with Server(app, **runner_options()) as s:
            c = client(s.url)
            c.post(s.url + "/login", data={**LOGIN})
            assert c.get(s.url + "/search", params={"q": "鴻海精密 保證"}).status_code == 200
            r = c.get(
                s.url + "/calc",
                params={
                    "size": "sme",
                    "revenue_change": "一成五",
                    "revenue_direction": "down",
                    "amount": "八百萬",
                    "budget": "1234",
                },
                headers={"Referer": s.url + "/calc?amount=" + quote("八百萬")},
            )
            assert "借800萬元" in r.text
            assert "這個補助" in c.get(s.url + "/review").text
            assert c.get(s.url + "/review/conversation/firm-b").status_code == 200
            assert c.get(s.url + "/review/fallbacks.csv", params={"days": "30"}).status_code == 200
            assert c.get(s.url + "/秘密/firm-a").status_code == 404
            with socket.create_connection(("127.0.0.1", s.port), timeout=5) as raw:  # unencoded UTF-8: refused
                raw.sendall("GET /calc?amount=八百萬 HTTP/1.1\r\nHost: x\r\n\r\n".encode())
                assert b" 400 " in raw.recv(200)
        time.sleep(0.2)  # aiohttp logs the refused request after answering it
    finally:
        for lg, (level, propagate) in zip(loggers, old):
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate
    log = buf.getvalue()
    # what it keeps: method, route pattern, status, time
    assert "GET /calc 200" in log and "GET /search 200" in log and "GET /review/conversation/{sender} 200" in log
    assert "GET /{tail} 404" in log and "POST /login 303" in log and "bad HTTP request refused" in log
    for secret in SECRETS:
        assert secret not in log, (secret, log)
