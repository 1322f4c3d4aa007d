"""Malformed HTTP, over a raw socket to a running server, and a store that fails: every
answer is a JSON sentence with LanQA's headers, on every path, never a plain-text page."""

import contextlib
import json
import socket
import sqlite3

import pytest

from lanqa import errors
from lanqa.app import create_app

CHUNKED = b"Transfer-Encoding: chunked\r\n\r\n"
CHUNK = b"4000\r\n" + b"a" * 16384 + b"\r\n"
# (request with HOST for the Host header, status, part of the error)
MALFORMED = [
    (b"GARBAGE\r\n\r\n", 400, "could not read this request (Start line is invalid)"),
    (b"GET /api/\xff HTTP/1.1\r\nHOST\r\n\r\n", 400, "(Bad URI)"),
    (b"GET /event/\xff HTTP/1.1\r\nHOST\r\n\r\n", 400, "(Bad URI)"),
    (b"POST /api/event HTTP/1.1\r\nHOST\r\nContent-Length: ab\r\n\r\n", 400, "Content-Length"),
    (b"GET /api/local/events HTTP/1.1\r\nHOST\r\nX-A: a\x00b\r\n\r\n", 400, "Invalid header"),
    (b"GET / HTTP/1.1\r\nHOST\r\nX-A: a\x7fb\r\n\r\n", 400, "Invalid header"),
    (b"POST /api/event HTTP/1.1\r\nHOST\r\n" + CHUNKED + b"zz\r\n\r\n", 400, "chunk size"),
    (b"POST /api/event HTTP/1.1\r\nHOST\r\nContent-Length: 70000\r\n\r\n", 413, "over 65536"),
    (b"POST /api/event HTTP/1.1\r\nHOST\r\n" + CHUNKED + CHUNK * 4, 413, "over 65536 bytes"),
    (b"GET /api/x HTTP/1.1\r\nHOST\r\nX-A: " + b"a" * 20000 + b"\r\n\r\n", 431, "at most 16384"),
    (b"GET /api/" + b"a" * 17000 + b" HTTP/1.1\r\nHOST\r\n\r\n", 431, "shorten the address"),
    (b"GET /event/" + b"a" * 17000 + b" HTTP/1.1\r\nHOST\r\n\r\n", 431, "at most 16384"),
    (
        b"POST /api/event HTTP/1.1\r\nHOST\r\nTransfer-Encoding: identity, chunked\r\n\r\n",
        501,
        "Transfer-Encoding is not supported",
    ),
]


@pytest.fixture
def app(tmp_path, clock):
    """Not TESTING: an exception in a route is answered, as in the hall, not raised."""
    app = create_app({"DATABASE": tmp_path / "lanqa.db", "CLOCK": clock})
    yield app
    app.extensions["store"].close()


def exchange(server, data):
    """data sent on a new connection -> (status, {lowercase name: value}, JSON body)."""
    data = data.replace(b"HOST", f"Host: 127.0.0.1:{server.port}".encode())
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        with contextlib.suppress(OSError):  # the server may answer before it all arrives
            sock.sendall(data)
        answer = sock.makefile("rb")
        first, *lines = iter(answer.readline, b"\r\n")
        fields = (line.decode("latin-1").partition(":") for line in lines)
        headers = {name.lower(): value.strip() for name, _, value in fields}
        body = answer.read(int(headers["content-length"]))
        answer.close()
    return int(first.split()[1]), headers, json.loads(body)


def assert_json_error(headers, body):
    assert headers["content-type"] == "application/json"
    assert headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert list(body) == ["error"] and body["error"].endswith(".")


@pytest.mark.parametrize(("data", "status", "error"), MALFORMED)
def test_waitress_refuses_malformed_http_with_a_json_sentence(running, data, status, error):
    code, headers, body = exchange(running, data)
    assert code == status
    assert_json_error(headers, body)
    assert error in body["error"]


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ('{"body": "half an emoji \ud83d"}'.encode("utf-8", "surrogatepass"), "question contains"),
        (b'{"body": "half an emoji \\ud83d", "asker": "\\ud83d"}', "contains a broken character"),
        (b"[" * 1000, "nested too deeply"),
    ],
)
def test_a_body_no_route_can_store_is_a_400_from_the_real_server(running, client, body, error):
    eid = client.post("/api/event", json={"title": "Bad input"}).json["id"]
    request = f"POST /api/event/{eid} HTTP/1.1\r\nHOST\r\nConnection: close\r\n"
    request += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    code, headers, answer = exchange(running, request.encode() + body)
    assert code == 400
    assert_json_error(headers, answer)
    assert error in answer["error"]


@pytest.fixture
def full_disk(app, client, monkeypatch):
    """A question to vote for, in a store whose disk is full, and the Cookie header of
    the device that asked it."""
    eid = client.post("/api/event", json={"title": "Full"}).json["id"]
    qid = client.post(f"/api/event/{eid}", json={"body": "Any room left?"}).json["id"]

    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(app.extensions["store"], "vote", full)
    return qid, f"Cookie: lanqa_voter={client.get_cookie('lanqa_voter').value}\r\n"


def vote(server, qid, cookie):
    request = f"POST /api/vote/{qid}/up HTTP/1.1\r\nHOST\r\nConnection: close\r\n"
    request += f"Content-Length: 0\r\n{cookie}\r\n"
    return exchange(server, request.encode())


def logged(caplog, kind):
    return any(r.exc_info and isinstance(r.exc_info[1], kind) for r in caplog.records)


def test_a_vote_on_a_full_disk_says_so_and_is_logged(running, full_disk, caplog):
    # Without a voter cookie the vote goes to Flask, which gives the device one.
    code, headers, body = vote(running, full_disk[0], "")
    assert (code, body["error"]) == (503, errors.DISK_FULL)
    assert_json_error(headers, body)
    assert logged(caplog, sqlite3.OperationalError)


def test_a_phone_vote_on_a_full_disk_is_json_and_logged(running, full_disk, caplog):
    # A phone with its cookie is answered in front of Flask (phone.Front).
    code, headers, body = vote(running, *full_disk)
    assert code in (500, 503)
    assert_json_error(headers, body)
    assert logged(caplog, sqlite3.OperationalError)


def test_a_phone_vote_on_a_full_disk_says_so(running, full_disk):
    code, _, body = vote(running, *full_disk)
    assert (code, body["error"]) == (503, errors.DISK_FULL)
