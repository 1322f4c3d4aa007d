import os
import re
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from lanqa.app import create_app
from lanqa.phone import Devices
from lanqa.server import Server


class Clock:
    """A settable clock for apps under test."""

    def __init__(self, now=1_800_000_000.0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock():
    return Clock()


# Apps under test sign voter ids with this key, so tests can hold a device's id.
VOTER_KEY = "test key"


def voter(nonce="abcdefghijklmnopqrstuv"):
    """A voter id as the apps under test hand them out; nonce: 22 letters."""
    return Devices(VOTER_KEY.encode()).sign(nonce)


VOTER = voter()

# Tests seed questions and votes through the API from the laptop's one address, far
# faster than one address may ask and vote in a hall: `lanqa serve` arguments for that.
SEEDING = ("--limits", "ask-address=100000/1,devices=100000/1,question-votes=100000/1")


@pytest.fixture
def app(tmp_path, clock):
    config = {"DATABASE": tmp_path / "lanqa.db", "CLOCK": clock, "VOTER_KEY": VOTER_KEY}
    app = create_app({**config, "TESTING": True})
    yield app
    app.extensions["store"].close()


@contextmanager
def serving(app, host="127.0.0.1"):
    """app served by LanQA's server on a free port of host, phones answered from memory."""
    server = Server(app, host, 0, quick=app.wsgi_app.phones.from_memory)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def running(app):
    with serving(app) as server:
        yield server


def settle(server):
    """Wait until no worker holds a request: a worker sends its answer a moment before
    it lets go of the request, and a phone's next poll comes seconds later."""
    deadline = time.monotonic() + 2
    channels = server._server.active_channels
    while any(c.requests for c in list(channels.values())) and time.monotonic() < deadline:
        time.sleep(0.001)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["store"]


@dataclass
class RunningServer:
    """`lanqa serve` in a subprocess, on a free port."""

    data_dir: Path
    args: tuple = ()
    command: tuple = ("serve",)
    env: dict = field(default_factory=dict)
    preexec: object = None  # runs in the child before lanqa starts, e.g. to set a limit
    proc: subprocess.Popen = None
    output: list = field(default_factory=list)
    port: int = None
    reader: threading.Thread = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout=15):
        command = [sys.executable, "-m", "lanqa", *self.command, "--port", "0"]
        command += ["--data-dir", str(self.data_dir), *self.args]
        self.proc = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1", **self.env},
            preexec_fn=self.preexec,
        )
        self.output = []
        started = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.output.append(line)
                found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
                if found and not started.is_set():
                    self.port = int(found.group(1))
                    started.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + timeout
        while not started.wait(0.05):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                pytest.fail("lanqa serve did not start:\n" + "".join(self.output))
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.reader.join(5)
        self.proc.stdout.close()
        return self.proc.returncode


@pytest.fixture
def serve(tmp_path):
    """Start `lanqa serve` (extra args allowed); stopped and its output shown on failure."""
    servers = []

    def start(*args, data_dir=None):
        server = RunningServer(data_dir or tmp_path / "data", args).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        died = server.proc.poll() is not None
        server.stop()
        if died and server.proc.returncode not in (0, -signal.SIGKILL):
            print("lanqa serve output:\n" + "".join(server.output))
