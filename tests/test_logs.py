"""Logs: a JSON line per request in the data folder, and never a host secret."""

import io
import json
import logging
import sqlite3
import time
from contextlib import closing

import pytest
import requests
from conftest import RunningServer

from lanqa import logs
from lanqa.limits import DEFAULTS
from lanqa.logs import JsonLines, redact

try:
    import resource
except ImportError:  # Windows: no file size limit to fill the disk with
    resource = None


@pytest.mark.parametrize(
    "path, shown",
    [
        ("/event/E/S3cret", "/event/E/***"),
        (
            "/api/event/E/questions/S3cret/Q/toggle/hidden",
            "/api/event/E/questions/***/Q/toggle/hidden",
        ),
        ("/api/event/E/devices/S3cret", "/api/event/E/devices/***"),
        ("/api/event/E/export/S3cret?format=csv", "/api/event/E/export/***?format=csv"),
        ("/api/event/E/questions", "/api/event/E/questions"),
        ("/api/event/E/share", "/api/event/E/share"),
        ("/api/event/E/qr.svg", "/api/event/E/qr.svg"),
        ("/api/event/E/settings/S3cret", "/api/event/E/settings/***"),
        ("/api/event/E/delete/S3cret", "/api/event/E/delete/***"),
        ("DELETE /api/event/E/S3cret HTTP/1.1", "DELETE /api/event/E/*** HTTP/1.1"),
        ("/api/event/E/questions/S3cret/Q/reply", "/api/event/E/questions/***/Q/reply"),
        ("Exception on /event/E/S3cret [GET]", "Exception on /event/E/*** [GET]"),
    ],
)
def test_secrets_are_cut_out_of_paths(path, shown):
    assert redact(path) == shown


def test_an_error_is_one_json_line_with_its_traceback_redacted():
    try:
        raise ValueError("boom at /api/event/E/questions/S3cret")
    except ValueError as error:
        record = logging.LogRecord(
            "lanqa.app",
            logging.ERROR,
            __file__,
            1,
            "Exception on /event/E/S3cret [GET]",
            None,
            (type(error), error, error.__traceback__),
        )
    line = json.loads(JsonLines().format(record))
    assert line["level"] == "error" and line["message"] == "Exception on /event/E/*** [GET]"
    assert "ValueError" in line["error"] and "S3cret" not in line["error"]


def test_a_session_of_host_actions_is_logged_without_its_secret(serve):
    server = serve()
    base = server.url
    event = requests.post(base + "/api/event", json={"title": "Logged"}, timeout=5).json()
    eid, secret = event["id"], event["secret"]
    qid = requests.post(f"{base}/api/event/{eid}", json={"body": "Logged question"}, timeout=5)
    qid = qid.json()["id"]
    host = f"{base}/api/event/{eid}/questions/{secret}"
    requests.get(host, timeout=5)
    requests.post(f"{host}/{qid}/toggle/answered", data="on", timeout=5)
    requests.get(f"{base}/api/event/{eid}/export/{secret}?format=csv", timeout=5)
    requests.get(f"{base}/event/{eid}/{secret}", timeout=5)
    requests.get(f"{base}/api/event/{eid}/questions/wrong-secret", timeout=5)
    server.stop()
    text = (server.data_dir / "lanqa.log").read_text()
    assert secret not in text and "wrong-secret" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    requests_seen = {
        (r["method"], r["path"], r["status"]) for r in lines if r["message"] == "request"
    }
    assert ("POST", f"/api/event/{eid}/questions/***/{qid}/toggle/answered", 200) in requests_seen
    assert ("GET", f"/api/event/{eid}/questions/***", 401) in requests_seen
    assert ("GET", f"/event/{eid}/***", 200) in requests_seen


def test_routine_phone_requests_are_logged_only_when_they_fail(serve):
    server = serve()
    base = server.url
    eid = requests.post(base + "/api/event", json={}, timeout=5).json()["id"]
    phone = requests.Session()
    qid = phone.post(f"{base}/api/event/{eid}", json={"body": "Counted question"}, timeout=5)
    qid = qid.json()["id"]
    assert phone.get(f"{base}/api/event/{eid}/questions", timeout=5).status_code == 200
    assert phone.get(f"{base}/api/questions/{qid}", timeout=5).status_code == 200
    assert requests.post(f"{base}/api/vote/{qid}/up", timeout=5).status_code == 200
    missing = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
    assert requests.post(f"{base}/api/vote/{missing}/up", timeout=5).status_code == 404
    server.stop()
    lines = [json.loads(line) for line in (server.data_dir / "lanqa.log").read_text().splitlines()]
    seen = {(r["method"], r["path"], r["status"]) for r in lines if r["message"] == "request"}
    assert ("POST", f"/api/event/{eid}", 200) in seen
    assert ("POST", f"/api/vote/{missing}/up", 404) in seen
    assert not [s for s in seen if qid in s[1] or s[1].endswith("/questions")], seen


