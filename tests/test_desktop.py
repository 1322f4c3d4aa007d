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


def test_the_projector_opens_only_lanqa_event_pages(monkeypatch):
    opened = []
    monkeypatch.setattr("webview.create_window", lambda title, url, **size: opened.append(url))
    bridge = bridge_with(None)
    assert bridge.open_projector("/event/01ARZ3NDEKTSV4RRFFQ69G5FAV/projector") is True
    assert bridge.open_projector("https://example.com/") is False
    assert opened == ["http://127.0.0.1:8471/event/01ARZ3NDEKTSV4RRFFQ69G5FAV/projector"]


def test_no_display_means_no_window(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setattr("sys.platform", "linux")
    assert desktop.gui_problem() == "no display"
