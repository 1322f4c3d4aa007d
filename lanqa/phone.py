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

import base64
import functools
import hmac
import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

from werkzeug.exceptions import HTTPException, TooManyRequests, abort
from werkzeug.wrappers import Response

from lanqa import delta, errors, i18n, logs, net
from lanqa.i18n import _, ngettext
from lanqa.lists import NotCached
from lanqa.order import parse_ulid
from lanqa.pages import SECURITY_HEADERS

log = logging.getLogger(__name__)
IMMUTABLE = "max-age=864001"
MAX_DETAILS = 100
VOTER_COOKIE = "lanqa_voter"
VOTER = re.compile(rf"(?:^|;)\s*{VOTER_COOKIE}=([A-Za-z0-9_-]{{22}})([A-Za-z0-9_-]{{11}})(?:;|$)")
BLOCKED = _("The speaker has blocked this device from asking and voting in this session.")
EVENT_GONE = _("This Q&A session does not exist or has expired: check the link.")
QUESTION_GONE = _("This question does not exist or has expired.")
SECURITY = tuple(SECURITY_HEADERS.items())
JSON = ("Content-Type", "application/json")
CLOSED = ("X-Questions-Closed", "1")  # on a list: the session takes no more questions
GZIP = ("Content-Encoding", "gzip")
# Changes go out every two seconds to every phone, so they carry only the headers that
# do something for a JSON body: no Content-Security-Policy, frame or referrer rules,
# which are for pages. Nothing may keep them (they say what changed since the request).
CHANGES = (JSON, ("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff"))
# The routes of api.py whose answers this module gives on every path.
PHONE_ENDPOINTS = ("api.guest_list", "api.details", "api.vote")
CROSS_SITE = _("A page of another site may not change anything here.")
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
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


def error_answer(error, lang="en"):
    """Every 4xx/5xx: {"error": "<a sentence a person can act on>"} in the request's
    language (see i18n.py), plus its own headers (Retry-After, Allow)."""
    extra = tuple(h for h in error.get_headers() if h[0].lower() != "content-type")
    body = json_body({"error": i18n.say(error.description, lang)})
    return Answer(error.code, (JSON, *extra, *SECURITY), body)


def too_many(wait, message):
    """429 with Retry-After when wait (seconds) is not 0; message(n) is the sentence for
    a wait of n seconds (an ngettext, so that each language says its own plural)."""
    if wait:
        raise TooManyRequests(message(wait), retry_after=wait)


def voting_fast(n):
    return ngettext(
        "Too many votes in a short time: wait {n} second, then try again.",
        "Too many votes in a short time: wait {n} seconds, then try again.",
        n,
    )


def votes_from_network(n):
    return ngettext(
        "Many votes for this question came from your network: wait {n} second.",
        "Many votes for this question came from your network: wait {n} seconds.",
        n,
    )


def misdirected(host):
    return _(
        "LanQA answers only at its own address, as in the QR code: not at '{host}'.", host=host
    )


class Devices:
    """Voter ids: 16 random bytes and a signature by this laptop's key. A script cannot
    make ids up, so every new device is one the server handed out, and each costs its
    network address (the "devices" rate limit)."""

    def __init__(self, key):
        self.key = key
        # Ids already checked: a hall sends the same ones every two seconds, and checking
        # a signature costs more than the rest of a poll answered from memory.
        self.checked = set()

    def new(self):
        return self.sign(secrets.token_urlsafe(16))

    def of(self, cookie):
        """The device's voter id from a Cookie header, or None if it has no valid one."""
        found = VOTER.search(cookie)
        if found is None:
            return None
        given = found.group(1) + found.group(2)
        if given in self.checked:
            return given
        if not hmac.compare_digest(self.sign(found.group(1)), given):
            return None
        if len(self.checked) >= 100_000:
            self.checked.clear()
        self.checked.add(given)
        return given

    def sign(self, nonce):
        """nonce (22 characters) and its signature: a voter id."""
        mac = hmac.digest(self.key, nonce.encode(), "sha256")[:8]
        return nonce + base64.urlsafe_b64encode(mac).decode().rstrip("=")


def ulid_or_400(text, what):
    """The canonical ULID in text, or 400; what: "session" or "question"."""
    ulid = parse_ulid(text)
    if ulid is None and what == "session":
        abort(400, _("The session id '{id}' is malformed: check the link.", id=text[:40]))
    if ulid is None:
        abort(400, _("The question id '{id}' is malformed: check the link.", id=text[:40]))
    return ulid