@pytest.fixture
def log_lines(tmp_path, monkeypatch, clock):
    """lanqa.log in tmp_path, refusals counted on the test's clock: a function that
    reads the log's lines."""
    monkeypatch.setattr(logs, "refusal_counts", logs.RefusalCounts(clock))
    logs.write_to(tmp_path)
    yield lambda: [json.loads(line) for line in (tmp_path / "lanqa.log").read_text().splitlines()]
    for name in ("lanqa", "waitress"):
        logger = logging.getLogger(name)
        for handler in [h for h in logger.handlers if isinstance(h, logs.LogFile)]:
            logger.removeHandler(handler)
            handler.close()


def refuse(clock, times, client="10.0.0.9", status=429, every=0.12):
    for _ in range(times):
        clock.now += every
        logs.write("POST", "/api/event/E", status, time.perf_counter(), client)


def test_a_flood_of_refusals_is_two_lines_a_minute_and_the_counts_add_up(log_lines, clock):
    refuse(clock, 5000)  # ten minutes, 8 a second
    logs.flush()
    lines = log_lines()
    assert 10 <= len(lines) <= 22
    assert {(line["client"], line["status"]) for line in lines} == {("10.0.0.9", 429)}
    counts = [line["count"] for line in lines if "count" in line]
    assert len([line for line in lines if line["message"] == "request"]) + sum(counts) == 5000
    assert lines[1]["message"] == (
        f"refused {counts[0]} more requests from 10.0.0.9 with 429 within a minute of the first"
    )


def test_each_address_and_status_has_its_own_count_and_server_errors_are_all_logged(
    log_lines, clock
):
    refuse(clock, 100)
    refuse(clock, 1, client="10.0.0.10")
    refuse(clock, 1, status=404)
    refuse(clock, 5, status=500)
    refuse(clock, 1, status=200)
    logs.flush()
    seen = [(line["client"], line["status"], line.get("count")) for line in log_lines()]
    assert seen == [
        ("10.0.0.9", 429, None),
        ("10.0.0.10", 429, None),
        ("10.0.0.9", 404, None),
        *[("10.0.0.9", 500, None)] * 5,
        ("10.0.0.9", 200, None),
        ("10.0.0.9", 429, 99),
    ]


def test_an_hour_of_history_outlasts_a_flood_in_its_middle(log_lines, clock, tmp_path):
    start = clock.now
    for second in range(3600):
        clock.now = start + second
        if second % 60 == 0:
            logs.write("POST", f"/minute/{second // 60}", 200, time.perf_counter(), "10.0.0.2")
        if 1200 <= second < 1800:  # ten minutes of 100 refusals a second from 3 addresses
            for n in range(100):
                logs.write("POST", "/api/event/E", 429, time.perf_counter(), f"10.0.1.{n % 3}")
    logs.flush()
    lines = log_lines()
    # A line per refusal would be 60,000 lines, over 9 MB: four times what rotation keeps.
    assert 60_000 * len(json.dumps(lines[-1])) > 4_000_000
    assert not (tmp_path / "lanqa.log.1").exists()
    kept = [line["path"] for line in lines if line["status"] == 200]
    assert kept == [f"/minute/{minute}" for minute in range(60)]
    refusals = [line for line in lines if line["status"] == 429]
    assert len(refusals) <= 2 * 3 * 11
    assert sum(line.get("count", 1) for line in refusals) == 60_000


class FullDisk(io.StringIO):
    def write(self, text):
        raise OSError(28, "No space left on device")


def test_a_log_that_cannot_be_written_says_so_once_not_per_line(tmp_path, capsys):
    handler = logs.LogFile(tmp_path / "lanqa.log")
    handler.setFormatter(JsonLines())
    handler.stream.close()
    handler.stream = FullDisk()
    record = logging.LogRecord("lanqa.requests", logging.INFO, __file__, 1, "request", None, None)
    for _ in range(104):
        handler.emit(record)
    handler.close()
    assert capsys.readouterr().err.splitlines() == [
        f"LanQA cannot write its log {tmp_path / 'lanqa.log'} ([Errno 28] No space left on "
        "device); is the disk full? LanQA goes on: what it has confirmed is kept, and what it "
        "cannot save is answered with an error. (Said at most once a minute.)"
    ]


@pytest.mark.skipif(resource is None, reason="no file size limit on Windows")
def test_a_full_disk_keeps_every_confirmed_write_and_says_so_once(tmp_path):
    def no_file_past_200_kb():
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    unlimited = ("--limits", ",".join(f"{rule}=1000000/1" for rule in DEFAULTS))
    server = RunningServer(tmp_path / "data", unlimited, preexec=no_file_past_200_kb).start()
    confirmed, refused = [], 0
    try:
        for n in range(300):
            answer = requests.post(
                server.url + "/api/event", json={"title": f"Talk {n}"}, timeout=5
            )
            if answer.status_code == 200:
                confirmed.append(answer.json()["id"])
            else:
                assert answer.status_code in (500, 503) and "error" in answer.json()
                refused += 1
    finally:
        assert server.stop() == 0
    # The database filled up first, then the log with the errors' tracebacks.
    assert confirmed and refused
    output = "".join(server.output)
    assert output.count("LanQA cannot write its log") == 1, output
    assert "Logging error" not in output and "Traceback" not in output
    with closing(sqlite3.connect(tmp_path / "data" / "lanqa.db")) as conn:
        stored = {row[0] for row in conn.execute("SELECT id FROM events")}
    assert stored == set(confirmed)
