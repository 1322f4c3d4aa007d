"""waitress's main loop, without asking every idle connection about itself on each turn.

waitress's own loop builds a new poll() set on every turn by asking each connection
whether it is readable and writable. With 2,000 phones holding keep-alive connections
that is 3 ms a turn, and at hundreds of turns a second a whole core. A connection that
waits for its next request (readable, nothing to write, no request in hand) changes
only when data arrives on it, which this loop sees, or when waitress's maintenance
closes it, which a full check every second catches; worker threads touch only
connections that have a request. So this loop keeps one poll set and asks again
only the connections that are busy, new, or just had an event, plus the listening
socket and the trigger, which it asks on every turn as waitress does.

On Linux the poll set is an epoll: poll() itself makes the kernel look at every
registered connection on every call, which at 2,000 connections was a third of the
server's CPU. Changing an epoll set is a system call that lets go of the GIL, and
while workers run Python getting it back can take milliseconds; so server.py keeps a
connection readable while a worker has its request, and a request changes nothing.
Windows has neither: there the set is a `Select`, which takes at most 512 sockets.
"""

import contextlib
import select
import threading
import time

from waitress.channel import HTTPChannel
from waitress.wasyncore import read, readwrite, write

# poll()'s and epoll's flags; Windows' select module has none of them.
IN = getattr(select, "POLLIN", 1)
OUT = getattr(select, "POLLOUT", 4)
READ = IN | getattr(select, "POLLPRI", 2)
FULL_CHECK_EVERY = 1.0


class Sockets(dict):
    """waitress's map of file descriptors to connections, noting which come and go,
    so that a turn need not compare 2,000 of them with what it registered."""

    def __init__(self):
        super().__init__()
        self.new, self.gone = set(), set()
        # Connections a worker changed; a list, as appending is atomic. An fd appended
        # just as the loop takes the list waits for the loop's full check.
        self.changed = []

    def __setitem__(self, fd, obj):
        super().__setitem__(fd, obj)
        self.new.add(fd)

    def __delitem__(self, fd):
        super().__delitem__(fd)
        self.gone.add(fd)


class Select:
    """select() behind poll()'s interface, waiting in seconds as epoll does."""

    per_second = 1

    def __init__(self):
        self.readers, self.writers = set(), set()

    def register(self, fd, flags):
        # Kept as the sets select() takes, rather than rebuilt from flags on every turn.
        for wanted, found in ((IN, self.readers), (OUT, self.writers)):
            if flags & wanted:
                found.add(fd)
            else:
                found.discard(fd)

    modify = register

    def unregister(self, fd):
        self.readers.discard(fd)
        self.writers.discard(fd)

    def poll(self, timeout):
        if not (self.readers or self.writers):
            time.sleep(timeout)
            return []
        readable, writable, _ = select.select(self.readers, self.writers, [], timeout)
        events = dict.fromkeys(readable, IN)
        for fd in writable:
            events[fd] = events.get(fd, 0) | OUT
        return events.items()

    def close(self):
        self.readers.clear()
        self.writers.clear()

    @staticmethod
    def dispatch(obj, flags):
        # waitress's readwrite() reads select.POLLIN, which Windows lacks.
        if flags & IN:
            read(obj)
        if flags & OUT:
            write(obj)


def pollster(kind):
    """A poll set: 'epoll', 'poll' or 'select' (a Select). Each waits in its own unit
    (`per_second`) and hands events to its `dispatch`."""
    if kind == "select":
        return Select()
    found = select.epoll() if kind == "epoll" else select.poll()
    return Waiting(found, 1 if kind == "epoll" else 1000)


class Waiting:
    """An epoll or poll object, with its unit of time and waitress's dispatch."""

    dispatch = staticmethod(readwrite)

    def __init__(self, found, per_second):
        self.found, self.per_second = found, per_second
        self.register, self.modify = found.register, found.modify
        self.unregister, self.poll = found.unregister, found.poll

    def close(self):
        if hasattr(self.found, "close"):
            self.found.close()


class Loop:
    def __init__(self, kind):
        self.pollster = pollster(kind)
        self.registered = {}  # fd -> the flags it is registered with (0: not registered)
        self.watch = set()  # fds to ask on every turn
        self.touched = set()  # fds that had an event on the last turn
        self.next_full_check = 0.0
        self.running = False
        self.stopping = False
        self.stopped = threading.Event()

    def loop(self, timeout=30.0, map=None, use_poll=True, count=None):
        """A stand-in for waitress.wasyncore.loop; map is a Sockets."""
        self.running = True
        try:
            while map and not self.stopping:
                self.turn(timeout, map)
        finally:
            self.pollster.close()
            self.stopped.set()

    def stop(self, wake):
        """Ask a running loop to finish its turn and return; wake() interrupts its wait."""
        self.stopping = True
        if self.running:
            wake()
            self.stopped.wait(5)

    def turn(self, timeout, map):
        gone, map.gone = map.gone, set()
        for fd in gone:
            self.forget(fd)
        new, map.new = map.new, set()
        now = time.monotonic()
        if now >= self.next_full_check:
            self.next_full_check = now + FULL_CHECK_EVERY
            ask = map.keys()
        else:
            changed, map.changed = map.changed, []
            ask = new | self.watch | self.touched | set(changed)
        for fd in list(ask):
            obj = map.get(fd)
            if obj is not None:
                self.update(fd, obj)
        self.touched = set()
        for fd, flags in self.pollster.poll(timeout * self.pollster.per_second):
            obj = map.get(fd)
            if obj is not None:
                self.pollster.dispatch(obj, flags)
                self.touched.add(fd)

    def update(self, fd, obj):
        flags = READ if obj.readable() else 0
        if obj.writable() and not obj.accepting:
            flags |= OUT
        self.set_flags(fd, flags)
        self.registered[fd] = flags
        if flags == READ and isinstance(obj, HTTPChannel):
            self.watch.discard(fd)  # idle: waiting for its next request
        else:
            self.watch.add(fd)

    def forget(self, fd):
        """fd was closed (and may be open again as a new connection)."""
        if self.registered.pop(fd, 0):
            with contextlib.suppress(OSError):  # epoll dropped it when it was closed
                self.pollster.unregister(fd)
        self.watch.discard(fd)

    def set_flags(self, fd, flags):
        before = self.registered.get(fd, 0)
        if flags == before:
            return
        if not flags:
            self.pollster.unregister(fd)
        elif before:
            self.pollster.modify(fd, flags)
        else:
            self.pollster.register(fd, flags)
