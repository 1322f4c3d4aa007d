"""The desktop window, for real: Xvfb, WebKit2GTK, a screenshot and its QR code.

LanQA runs in a network namespace of its own whose only network is 10.213.7.1/24,
so the address it picks is known and no traffic leaves this machine.
"""

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from session_bus import StandIn, needs_dbus, private_bus
from Xlib import X, protocol
from Xlib import display as xdisplay
from Xlib.ext import xtest

from lanqa import awake, desktop, i18n

LAN_IP = "10.213.7.1"
ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 and not os.environ.get("CI"),
    reason="a network namespace needs root (CI runs as root)",
)


@pytest.fixture
def display(request):
    """A virtual screen, 1280x800 unless parametrized (indirect) with another size; yields
    its name, e.g. ':5'."""
    size = getattr(request, "param", "1280x800")
    read, write = os.pipe()
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", f"{size}x24", "-nolisten", "tcp"],
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


class Run:
    """A LanQA process under a virtual screen; a thread collects its output, so every wait
    has a deadline."""

    def __init__(self, command, display, env=None, cwd=None):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            command,
            env={**os.environ, "DISPLAY": display, "PYTHONUNBUFFERED": "1", **(env or {})},
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self):
        return "".join(self.lines)

    def wait_for_line(self, start, timeout):
        """Seconds from launch until a line starting with start; None if it never came."""

        def came():
            return any(line.startswith(start) for line in self.lines)

        wait_for(lambda: came() or self.proc.poll() is not None, timeout, step=0.02)
        return time.monotonic() - self.started if came() else None

    def wait(self, timeout):
        """The exit status, once the process has ended and its output is read."""
        status = self.proc.wait(timeout)
        self.reader.join(5)
        return status

    def end(self):
        """Make sure the process is gone, whatever the test did."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.wait(10)
        self.proc.stdout.close()


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
        # Once the page had loaded, the similar-questions model did.
        assert "Similar questions: model loaded" in (tmp_path / "lanqa.log").read_text()
    finally:
        ended(app)


def ask_and_check_it_waits_in_the_wal(output, data_dir, question):
    """Ask question in a new session of the LanQA whose output this is."""
    base = re.search(r"http://127\.0\.0\.1:\d+", output).group(0)
    eid = requests.post(base + "/api/event", timeout=5).json()["id"]
    asked = requests.post(f"{base}/api/event/{eid}", json={"body": question}, timeout=5)
    assert asked.status_code == 200, asked.text
    # Until a checkpoint, the question is in the WAL only.
    wal = data_dir / "lanqa.db-wal"
    assert wal.stat().st_size > 0 and question.encode() not in (data_dir / "lanqa.db").read_bytes()


def assert_checkpointed(data_dir, question):
    """The WAL is gone or empty and the question is in lanqa.db itself."""
    wal = data_dir / "lanqa.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0
    assert question.encode() in (data_dir / "lanqa.db").read_bytes()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_closes_the_window_and_checkpoints_the_database(display, tmp_path, signum):
    """A logout or shutdown (SIGTERM) or Ctrl+C (SIGINT) stops LanQA as its close button does."""
    command = [sys.executable, "-m", "lanqa", "--data-dir", str(tmp_path), "--port", "0"]
    app = Run(command, display)
    question = "Does my question survive a shutdown?"
    try:
        assert app.wait_for_line("Window ready.", timeout=60), app.output
        ask_and_check_it_waits_in_the_wal(app.output, tmp_path, question)
        app.proc.send_signal(signum)
        assert app.wait(15) == 0, app.output
    finally:
        app.end()
    assert "LanQA stopped." in app.output and "Traceback" not in app.output
    assert_checkpointed(tmp_path, question)


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


def test_a_plain_virtual_environment_opens_the_browser_with_one_line_of_advice(display, tmp_path):
    """pip-installed where Python cannot see apt's python3-gi: no tracebacks, fitting advice."""
    venv = tmp_path / "venv"
    python = venv / "bin" / "python"
    # Without --system-site-packages, as `python -m venv` makes it by default.
    base = Path(sys.base_prefix) / "bin" / "python3"
    subprocess.run([str(base), "-m", "venv", str(venv)], check=True, timeout=30)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    installed = subprocess.run([*pip, "-e", str(ROOT)], capture_output=True, text=True, timeout=60)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    data = tmp_path / "data"
    command = [str(python), "-m", "lanqa", "--port", "0", "--data-dir", str(data)]
    # BROWSER=true: the fallback "opens" a browser that does nothing.
    app = Run(command, display, env={"BROWSER": "true", "PYTHONPATH": ""}, cwd=tmp_path)
    question = "Is the browser fallback as careful with my question?"
    try:
        assert app.wait_for_line("LanQA is running", timeout=15), app.output
        ask_and_check_it_waits_in_the_wal(app.output, data, question)
        app.proc.send_signal(signal.SIGTERM)
        assert app.wait(10) == 0, app.output
    finally:
        app.end()
    assert "Traceback" not in app.output and "cannot be loaded" not in app.output, app.output
    assert "No window toolkit (this Python has no GTK or Qt bindings)" in app.output
    advice = [line for line in app.lines if line.startswith("For the window:")]
    assert advice == [desktop.ADVICE["venv"] + "\n"]
    assert "LanQA stopped." in app.output
    assert_checkpointed(data, question)  # the browser fallback is `lanqa serve`


