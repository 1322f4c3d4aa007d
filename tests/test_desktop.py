"""The window's bridge and the check for a GUI, without opening a window."""

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
    bridge = bridge_with(None)
    path = "/event/01ARZ3NDEKTSV4RRFFQ69G5FAV/projector"
    assert bridge.open_projector("https://example.com/") is False
    assert bridge.open_projector(path) is True
    assert bridge.open_projector(path) is True
    [window] = opened
    assert window.urls == ["http://127.0.0.1:8471" + path] * 2 and window.shown == 1
    window.events.closed[0]()  # the projector window was closed: the next click opens anew
    assert bridge.open_projector(path) is True and len(opened) == 2


def test_no_display_means_no_window(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert desktop.gui_problem() == "no display"
