"""Opens the LanQA window as `lanqa` does and prints which bridge functions its page sees.

Run by test_window.py under a virtual screen: `python tests/window_bridge.py DATA_DIR`.
"""

import sys
import threading
import time
from pathlib import Path

from lanqa.app import create_app
from lanqa.desktop import open_window
from lanqa.server import Server

CHECK = "typeof (window.pywebview && window.pywebview.api && window.pywebview.api.{})"


def report(window):
    window.events.loaded.wait()
    for name in ("save_file", "open_projector"):
        found = None
        for _ in range(50):  # pywebview adds its api a moment after the page loads
            found = window.evaluate_js(CHECK.format(name))
            if found == "function":
                break
            time.sleep(0.1)
        print(f"{name}: {found}", flush=True)
    window.destroy()


def main(folder):
    server = Server(create_app({"DATABASE": folder / "lanqa.db"}), "127.0.0.1", 0)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        open_window(f"http://127.0.0.1:{server.port}/", folder / "window", then=report)
    finally:
        server.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
