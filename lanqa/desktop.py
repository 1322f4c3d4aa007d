"""The desktop window (pywebview): the only module that imports webview."""

import os
import sys
from pathlib import Path


def gui_problem():
    """None when a window can open here, else a short reason why not."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return "no display"
    try:
        import webview

        webview.initialize()
    except Exception as error:  # ImportError, WebViewException, a broken GTK or Qt
        reason = str(error) or type(error).__name__
        if sys.platform.startswith("linux"):
            reason += "; on Debian or Ubuntu, install gir1.2-webkit2-4.1 for the window"
        return reason
    return None


class Bridge:
    """What the page in the window may call, as window.pywebview.api.*."""

    def __init__(self, base_url):
        self._base_url = base_url
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
        self._projector = webview.create_window(
            "LanQA projector", self._base_url + path, width=1280, height=720
        )
        self._projector.events.closed += self._forget_projector
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


def open_window(url, storage, then=None):
    """Show url in the LanQA window; returns when the window is closed.

    then(window), if given, runs in a thread of its own once the window exists."""
    import webview

    bridge = Bridge(url.rstrip("/"))
    window = webview.create_window(
        "LanQA", url, js_api=bridge, width=1280, height=820, min_size=(720, 540)
    )
    bridge._window = window
    window.events.loaded += lambda: print("Window ready.", flush=True)
    # Not private: the page keeps its voter cookie and cached questions between runs.
    webview.start(then, window, private_mode=False, storage_path=str(storage))
