"""What phones do all the time: poll a list, read question texts, vote. Each rule once.

In a hall nearly every request is a phone asking "anything new?", then "what do the new
questions say?", and now and then a vote. Three paths answer them, and all three call
the functions here, so a rule added here holds for every phone whichever path answers:

- Flask's routes (api.py), for every client;
- `Front`, a WSGI layer in front of Flask for a phone that has its voter cookie: Flask's
  request machinery costs several times what the work itself does;
- waitress's main loop (channel.py), for what memory alone can answer, without a
  worker thread (`Phones.from_memory`).

Each function returns an `Answer` (status, headers, body) or raises an HTTPException,
which `error_answer` turns into LanQA's one error shape.
"""

import functools
import json
import re
import time
from dataclasses import dataclass
from http import HTTPStatus

from werkzeug.exceptions import HTTPException, TooManyRequests, abort
from werkzeug.wrappers import Response

from lanqa import logs
from lanqa.lists import NotCached
from lanqa.order import parse_ulid
from lanqa.pages import SECURITY_HEADERS

IMMUTABLE = "max-age=864001"
MAX_DETAILS = 100
VOTER_COOKIE = "lanqa_voter"
VOTER = re.compile(rf"(?:^|;)\s*{VOTER_COOKIE}=([A-Za-z0-9_-]{{22}})(?:;|$)")
EVENT_GONE = "This Q&A session does not exist or has expired: check the link."
QUESTION_GONE = "This question does not exist or has expired."
SECURITY = tuple(SECURITY_HEADERS.items())
JSON = ("Content-Type", "application/json")
# The routes of api.py whose answers this module gives on every path.
PHONE_ENDPOINTS = ("api.guest_list", "api.details", "api.vote")
STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


@dataclass(frozen=True)
class Answer:
    status: int
    headers: tuple
    body: bytes = b""

    def wire_headers(self):
        """The headers with Content-Length, as sent (a 304 has no body to measure)."""
        if self.status == 304:
            return list(self.headers)
        return [*self.headers, ("Content-Length", str(len(self.body)))]

    def status_line(self):
        return STATUS_LINES[self.status]

    def response(self):
        """The same answer as a response for Flask."""
        return Response(self.body, self.status, list(self.headers))


def json_body(data):
    """JSON as Flask's jsonify writes it, so every path sends the same bytes."""
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


def error_answer(error):
    """Every 4xx/5xx: {"error": "<a sentence a person can act on>"}, plus its own
    headers (Retry-After, Allow)."""
    extra = tuple(h for h in error.get_headers() if h[0].lower() != "content-type")
    body = json_body({"error": error.description})
    return Answer(error.code, (JSON, *extra, *SECURITY), body)


def voter_in(cookie):
    """The device's voter id from a Cookie header, or None."""
    found = VOTER.search(cookie)
    return found.group(1) if found else None


def ulid_or_400(text, what):
    ulid = parse_ulid(text)
    if ulid is None:
        abort(400, f"The {what} id '{text[:40]}' is malformed: check the link.")
    return ulid


