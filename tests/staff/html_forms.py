"""What a browser would submit from a page's editor form: its inputs, textareas and selects, as a dict."""

from __future__ import annotations

from html.parser import HTMLParser


class Inputs(HTMLParser):
    """The values a browser would submit for the first form with a record_hash: inputs, textareas, selects."""

    def __init__(self):
        super().__init__()
        self.values, self._area, self._select, self._in_form = {}, None, None, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and "/editor/" in (a.get("action") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            if a.get("type") == "checkbox":
                if "checked" in a:
                    self.values[a["name"]] = a.get("value", "on")
            else:
                self.values[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self._area = a["name"]
            self.values[self._area] = ""
        elif tag == "select":
            self._select = a["name"]
            self.values.setdefault(self._select, "")
        elif tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._area = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._in_form = False

    def handle_data(self, data):
        if self._area:
            self.values[self._area] += data


def form_of(html: str) -> dict:
    p = Inputs()
    p.feed(html)
    return p.values


def row_of(values: dict, table: str, key: str) -> int:
    return next(int(k.split(".")[1]) for k, v in values.items() if k.startswith(table + ".") and k.endswith(".key")
                and v == key)  # fmt: skip
