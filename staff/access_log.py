"""The staff helper's access log: which page, when, with what status, and nothing a firm or caller said.

aiohttp's default access log line is `%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"`: the request line and the
Referer carry the query string (the calculator's figures, search words) and the conversation page's path carries
a sender id. This logger writes the route's pattern instead of the path (/review/conversation/{sender}), never a
query string, Referer, User-Agent or client address:

    GET /calc 200 12ms

A request aiohttp cannot parse (raw UTF-8 in the URL) is logged by aiohttp.server with its request line;
`BadRequestFilter` cuts that to the error's type.
"""

from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger

LOGGER = logging.getLogger("staff.access")


def route_of(request) -> str:
    """The route's pattern (/review/{table}, /{tail} for unknown paths): never the values in the path."""
    try:
        resource = request.match_info.route.resource
    except (AttributeError, AssertionError):  # a request aiohttp could not parse has no route
        resource = None
    return resource.canonical if resource is not None else "-"


class StaffAccessLogger(AbstractAccessLogger):
    def log(self, request, response, time: float) -> None:
        self.logger.info("%s %s %s %dms", request.method, route_of(request), response.status, round(time * 1000))


class BadRequestFilter(logging.Filter):
    """aiohttp.server logs a request it cannot parse with the raw request line (query string included); keep
    only the error's type."""

    def filter(self, record: logging.LogRecord) -> bool:
        from aiohttp.http_exceptions import HttpProcessingError

        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, HttpProcessingError):
            record.msg, record.args = "bad HTTP request refused: %s %s", (type(exc).__name__, exc.code)
            record.exc_info = record.exc_text = None
        return True


def install_filters() -> None:
    server_log = logging.getLogger("aiohttp.server")
    if not any(isinstance(f, BadRequestFilter) for f in server_log.filters):
        server_log.addFilter(BadRequestFilter())


def runner_options() -> dict:
    """Keyword arguments for web.run_app / web.AppRunner (and the filter on aiohttp's own error log)."""
    install_filters()
    return {"access_log_class": StaffAccessLogger, "access_log": LOGGER}
