"""The server's main loop: idle keep-alive connections cost nothing per turn, and still
answer the moment they send their next request."""

import http.client
import threading
import time

import pytest
from waitress.channel import HTTPChannel

from lanqa import loop
from lanqa.server import Server


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]


@pytest.fixture(params=["native", "select"])
def server(request, monkeypatch):
    """The loop this system uses (epoll here), and the one Windows uses (select())."""
    if request.param == "select":
        monkeypatch.setenv("LANQA_LOOP", "select")
    running = Server(hello, "127.0.0.1", 0)
    assert (running.kind == "select") == (request.param == "select")
    threading.Thread(target=running.run, daemon=True).start()
    yield running
    running.close()


def connections(server, count):
    """count keep-alive connections that have each made one request and now wait."""
    made = []
    for n in range(count):
        # Each from an address of its own, as phones are: one address may hold only a
        # share of the server's sockets.
        source = (f"127.6.{n // 250}.{n % 250 + 1}", 0)
        conn = http.client.HTTPConnection(
            "127.0.0.1", server.port, timeout=5, source_address=source
        )
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"ok"
        made.append(conn)
    return made


def test_idle_connections_are_not_asked_about_on_every_turn(server, monkeypatch):
    idle = connections(server, 200)
    # The loop's full check asks everyone once a second; on a busy machine one could
    # fall among the requests below. Past the next one, the one after is a minute away.
    monkeypatch.setattr(loop, "FULL_CHECK_EVERY", 60.0)
    time.sleep(1.2)
    asked = []
    readable = HTTPChannel.readable
    monkeypatch.setattr(HTTPChannel, "readable", lambda self: asked.append(self) or readable(self))
    [busy] = connections(server, 1)
    for _ in range(20):
        busy.request("GET", "/")
        assert busy.getresponse().read() == b"ok"
    # 20 requests take dozens of turns; asking all 201 connections each turn would be thousands.
    assert len(asked) < 1000, len(asked)
    for conn in [*idle, busy]:
        conn.close()


def test_every_idle_connection_is_answered_when_it_speaks_again(server):
    idle = connections(server, 300)
    time.sleep(0.3)
    started = time.monotonic()
    for conn in idle:
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"ok"
        conn.close()
    # Missed by the loop would mean waiting for its one-second full check each time.
    assert time.monotonic() - started < 10


def test_connections_that_close_and_reopen_on_the_same_numbers_are_answered(server):
    started = time.monotonic()
    for _ in range(200):
        # Closing one and opening the next hands the new socket the old one's number.
        [conn] = connections(server, 1)
        conn.close()
    [last] = connections(server, 1)
    last.close()
    # A stale registration would leave a connection unanswered until the full check.
    assert time.monotonic() - started < 10
