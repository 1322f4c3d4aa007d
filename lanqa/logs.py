"""Structured logs: a JSON line per request and per error, in the data folder.

Host secrets travel in paths, so every path and message is redacted before it is
written. What a hall repeats all the time is logged only when it fails: list polls,
question texts and votes would be a thousand lines a second saying nothing.
"""

import json
import logging
import re
import time
from logging.handlers import RotatingFileHandler

from flask import g, request

# The secret's place in host paths: /event/{eid}/{secret} (a page) and
# /api/event/{eid}/{questions,devices,export}/{secret}...
SECRET = re.compile(
    r"(/api/event/[^/\s]+/(?:questions|devices|export)/|(?<![\w/])/event/[^/\s]+/)[^/\s?\"']+"
)
requests_log = logging.getLogger("lanqa.requests")
ROUTINE = {"api.guest_list", "api.host_list", "api.details", "api.vote"}


def redact(text):
    return SECRET.sub(r"\1***", text)


class JsonLines(logging.Formatter):
    def format(self, record):
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(record.created)),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": redact(record.getMessage()),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            line["error"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


class OncePerMinute(logging.Filter):
    """Lets each message through at most once a minute. waitress logs each time the
    connection cap is reached and left, which near the cap is many times a second."""

    def __init__(self):
        super().__init__()
        self.last = {}

    def filter(self, record):
        now = time.monotonic()
        if now - self.last.get(record.msg, -60) < 60:
            return False
        if len(self.last) > 1000:
            self.last.clear()
        self.last[record.msg] = now
        return True


def write_to(folder):
    """Send LanQA's, Flask's and waitress's logs to folder/lanqa.log (rotated at 1 MB)."""
    handler = RotatingFileHandler(folder / "lanqa.log", maxBytes=1_000_000, backupCount=3)
    handler.setFormatter(JsonLines())
    for name in ("lanqa", "waitress"):
        logger = logging.getLogger(name)
        for old in [h for h in logger.handlers if isinstance(h, RotatingFileHandler)]:
            logger.removeHandler(old)
            old.close()
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)


def start_timer():
    g.started = time.perf_counter()


def log_request(response):
    if request.endpoint in ROUTINE and response.status_code < 400:
        return response
    started = g.get("started", time.perf_counter())
    write(request.method, request.path, response.status_code, started, request.remote_addr)
    return response


def write(method, path, status, started, client):
    """One request's line; started is its time.perf_counter() on arrival."""
    fields = {
        "method": method,
        "path": redact(path),
        "status": status,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "client": client,
    }
    requests_log.info("request", extra={"fields": fields})
