"""The expiry rules: questions last 30 days, events 60, and the purge that deletes them;
and how long a session stays "live" (listed to phones at the short address)."""

import logging
import threading
import time

DAY = 24 * 60 * 60
QUESTION_LIFETIME = 30 * DAY
EVENT_LIFETIME = 60 * DAY
PURGE_EVERY = 60 * 60
LIVE_FOR = 12 * 60 * 60
log = logging.getLogger("lanqa.expiry")


def question_cutoff(now):
    """Questions created at or before this second are gone."""
    return int(now) - QUESTION_LIFETIME


def event_cutoff(now):
    """Events created at or before this second are gone."""
    return int(now) - EVENT_LIFETIME


def live_cutoff(now):
    """A session whose last start, question or vote came at or before this second is not
    live (unless someone has it open: see store.live_events)."""
    return int(now) - LIVE_FOR


def start_purger(store, every=PURGE_EVERY, clock=time.time):
    """Purge now, then every `every` seconds in a daemon thread; returns an Event that stops it."""
    stop = threading.Event()
    purge(store, clock)

    def loop():
        while not stop.wait(every):
            purge(store, clock)

    threading.Thread(target=loop, name="lanqa-purge", daemon=True).start()
    return stop


def purge(store, clock):
    # A purge that fails (a full disk) is tried again at the next one: it stops neither
    # LanQA's start nor the purges to come.
    try:
        store.purge(clock())
    except Exception:
        log.exception("could not delete what has expired; trying again at the next purge")
