"""Logs: a JSON line per request in the data folder, and never a host secret."""

import json
import logging

import pytest
import requests

from lanqa.logs import JsonLines, redact


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
