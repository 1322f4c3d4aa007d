"""The window's bridge and the check for a GUI, without opening a window."""

import logging

import pytest

from lanqa import desktop


class FakeWindow:
    def __init__(self, answer):
        self.answer, self.asked = answer, None

    def create_file_dialog(self, dialog_type, save_filename=""):
        self.asked = (dialog_type, save_filename)
        return self.answer


def bridge_with(window):
    bridge = desktop.Bridge("http://127.0.0.1:8471")
    bridge._window = window
    return bridge


def test_save_file_writes_where_the_dialog_says(tmp_path):
    target = tmp_path / "answers.csv"
    window = FakeWindow((str(target),))
    content = '\ufeffstatus,question\r\nanswered,"Zoë, 🎉"\r\n'
    assert bridge_with(window).save_file("lanqa-talk.csv", content) == str(target)
    assert target.read_bytes() == content.encode("utf-8")
    assert window.asked[1] == "lanqa-talk.csv"


def test_save_file_accepts_a_plain_path_from_the_dialog(tmp_path):
    target = tmp_path / "answers.md"
    assert bridge_with(FakeWindow(str(target))).save_file("x.md", "# Hi\n") == str(target)
    assert target.read_text() == "# Hi\n"


def test_cancelling_the_dialog_writes_nothing(tmp_path):
    assert bridge_with(FakeWindow(None)).save_file("x.csv", "data") is None
    assert list(tmp_path.iterdir()) == []


class FakeProjector:
    def __init__(self, url):
        self.urls, self.shown = [url], 0
        self.events = type("Events", (), {"closed": Handlers()})()

    def load_url(self, url):
        self.urls.append(url)

    def show(self):
        self.shown += 1


class Handlers(list):
    def __iadd__(self, handler):
        self.append(handler)
        return self


def test_the_projector_opens_once_and_only_for_lanqa_event_pages(monkeypatch):
    opened = []
    monkeypatch.setattr(
        "webview.create_window",
        lambda title, url, **size: opened.append(FakeProjector(url)) or opened[-1],
    )
    monkeypatch.setattr("lanqa.desktop.screens", lambda: [])
    bridge = bridge_with(None)
    path = "/event/01ARZ3NDEKTSV4RRFFQ69G5FAV/projector"
    assert bridge.open_projector("https://example.com/") is False
    assert bridge.open_projector(path) is True
    assert bridge.open_projector(path) is True
    [window] = opened
    assert window.urls == ["http://127.0.0.1:8471" + path] * 2 and window.shown == 1
    window.events.closed[0]()  # the projector window was closed: the next click opens anew
    assert bridge.open_projector(path) is True and len(opened) == 2


class Screen:
    def __init__(self, width, height):
        self.width, self.height = width, height


@pytest.mark.parametrize(
    "screens, size",
    [
        ([], (1280, 820)),
        ([Screen(1920, 1080)], (1280, 820)),
        ([Screen(1366, 768)], (1280, 668)),
        ([Screen(1280, 800)], (1280, 700)),
        ([Screen(1024, 600)], (1024, 500)),
        ([Screen(2560, 1600), Screen(1024, 768)], (1024, 668)),  # a small projector
        ([Screen(0, 0)], desktop.SMALLEST),
    ],
    ids=["unknown", "1080p", "1366x768", "1280x800", "netbook", "projector", "misread"],
)
def test_the_window_fits_the_smallest_screen_with_room_for_bars(screens, size):
    assert desktop.fit(desktop.WINDOW, screens) == size


def test_no_display_means_no_window(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert desktop.gui_problem() == "no display"


def test_without_gtk_or_qt_bindings_pywebview_is_not_asked(monkeypatch):
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    monkeypatch.setattr("webview.initialize", lambda: pytest.fail("pywebview was asked"))
    assert desktop.gui_problem() == "this Python has no GTK or Qt bindings"


def test_pywebview_logs_nothing_while_gui_problem_probes(monkeypatch):
    import webview

    def fail_loudly():
        try:
            raise ImportError("No module named 'gi'")
        except ImportError:
            logging.getLogger("pywebview").exception("GTK cannot be loaded")
        raise webview.errors.WebViewException("You must have either QT or GTK")

    heard = Heard()
    logging.getLogger("pywebview").addHandler(heard)
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setattr("webview.initialize", fail_loudly)
    try:
        assert desktop.gui_problem() == "You must have either QT or GTK"
        assert heard.records == []
        logging.getLogger("pywebview").error("after the probe")
        assert len(heard.records) == 1  # the window's own errors still reach the log
    finally:
        logging.getLogger("pywebview").removeHandler(heard)


class Heard(logging.Handler):
    """Keeps what a logger passes on."""

    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def in_venv(monkeypatch, tmp_path, system_packages):
    (tmp_path / "pyvenv.cfg").write_text(
        f"home = /usr/bin\ninclude-system-site-packages = {system_packages}\nversion = 3.11.2\n"
    )
    monkeypatch.setattr("sys.prefix", str(tmp_path))
    monkeypatch.setattr("sys.base_prefix", "/usr")


@pytest.fixture
def linux_desktop(monkeypatch):
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.delattr("sys.frozen", raising=False)


def test_a_bundle_needs_only_webkit2gtk_from_the_system(monkeypatch, linux_desktop):
    monkeypatch.setattr("sys.frozen", True, raising=False)
    assert desktop.advice() == "For the window: sudo apt install gir1.2-webkit2-4.1"


def test_a_venv_blind_to_system_packages_is_told_to_recreate_it_or_use_qt(
    monkeypatch, tmp_path, linux_desktop
):
    in_venv(monkeypatch, tmp_path, "false")
    advice = desktop.advice()
    assert "python3-gi gir1.2-webkit2-4.1" in advice
    assert "--system-site-packages" in advice and 'pip install "pywebview[qt]"' in advice


def test_a_venv_without_pyvenv_cfg_counts_as_blind_to_system_packages(
    monkeypatch, tmp_path, linux_desktop
):
    monkeypatch.setattr("sys.prefix", str(tmp_path))
    monkeypatch.setattr("sys.base_prefix", "/usr")
    assert desktop.advice() == desktop.ADVICE["venv"]


@pytest.mark.parametrize("setting", ["true", "True"])
def test_a_venv_that_sees_system_packages_needs_them_installed(
    monkeypatch, tmp_path, linux_desktop, setting
):
    in_venv(monkeypatch, tmp_path, setting)
    assert desktop.advice() == "For the window: sudo apt install python3-gi gir1.2-webkit2-4.1"


def test_the_system_python_needs_python3_gi_and_webkit2gtk(monkeypatch, linux_desktop):
    monkeypatch.setattr("sys.prefix", "/usr")
    monkeypatch.setattr("sys.base_prefix", "/usr")
    assert desktop.advice() == "For the window: sudo apt install python3-gi gir1.2-webkit2-4.1"


@pytest.mark.parametrize("platform", ["win32", "darwin"])
def test_no_apt_advice_off_linux(monkeypatch, platform):
    monkeypatch.setattr("sys.platform", platform)
    assert desktop.advice() is None


def test_no_advice_without_a_display(monkeypatch, linux_desktop):
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert desktop.advice() is None
