"""The guest-list poll, answered from memory in front of Flask.

In a hall nearly every request is a phone asking "anything new?". Flask's request
machinery costs several times what waitress itself does, so this WSGI layer answers
that one request (GET /api/event/{eid}/questions from a phone that has its voter
cookie, for a live event) straight from the cached list. Anything else, and any case
it is unsure of, goes on to Flask, whose guest_list route gives the same answer.
"""

import re

from lanqa.order import parse_ulid
from lanqa.pages import SECURITY_HEADERS

GUEST_LIST = re.compile(r"/api/event/([^/]+)/questions")
VOTER = re.compile(r"(?:^|;)\s*lanqa_voter=([A-Za-z0-9_-]{22})(?:;|$)")
HEADERS = [("Cache-Control", "no-cache"), *SECURITY_HEADERS.items()]


class FastPoll:
    def __init__(self, app):
        self.flask = app.wsgi_app
        self.lists = app.extensions["lists"]
        self.presence = app.extensions["presence"]
        self.clock = app.config["CLOCK"]

    def __call__(self, environ, start_response):
        answer = self.poll(environ) if environ["REQUEST_METHOD"] == "GET" else None
        if answer is None:
            return self.flask(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def poll(self, environ):
        """(status, headers, body) for a guest poll, or None to let Flask answer."""
        path = GUEST_LIST.fullmatch(environ.get("PATH_INFO", ""))
        voter = VOTER.search(environ.get("HTTP_COOKIE", ""))
        eid = parse_ulid(path.group(1)) if path else None
        now = self.clock()
        if not (eid and voter and self.lists.event(eid, now)):
            return None
        body, etag = self.lists.get(eid, False, now)
        self.presence.saw(eid, voter.group(1), now)
        headers = [*HEADERS, ("ETag", f'"{etag}"')]
        if f'"{etag}"' in environ.get("HTTP_IF_NONE_MATCH", ""):
            return "304 Not Modified", headers, b""
        length = ("Content-Length", str(len(body)))
        return "200 OK", [("Content-Type", "application/json"), length, *headers], body
