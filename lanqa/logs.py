"""Structured logs: a JSON line per request and per error, in the data folder.

Host secrets travel in paths, so every path and message is redacted before it is
written. What a hall repeats all the time is logged only when it fails: list polls,
question texts and votes would be a thousand lines a second saying nothing. Refusals
(4xx) are summarised, so that a flood of them cannot rotate the history away.
"""

import json
import logging
import math
import re
import sys
import threading
import time
from logging.handlers import RotatingFileHandler

from flask import g, request

from lanqa import i18n
from lanqa.i18n import _

# The secret's place in host paths: /event/{eid}/{secret} (a page),
# /api/event/{eid}/{questions,devices,export,settings,delete}/{secret}... and
# /api/event/{eid}/{secret} (deleting a session).
SECRET = re.compile(
    r"(/api/event/[^/\s]+/(?:questions|devices|export|settings|delete)/"
    r"|/api/event/[^/\s]+/(?!(?:questions|devices|export|settings|delete|share|qr\.svg)"
    r"(?:[/\s?\"']|$))"
    r"|(?<![\w/])/event/[^/\s]+/)[^/\s?\"']+"
)
requests_log = logging.getLogger("lanqa.requests")
# What phones repeat all the time (the live sessions page refreshes itself): logged on failure.
ROUTINE = {
    "api.guest_list",
    "api.host_list",
    "api.details",
    "api.vote",
    "api.live",
    "api.similar_questions",  # a lookup per pause in typing
}


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


class LogFile(RotatingFileHandler):
    """lanqa.log, rotated at 1 MB. When it cannot be written (a full disk) it says so on
    the terminal once a minute: logging's default is a traceback per line, which under
    load is hundreds a second."""

    def __init__(self, path):
        super().__init__(path, maxBytes=1_000_000, backupCount=3)
        self.quiet_until = 0.0

    def handleError(self, record):
        now = time.monotonic()
        if now >= self.quiet_until and sys.stderr:  # no stderr in a windowed app
            self.quiet_until = now + 60
            reason = sys.exc_info()[1]
            said = _(
                "LanQA cannot write its log {path} ({reason}); is the disk full? LanQA goes on: what it has confirmed is kept, and what it cannot save is answered with an error. (Said at most once a minute.)",  # noqa: E501
                path=self.baseFilename,
                reason=reason,
            )
            print(i18n.say(said, i18n.system_language()), file=sys.stderr)


class RefusalCounts:
    """Which refusals (4xx) get a line of their own. A script hitting the rate limits
    would otherwise rotate all of lanqa.log away in seconds: the first refusal of a
    minute from one address with one status is logged, the rest of that minute only
    counted, and the count logged once the minute is over, with the next line logged
    (or at stop): no timer thread."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.minutes = {}  # (client, status) -> [minute's start, refusals not logged]
        self.lock = threading.Lock()

    def admit(self, client, status):
        """Whether to log this request's line; first logs the counts of minutes that ended."""
        now = self.clock()
        with self.lock:
            self._log_counts(before=now - 60)
            if not 400 <= status < 500:
                return True
            minute = self.minutes.get((client, status))
            if minute is None:
                self.minutes[(client, status)] = [now, 0]
                return True
            minute[1] += 1
            return False

    def flush(self):
        """Log every count not logged yet."""
        with self.lock:
            self._log_counts(before=math.inf)

    def _log_counts(self, before):
        # Minutes are kept in the order they started, so those that ended come first.
        while self.minutes:
            (client, status), (started, count) = next(iter(self.minutes.items()))
            if started >= before:
                break
            del self.minutes[(client, status)]
            if count:
                requests_log.info(
                    "refused %d more requests from %s with %d within a minute of the first",
                    count,
                    client,
                    status,
                    extra={"fields": {"count": count, "client": client, "status": status}},
                )


refusal_counts = RefusalCounts()


def write_to(folder):
    """Send LanQA's, Flask's and waitress's logs to folder/lanqa.log (rotated at 1 MB)."""
    handler = LogFile(folder / "lanqa.log")
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
    """One request's line, or its share of a count of refusals; started is its
    time.perf_counter() on arrival."""
    if not refusal_counts.admit(client, status):
        return
    fields = {
        "method": method,
        "path": redact(path),
        "status": status,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "client": client,
    }
    requests_log.info("request", extra={"fields": fields})


def flush():
    """Log the counts of refusals not logged yet (at stop)."""
    refusal_counts.flush()