class Phones:
    """The hall's requests, answered the same way by every path."""

    def __init__(self, store, lists, presence, limits, clock, urls, devices, names=None):
        self.store, self.lists, self.presence, self.limits = store, lists, presence, limits
        self.clock, self.devices = clock, devices
        self._remember_blocked()
        self.urls = urls  # the app's routes (a werkzeug MapAdapter): one route table
        self.names = names or net.OwnNames()
        self.good_hosts = set()  # Host headers that passed, with the port they came to
        # Phones send the same few paths over and over: match each once.
        self.route = functools.lru_cache(maxsize=4096)(self._route)

    # The three requests

    def poll(self, eid, voter, headers, host=False, cached_only=False, query=""):
        """The guest list (host: the host list) of eid, or 304 if the phone has it; both
        say so when the session takes no more questions (X-Questions-Closed). With
        since=<version> in the query, the changes since then (delta.py); headers:
        lowercase name -> value."""
        now = self.clock()
        eid = self.event(eid, cached_only)["id"]
        options = dict(parse_qsl(query)) if query else {}
        if "since" in options:
            return self._changes(eid, voter, host, options, headers, now, cached_only)
        built = self.lists.get(eid, host, now, cached_only)
        self.presence.saw(eid, voter, now)
        tag = f'"{built.etag}"'
        found = (("Cache-Control", "no-cache"), *SECURITY, ("ETag", tag))
        if built.closed:
            found += (CLOSED,)
        if tag in headers.get("if-none-match", ""):
            return Answer(304, found)
        if built.gzipped and delta.accepts_gzip(headers.get("accept-encoding")):
            return Answer(200, (JSON, *found, GZIP, ("Vary", "Accept-Encoding")), built.gzipped)
        return Answer(200, (JSON, *found), built.body)

    def _changes(self, eid, voter, host, options, headers, now, cached_only):
        """What changed since the version options["since"], as LanQA's pages poll."""
        since = options["since"]
        current = self.lists.shared(eid, host, now, cached_only)
        self.presence.saw(eid, voter, now)
        if since == current.etag:
            return Answer(304, ())  # nothing to store and nothing to sniff: no headers
        texts = None
        if options.get("texts") == "1":
            host_of = eid if host else None
            texts = functools.partial(
                self.lists.details_json, now=now, host_of=host_of, cached_only=cached_only
            )
        body, gzipped = self.lists.changes(eid, host, since, current, texts)
        if gzipped and delta.accepts_gzip(headers.get("accept-encoding")):
            return Answer(200, (*CHANGES, GZIP), gzipped)
        return Answer(200, CHANGES, body)

    def texts(self, qids, cached_only=False, host_of=None):
        """The immutable text, time and name of up to MAX_DETAILS questions; hidden ones
        only for the host of their event (host_of: its id)."""
        wanted = list(dict.fromkeys(ulid_or_400(qid, "question") for qid in qids.split(",")))
        if len(wanted) > MAX_DETAILS:
            abort(400, _("Ask for at most {limit} questions at a time.", limit=MAX_DETAILS))
        body = self.lists.details_json(wanted, self.clock(), cached_only, host_of)
        return Answer(200, (JSON, ("Cache-Control", IMMUTABLE), *SECURITY), body)

    def vote(self, qid, updown, voter, address):
        """Add (up) or retract (down) this device's vote."""
        qid = ulid_or_400(qid, "question")
        if updown not in ("up", "down"):
            abort(400, _("Vote with 'up' or retract with 'down'."))
        self.limit("vote", voter, address, voting_fast)
        now = self.clock()
        if voter in self.blocked_voters:
            self.refuse_blocked(self.store.event_of(qid), voter)
        if updown == "up":
            # However a script treats its cookies, its address adds only so many votes.
            wait = self.limits.take("question-votes", f"{address} {qid}", now)
            too_many(wait, votes_from_network)
        voted = self.store.vote(qid, voter, updown == "up", now)
        if voted is None:
            abort(404, QUESTION_GONE)
        eid, votes = voted
        self.lists.changed(eid, now, votes_only=True)
        return Answer(200, (JSON, *SECURITY), json_body({"votes": votes}))

    # Rules every request meets, and the routes share with api.py

    def guard(self, method, host, origin, port):
        """421 unless the Host header names this server (its addresses or localhost, at
        its port); 403 for a change sent from another site's page (Origin). A page on
        the Internet can point a name of its own at the laptop (DNS rebinding) and then
        read the host's pages and press its buttons through a guest's browser: the
        name it must send gives it away."""
        if (host, port) not in self.good_hosts:
            if not self._names_us(host, int(port)):
                abort(421, misdirected(host[:100]))
            if len(self.good_hosts) > 1000:
                self.good_hosts.clear()
            self.good_hosts.add((host, port))
        crossing = origin is not None and origin.lower() != f"http://{host.lower()}"
        if crossing and method not in SAFE_METHODS:
            abort(403, CROSS_SITE)

    def _names_us(self, host, port):
        if not host or any(c in host for c in "/@?#\\"):
            return False
        try:
            parts = urlsplit("//" + host)
            return parts.hostname in self.names and (parts.port or 80) == port
        except ValueError:  # a port that is not a number
            return False

    def event(self, eid, cached_only=False):
        """The live event row of eid (text from a path), or 404."""
        found = self.lists.event(ulid_or_400(eid, "session"), self.clock(), cached_only)
        if found is None:
            abort(404, EVENT_GONE)
        return found

    def refuse_blocked(self, eid, voter):
        if (eid, voter) in self.blocked:
            abort(403, BLOCKED)

    def block(self, eid, qid):
        """Block the device that asked qid: its questions hidden, its votes taken back, its
        asks and votes refused. (questions hidden, votes taken back), or None."""
        now = self.clock()
        done = self.store.block(eid, qid, now)
        if done is None:
            return None
        hidden, votes = done
        self._remember_blocked()
        self.lists.hidden(hidden, True)
        self.lists.changed(eid, now)
        return len(hidden), votes

    def delete(self, eid):
        """Delete the session eid with everything of it, on disk and in memory; False if
        there was none."""
        if not self.store.delete_event(eid):
            return False
        self.lists.deleted(eid)
        self._remember_blocked()
        return True

    def _remember_blocked(self):
        self.blocked = self.store.blocked()  # (event id, voter) pairs a host blocked
        self.blocked_voters = {voter for _, voter in self.blocked}

    def limit(self, action, voter, address, message):
        """Take one token from this device's and this address's buckets, or 429 with
        message(seconds to wait) (see too_many)."""
        too_many(self.limits.check(action, voter, address, self.clock()), message)

    # Dispatch for the paths in front of Flask

    def answer(self, method, path, headers, address, port, cached_only=False, query=""):
        """The Answer to a phone's request, or None when it is not one of the three, or
        comes from a device without its voter cookie (Flask gives it one), or, with
        cached_only, needs the database. headers: lowercase name -> value."""
        found = self.route(method, path)
        voter = self.devices.of(headers.get("cookie", ""))
        if found is None or voter is None:
            return None
        endpoint, args = found
        try:
            self.guard(method, headers.get("host", ""), headers.get("origin"), port)
            if endpoint == "api.guest_list":
                return self.poll(args["eid"], voter, headers, cached_only=cached_only, query=query)
            if endpoint == "api.details":
                return self.texts(args["qids"], cached_only)
            if cached_only:
                return None  # a vote writes to the database
            return self.vote(args["qid"], args["updown"], voter, address)
        except NotCached:
            return None
        except HTTPException as error:
            return error_answer(error, language(headers))

    def from_memory(self, target, headers, address, port):
        """A GET's Answer from memory alone, for the main loop (target: the path and
        query); None when that is not possible, and for errors, which a worker answers
        and logs."""
        path, _, query = target.partition("?")
        answer = self.answer("GET", path, headers, address, port, True, query)
        return answer if answer and answer.status < 400 else None

    def _route(self, method, path):
        try:
            endpoint, args = self.urls.match(path, method)
        except HTTPException:  # unknown, wrong method or a redirect: Flask answers
            return None
        return (endpoint, args) if endpoint in PHONE_ENDPOINTS else None


# The request headers the three requests read, as a WSGI environ names them.
HEADERS = tuple(
    (name, "HTTP_" + name.upper().replace("-", "_"))
    for name in ("cookie", "if-none-match", "host", "origin", "accept-language", "accept-encoding")
)


def language(headers):
    """The language of a request, from its headers (lowercase name -> value)."""
    return i18n.choose(headers.get("accept-language", ""), headers.get("cookie", ""))


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
            headers = {name: environ.get(key) for name, key in HEADERS if key in environ}
            port = environ.get("SERVER_PORT", "80")
            try:
                query = environ.get("QUERY_STRING", "")
                answer = self.phones.answer(method, path, headers, address, port, query=query)
            except Exception as error:  # the store's (a full disk): JSON, as Flask answers
                log.exception("Exception on %s [%s]", logs.redact(path), method)
                answer = error_answer(errors.failure(error), language(headers))
        if answer is None:
            return self.flask(environ, start_response)
        if answer.status >= 400:
            logs.write(method, path, answer.status, started, address)
        start_response(answer.status_line(), answer.wire_headers())
        return [answer.body]
