"""Who is here: the devices that polled an event recently."""

import threading

WINDOW = 60


class Presence:
    """Per event, when each device last asked for the list."""

    def __init__(self):
        self._seen = {}
        self._lock = threading.Lock()

    def saw(self, eid, device, now):
        with self._lock:
            self._seen.setdefault(eid, {})[device] = now

    def count(self, eid, now):
        """Devices seen in the last minute; forgets older ones."""
        with self._lock:
            seen = self._seen.get(eid, {})
            for device, when in list(seen.items()):
                if when <= now - WINDOW:
                    del seen[device]
            return len(seen)

    def watched(self, now):
        """The events some device asked for the list of in the last minute."""
        with self._lock:
            since = now - WINDOW
            return [
                eid for eid, seen in self._seen.items() if max(seen.values(), default=0) > since
            ]
