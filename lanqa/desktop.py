"""The desktop window (pywebview): the only module that imports webview."""

import os
import sys


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
        return str(error) or type(error).__name__
    return None


def open_window(url, storage):
    """Show url in the LanQA window; returns when the window is closed."""
    import webview

    window = webview.create_window("LanQA", url, width=1280, height=820, min_size=(720, 540))
    window.events.loaded += lambda: print("Window ready.", flush=True)
    # Not private: the page keeps its voter cookie and cached questions between runs.
    webview.start(private_mode=False, storage_path=str(storage))
