"""Keeping the computer awake: the freedesktop inhibit services on a private session bus
with a stand-in desktop, and the Windows and macOS ways with stand-ins for their calls."""

import logging
import os
import sys
import threading
import time

import pytest
from session_bus import StandIn, needs_dbus, private_bus

from lanqa import awake

SCREENSAVER, POWER = (interface for _name, _path, interface in awake.INHIBITORS)
REASON = "Eine Q&A-Sitzung ist geöffnet"


@pytest.fixture
def bus(tmp_path, monkeypatch):
    """A private session bus as this process's session bus; yields its address."""
    pytest.importorskip("jeepney")
    monkeypatch.setattr("sys.platform", "linux")
    with private_bus(tmp_path) as address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
        yield address


@needs_dbus
def test_holding_inhibits_sleep_with_lanqas_name_and_the_reason(bus):
    with StandIn(bus) as desktop:
        held = awake.hold(REASON)
        [(_, inhibit, (app, reason, cookie)), (_, inhibit_power, (*_, power))] = desktop.calls
        assert (inhibit, inhibit_power) == ("Inhibit", "Inhibit")
        assert (app, reason) == ("LanQA", REASON)
        held.release()
        assert desktop.calls[2:] == [
            (SCREENSAVER, "UnInhibit", (cookie,)),
            (POWER, "UnInhibit", (power,)),
        ]


@needs_dbus
def test_releasing_twice_uninhibits_once_and_a_with_block_releases(bus):
    with StandIn(bus) as desktop:
        with awake.hold(REASON) as held:
            assert len(desktop.calls) == 2
        held.release()
        assert [method for _, method, _ in desktop.calls] == ["Inhibit"] * 2 + ["UnInhibit"] * 2


@needs_dbus
def test_a_desktop_with_only_the_screensaver_service_is_enough(bus, caplog):
    """GNOME: org.freedesktop.ScreenSaver keeps the session from idling; there is no
    org.freedesktop.PowerManagement."""
    caplog.set_level(logging.INFO, "lanqa.awake")
    with StandIn(bus, services=awake.INHIBITORS[:1]) as desktop:
        held = awake.hold(REASON)
        [(interface, method, (_, _, cookie))] = desktop.calls
        assert (interface, method) == (SCREENSAVER, "Inhibit")
        held.release()
        assert desktop.calls[1:] == [(SCREENSAVER, "UnInhibit", (cookie,))]
    [line] = caplog.messages
    assert line.startswith("Keeping this computer awake: org.freedesktop.ScreenSaver;")
    assert "org.freedesktop.PowerManagement: [org.freedesktop.DBus.Error.ServiceUnknown]" in line


@needs_dbus
def test_a_bus_without_inhibit_services_holds_nothing_and_logs_one_line(bus, caplog):
    held = awake.hold(REASON)
    held.release()
    [record] = caplog.records
    assert record.levelname == "WARNING" and "Cannot keep this computer awake" in record.message
    assert "ServiceUnknown" in record.message


@pytest.mark.parametrize("address", [None, "unix:path=/nonexistent/bus"], ids=["unset", "gone"])
def test_no_session_bus_holds_nothing_and_logs_one_line(monkeypatch, caplog, address):
    monkeypatch.setattr("sys.platform", "linux")
    if address:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    else:
        monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    with awake.hold(REASON):
        pass
    [record] = caplog.records
    assert record.name == "lanqa.awake" and record.levelname == "WARNING"
    assert record.message.startswith("Cannot keep this computer awake, its power settings apply:")


@needs_dbus
def test_the_desktop_leaving_while_held_is_no_error(bus, caplog):
    """The session ends (or the service restarts) before LanQA releases."""
    desktop = StandIn(bus)
    held = awake.hold(REASON)
    desktop.close()
    held.release()
    assert "Cannot end the inhibition" in caplog.text


class FakeKernel32:
    """SetThreadExecutionState, recording (flags, thread) for each call."""

    def __init__(self, answer=0x80000000):
        self.calls, self.answer = [], answer
        self.SetThreadExecutionState = self

    def __call__(self, flags):
        self.calls.append((flags, threading.current_thread()))
        return self.answer