@pytest.mark.parametrize("display", ["1366x768"], indirect=True)
def test_the_window_opens_no_taller_than_a_1366x768_screen(display, tmp_path):
    """The host view's last row (Export) is not left below the screen's edge."""
    command = [sys.executable, "-m", "lanqa", "--data-dir", str(tmp_path), "--port", "0"]
    app = Run(command, display)
    try:
        assert app.wait_for_line("Window ready.", timeout=60), app.output
        conn = xdisplay.Display(display)
        geometry = lanqa_window(conn).get_geometry()
        conn.close()
        assert (geometry.width, geometry.height) == desktop.fit(desktop.WINDOW, [Screen(1366, 768)])
        assert geometry.height <= 768 - desktop.MARGIN
        app.proc.send_signal(signal.SIGTERM)
        assert app.wait(15) == 0, app.output
    finally:
        app.end()


class Screen:
    def __init__(self, width, height):
        self.width, self.height = width, height


@needs_dbus
def test_the_window_keeps_the_laptop_awake_while_a_session_is_open(display, tmp_path):
    """No inhibition on the start screen; one from the host view on; ended on SIGTERM."""
    pytest.importorskip("jeepney")
    command = [sys.executable, "-m", "lanqa", "--data-dir", str(tmp_path), "--port", "0"]
    with private_bus(tmp_path) as bus, StandIn(bus) as desktop_services:
        app = Run(command, display, env={"DBUS_SESSION_BUS_ADDRESS": bus})
        try:
            assert app.wait_for_line("Window ready.", timeout=60), app.output
            button = wait_for(
                lambda: center_of(screenshot(display, tmp_path / "start.png"), accent_colour()),
                timeout=10,
            )
            assert button, "no 'Open new Q&A session' button on the start screen"
            assert desktop_services.calls == []  # the start screen: no session open
            conn = xdisplay.Display(display)
            click(conn, *button)
            conn.close()
            assert wait_for(lambda: len(desktop_services.calls) == 2, timeout=15), app.output
            inhibits = {interface: args for interface, _, args in desktop_services.calls}
            assert [method for _, method, _ in desktop_services.calls] == ["Inhibit"] * 2
            reason = i18n.say(desktop.AWAKE_REASON, i18n.system_language())  # as LanQA's
            assert all(args[:2] == (awake.APP, reason) for args in inhibits.values())
            app.proc.send_signal(signal.SIGTERM)
            assert app.wait(15) == 0, app.output
        finally:
            app.end()
        assert sorted(desktop_services.calls[2:]) == sorted(
            (interface, "UnInhibit", (args[2],)) for interface, args in inhibits.items()
        )
    assert "LanQA stopped." in app.output and "Traceback" not in app.output
