"""The server within an ordinary laptop's limits: the open-file limit, select()'s 512
sockets, and more phones than connections."""

import errno
import http.client
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from conftest import VOTER as VOTER_ID
from conftest import RunningServer
from waitress import wasyncore

from lanqa import server as server_module
from lanqa.server import Server, connection_cap, raise_open_file_limit

try:
    import resource
except ImportError:  # Windows: no open-file limit to test
    resource = None

VOTER = f"lanqa_voter={VOTER_ID}"
needs_rlimit = pytest.mark.skipif(resource is None, reason="no open-file limit on Windows")


@pytest.fixture
def event(client):
    eid = client.post("/api/event").json["id"]
    client.post(f"/api/event/{eid}", json={"body": "Will everyone get in?"})
    return eid


@pytest.fixture
def small(app, monkeypatch):
    """A running server on the Windows path (select()) with a cap of 24 connections."""
    monkeypatch.setenv("LANQA_LOOP", "select")
    monkeypatch.setattr(server_module, "SELECT_CONNECTIONS", 24)
    running = Server(app, "127.0.0.1", 0, quick=app.wsgi_app.phones.from_memory)
    assert (running.kind, running.cap) == ("select", 24)
    threading.Thread(target=running.run, daemon=True).start()
    yield running
    running.close()


def address(n):
    return f"127.5.{n // 250}.{n % 250 + 1}"


class Phone:
    """A phone on a loopback address of its own that reconnects when the server closes,
    as a browser does (also when its idle keep-alive connection was closed), and keeps
    the voter cookie the server gives it."""

    def __init__(self, port, n):
        self.port, self.n, self.conn, self.cookie = port, n, None, VOTER

    def poll(self, path):
        for attempt in (1, 2):
            reused = self.conn is not None
            if not reused:
                self.conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=10, source_address=(address(self.n), 0)
                )
            try:
                self.conn.request("GET", path, headers={"Cookie": self.cookie})
                response = self.conn.getresponse()
                body = response.read()
                self.cookie = (response.getheader("Set-Cookie") or self.cookie).split(";")[0]
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if reused and attempt == 1:
                    continue  # closed while idle: go again on a new connection
                raise
            if response.will_close:
                self.close()
            return response.status, response.getheader("Connection"), body

    def close(self):
        if self.conn:
            self.conn.close()
            self.conn = None


def test_a_crowded_server_serves_five_times_more_phones_than_its_cap(small, event):
    path = f"/api/event/{event}/questions"
    phones = [Phone(small.port, n) for n in range(120)]
    with ThreadPoolExecutor(60) as pool:
        for _ in range(3):
            answers = list(pool.map(lambda phone: phone.poll(path), phones))
            assert [status for status, _, _ in answers] == [200] * 120
            assert all(b"Will everyone get in?" not in body for _, _, body in answers)
    # Past half the cap, answers close their connection so that sockets go round.
    closing = [phone for phone in phones if phone.conn is None]
    assert len(closing) > 120 - 24
    assert len(small._server.sockets) <= 24
    for phone in phones:
        phone.close()


def test_phones_in_before_the_crowd_keep_their_connections(small, event):
    path = f"/api/event/{event}/questions"
    early = [Phone(small.port, n) for n in range(8)]  # 8 + the listener + the trigger < 24 / 2
    late = [Phone(small.port, n) for n in range(10, 40)]
    for phone in early:
        assert phone.poll(path)[:2] == (200, None)
    sockets = [phone.conn.sock for phone in early]
    silent = [socket.create_connection(("127.0.0.1", small.port)) for _ in range(5)]
    for phone in late:
        assert phone.poll(path)[:2] == (200, "close")
    for phone in early:
        assert phone.poll(path)[:2] == (200, None)
    assert [phone.conn.sock for phone in early] == sockets
    for phone in early:
        phone.close()
    for sock in silent:
        sock.close()


def test_out_of_files_pauses_accepting_instead_of_spinning(small, monkeypatch, caplog):
    listener = small._server

    def out_of_files(self):
        raise OSError(errno.EMFILE, "Too many open files")

    monkeypatch.setattr(wasyncore.dispatcher, "accept", out_of_files)
    with caplog.at_level(logging.WARNING, logger="lanqa.server"):
        assert listener.accept() is None
    assert not listener.readable()  # for a second: no busy loop on a readable socket
    assert [r.getMessage() for r in caplog.records] == [
        "out of open files: new connections wait a second"
    ]


@needs_rlimit
def test_the_open_file_limit_is_raised_to_the_hard_limit():
    code = "from lanqa.server import raise_open_file_limit; print(raise_open_file_limit())"
    for soft, hard in ((256, 4096), (1024, 1024)):
        found = subprocess.run(
            [sys.executable, "-c", code],
            preexec_fn=lambda limits=(soft, hard): resource.setrlimit(
                resource.RLIMIT_NOFILE, limits
            ),
            capture_output=True,
            text=True,
            check=True,
        )
        assert int(found.stdout) == hard
    assert raise_open_file_limit() >= 1024


