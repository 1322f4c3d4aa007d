"""What phones ask for again and again, from memory: the guest and host lists of each
event, built once per change, and the question texts, which never change.

Phones poll every couple of seconds; almost every poll finds nothing new. A list is
rebuilt only after a write to its event, or when time alone could change it (a question
crossing a whole minute, which moves its hotness, or expiring).
"""

import hashlib
import json
import threading
from dataclasses import dataclass

from lanqa import delta
from lanqa.expiry import EVENT_LIFETIME, QUESTION_LIFETIME
from lanqa.order import rank, ulid_ms

# How long guests share one version of a list when asking for changes: the server then
# works out each change once for all the phones holding a version, not once a poll
# (votes arrive every few milliseconds in a hall). The host always gets the newest.
SHARE_SECONDS = 0.5
RENEW_SECONDS = 1  # how long the newest is still shared while the next one is built
HISTORY = 40  # versions kept to send changes from; an older one gets the full list


class NotCached(Exception):
    """Raised, when asked for memory only, by what would have to read the database."""


@dataclass(frozen=True)
class Built:
    body: bytes  # ranked, as upstream's route answers
    etag: str
    version: int
    valid_until: float
    closed: bool = False  # asking is closed: the answers say so in a header
    items: tuple = ()  # the same items in question-id order, for delta.py
    now: float = 0  # when it was built: the time it is ranked at
    gzipped: bytes = None  # body, compressed (delta.compress)


