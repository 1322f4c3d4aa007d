"""Rate limits: how often one device, or one network address, may ask and vote.

A token bucket per key: `per_minute` requests may come at once, then they refill
evenly over the minute. The defaults are far above what a person in a room does,
so only scripts and stuck clients ever meet them.
"""

import math
import threading

DEFAULTS = {
    # action: (per device, per network address), requests per minute
    "ask": (5, 30),
    "vote": (60, 600),
    # Sessions from other devices, with `lanqa serve --remote-create` only.
    "create": (3, 10),
}


class Bucket:
    def __init__(self, per_minute):
        self.capacity = per_minute
        self.rate = per_minute / 60
        self.state = {}  # key -> (tokens, when)
        self.lock = threading.Lock()

    def take(self, key, now):
        """0 if key may go on now, else the seconds until it may."""
        with self.lock:
            tokens, when = self.state.get(key, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - when) * self.rate)
            if tokens < 1:
                self.state[key] = (tokens, now)
                return math.ceil((1 - tokens) / self.rate)
            self.state[key] = (tokens - 1, now)
            if len(self.state) > 10_000:
                self._forget_full(now)
            return 0

    def _forget_full(self, now):
        # A bucket that has refilled is the same as no bucket.
        for key, (tokens, when) in list(self.state.items()):
            if tokens + (now - when) * self.rate >= self.capacity:
                del self.state[key]


class Limits:
    """Per action, a bucket per device and a bucket per address."""

    def __init__(self, config=None):
        self.buckets = {
            action: (Bucket(device), Bucket(address))
            for action, (device, address) in {**DEFAULTS, **(config or {})}.items()
        }

    def check(self, action, device, address, now):
        """0 if this request may go on, else the seconds to wait."""
        per_device, per_address = self.buckets[action]
        return per_device.take(device, now) or per_address.take(address, now)


def parse(text):
    """'ask=5/30,vote=60/600' (per device / per address, per minute) -> a config dict."""
    config = {}
    for part in text.split(","):
        action, _, numbers = part.partition("=")
        device, _, address = numbers.partition("/")
        if action.strip() not in DEFAULTS or not (device.isdigit() and address.isdigit()):
            raise ValueError(f"{part!r}: write it as ask=5/30 or vote=60/600")
        config[action.strip()] = (int(device), int(address))
    return config