def test_the_cap_leaves_room_for_files_that_are_not_phones():
    assert connection_cap("epoll", 1024) == 1024 - server_module.RESERVED_FILES
    assert connection_cap("epoll", 1_000_000) == server_module.MAX_CONNECTIONS
    assert connection_cap("select", 20_000) == server_module.SELECT_CONNECTIONS
    assert connection_cap("select", None) == server_module.SELECT_CONNECTIONS


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@needs_rlimit
@pytest.mark.parametrize("limit", [256, 1024])
def test_more_sockets_than_the_open_file_limit_allows(tmp_path, limit):
    """Under a laptop's open-file limit: the server says how many it holds; when more
    sockets come than it can hold, it does not spin or flood its log, keeps answering
    the phones it has, and lets a new phone in as soon as sockets close."""
    data = tmp_path / "data"
    server = RunningServer(data, ("--host", "127.0.0.1"))
    server.preexec = lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    server.start()
    try:
        cap = limit - server_module.RESERVED_FILES
        output = "".join(server.output)
        assert f"Room for {cap} phones connected at once" in output and "Warning" in output
        eid = requests.post(server.url + "/api/event", timeout=5).json()["id"]
        requests.post(f"{server.url}/api/event/{eid}", json={"body": "Anyone there?"}, timeout=5)
        path = f"/api/event/{eid}/questions"
        phones = [Phone(server.port, n) for n in range(10)]
        failures, stop = [], threading.Event()

        def keep_polling(phone):
            while not stop.is_set():
                try:
                    if phone.poll(path)[0] != 200:
                        failures.append(phone.n)
                except OSError as error:
                    failures.append(error)
                time.sleep(0.2)

        for phone in phones:  # in before the crowd
            assert phone.poll(path)[:2] == (200, None)
        pollers = [threading.Thread(target=keep_polling, args=(p,)) for p in phones]
        for poller in pollers:
            poller.start()
        # Then more connections than the server may hold, that send nothing (yet).
        crowd = [
            socket.create_connection(("127.0.0.1", server.port), 5, (address(100 + n), 0))
            for n in range(cap + 100)
        ]
        time.sleep(1)
        held = len(os.listdir(f"/proc/{server.proc.pid}/fd"))
        assert held >= cap, f"only {held} files open: the crowd did not reach the cap"
        assert held < limit
        newcomer = Phone(server.port, 9999)
        with pytest.raises(TimeoutError):  # waits in the queue: nothing is free
            newcomer.conn = http.client.HTTPConnection(
                "127.0.0.1", server.port, timeout=1, source_address=(address(9999), 0)
            )
            newcomer.conn.request("GET", path, headers={"Cookie": VOTER})
            newcomer.conn.getresponse()
        newcomer.close()
        time.sleep(1)
        before = cpu_seconds(server.proc.pid)
        time.sleep(3)
        busy = (cpu_seconds(server.proc.pid) - before) / 3
        assert busy < 0.3, f"the server used {busy:.0%} of a core at its cap"
        stop.set()
        for poller in pollers:
            poller.join(15)
        assert failures == []
        for sock in crowd:
            sock.close()
        started = time.monotonic()
        assert newcomer.poll(path)[0] == 200
        assert time.monotonic() - started < 2
        newcomer.close()
        for phone in phones:
            phone.close()
        log_lines = (data / "lanqa.log").read_text().splitlines()
        assert len(log_lines) < 20, log_lines
        assert not any(re.search("Too many open files", line) for line in log_lines)
    finally:
        server.stop()


@pytest.fixture
def guarded(app, monkeypatch):
    """A running server with a cap of 200 connections (20 per address) that closes a
    connection whose request head has not all come within a second."""
    monkeypatch.setattr(server_module, "MAX_CONNECTIONS", 200)
    monkeypatch.setattr(server_module, "HEAD_TIMEOUT", 1)
    running = Server(app, "127.0.0.1", 0, quick=app.wsgi_app.phones.from_memory)
    assert running.cap == 200 and running._server.address_cap == 20
    threading.Thread(target=running.run, daemon=True).start()
    yield running
    running.close()


def closed_by_server(sock, within):
    """Whether the server closed sock (EOF or reset) within that many seconds."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_one_address_holds_only_its_share_of_the_sockets(guarded, event):
    attacker = [
        socket.create_connection(("127.0.0.1", guarded.port), 5, ("127.7.0.1", 0))
        for _ in range(60)
    ]
    time.sleep(0.3)
    assert guarded._server.per_address["127.7.0.1"] == 20
    assert sum(closed_by_server(sock, 0.5) for sock in attacker[20:]) == 40
    started = time.monotonic()
    phone = Phone(guarded.port, 2)  # another address
    assert phone.poll("/")[0] == 200  # the page
    assert phone.poll(f"/api/event/{event}/questions")[0] == 200
    assert time.monotonic() - started < 1
    phone.close()
    for sock in attacker:
        sock.close()


def test_a_request_head_sent_too_slowly_is_closed_and_its_socket_freed(guarded, event):
    path = f"/api/event/{event}/questions"
    idle_phone = Phone(guarded.port, 1)
    assert idle_phone.poll(path)[:2] == (200, None)  # then waits for its next poll
    kept = idle_phone.conn.sock
    slow = []
    for n in range(190):  # from many addresses, up to the cap: a slowloris
        sock = socket.create_connection(("127.0.0.1", guarded.port), 5, (address(300 + n), 0))
        if n % 2:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # a head that never ends
        slow.append(sock)
    time.sleep(0.3)
    assert len(guarded._server.sockets) >= 190
    assert all(closed_by_server(sock, 3) for sock in slow)
    started = time.monotonic()
    newcomer = Phone(guarded.port, 2)
    assert newcomer.poll(path)[0] == 200 and time.monotonic() - started < 1
    # A phone between two polls has sent all it owes: it keeps its connection.
    assert idle_phone.poll(path)[:2] == (200, None) and idle_phone.conn.sock is kept
    for sock in slow:
        sock.close()
    newcomer.close()
    idle_phone.close()
