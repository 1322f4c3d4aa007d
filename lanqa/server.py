"""waitress serving the app: bind a port, run, stop; within what this system allows.

Each phone keeps a connection, and each connection is an open file. The connection cap
comes from the open-file limit (raised as far as the system lets it), and from
select()'s 512 sockets where select() is all there is (Windows, or LANQA_LOOP=select).
Past half the cap the server is crowded: a phone that comes in then has its connection
closed after each answer, so that the rest of the sockets go round all the late
phones, while those that came in earlier keep theirs.
"""

import collections
import errno
import logging
import os
import select
import sys
import time

from waitress.adjustments import Adjustments
from waitress.server import TcpWSGIServer, create_server
from waitress.wasyncore import close_all

from lanqa import internals
from lanqa.channel import QuickChannel
from lanqa.logs import OncePerMinute
from lanqa.loop import Loop, Sockets

log = logging.getLogger("lanqa.server")
MAX_CONNECTIONS = 10000  # 5,000 phones keep their connections: half the cap
SELECT_CONNECTIONS = 480  # select() takes at most 512 sockets on Windows
HEAD_TIMEOUT = 5  # seconds for a request's head to arrive, from its first byte
# Files that are not phones: SQLite (two per connection), the log, the window's, the
# trigger, the poll set. The app with its window open and no phones holds 38 on Linux;
# the rest is to spare (more readers under load, the projector window).
RESERVED_FILES = 120
SETTINGS = {
    "threads": 8,
    # An idle or stalled connection is closed after a minute; phones reconnect.
    "channel_timeout": 60,
    "cleanup_interval": 10,
    # A connection stays readable while a worker has its request, so the main loop
    # need not unregister and register it again around every request (see loop.py).
    "channel_request_lookahead": 1,
    # Request bodies are capped at 1 KiB by the app (a JSON 413); this is the outer wall.
    "max_request_body_size": 65536,
    "max_request_header_size": 16384,
    "ident": "LanQA",
}


def loop_kind():
    """'epoll', 'poll' or 'select': what this system offers, or LANQA_LOOP=select."""
    if os.environ.get("LANQA_LOOP") == "select" or sys.platform == "win32":
        return "select"
    return "epoll" if hasattr(select, "epoll") else "poll"


def raise_open_file_limit():
    """Raise the soft open-file limit as far as the hard one allows; the limit now in
    force, or None where there is no such limit (Windows)."""
    try:
        import resource
    except ImportError:
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # macOS reports an unlimited hard limit but refuses more than OPEN_MAX (10240).
    for wanted in (hard, 10240):
        if wanted == resource.RLIM_INFINITY or wanted <= soft:
            continue
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            return wanted
        except (ValueError, OSError):
            pass
    return soft


def connection_cap(kind, open_files):
    """How many connections this server may hold at once."""
    cap = SELECT_CONNECTIONS if kind == "select" else MAX_CONNECTIONS
    if open_files is not None:
        cap = min(cap, open_files - RESERVED_FILES)
    return max(cap, 16)


