"""waitress serving the app: bind a port, run, stop."""

import errno
import logging
import sys

from waitress.server import create_server

from lanqa.channel import QuickChannel
from lanqa.loop import Loop, Sockets

WINDOWS = sys.platform == "win32"
SETTINGS = {
    "threads": 8,
    # Each phone keeps a connection open; waitress's default of 100 times out a hall.
    # Windows has no poll(), and its select() takes at most 512 sockets.
    "connection_limit": 480 if WINDOWS else 5000,
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


class Server:
    """A waitress server on host:port, or on the next free port when that one is taken.
    A Flask app from create_app also gets its phones' polls answered on the main loop."""

    def __init__(self, app, host="0.0.0.0", port=0, tries=20):
        # waitress warns each time a request finds others queued for a worker; under a
        # hall's load that is normal, and would be hundreds of log lines a second.
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)
        last = port + tries - 1 if port else 0
        for number in range(port, last + 1):
            try:
                self._server = create_server(app, map=Sockets(), host=host, port=number, **SETTINGS)
                break
            except OSError as error:
                if error.errno != errno.EADDRINUSE or number == last:
                    raise
        quick = getattr(app, "extensions", {}).get("quick")
        if quick:
            self._server.quick = quick
            self._server.channel_class = QuickChannel
        # Elsewhere waitress's own loop would use select(), which fails above 1024
        # file descriptors; LanQA's loop uses epoll or poll() (see loop.py).
        self._loop = None
        if not WINDOWS:
            self._loop = self._server.asyncore = Loop()
        self.host = host
        self.port = self._server.effective_port

    def run(self):
        """Serve until closed, or until Ctrl+C / SIGTERM in the main thread."""
        self._server.run()

    def close(self):
        # Stop the loop before closing its sockets, so it never reads a closed one.
        if self._loop:
            self._loop.stop(wake=self._server.pull_trigger)
        self._server.close()
