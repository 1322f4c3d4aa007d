"""What phones do all the time, answered in front of Flask.

In a hall nearly every request is a phone asking "anything new?", then "what do the
new questions say?", and now and then a vote. Flask's request machinery costs several
times what the work itself does, so this WSGI layer answers those requests from a
phone that has its voter cookie: the two GETs from the in-memory lists (also for
channel.py, on the main loop), a vote with the same steps as the Flask route. Anything
else, and any case it is unsure of (a cold cache, a bad id, a rate limit, a gone
question), goes on to Flask, whose routes give the same answer or the error.
"""

import json
import re

from lanqa.api import IMMUTABLE, MAX_DETAILS
from lanqa.order import parse_ulid
from lanqa.pages import SECURITY_HEADERS

GUEST_LIST = re.compile(r"/api/event/([^/]+)/questions")
DETAILS = re.compile(r"/api/questions/([^/]+)")
VOTE = re.compile(r"/api/vote/([^/]+)/(up|down)")
VOTER = re.compile(r"(?:^|;)\s*lanqa_voter=([A-Za-z0-9_-]{22})(?:;|$)")
SECURITY = list(SECURITY_HEADERS.items())
HEADERS = [("Cache-Control", "no-cache"), *SECURITY]


class FastPoll:
    def __init__(self, app):
        self.flask = app.wsgi_app
        self.lists = app.extensions["lists"]
        self.presence = app.extensions["presence"]
        self.store = app.extensions["store"]
        self.limits = app.extensions["limits"]
        self.clock = app.config["CLOCK"]

    def __call__(self, environ, start_response):
        answer = None
        if environ["REQUEST_METHOD"] == "GET":
            answer = self.answer(
                environ.get("PATH_INFO", ""),
                environ.get("HTTP_COOKIE", ""),
                environ.get("HTTP_IF_NONE_MATCH", ""),
            )
        elif environ["REQUEST_METHOD"] == "POST":
            answer = self.vote(environ)
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

    def vote(self, environ):
        """(status, headers, body) for a phone's vote, or None to let Flask answer."""
        found = VOTE.fullmatch(environ.get("PATH_INFO", ""))
        voter = VOTER.search(environ.get("HTTP_COOKIE", ""))
        qid = parse_ulid(found.group(1)) if found else None
        if not (qid and voter) or environ.get("CONTENT_LENGTH", "") not in ("", "0"):
            return None
        voter, now = voter.group(1), self.clock()
        if self.limits.check("vote", voter, environ.get("REMOTE_ADDR"), now):
            return None  # refused without taking a token: Flask refuses it again, in words
        voted = self.store.vote(qid, voter, found.group(2) == "up", now)
        if voted is None:
            return None  # gone: Flask finds it gone too
        eid, votes = voted
        self.lists.changed(eid, now)
        body = json.dumps({"votes": votes}, separators=(",", ":")).encode() + b"\n"
        return "200 OK", [*json_headers(body), *SECURITY], body


def json_headers(body):
    return [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