class Listener(TcpWSGIServer):
    """waitress's TCP server with LanQA's main loop, answering phones from memory.

    quick(target, headers, address, port) answers a plain GET from memory, or
    returns None (see channel.py)."""

    channel_class = QuickChannel

    def __init__(self, app, quick, kind, adj):
        self.quick = quick
        self.sockets = Sockets()
        self.keep_alive_below = adj.connection_limit // 2
        # One address (one guest's laptop) may hold a tenth of the sockets, a handful
        # of phones behind one hotspot at least: nobody can take them all.
        self.per_address = collections.Counter()
        self.address_cap = max(16, adj.connection_limit // 10)
        self.paused_until = self.next_sweep = self.next_refusal_log = 0.0
        try:
            super().__init__(app, map=self.sockets, adj=adj, sockinfo=adj.listen[0])
        except OSError:
            close_all(self.sockets)  # the trigger and socket made before the bind failed
            raise
        self.asyncore = Loop(kind)  # what run() drives instead of waitress's select() loop

    def crowded(self):
        return len(self.sockets) >= self.keep_alive_below

    def handle_accept(self):
        # waitress accepts one connection per turn of the loop; when phones reconnect
        # for every poll (a crowded server) that leaves them queueing. Take all that wait.
        for _ in range(64):
            before = len(self.sockets)
            super().handle_accept()
            if len(self.sockets) == before or len(self.sockets) >= self.adj.connection_limit:
                break

    def accept(self):
        """The next waiting connection from an address under its cap; those over it are
        closed at once."""
        for _ in range(64):
            try:
                found = super().accept()
            except OSError as error:
                if error.errno not in (errno.EMFILE, errno.ENFILE):
                    raise
                # Out of files after all: wait for connections to close, rather than
                # retrying (and logging) in a busy loop.
                self.paused_until = time.monotonic() + 1
                log.warning("out of open files: new connections wait a second")
                return None
            if found is None or self.per_address[found[1][0]] < self.address_cap:
                return found
            found[0].close()
            if time.monotonic() >= self.next_refusal_log:  # one line a minute at most
                self.next_refusal_log = time.monotonic() + 60
                log.warning("%s holds its share of connections: closed more", found[1][0])
        return None

    def readable(self):
        now = time.monotonic()
        if now >= self.next_sweep:
            self.next_sweep = now + 1
            self.close_slow_heads(now)
        return now >= self.paused_until and super().readable()

    def close_slow_heads(self, now):
        """Close the connections whose request head has not all come within
        HEAD_TIMEOUT: a slow sender (slowloris) keeps no socket from a phone."""
        for channel in list(self.active_channels.values()):
            if channel.head_since is not None and now - channel.head_since > HEAD_TIMEOUT:
                channel.will_close = True  # as waitress's own idle timeout does
                self.sockets.changed.append(channel._fileno)


class Server:
    """A waitress server on host:port, or on the next free port when that one is taken.
    quick, if given, answers phones' plain GETs from memory on the main loop."""

    def __init__(self, app, host="0.0.0.0", port=0, quick=None, tries=20):
        # waitress warns each time a request finds others queued for a worker; under a
        # hall's load that is normal, and would be hundreds of log lines a second.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        waitress_log = logging.getLogger("waitress")
        if not any(isinstance(f, OncePerMinute) for f in waitress_log.filters):
            waitress_log.addFilter(OncePerMinute())
        self.kind = loop_kind()
        self.open_files = raise_open_file_limit()
        self.cap = connection_cap(self.kind, self.open_files)
        self.missing = internals.missing()
        if self.missing:
            log.warning(
                "this waitress differs from the one LanQA was tested with (%s): serving "
                "with plain waitress, which is correct but slower",
                ", ".join(self.missing),
            )
        self._loop = None
        last = port + tries - 1 if port else 0
        for number in range(port, last + 1):
            try:
                self._server = self._bind(app, host, number, quick)
                break
            except OSError as error:
                if error.errno != errno.EADDRINUSE or number == last:
                    raise
        self.host = host
        self.port = self._server.effective_port

    def _bind(self, app, host, port, quick):
        settings = {**SETTINGS, "host": host, "port": port, "connection_limit": self.cap}
        if self.missing:
            use_poll = self.kind != "select"
            made = {}  # what waitress makes before it binds, to close if that fails
            try:
                return create_server(app, map=made, asyncore_use_poll=use_poll, **settings)
            except OSError:
                close_all(made)
                raise
        listener = Listener(
            app, quick or (lambda *request: None), self.kind, Adjustments(**settings)
        )
        self._loop = listener.asyncore
        return listener

    def run(self):
        """Serve until closed, or until Ctrl+C / SIGTERM in the main thread."""
        self._server.run()

    def close(self):
        # Stop the loop before closing its sockets, so it never reads a closed one.
        if self._loop:
            self._loop.stop(wake=self._server.pull_trigger)
            close_all(self._server.sockets)  # the phones' connections too
        else:
            self._server.close()  # waitress's own loop cannot be stopped: leave it its map
        # Let requests in hand finish, so that none touches the database after it closes.
        self._server.task_dispatcher.shutdown(timeout=5)
