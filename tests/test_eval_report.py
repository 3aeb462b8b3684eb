"""scripts/eval.py's tables: per category, per set, and runs side by side (ours, without the second reader, stock)."""

from scripts.eval import report, side_by_side


def _row(set_name, category, ok, dead=False):
    return {"set": set_name, "category": f"{set_name}/{category}", "ok": ok, "dead_end": dead, "id": "x", "turns": []}


ROWS = [_row("sums", "rate", True), _row("sums", "rate", False, True), _row("package", "package", True)]


def test_report_counts_passes_and_dead_ends():
    text = report(ROWS)
    assert "sums/rate" in text and "1/2" in text
    assert text.splitlines()[-1] == "eval: 2/3 = 66.7%  dead ends 1"


def test_side_by_side_puts_each_run_in_its_column():
    worse = [_row("sums", "rate", False, True), _row("sums", "rate", False, True), _row("package", "package", True)]
    text = side_by_side({"ours": ROWS, "stock config": worse})
    header, *body = text.splitlines()
    assert header.split() == ["set", "ours", "stock", "config"]
    sums = next(line for line in body if line.startswith("sums"))
    assert "1/2" in sums and "0/2" in sums and "d2" in sums
    assert body[-1].startswith("all") and "2/3" in body[-1] and "1/3" in body[-1]


def test_a_long_answer_whose_hotline_comes_late_is_no_dead_end():
    """The grader keeps 600 characters of a reply; evaluate() judges a dead end on the whole reply."""
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from scripts.eval import evaluate

    class Bot(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            body = json.dumps([{"text": "貸款額度說明。" * 120}, {"text": "📞 馬上辦服務中心：0800-280-280"}])
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body.encode())

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Bot)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        case = {"id": "long-1", "category": "loan", "turns": ["能貸多少"], "hotlines_any": ["0800-280-280"]}
        rows = evaluate(f"http://127.0.0.1:{server.server_port}", {"long": [case]})["rows"]
    finally:
        server.shutdown()
    assert len(rows[0]["reply"]) <= 600 and "0800-280-280" not in rows[0]["reply"]
    assert rows[0]["dead_end"] is False