class Phones:
    """The hall's requests, answered the same way by every path."""

    def __init__(self, store, lists, presence, limits, clock, urls):
        self.store, self.lists, self.presence, self.limits = store, lists, presence, limits
        self.clock = clock
        self.urls = urls  # the app's routes (a werkzeug MapAdapter): one route table
        # Phones send the same few paths over and over: match each once.
        self.route = functools.lru_cache(maxsize=4096)(self._route)

    # The three requests

    def poll(self, eid, voter, if_none_match, host=False, cached_only=False):
        """The guest list (host: the host list) of eid, or 304 if the phone has it."""
        now = self.clock()
        eid = self.event(eid, cached_only)["id"]
        built = self.lists.get(eid, host, now, cached_only)
        self.presence.saw(eid, voter, now)
        headers = (("Cache-Control", "no-cache"), *SECURITY, ("ETag", f'"{built.etag}"'))
        if f'"{built.etag}"' in if_none_match:
            return Answer(304, headers)
        return Answer(200, (JSON, *headers), built.body)

    def texts(self, qids, cached_only=False):
        """The immutable text, time and name of up to MAX_DETAILS questions."""
        wanted = list(dict.fromkeys(ulid_or_400(qid, "question") for qid in qids.split(",")))
        if len(wanted) > MAX_DETAILS:
            abort(400, f"Ask for at most {MAX_DETAILS} questions at a time.")
        body = self.lists.details_json(wanted, self.clock(), cached_only)
        return Answer(200, (JSON, ("Cache-Control", IMMUTABLE), *SECURITY), body)

    def vote(self, qid, updown, voter, address):
        """Add (up) or retract (down) this device's vote."""
        qid = ulid_or_400(qid, "question")
        if updown not in ("up", "down"):
            abort(400, "Vote with 'up' or retract with 'down'.")
        self.limit(
            "vote", voter, address, "Too many votes in a short time: wait {}, then try again."
        )
        now = self.clock()
        voted = self.store.vote(qid, voter, updown == "up", now)
        if voted is None:
            abort(404, QUESTION_GONE)
        eid, votes = voted
        self.lists.changed(eid, now)
        return Answer(200, (JSON, *SECURITY), json_body({"votes": votes}))

    # Rules the routes share with api.py

    def event(self, eid, cached_only=False):
        """The live event row of eid (text from a path), or 404."""
        found = self.lists.event(ulid_or_400(eid, "session"), self.clock(), cached_only)
        if found is None:
            abort(404, EVENT_GONE)
        return found

    def limit(self, action, voter, address, message):
        """Take one token from this device's and this address's buckets, or 429."""
        wait = self.limits.check(action, voter, address, self.clock())
        if wait:
            duration = "1 second" if wait == 1 else f"{wait} seconds"
            raise TooManyRequests(message.format(duration), retry_after=wait)

    # Dispatch for the paths in front of Flask

    def answer(self, method, path, cookie, if_none_match, address, cached_only=False):
        """The Answer to a phone's request, or None when it is not one of the three, or
        comes from a device without its voter cookie (Flask gives it one), or, with
        cached_only, needs the database."""
        found = self.route(method, path)
        voter = voter_in(cookie)
        if found is None or voter is None:
            return None
        endpoint, args = found
        try:
            if endpoint == "api.guest_list":
                return self.poll(args["eid"], voter, if_none_match, cached_only=cached_only)
            if endpoint == "api.details":
                return self.texts(args["qids"], cached_only)
            if cached_only:
                return None  # a vote writes to the database
            return self.vote(args["qid"], args["updown"], voter, address)
        except NotCached:
            return None
        except HTTPException as error:
            return error_answer(error)

    def from_memory(self, path, cookie, if_none_match, address):
        """A GET's Answer from memory alone, for the main loop; None when that is not
        possible, and for errors, which a worker answers and logs."""
        answer = self.answer("GET", path, cookie, if_none_match, address, cached_only=True)
        return answer if answer and answer.status < 400 else None

    def _route(self, method, path):
        try:
            endpoint, args = self.urls.match(path, method)
        except HTTPException:  # unknown, wrong method or a redirect: Flask answers
            return None
        return (endpoint, args) if endpoint in PHONE_ENDPOINTS else None


class Front:
    """The WSGI app in front of Flask: phones' polls, texts and votes without Flask's
    request machinery; everything else goes on to Flask."""

    def __init__(self, flask, phones):
        self.flask, self.phones = flask, phones

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        address = environ.get("REMOTE_ADDR")
        answer = None
        # A body goes to Flask, which caps its size (413) the same way for every route.
        if environ.get("CONTENT_LENGTH", "") in ("", "0"):
            cookie, if_none_match = (
                environ.get("HTTP_COOKIE", ""),
                environ.get("HTTP_IF_NONE_MATCH", ""),
            )
            answer = self.phones.answer(method, path, cookie, if_none_match, address)
        if answer is None:
            return self.flask(environ, start_response)
        if answer.status >= 400:
            logs.write(method, path, answer.status, started, address)
        start_response(answer.status_line(), answer.wire_headers())
        return [answer.body]