def test_windows_sets_and_clears_the_state_on_one_thread_of_its_own(monkeypatch):
    kernel32 = FakeKernel32()
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setattr("ctypes.WinDLL", lambda name: kernel32, raising=False)
    held = awake.hold(REASON)
    [(flags, thread)] = kernel32.calls
    assert flags == 0x80000003  # ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED
    assert thread is not threading.current_thread() and thread.is_alive()
    held.release()
    thread.join(5)
    assert kernel32.calls[1] == (0x80000000, thread) and not thread.is_alive()


def test_windows_refusing_holds_nothing_and_logs_one_line(monkeypatch, caplog):
    kernel32 = FakeKernel32(answer=0)
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setattr("ctypes.WinDLL", lambda name: kernel32, raising=False)
    awake.hold(REASON).release()
    assert [flags for flags, _ in kernel32.calls] == [0x80000003]
    assert "SetThreadExecutionState refused" in caplog.text


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in caffeinate is a shell script")
def test_macos_runs_caffeinate_for_the_display_and_the_system_until_released(monkeypatch, tmp_path):
    args = tmp_path / "args"
    caffeinate = tmp_path / "caffeinate"
    caffeinate.write_text(f'#!/bin/sh\necho "$@" > {args}\nexec sleep 60\n')
    caffeinate.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr("sys.platform", "darwin")
    held = awake.hold(REASON)
    deadline = time.monotonic() + 5
    while not args.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert args.read_text().split() == ["-d", "-i", "-w", str(os.getpid())]
    held.release()
    assert held._process.returncode is not None


def test_macos_without_caffeinate_holds_nothing_and_logs_one_line(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr("sys.platform", "darwin")
    awake.hold(REASON).release()
    [record] = caplog.records
    assert "FileNotFoundError" in record.message


class FakeWindow:
    """A pywebview window as KeepAwake sees it: events, and the URL it shows."""

    def __init__(self, url="http://127.0.0.1:8471/"):
        self.url = url
        self.events = type("Events", (), {"loaded": Handlers(), "closed": Handlers()})()

    def get_current_url(self):
        return self.url

    def load(self, path):
        self.url = "http://127.0.0.1:8471" + path
        for handler in self.events.loaded:
            handler()

    def close(self):
        for handler in self.events.closed:
            handler()


class Handlers(list):
    def __iadd__(self, handler):
        self.append(handler)
        return self


class Holds:
    """A stand-in for awake.hold: counts what is held."""

    def __init__(self):
        self.reasons, self.held = [], 0

    def __call__(self, reason):
        self.reasons.append(reason)
        self.held += 1
        holds = self

        class Held(awake.Hold):
            def release(self):
                holds.held -= 1

        return Held()


HOST = "/event/01ARZ3NDEKTSV4RRFFQ69G5FAV/0123456789abcdefghijklmnopqrst"
PROJECTOR = "/event/01ARZ3NDEKTSV4RRFFQ69G5FAV/projector"


def watched(*windows):
    holds = Holds()
    keep = awake.KeepAwake(REASON, hold=holds)
    for window in windows:
        keep.watch(window)
    return keep, holds


def test_the_start_page_keeps_nothing_awake_and_a_session_does():
    window = FakeWindow()
    keep, holds = watched(window)
    window.load("/")
    window.load("/live")
    assert holds.reasons == []
    window.load(HOST)
    window.load(HOST + "?again")  # a reload holds no second time
    assert holds.reasons == [REASON] and holds.held == 1


def test_back_to_the_start_page_or_closing_the_window_lets_it_sleep():
    window = FakeWindow()
    keep, holds = watched(window)
    window.load(HOST)
    window.load("/")
    assert holds.held == 0
    window.load(HOST)
    assert holds.held == 1
    window.close()
    assert holds.held == 0 and len(holds.reasons) == 2


def test_the_projector_keeps_it_awake_while_the_main_window_is_elsewhere():
    main, projector = FakeWindow(), FakeWindow()
    keep, holds = watched(main, projector)
    main.load(HOST)
    projector.load(PROJECTOR)
    main.load("/")
    assert holds.held == 1
    projector.close()
    assert holds.held == 0 and len(holds.reasons) == 1


def test_stopping_lanqa_releases_whatever_the_windows_show():
    window = FakeWindow()
    keep, holds = watched(window)
    window.load(HOST)
    keep.release()
    keep.release()
    assert holds.held == 0
    window.close()  # the window's own closed event comes after: nothing more to release
    assert holds.held == 0
