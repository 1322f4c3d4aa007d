"""A private D-Bus session bus, and a stand-in desktop on it that records inhibit calls.

Used by test_awake.py and test_window.py: point DBUS_SESSION_BUS_ADDRESS at the bus.
"""

import itertools
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest

from lanqa.awake import INHIBITORS

needs_dbus = pytest.mark.skipif(
    not sys.platform.startswith("linux") or not shutil.which("dbus-daemon"),
    reason="a private D-Bus session bus needs Linux and dbus-daemon (apt dbus)",
)


# A session bus as the system's session.conf makes one, without its service folders: no
# real desktop service can be started on it by a call.
CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:path={path}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@contextmanager
def private_bus(folder):
    """A dbus-daemon of its own listening in folder; yields its address."""
    config = folder / "bus.conf"
    config.write_text(CONFIG.format(path=folder / "bus"))
    daemon = subprocess.Popen(
        ["dbus-daemon", f"--config-file={config}", "--nofork", "--nopidfile", "--print-address"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        yield daemon.stdout.readline().strip()
    finally:
        daemon.terminate()
        daemon.wait(10)
        daemon.stdout.close()


class StandIn:
    """Owns the inhibit services (all of INHIBITORS, or those given) on the bus at address,
    answers Inhibit with a new cookie and UnInhibit with nothing, and records each call as
    (interface, method, arguments)."""

    def __init__(self, address, services=INHIBITORS):
        from jeepney.bus_messages import message_bus
        from jeepney.io.blocking import open_dbus_connection
        from jeepney.wrappers import unwrap_msg

        self.calls, self.paths = [], {interface: path for _name, path, interface in services}
        self._conn = open_dbus_connection(address)
        for name, _path, _interface in services:
            reply = self._conn.send_and_get_reply(message_bus.RequestName(name), timeout=5)
            assert unwrap_msg(reply) == (1,), f"{name} is not ours"  # 1: primary owner
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        from jeepney import HeaderFields, MessageType
        from jeepney.wrappers import new_error, new_method_return

        cookies = itertools.count(7001)
        while not self._stop.is_set():
            try:
                message = self._conn.receive(timeout=0.05)
            except TimeoutError:
                continue
            fields = message.header.fields
            if message.header.message_type != MessageType.method_call:
                continue  # NameAcquired and the like
            interface, method = fields.get(HeaderFields.interface), fields[HeaderFields.member]
            known = self.paths.get(interface) == fields[HeaderFields.path]
            if known and method == "Inhibit":
                cookie = next(cookies)
                self.calls.append((interface, method, (*message.body, cookie)))
                self._conn.send(new_method_return(message, "u", (cookie,)))
            elif known and method == "UnInhibit":
                self.calls.append((interface, method, message.body))
                self._conn.send(new_method_return(message))
            else:
                error = "org.freedesktop.DBus.Error.UnknownMethod"
                self._conn.send(new_error(message, error, "s", (f"no {method} here",)))

    def close(self):
        self._stop.set()
        self._thread.join(5)
        self._conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
