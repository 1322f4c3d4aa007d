"""The Linux app bundle, for real: built by packaging/build.sh, run where no Python is.

The bundle runs in the same network namespace and virtual screen as the window test,
and in a mount namespace of its own that hides the system's Python, so everything it
needs apart from GTK and WebKit2GTK has to come from the bundle.
"""

import configparser
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import test_window
from test_window import (
    LAN_IP,
    accent_colour,
    center_of,
    close,
    ended,
    lanqa_window,
    launch,
    screenshot,
    wait_for,
)
from Xlib import display as xdisplay

from lanqa.i18n import LANGUAGES

# The window test's fixtures: a virtual screen, and a network namespace with one LAN address.
display = test_window.display
lan = test_window.lan

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = ["/usr/lib/python3", "/usr/lib/python3.11", "/usr/local/lib/python3.11"]
# What every Linux program may take from the system: the C library itself, and the C++
# runtime, which WebKit2GTK (C++) brings wherever LanQA's window can open. The
# similar-questions model's tokenizer and two of its modules use the latter.
SYSTEM = re.compile(
    r"(libc|libm|libdl|libpthread|librt|libutil|ld-linux[-\w]*|libstdc\+\+|libgcc_s)\.so"
)

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 and not os.environ.get("CI"),
    reason="network and mount namespaces need root (CI runs as root)",
)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """The bundle's executable (LanQA/LanQA), built afresh into a folder of its own."""
    dist = tmp_path_factory.mktemp("dist")
    started = time.monotonic()
    build = subprocess.run(
        ["bash", "packaging/build.sh", dist], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert build.returncode == 0, build.stdout + build.stderr
    size = subprocess.run(["du", "-sh", dist / "LanQA"], capture_output=True, text=True).stdout
    print(f"build: {time.monotonic() - started:.0f} s, bundle size (du -sh): {size.split()[0]}")
    return dist / "LanQA" / "LanQA"


def without_system_python(netns, *command):
    """command, run in the network namespace netns with the system's Python hidden."""
    hide = "".join(f"mount -t tmpfs none {p} && " for p in SYSTEM_PYTHON if Path(p).is_dir())
    script = hide + 'exec "$@"'
    return ["ip", "netns", "exec", netns, "unshare", "--mount", "sh", "-c", script, "sh", *command]


def fetch(netns, url, body=None, headers=None):
    """GET (or POST body as JSON) url from inside the namespace: (status, text)."""
    code = """
import json, sys, urllib.request
data = None if sys.argv[2] == "null" else sys.argv[2].encode()
headers = {"Content-Type": "application/json", **json.loads(sys.argv[3])}
request = urllib.request.Request(sys.argv[1], data, headers)
with urllib.request.urlopen(request, timeout=5) as response:
    print(response.status)
    print(response.read().decode())
"""
    done = subprocess.run(
        [
            *("ip", "netns", "exec", netns, sys.executable, "-c", code),
            *(url, json.dumps(body), json.dumps(headers or {})),
        ],
        capture_output=True,
        text=True,
        timeout=15,
    )
    assert done.returncode == 0, done.stderr
    status, _, text = done.stdout.partition("\n")
    return int(status), text


def ppid(proc):
    # /proc/N/stat: pid (name) state ppid ...; the name may hold spaces.
    return int((proc / "stat").read_text().rpartition(")")[2].split()[1])


def helper_environments(pid):
    """The environments of the processes pid started (WebKit's helpers), as dicts."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and ppid(proc) == pid:
                pairs = (proc / "environ").read_bytes().split(b"\0")
                found.append(dict(p.decode().partition("=")[::2] for p in pairs if p))
        except OSError:  # gone meanwhile
            continue
    return found


def port_of(output):
    return int(re.search(r"On this laptop: http://127\.0\.0\.1:(\d+)/", output).group(1))


def test_bundle_carries_python_and_the_web_client_but_not_gtk(bundle):
    internal = bundle.parent / "_internal"
    assert (internal / "assets" / "index.html").is_file()
    assert list(internal.glob("gi/_gi.*.so")), "PyGObject is not bundled"
    assert list(internal.glob("wordllama/weights/*.safetensors")), "the model is not bundled"
    kept = {path.stem for path in internal.glob("babel/locale-data/*.dat")}
    assert kept == {*LANGUAGES, "root"}  # Babel's data for the languages LanQA speaks
    names = {path.name for path in internal.iterdir()}
    for gtk_stack in ("libgtk-3.so.0", "libglib-2.0.so.0", "libstdc++.so.6", "gi_typelibs"):
        assert gtk_stack not in names, f"{gtk_stack} belongs to the system's WebKit2GTK"
    # Python's own libraries are all inside: they need nothing from the system but
    # glibc and the C++ runtime. Only PyGObject (gi, libgirepository) reaches out, to
    # the system's GLib.
    pygobject = {*internal.glob("gi/**/*.so"), *internal.glob("libgirepository-*")}
    for path in {bundle, *internal.rglob("*.so*")} - pygobject:
        ldd = subprocess.run(
            ["ldd", path],
            capture_output=True,
            text=True,
            env={**os.environ, "LD_LIBRARY_PATH": str(internal)},
        ).stdout
        for name, found in re.findall(r"^\s*(\S+) => (\S+)", ldd, re.MULTILINE):
            assert found.startswith(str(internal)) or SYSTEM.match(name), (path, name, found)


def test_bundled_server_answers_phones_without_python(bundle, lan, tmp_path):
    app = subprocess.Popen(
        without_system_python(lan, bundle, "serve", "--port", "0", "--data-dir", tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = ""
        for line in app.stdout:
            output += line
            if "Wi-Fi" in line or "No local network" in line:
                break
        assert f"Phones on the same Wi-Fi: http://{LAN_IP}:" in output, output
        base = f"http://{LAN_IP}:{port_of(output)}"
        status, page = fetch(lan, f"{base}/", headers={"Cookie": "lanqa_lang=ar"})
        assert status == 200 and '<html lang="ar" dir="rtl">' in page
        # The similar-questions model is inside, and loads with no network to reach.
        laptop = f"http://127.0.0.1:{port_of(output)}"  # where sessions are made
        _, created = fetch(lan, f"{laptop}/api/event", {})
        eid = json.loads(created)["id"]
        _, asked = fetch(lan, f"{base}/api/event/{eid}", {"body": "when is tomorrow's keynote"})
        typed = quote("What time does the keynote start tomorrow?")
        status, found = fetch(lan, f"{base}/api/event/{eid}/similar?text={typed}")
        assert status == 200 and json.loads(found)[0]["qid"] == json.loads(asked)["id"]
        app.send_signal(signal.SIGTERM)
        assert app.wait(10) == 0
        assert "LanQA stopped." in app.stdout.read()
    finally:
        ended(app)


def test_bundled_window_opens_serves_the_lan_and_closes_cleanly(bundle, display, lan, tmp_path):
    app, output, ready = launch(without_system_python(lan, bundle, "--data-dir", tmp_path), display)
    try:
        print(f"bundle start -> 'Window ready.': {ready:.2f} s")
        assert "Window ready." in output, output
        assert f"http://{LAN_IP}:" in output
        port = port_of(output)
        helpers = helper_environments(app.pid)
        assert helpers, "no WebKit helper processes"
        for environment in helpers:
            # They load the system's libraries, as the system's programs they are.
            assert str(bundle.parent) not in environment.get("LD_LIBRARY_PATH", "")

        shot = tmp_path / "window.png"
        button = wait_for(lambda: center_of(screenshot(display, shot), accent_colour()), 10)
        print(f"screenshot: {shot}")
        assert button, "the window shows no 'Open new Q&A session' button"
        conn = xdisplay.Display(display)
        window = lanqa_window(conn)
        entry = configparser.ConfigParser(interpolation=None)
        entry.read(ROOT / "packaging" / "lanqa.desktop")
        # Docks match the window to the menu entry (and its icon) by this name.
        assert window.get_wm_class()[1] == entry["Desktop Entry"]["StartupWMClass"]

        status, created = fetch(lan, f"http://127.0.0.1:{port}/api/event", {"title": "Bundled"})
        assert status == 200, created
        event = json.loads(created)["id"]
        status, page = fetch(lan, f"http://{LAN_IP}:{port}/event/{event}")
        assert status == 200 and "<html" in page
        status, found = fetch(lan, f"http://{LAN_IP}:{port}/api/event/{event}")
        assert json.loads(found) == {"title": "Bundled"}

        close(conn, window)
        conn.close()
        assert app.wait(15) == 0
        assert "LanQA stopped." in app.stdout.read()
    finally:
        ended(app)
