"""Keeping this computer and its display awake, with what each system offers for it.

`hold(reason)` asks; what it returns is let go with `.release()` (or as a context
manager). Where the system offers nothing that answers, hold() logs one line and holds
nothing: LanQA runs on, under the laptop's own power settings. `KeepAwake` decides when:
while a LanQA window shows a session.

Each hold also ends with LanQA's process, even a killed one: Windows drops a thread's
state when the thread ends, caffeinate -w watches LanQA's process id, and the desktop
drops an inhibition when the D-Bus connection that asked for it closes.
"""

import logging
import os
import queue
import subprocess
import sys
import threading
from urllib.parse import urlsplit

APP = "LanQA"
log = logging.getLogger("lanqa.awake")

# The desktop services that take an inhibition as Inhibit(app, reason) -> cookie and end it
# with UnInhibit(cookie), as (bus name, object path, interface). GNOME takes the first as
# "the session is not idle": no blank screen, no automatic suspend. KDE and Xfce keep the
# screen on for the first and hold off automatic suspend only for the second.
INHIBITORS = [
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver"),
    (
        "org.freedesktop.PowerManagement",
        "/org/freedesktop/PowerManagement/Inhibit",
        "org.freedesktop.PowerManagement.Inhibit",
    ),
]


def hold(reason):
    """Keep this computer and its display awake until the release() of what this returns.

    reason: a sentence in the user's language; the desktop may show it (Linux)."""
    kind = Windows if sys.platform == "win32" else Mac if sys.platform == "darwin" else Desktop
    try:
        return kind(reason)
    except Exception as error:  # no bus, no service, no caffeinate, a refusal
        why = f"{type(error).__name__}: {error}"
        log.warning("Cannot keep this computer awake, its power settings apply: %s", why)
        return Hold()


class KeepAwake:
    """Keeps the computer awake while a LanQA window shows a session (an /event/ page: the
    host view, the projector, a guest view), and lets it sleep again when none does.

    Each view is a page of its own (see assets/app.js), so a window's "loaded" event says
    which one it shows: going back to the start page releases, closing a window too."""

    def __init__(self, reason, hold=hold):
        self._reason, self._hold = reason, hold
        self._lock = threading.Lock()
        self._showing = set()  # the windows that show a session
        self._held = None

    def watch(self, window):
        # pywebview calls these on threads of its own. The URL is asked outside the lock:
        # get_current_url() waits for the window's main loop.
        window.events.loaded += lambda: self.shown(window, window.get_current_url())
        window.events.closed += lambda: self.shown(window, None)

    def shown(self, window, url):
        """window now shows url (None: it was closed)."""
        with self._lock:
            if urlsplit(url or "").path.startswith("/event/"):
                self._showing.add(window)
            else:
                self._showing.discard(window)
            if self._showing and self._held is None:
                self._held = self._hold(self._reason)
            elif not self._showing and self._held is not None:
                self._let_go()

    def release(self):
        """Let the computer sleep again, whatever the windows show (LanQA is stopping)."""
        with self._lock:
            self._showing.clear()
            if self._held is not None:
                self._let_go()

    def _let_go(self):
        self._held.release()
        self._held = None


class Hold:
    """What hold() returns; this base holds nothing."""

    def release(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.release()


class Windows(Hold):
    """SetThreadExecutionState. The state belongs to the thread that sets it and ends with
    that thread, so a thread of its own sets it and waits for release()."""

    # ES_CONTINUOUS, ES_SYSTEM_REQUIRED, ES_DISPLAY_REQUIRED
    CONTINUOUS, SYSTEM, DISPLAY = 0x80000000, 0x1, 0x2

    def __init__(self, reason):
        import ctypes

        self._set = ctypes.WinDLL("kernel32").SetThreadExecutionState
        self._set.argtypes, self._set.restype = [ctypes.c_uint32], ctypes.c_uint32
        self._done, answer = threading.Event(), queue.SimpleQueue()
        threading.Thread(target=self._keep, args=(answer,), name="lanqa-awake", daemon=True).start()
        if not answer.get(timeout=5):
            raise OSError("SetThreadExecutionState refused")

    def _keep(self, answer):
        previous = self._set(self.CONTINUOUS | self.SYSTEM | self.DISPLAY)
        answer.put(previous)
        if previous:  # 0: it failed, and there is nothing to undo
            self._done.wait()
            self._set(self.CONTINUOUS)  # back to the system's own timers

    def release(self):
        self._done.set()


class Mac(Hold):
    """caffeinate (macOS 10.8 and later): -d the display, -i the system, until it is ended
    or LanQA's process is gone (-w)."""

    def __init__(self, reason):
        self._process = subprocess.Popen(
            ["caffeinate", "-d", "-i", "-w", str(os.getpid())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        log.info("Keeping this computer awake: caffeinate")

    def release(self):
        if self._process.poll() is None:
            self._process.terminate()
        self._process.wait(5)


class Desktop(Hold):
    """The freedesktop inhibit services on the session D-Bus (Linux, BSD), through jeepney."""

    def __init__(self, reason):
        from jeepney.io.blocking import open_dbus_connection

        # Kept open while held: the desktop ends an inhibition when its connection closes.
        self._bus = open_dbus_connection("SESSION")
        self._cookies, refused = {}, []
        for service in INHIBITORS:
            try:
                [self._cookies[service]] = self._call(service, "Inhibit", "ss", (APP, reason))
            except Exception as error:  # not on this desktop (ServiceUnknown), or refused
                refused.append(f"{service[0]}: {error}")
        if not self._cookies:
            self._bus.close()
            raise OSError("; ".join(refused))
        taken = ", ".join(name for name, _path, _interface in self._cookies)
        log.info("Keeping this computer awake: %s", "; ".join([taken, *refused]))

    def _call(self, service, method, signature, body):
        """The body of the reply to method on service; DBusErrorResponse if it is an error."""
        from jeepney import DBusAddress, new_method_call
        from jeepney.wrappers import unwrap_msg

        name, path, interface = service
        message = new_method_call(
            DBusAddress(path, bus_name=name, interface=interface), method, signature, body
        )
        return unwrap_msg(self._bus.send_and_get_reply(message, timeout=2))

    def release(self):
        if self._bus is None:
            return
        try:
            for service, cookie in self._cookies.items():
                self._call(service, "UnInhibit", "u", (cookie,))
        except Exception as error:  # the desktop left, or no longer answers
            log.warning("Cannot end the inhibition, closing its connection ends it: %s", error)
        finally:
            self._bus.close()
            self._bus = None
