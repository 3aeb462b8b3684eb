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
