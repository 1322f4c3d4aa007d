"""A waitress connection that answers a phone's cached GET on the main loop.

waitress hands every request from its main loop to a worker thread and back: a queue,
a thread wake-up, a WSGI environ, a lock and a wake-up of the main loop to send the
bytes. For a poll answered from memory that hand-off is nearly all the cost, and with
2,000 phones it is what fills the core. So when a connection receives one whole,
plain GET (HTTP/1.1, no body) and the server's `quick` function can answer it from
memory (phone.Phones.from_memory), the answer is written here and now. Everything
else, and anything unusual about the request, goes to waitress's own parser and a
worker thread as usual. A 304 keeps its connection open here, where waitress would
close it; on a crowded server (see server.py) the answer closes its connection.
"""

import functools
import time

from waitress.buffers import OverflowableBuffer
from waitress.channel import HTTPChannel
from waitress.utilities import build_http_date

from lanqa.refusals import JsonErrorTask


class QuickChannel(HTTPChannel):
    """waitress's HTTPChannel, answering what it can from memory as it arrives."""

    takes_turns = None  # decided when its first request arrives
    error_task_class = JsonErrorTask  # waitress's refusals (400, 413, 431, 501) as JSON
    counted = False  # in the server's count of connections per address

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.server.per_address[self.addr[0]] += 1
        self.counted = True
        # When the head of the request in progress began to arrive (monotonic), or None
        # between requests; a new connection owes its first one from now (see server.py).
        self.head_since = time.monotonic()

    def del_channel(self, map=None):
        super().del_channel(map)
        if self.counted:
            self.counted = False
            self.server.per_address[self.addr[0]] -= 1

    def received(self, data):
        if self.takes_turns is None:
            # Came in when the server was crowded: close after each answer, so that the
            # sockets left go round all the late phones (see server.py).
            self.takes_turns = self.server.crowded()
        with self.requests_lock:
            idle = not (self.requests or self.request or self.will_close or self.close_when_flushed)
        if idle and self.head_since is None:
            self.head_since = time.monotonic()
        if idle and self.answer_now(data):
            self.head_since = None
            return True
        result = super().received(data)
        if self.request is None:  # nothing half-received
            self.head_since = None
        return result

    def service(self):
        """A worker's answer; one that takes turns closes after it, as its answers from
        memory do, rather than hold its socket until its next request."""
        if not self.takes_turns:
            return super().service()
        # As if the phone had asked to close: waitress says so in the answer, then closes.
        self.requests[0].headers["CONNECTION"] = "close"
        super().service()
        self.server.sockets.changed.append(self._fileno)  # for the main loop to see
        self.server.pull_trigger()

    def answer_now(self, data):
        """Answer data from memory if it is a request quick() knows; False if not."""
        head = plain_get(data)
        if head is None:
            return False
        target, headers = head
        answer = self.server.quick(target, headers, self.addr[0], self.server.effective_port)
        if answer is None:
            return False
        closing = self.takes_turns
        response = encode(answer, closing)
        with self.outbuf_lock:
            sent = 0
            if not self.total_outbufs_len:
                # Nothing waits to be sent: drop what earlier answers left in memory (a
                # buffer that once held 8 KB keeps it, and 2,000 idle phones add up),
                # and send this one at once; most go out whole and leave nothing.
                for buffer in self.outbufs:
                    buffer.close()
                self.outbufs = [OverflowableBuffer(self.adj.outbuf_overflow)]
                self.current_outbuf_count = 0
                try:
                    sent = self.send(response)
                except OSError:
                    self.will_close = True
                    return True
            if sent < len(response) and self.connected:
                # A buffer per answer, as waitress keeps one per request: a buffer that
                # was only partly sent becomes a file-like one that never shrinks.
                if self.current_outbuf_count:
                    self.outbufs.append(OverflowableBuffer(self.adj.outbuf_overflow))
                self.outbufs[-1].append(response[sent:])
                self.current_outbuf_count = self.adj.outbuf_high_watermark
                self.total_outbufs_len += len(response) - sent
        self.last_activity = time.time()
        if closing and not self.total_outbufs_len:
            self.handle_close()  # all sent: free the socket now, not a turn later
        elif closing:
            self.close_when_flushed = True
        return True


def plain_get(data):
    """(path and query, {lowercase name: value}) when data is exactly one complete
    HTTP/1.1 GET with no body and nothing waitress's parser should judge; None
    otherwise."""
    if not data.startswith(b"GET /") or data.find(b"\r\n\r\n") != len(data) - 4:
        return None
    first, *lines = data[:-4].decode("latin-1").split("\r\n")
    parts = first.split(" ")
    if len(parts) != 3 or parts[2] != "HTTP/1.1":
        return None
    if "%" in parts[1] or "#" in parts[1]:
        return None
    headers = {}
    for line in lines:
        name, colon, value = line.partition(":")
        name = name.lower()
        if not colon or not name or name != name.strip() or name in headers:
            return None
        headers[name] = value.strip()
    if "transfer-encoding" in headers or "expect" in headers:
        return None
    if headers.get("content-length", "0") != "0":
        return None
    if headers.get("connection", "keep-alive").lower() != "keep-alive":
        return None
    return parts[1], headers


@functools.lru_cache(maxsize=1)
def http_date(second):
    return build_http_date(second)


def encode(answer, closing=False):
    """The bytes of an HTTP/1.1 response, with the Date and Server waitress would add."""
    headers = answer.wire_headers() + ([("Connection", "close")] if closing else [])
    lines = [f"HTTP/1.1 {answer.status_line()}", *(f"{name}: {value}" for name, value in headers)]
    lines += [f"Date: {http_date(int(time.time()))}", "Server: LanQA"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + answer.body
