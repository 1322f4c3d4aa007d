"""What phones poll, answered from memory in front of Flask.

In a hall nearly every request is a phone asking "anything new?", and then "what do
the new questions say?". Flask's request machinery costs several times what waitress
itself does, so this WSGI layer answers those two requests (GET the guest list, GET
question texts) from a phone that has its voter cookie straight from the cache.
Anything else, and any case it is unsure of (a cold cache, a bad id), goes on to
Flask, whose routes give the same answer from the same cache.
"""

import re

from lanqa.api import IMMUTABLE, MAX_DETAILS
from lanqa.order import parse_ulid
from lanqa.pages import SECURITY_HEADERS

GUEST_LIST = re.compile(r"/api/event/([^/]+)/questions")
DETAILS = re.compile(r"/api/questions/([^/]+)")
VOTER = re.compile(r"(?:^|;)\s*lanqa_voter=([A-Za-z0-9_-]{22})(?:;|$)")
SECURITY = list(SECURITY_HEADERS.items())
HEADERS = [("Cache-Control", "no-cache"), *SECURITY]


class FastPoll:
    def __init__(self, app):
        self.flask = app.wsgi_app
        self.lists = app.extensions["lists"]
        self.presence = app.extensions["presence"]
        self.clock = app.config["CLOCK"]

    def __call__(self, environ, start_response):
        answer = None
        if environ["REQUEST_METHOD"] == "GET" and VOTER.search(environ.get("HTTP_COOKIE", "")):
            answer = self.poll(environ) or self.details(environ)
        if answer is None:
            return self.flask(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def poll(self, environ):
        """(status, headers, body) for a guest poll, or None to let Flask answer."""
        path = GUEST_LIST.fullmatch(environ.get("PATH_INFO", ""))
        eid = parse_ulid(path.group(1)) if path else None
        now = self.clock()
        if not (eid and self.lists.event(eid, now)):
            return None
        voter = VOTER.search(environ["HTTP_COOKIE"])
        body, etag = self.lists.get(eid, False, now)
        self.presence.saw(eid, voter.group(1), now)
        headers = [*HEADERS, ("ETag", f'"{etag}"')]
        if f'"{etag}"' in environ.get("HTTP_IF_NONE_MATCH", ""):
            return "304 Not Modified", headers, b""
        return "200 OK", [*json_headers(body), *headers], body

    def details(self, environ):
        """(status, headers, body) for question texts, or None to let Flask answer."""
        path = DETAILS.fullmatch(environ.get("PATH_INFO", ""))
        qids = [parse_ulid(qid) for qid in path.group(1).split(",")] if path else [None]
        qids = list(dict.fromkeys(qids))
        if None in qids or len(qids) > MAX_DETAILS:
            return None
        body = self.lists.details_json(qids, self.clock())
        return "200 OK", [*json_headers(body), ("Cache-Control", IMMUTABLE), *SECURITY], body


def json_headers(body):
    return [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
