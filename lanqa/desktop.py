"""The desktop window (pywebview): the only module that imports webview."""

import importlib.util
import logging
import os
import re
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

from lanqa import awake, i18n
from lanqa.i18n import _

# What pywebview can draw a window with on Linux: GTK through gi, or Qt through qtpy.
BINDINGS = ("gi", "qtpy")
# How to get the window on Linux, by how LanQA was installed (see install_kind).
ADVICE = {
    "bundle": _("For the window: sudo apt install gir1.2-webkit2-4.1"),
    "venv": _(
        'For the window: sudo apt install python3-gi gir1.2-webkit2-4.1, then recreate this virtual environment with /usr/bin/python3 -m venv --system-site-packages (or pip install "pywebview[qt]")'  # noqa: E501
    ),
    "system": _("For the window: sudo apt install python3-gi gir1.2-webkit2-4.1"),
}
# What the desktop may show as the reason the computer stays awake (Linux).
AWAKE_REASON = _("A Q&A session is open")
# The windows' sizes on a large screen, as (width, height), and what a smaller screen leaves
# them: room for a taskbar or menu bar and the window's title bar (pywebview sizes the
# window's inside), so that the host view's last row (Export) is in view.
WINDOW, PROJECTOR, MIN_SIZE, SMALLEST = (1280, 820), (1280, 720), (720, 540), (480, 360)
MARGIN = 100


def gui_problem():
    """None when a window can open here, else a short reason why not."""
    linux = sys.platform.startswith("linux")
    if linux and not has_display():
        return _("no display")
    # Asking pywebview would print a traceback for each toolkit it fails to import.
    if linux and not any(importlib.util.find_spec(name) for name in BINDINGS):
        return _("this Python has no GTK or Qt bindings")
    try:
        with quiet_pywebview():
            import webview

            webview.initialize()
    except Exception as error:  # ImportError, WebViewException, a broken GTK or Qt
        return str(error) or type(error).__name__
    return None


def has_display():
    """Whether an X11 or Wayland display is there to show a window on (Linux)."""
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


@contextmanager
def quiet_pywebview():
    """Keep pywebview's log (a traceback per toolkit that fails to load) off the terminal."""
    logger = logging.getLogger("pywebview")
    was = logger.disabled
    logger.disabled = True
    try:
        yield
    finally:
        logger.disabled = was


def advice():
    """One line on what to install for the window, or None where installing would not help."""
    if not sys.platform.startswith("linux") or not has_display():
        return None
    return ADVICE[install_kind()]


def install_kind():
    """How LanQA runs: "bundle" (PyInstaller), "venv" (blind to apt's python3-gi), or "system"."""
    if getattr(sys, "frozen", False):
        return "bundle"
    if sys.prefix != sys.base_prefix and not sees_system_packages(Path(sys.prefix)):
        return "venv"
    return "system"


def sees_system_packages(venv):
    """Whether the virtual environment at venv was made with --system-site-packages."""
    try:
        config = (venv / "pyvenv.cfg").read_text(encoding="utf-8")
    except OSError:
        return False
    return bool(re.search(r"^include-system-site-packages\s*=\s*true\s*$", config, re.M | re.I))


class Bridge:
    """What the page in the window may call, as window.pywebview.api.*."""

    def __init__(self, base_url, keep_awake=None):
        self._base_url = base_url
        self._awake = keep_awake
        self._window = None
        self._projector = None

    def open_projector(self, path):
        """Show path (an event's projector page) in a second window, for a second screen."""
        import webview

        if not path.startswith("/event/"):
            return False
        if self._projector:
            self._projector.load_url(self._base_url + path)
            self._projector.show()
            return True
        width, height = fit(PROJECTOR, screens())
        self._projector = webview.create_window(
            i18n.say(_("LanQA projector"), i18n.system_language()),
            self._base_url + path,
            width=width,
            height=height,
        )
        self._projector.events.closed += self._forget_projector
        if self._awake is not None:
            self._awake.watch(self._projector)
        return True

    def _forget_projector(self):
        self._projector = None

    def save_file(self, filename, content):
        """Ask where to save content (a native dialog); the path written, or None if cancelled."""
        import webview

        chosen = self._window.create_file_dialog(webview.FileDialog.SAVE, save_filename=filename)
        if not chosen:
            return None
        path = Path(chosen if isinstance(chosen, str) else chosen[0])
        path.write_text(content, encoding="utf-8", newline="")
        return str(path)


def open_window(url, storage, then=None, loaded=None):
    """Show url in the LanQA window; returns when the window is closed.

    then(window), if given, runs in a thread of its own once the window exists; loaded(),
    each time a page has loaded in it."""
    import webview

    keep_awake = awake.KeepAwake(i18n.say(AWAKE_REASON, i18n.system_language()))
    bridge = Bridge(url.rstrip("/"), keep_awake)
    width, height = fit(WINDOW, screens())
    window = webview.create_window(
        "LanQA",
        url,
        js_api=bridge,
        width=width,
        height=height,
        min_size=(min(MIN_SIZE[0], width), min(MIN_SIZE[1], height)),
    )
    bridge._window = window
    window.events.loaded += lambda: print("Window ready.", flush=True)
    if loaded:
        window.events.loaded += loaded
    keep_awake.watch(window)
    close_on_signals()
    try:
        # Not private: the page keeps its voter cookie and cached questions between runs.
        webview.start(then, window, private_mode=False, storage_path=str(storage))
    finally:
        keep_awake.release()


def fit(size, screens):
    """size (width, height), smaller where a screen is smaller (in height, less MARGIN).

    The window manager chooses the screen a window opens on, and a projector's may be the
    smaller one: the window fits the smallest."""
    width, height = size
    for screen in screens:
        width, height = min(width, screen.width), min(height, screen.height - MARGIN)
    # A screen measured as (nearly) nothing is misread: the window stays of some use.
    return max(width, SMALLEST[0]), max(height, SMALLEST[1])


def screens():
    """The screens pywebview sees, or none where it cannot tell."""
    import webview

    try:
        return webview.screens
    except Exception:  # a backend that cannot list them: the default size applies
        return []


def close_on_signals():
    """On SIGTERM or SIGINT, close every window, so that webview.start() returns."""
    for number in (signal.SIGTERM, signal.SIGINT):
        # GTK's main loop runs in C on the main thread, where Python runs its signal
        # handlers. PyGObject's Gio.Application.run (which pywebview calls) wakes that loop
        # through signal.set_wakeup_fd, so the handler runs at once, not at the next event.
        # Our SIGINT handler also keeps PyGObject's own, which raises KeyboardInterrupt.
        signal.signal(number, close_soon)


def close_soon(signum, frame):
    # Not on this thread: a window's destroy() waits until the window is shown, and
    # showing it needs the main loop that this signal handler is holding up.
    threading.Thread(target=close_windows, name="lanqa-close", daemon=True).start()


def close_windows():
    """Close the LanQA window and the projector, if open."""
    import webview

    for window in list(webview.windows):
        window.destroy()
