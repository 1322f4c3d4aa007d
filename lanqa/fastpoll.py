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
        if environ["REQUEST_METHOD"] == "GET":
            answer = self.answer(
                environ.get("PATH_INFO", ""),
                environ.get("HTTP_COOKIE", ""),
                environ.get("HTTP_IF_NONE_MATCH", ""),
            )
        if answer is None:
            return self.flask(environ, start_response)
        status, headers, body = answer
        start_response(status, headers)
        return [body]

    def answer(self, path, cookie, if_none_match, cached_only=False):
        """(status, headers, body) for a phone's GET of path, or None to let Flask answer.
        With cached_only, None also when answering would mean reading the database."""
        voter = VOTER.search(cookie)
        if voter is None:
            return None
        found = GUEST_LIST.fullmatch(path)
        if found:
            return self.poll(found.group(1), voter.group(1), if_none_match, cached_only)
        found = DETAILS.fullmatch(path)
        if found:
            return self.details(found.group(1), cached_only)
        return None

    def poll(self, eid, voter, if_none_match, cached_only):
        eid, now = parse_ulid(eid), self.clock()
        if not (eid and self.lists.event(eid, now, cached_only)):
            return None
        built = self.lists.get(eid, False, now, cached_only)
        if built is None:
            return None
        body, etag = built
        self.presence.saw(eid, voter, now)
        headers = [*HEADERS, ("ETag", f'"{etag}"')]
        if f'"{etag}"' in if_none_match:
            return "304 Not Modified", headers, b""
        return "200 OK", [*json_headers(body), *headers], body

    def details(self, qids, cached_only):
        qids = list(dict.fromkeys(parse_ulid(qid) for qid in qids.split(",")))
        if None in qids or len(qids) > MAX_DETAILS:
            return None
        body = self.lists.details_json(qids, self.clock(), cached_only)
        if body is None:
            return None
        return "200 OK", [*json_headers(body), ("Cache-Control", IMMUTABLE), *SECURITY], body


def json_headers(body):
    return [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
