"""The desktop window, for real: Xvfb, WebKit2GTK, a screenshot and its QR code.

LanQA runs in a network namespace of its own whose only network is 10.213.7.1/24,
so the address it picks is known and no traffic leaves this machine.
"""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from Xlib import X, protocol
from Xlib import display as xdisplay
from Xlib.ext import xtest

LAN_IP = "10.213.7.1"
ASSETS = Path(__file__).resolve().parent.parent / "assets"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 and not os.environ.get("CI"),
    reason="a network namespace needs root (CI runs as root)",
)


@pytest.fixture
def display():
    """A virtual screen; yields its name, e.g. ':5'."""
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
        pass_fds=[write],
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        name = ":" + pipe.readline().strip()
    yield name
    xvfb.terminate()
    xvfb.wait()


@pytest.fixture
def lan():
    """A network namespace with one LAN address; yields its name."""
    name = f"lanqa-test-{os.getpid()}"
    for command in [
        f"ip netns add {name}",
        f"ip -n {name} link set lo up",
        f"ip -n {name} link add lan0 type veth peer name lan1",
        f"ip -n {name} addr add {LAN_IP}/24 dev lan0",
        f"ip -n {name} link set lan0 up",
        f"ip -n {name} link set lan1 up",
    ]:
        subprocess.run(command.split(), check=True)
    yield name
    subprocess.run(["ip", "netns", "del", name], check=True)


def screenshot(display, path):
    subprocess.run(["import", "-display", display, "-window", "root", str(path)], check=True)
    return path


def qr_codes(path):
    found = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
    return found.stdout.split()


def center_of(path, rgb):
    """Where the biggest run of exactly this colour is: the centre of its widest row."""
    ppm = subprocess.run(["convert", str(path), "ppm:-"], capture_output=True, check=True).stdout
    header = re.match(rb"P6\s+(\d+)\s+(\d+)\s+255\s", ppm)
    width, height = int(header.group(1)), int(header.group(2))
    pixels, colour = ppm[header.end() :], bytes(rgb)
    best = (0, None)
    for y in range(height):
        row = pixels[y * width * 3 : (y + 1) * width * 3]
        xs = [x for x in range(width) if row[x * 3 : x * 3 + 3] == colour]
        if len(xs) > best[0]:
            best = (len(xs), (xs[len(xs) // 2], y))
    return best[1]


def lanqa_window(conn):
    """The LanQA window on screen (GTK's hidden group-leader window may share its name)."""
    [window] = [
        window
        for window in conn.screen().root.query_tree().children
        if window.get_wm_name() == "LanQA" and window.get_attributes().map_state == X.IsViewable
    ]
    return window


def click(conn, x, y):
    xtest.fake_input(conn, X.MotionNotify, x=x, y=y)
    xtest.fake_input(conn, X.ButtonPress, 1)
    xtest.fake_input(conn, X.ButtonRelease, 1)
    conn.sync()


def close(conn, window):
    """What the window manager sends when the close button is clicked."""
    protocols, delete = conn.intern_atom("WM_PROTOCOLS"), conn.intern_atom("WM_DELETE_WINDOW")
    window.send_event(
        protocol.event.ClientMessage(
            window=window, client_type=protocols, data=(32, [delete, X.CurrentTime, 0, 0, 0])
        )
    )
    conn.sync()


def accent_colour():
    """The colour of the main button, from the stylesheet (light theme)."""
    value = re.search(r"--accent:\s*#([0-9a-fA-F]{6})", (ASSETS / "style.css").read_text())
    return tuple(bytes.fromhex(value.group(1)))


def wait_for(check, timeout, step=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := check():
            return result
        time.sleep(step)
    return None


def launch(command, display):
    """Start a LanQA window process; (process, its output so far, seconds until its page loaded)."""
    started = time.monotonic()
    app = subprocess.Popen(
        command,
        env={**os.environ, "DISPLAY": display, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output = []
    for line in app.stdout:
        output.append(line)
        if line.startswith("Window ready."):
            break
    return app, "".join(output), time.monotonic() - started


def ended(app):
    """Make sure the process is gone, whatever the test did."""
    if app.poll() is None:
        app.kill()
        app.wait()
    app.stdout.close()


def test_window_shows_a_qr_code_of_the_lan_guest_link_and_closes_cleanly(display, lan, tmp_path):
    command = ["ip", "netns", "exec", lan, sys.executable, "-m", "lanqa"]
    app, output, ready = launch([*command, "--data-dir", str(tmp_path)], display)
    try:
        print(f"window start (process start -> page loaded): {ready:.2f} s")
        assert "Window ready." in output, output
        assert f"http://{LAN_IP}:" in output

        button = wait_for(
            lambda: center_of(screenshot(display, tmp_path / "start.png"), accent_colour()),
            timeout=10,
        )
        assert button, "no 'Open new Q&A session' button on the start screen"
        conn = xdisplay.Display(display)
        click(conn, *button)

        links = wait_for(
            lambda: qr_codes(screenshot(display, tmp_path / "host.png")), timeout=10, step=0.3
        )
        assert links, "no readable QR code in the host view"
        [guest] = links
        assert re.fullmatch(rf"http://{re.escape(LAN_IP)}:\d+/event/[0-9A-Z]{{26}}", guest)
        fetch = f"import urllib.request; print(urllib.request.urlopen({guest!r}).read().decode())"
        page = subprocess.run(
            ["ip", "netns", "exec", lan, sys.executable, "-c", fetch],
            capture_output=True,
            text=True,
            timeout=10,
        )
        assert page.returncode == 0 and "<html" in page.stdout, page.stderr

        close(conn, lanqa_window(conn))
        conn.close()
        assert app.wait(15) == 0
        assert "LanQA stopped." in app.stdout.read()
    finally:
        ended(app)


def test_the_page_in_the_window_can_reach_the_save_and_projector_bridge(display, tmp_path):
    done = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "window_bridge.py"), str(tmp_path)],
        env={**os.environ, "DISPLAY": display},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "save_file: function" in done.stdout, done.stdout + done.stderr[-3000:]
    assert "open_projector: function" in done.stdout
