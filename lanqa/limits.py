"""Rate limits: how often one device, or one network address, may do something.

A token bucket per key: `count` requests may come at once, then `count` more come back
evenly over `seconds`. So in any span of `seconds` a key gets at most 2 x count. The
per-device limits are far above what a person in a room does; the per-address ones
hold however a script treats its cookies, since every new device costs its address
too, and still let a handful of phones share one address (a phone's hotspot).
"""

import math
import threading

from lanqa.i18n import _

DEFAULTS = {
    # rule: (count, seconds)
    "ask": (5, 60),  # questions per device
    "ask-address": (5, 60),  # questions per address: at most 10 in any minute
    "vote": (60, 60),  # votes and retractions per device
    "vote-address": (600, 60),
    "question-votes": (5, 600),  # votes one address adds to one question: 10 in 10 minutes
    "devices": (10, 600),  # new devices (voter cookies) per address
    "similar": (30, 60),  # lookups of similar questions while typing, per device
    "similar-address": (300, 60),
    # Sessions from other devices, with `lanqa serve --remote-create` only.
    "create": (3, 60),
    "create-address": (10, 60),
}


class Bucket:
    def __init__(self, count, seconds):
        self.capacity = count
        self.rate = count / seconds
        self.state = {}  # key -> (tokens, when)
        self.lock = threading.Lock()
        self.pruned_at = 10_000  # forget refilled buckets when the table grows past this

    def take(self, key, now):
        """0 if key may go on now, else the whole seconds until it may."""
        with self.lock:
            tokens, when = self.state.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.rate)
            if tokens < 1:
                self.state[key] = (tokens, now)
                return math.ceil((1 - tokens) / self.rate)
            self.state[key] = (tokens - 1, now)
            if len(self.state) > self.pruned_at:
                self._forget_full(now)
            return 0

    def _forget_full(self, now):
        # A bucket that has refilled is the same as no bucket. Buckets that refill
        # slowly may all still be in use: then wait until the table doubles.
        for key, (tokens, when) in list(self.state.items()):
            if tokens + (now - when) * self.rate >= self.capacity:
                del self.state[key]
        self.pruned_at = max(10_000, 2 * len(self.state))


class Limits:
    """A bucket per rule of DEFAULTS (or config)."""

    def __init__(self, config=None):
        rules = {**DEFAULTS, **(config or {})}
        self.buckets = {rule: Bucket(count, seconds) for rule, (count, seconds) in rules.items()}

    def take(self, rule, key, now):
        """0 if key may go on under rule, else the seconds to wait."""
        return self.buckets[rule].take(key, now)

    def check(self, action, device, address, now):
        """0 if this device and its address may do action now, else the seconds to wait."""
        return self.take(action, device, now) or self.take(f"{action}-address", address, now)


def parse(text):
    """'ask=5/60,devices=10/600' (count / seconds) -> a config dict; ValueError with a
    sentence (a Text) when text is not one."""
    config = {}
    for part in text.split(","):
        rule, numbers = part.partition("=")[::2]
        count, seconds = numbers.partition("/")[::2]
        if rule.strip() not in DEFAULTS or not (count.isdigit() and seconds.isdigit()):
            raise ValueError(
                _("{part}: write it as rule=count/seconds, e.g. ask=5/60", part=repr(part))
            )
        if int(seconds) == 0:
            raise ValueError(_("{part}: the seconds must be at least 1", part=repr(part)))
        config[rule.strip()] = (int(count), int(seconds))
    return config
