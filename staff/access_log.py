"""The staff helper's access log: which page, when, with what status, and nothing a firm or caller said.

aiohttp's default access log line is `%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"`: the request line and the
Referer carry the query string (the calculator's figures, search words) and the conversation page's path carries
a sender id. This logger writes the route's pattern instead of the path (/review/conversation/{sender}), never a
query string, Referer, User-Agent or client address:

    GET /calc 200 12ms
"""
from __future__ import annotations

import logging

from aiohttp.abc import AbstractAccessLogger

LOGGER = logging.getLogger("staff.access")


def route_of(request) -> str:
    """The route's pattern (/review/{table}, /{tail} for unknown paths): never the values in the path."""
    try:
        resource = request.match_info.route.resource
    except AttributeError:
        resource = None
    return resource.canonical if resource is not None else "-"


class StaffAccessLogger(AbstractAccessLogger):
    def log(self, request, response, time: float) -> None:
        self.logger.info("%s %s %s %dms", request.method, route_of(request), response.status, round(time * 1000))


def runner_options() -> dict:
    """Keyword arguments for web.run_app / web.AppRunner."""
    return {"access_log_class": StaffAccessLogger, "access_log": LOGGER}