class Lists:
    """Cached list bodies and ETags per (event, host or guest), and cached event rows."""

    def __init__(self, store):
        self.store = store
        self._events = {}
        self._deleted = set()  # events a host deleted: gone, whatever a cache still holds
        self._details = {}  # qid -> (its piece of JSON, its event, when it expires)
        self._hidden = set()  # qids a host hid: their texts are not for guests
        self._review = set()  # qids waiting for review: nor are theirs
        self._built = {}
        self._shared = {}  # key -> Builts shared for changes, oldest first (see shared())
        self._shared_at = {}  # key -> when its newest one was shared
        self._renewing = {}  # key -> when a poll went to have the next one built
        self._answers = {}  # key -> (version, {(since, texts): (body, gzipped)})
        self._versions = {}
        self._members = {}  # eid -> a number that changes when not only votes did
        self._polled = set()  # lists asked for since they were last built
        self._lock = threading.Lock()
        self._building = threading.Lock()
        self._changing = threading.Lock()
        # Held while texts are read and while a host hides, shows, approves or sends
        # back: a read from before such a write cannot mark its text after it.
        self._flags = threading.Lock()

    def event(self, eid, now, cached_only=False):
        """The live event row as a dict, or None; cached, and replaced on each change of
        its settings (change_event). With cached_only, NotCached when it would have to
        be read from the database."""
        found = self._events.get(eid)
        if found is None:
            if cached_only:
                raise NotCached
            found = self.store.event(eid, now)
            if found is None:
                return None
            # A row read before a change of settings must not replace the changed one.
            found = self._events.setdefault(eid, found)
        if eid in self._deleted or now >= found["created"] + EVENT_LIFETIME:
            return None
        return found

    def change_event(self, change, now):
        """Run change(), a write that returns the changed event row (as store.event
        gives it) or None, and cache that row; one at a time, so that the cache ends as
        the database does. The lists change too: they say whether asking is closed."""
        with self._changing:
            event = change()
            if event is not None:
                self._events[event["id"]] = event
        if event is not None:
            self.changed(event["id"], now)
        return event

    def deleted(self, eid):
        """Call after the event eid was deleted: forget it and its questions."""
        self._deleted.add(eid)
        with self._lock:
            self._events.pop(eid, None)
            self._versions[eid] = self._versions.get(eid, 0) + 1
            for key in ((eid, False), (eid, True)):
                self._built.pop(key, None)
                self._shared.pop(key, None)
                self._answers.pop(key, None)
                self._polled.discard(key)
        with self._flags:
            for qid in [qid for qid, (_, of, _) in self._details.items() if of == eid]:
                del self._details[qid]
                self._hidden.discard(qid)
                self._review.discard(qid)

    def details_json(self, qids, now, cached_only=False, host_of=None):
        """The JSON body of /api/questions/{qids}: {qid: {"text", "when", "who"?}} for the
        live questions among qids that guests may see: not hidden, not in review (with
        host_of, the event id of the host asking: all of that event's). With cached_only,
        NotCached when some of them would have to be read from the database."""
        missing = [qid for qid in qids if qid not in self._details]
        if missing and cached_only:
            raise NotCached
        if missing:
            self._read_details(missing, now)
        pieces = []
        for qid in qids:
            piece, eid, gone = self._details.get(qid, (None, None, 0))
            if host_of:
                shown = eid == host_of
            else:
                shown = qid not in self._hidden and qid not in self._review
            if now < gone and shown and eid not in self._deleted:
                pieces.append(piece)
        return ("{" + ",".join(pieces) + "}").encode()

    def _read_details(self, qids, now):
        with self._flags:
            for qid, row in self.store.details(qids, now).items():
                item = {"text": row["text"], "when": row["created"]}
                if row["who"] is not None:
                    item["who"] = row["who"]
                gone = min(
                    row["created"] + QUESTION_LIFETIME, row["event_created"] + EVENT_LIFETIME
                )
                # Kept as its piece of JSON: phones ask for the same texts over and over.
                piece = json.dumps({qid: item}, separators=(",", ":"))[1:-1]
                if row["hidden"]:
                    self._hidden.add(qid)
                if row["review"]:
                    self._review.add(qid)
                self._details[qid] = (piece, row["eid"], gone)

    def hidden(self, qids, on):
        """Call when a host hid (on) or showed again the questions qids."""
        with self._flags:
            (self._hidden.update if on else self._hidden.difference_update)(qids)

    def in_review(self, qids, on):
        """Call when a host sent back to review (on) or approved the questions qids."""
        with self._flags:
            (self._review.update if on else self._review.difference_update)(qids)

    def changed(self, eid, now, votes_only=False):
        """Call after a write to eid's questions has committed; votes_only: it changed
        only votes."""
        with self._lock:
            self._versions[eid] = self._versions.get(eid, 0) + 1
            if not votes_only:
                self._members[eid] = self._members.get(eid, 0) + 1
        key = (eid, False)
        if key in self._polled:
            # Phones polled the list since it was last built: rebuild it now, in the
            # writer's thread, so their polls go on being answered from memory (see
            # channel.py). Writes that nobody polls between cost no build.
            self._polled.discard(key)
            self._current(key, now)

    def members(self, eid):
        """A number that changes with each write to eid's questions other than votes:
        with what questions there are and what guests may see of them."""
        return self._members.get(eid, 0)

    def get(self, eid, host, now, cached_only=False):
        """The Built list: JSON ranked as in order.rank, and its ETag. With cached_only,
        NotCached when the list would have to be built."""
        key = (eid, host)
        built = self._fresh(key, now)
        if built is None and cached_only:
            raise NotCached
        built = built or self._current(key, now)
        self._polled.add(key)
        return built

    def shared(self, eid, host, now, cached_only=False):
        """The version of the list that polls for changes get: the newest, except that
        guests keep getting the same one for SHARE_SECONDS (its ranking, too, may be that
        late). Unlike get(), it does not make writes rebuild the list: a build waits for
        the next poll that needs it."""
        key = (eid, host)
        history = self._shared.get(key)
        if history and not host:
            # The newest also while one poll has gone to have the next one built: the
            # others need not wait for it in a queue (a build of 1,000 questions takes
            # a while). If that poll never gets so far, another one goes later.
            renewing = cached_only and now < self._renewing.get(key, 0) + RENEW_SECONDS
            if renewing or now < self._shared_at[key] + SHARE_SECONDS:
                return history[-1]
        built = self._fresh(key, now)
        if built is None and cached_only:
            self._renewing[key] = now
            raise NotCached
        built = built or self._current(key, now)
        with self._lock:
            history = self._shared.setdefault(key, [])
            if history and history[-1].etag == built.etag:
                history[-1] = built  # the same list, ranked as it was: valid for longer
            else:
                history.append(built)
                del history[:-HISTORY]
            self._shared_at[key] = now
            self._renewing.pop(key, None)
        return built

    def changes(self, eid, host, since, current, texts=None):
        """(body, gzipped) of the changes from the version since to current (a Built from
        shared()), made once and shared by every phone that holds since. texts(qids):
        the JSON of their texts, added for the questions new to that phone (all of them
        in a full list), so that it need not ask for them."""
        key = (eid, host)
        held = next((b for b in self._shared.get(key, ()) if b.etag == since), None)
        wanted = (held and since, texts is not None)
        version, answers = self._answers.get(key, (None, {}))
        if version != current.etag:
            answers = {}
            self._answers[key] = (current.etag, answers)
        found = answers.get(wanted)
        if found is None:
            body = delta.changes(held, current) if held else delta.full(current)
            if texts:
                known = {item["qid"] for item in held.items} if held else ()
                new = [item["qid"] for item in current.items if item["qid"] not in known]
                body = delta.with_texts(body, texts(new)) if new else body
            found = answers[wanted] = (body, delta.compress(body))
        return found

    def _current(self, key, now):
        """The fresh build of key's list, built now if there is none."""
        built = self._fresh(key, now)
        if built is None:
            # One build at a time: the polls that arrive meanwhile wait and share it.
            with self._building:
                built = self._fresh(key, now)
                if built is None:
                    # Read the version before the rows: a write that lands meanwhile
                    # bumps it, so this build is never mistaken for a newer one.
                    version = self._versions.get(key[0], 0)
                    built = self._built[key] = self._build(*key, now, version)
        return built

    def _fresh(self, key, now):
        built = self._built.get(key)
        if built and built.version == self._versions.get(key[0], 0) and now < built.valid_until:
            return built
        return None

    def _build(self, eid, host, now, version):
        items, valid_until = [], now + 3600
        # Items that did not change are the same objects as in the last build: versions
        # kept for changes (shared()) share them, and delta.changes compares them at once.
        before = self._built.get((eid, host))
        same = {item["qid"]: item for item in before.items} if before else {}
        for row in self.store.questions(eid, now, hidden=host):
            item = list_item(row, host)
            kept = same.get(item["qid"])
            items.append(kept if kept == item else item)
            # Hotness counts whole minutes since the ULID time; find the next tick.
            asked_ms = ulid_ms(row["id"])
            minutes = max(0, int(now * 1000 - asked_ms) // 60_000)
            next_minute = (asked_ms + (minutes + 1) * 60_000) / 1000
            valid_until = min(valid_until, next_minute, row["created"] + QUESTION_LIFETIME)
        body = json.dumps(rank(items, now), separators=(",", ":")).encode()
        event = self.event(eid, now)
        closed = bool(event and event["closed"])
        # The ETag covers the header too, so that phones holding the list learn of it.
        etag = hashlib.blake2b(body + (b"closed" if closed else b""), digest_size=12).hexdigest()
        gzipped = delta.compress(body)
        return Built(body, etag, version, valid_until, closed, tuple(items), now, gzipped)


def list_item(row, host):
    """A question in a list: upstream's keys, then LanQA's own only when set. "review"
    and "like" only for the host: guests' lists leave those questions out, and the host
    is the one who merges."""
    item = {"qid": row["id"], "votes": row["votes"], "hidden": bool(row["hidden"])}
    if row["answered"] is not None:
        item["answered"] = row["answered"]
    if host and row["review"]:
        item["review"] = True
    if host and row["resembles"]:
        item["like"] = row["resembles"]  # an earlier question it looks like
    if row["highlighted"]:
        item["highlighted"] = True
    if row["reply"] is not None:
        item["reply"] = row["reply"]
    if row["also"] != "[]":
        item["also"] = json.loads(row["also"])  # questions merged into this one
    return item
