"""Phones' cached GETs answered on the server's main loop: the same answer a worker
thread gives, a 304 that keeps its connection, and anything unusual left to waitress."""

import gzip
import http.client
import json

import pytest
from conftest import VOTER as VOTER_ID
from conftest import settle
from waitress.channel import HTTPChannel

from lanqa.channel import plain_get
from lanqa.order import new_ulid

VOTER = f"lanqa_voter={VOTER_ID}"
GET = b"GET /api/event/E/questions?x=1 HTTP/1.1\r\nHost: lan\r\nCookie: c=1\r\n\r\n"


def test_a_plain_get_gives_its_path_and_query_and_headers():
    path = "/api/event/E/questions?x=1"
    assert plain_get(GET) == (path, {"host": "lan", "cookie": "c=1"})
    assert plain_get(GET.replace(b"Host", b"Content-Length: 0\r\nHost"))[0] == path
    assert plain_get(GET.replace(b"Host", b"Connection: Keep-Alive\r\nHost"))[0] == path


@pytest.mark.parametrize(
    "data",
    [
        GET.replace(b"GET", b"POST"),
        GET.replace(b"HTTP/1.1", b"HTTP/1.0"),
        GET[:-2],  # not all here yet
        GET + GET,  # pipelined
        GET.replace(b"Host", b"Connection: close\r\nHost"),
        GET.replace(b"Host", b"Content-Length: 3\r\nHost"),
        GET.replace(b"Host", b"Transfer-Encoding: chunked\r\nHost"),
        GET.replace(b"Host", b"Expect: 100-continue\r\nHost"),
        GET.replace(b"Host: lan", b"Host: lan\r\nHost: other"),
        GET.replace(b"Host: lan", b"Host: lan\r\n folded"),
        GET.replace(b"Host: lan", b"Host lan"),
        GET.replace(b"/questions", b"/quest%69ons"),
        GET.replace(b"GET /api", b"GET http://lan/api"),
        GET.replace(b"GET /api", b"GET  /api"),
    ],
)
def test_anything_unusual_is_left_to_waitress(data):
    assert plain_get(data) is None


class Phone(http.client.HTTPConnection):
    """A keep-alive connection to a running Server."""

    def __init__(self, server):
        super().__init__("127.0.0.1", server.port, timeout=5)
        self.server = server


@pytest.fixture
def connect(running):
    """New keep-alive connections to the running server, closed after the test."""
    made = []

    def new():
        made.append(Phone(running))
        return made[-1]

    yield new
    for conn in made:
        conn.close()


@pytest.fixture
def parsed(monkeypatch):
    """The requests that went through waitress's parser (and so to a worker thread)."""
    seen = []
    received = HTTPChannel.received

    def counting(self, data):
        seen.append(data.split(b" ")[1].decode())
        return received(self, data)

    monkeypatch.setattr(HTTPChannel, "received", counting)
    return seen


@pytest.fixture
def event(client):
    eid = client.post("/api/event").json["id"]
    qid = client.post(f"/api/event/{eid}", json={"body": "Is this quick enough?"}).json["id"]
    return eid, qid


def get(conn, path, **headers):
    conn.request("GET", path, headers={"Cookie": VOTER, **headers})
    response = conn.getresponse()
    body = response.read()
    settle(conn.server)
    # Names compare in lower case: waitress writes "Etag" where the app wrote "ETag".
    others = {k.lower(): v for k, v in response.getheaders() if k not in ("Date", "Server")}
    return response.status, others, body, response.will_close


def test_a_cached_poll_is_answered_on_the_main_loop_as_a_worker_would(connect, event, parsed):
    eid, _ = event
    conn = connect()
    path = f"/api/event/{eid}/questions"
    first = get(conn, path)  # the list is not cached yet: a worker builds it
    again = get(conn, path)
    assert parsed == [path]
    assert first == again and first[0] == 200 and b"votes" in first[2]


def test_a_304_from_the_main_loop_keeps_its_connection(connect, event, parsed):
    eid, _ = event
    conn = connect()
    path = f"/api/event/{eid}/questions"
    etag = get(conn, path)[1]["etag"]
    sock = conn.sock
    status, headers, body, will_close = get(conn, path, **{"If-None-Match": etag})
    assert (status, body, will_close, headers["etag"]) == (304, b"", False, etag)
    assert get(conn, path)[0] == 200 and conn.sock is sock
    assert parsed == [path]


def test_changes_come_from_the_main_loop_compressed_as_a_worker_sends_them(
    connect, event, parsed, client
):
    eid, _ = event
    for n in range(20):
        client.post(f"/api/event/{eid}", json={"body": f"Question number {n}?"})
    conn = connect()
    path = f"/api/event/{eid}/questions?since=0"
    first, again = get(conn, path, **{"Accept-Encoding": "gzip"}), get(conn, path)
    assert parsed == [path]
    status, headers, body, _ = first
    assert (status, headers["content-encoding"]) == (200, "gzip")
    assert gzip.decompress(body) == again[2]
    version = json.loads(again[2])["v"]
    assert get(conn, path.replace("=0", f"={version}"))[:3] == (304, {}, b"")
    assert parsed == [path]


def test_question_texts_come_from_the_main_loop_once_read(connect, event, parsed):
    _, qid = event
    conn = connect()
    path = f"/api/questions/{qid}"
    first, again = get(conn, path), get(conn, path)
    assert first == again and b"Is this quick enough?" in first[2]
    assert parsed == [path]


def test_a_vote_is_in_the_very_next_poll(connect, event, parsed):
    eid, qid = event
    phone = connect()
    path = f"/api/event/{eid}/questions"
    assert b'"votes":1' in get(phone, path)[2]
    for votes in (2, 3, 4):
        voter = connect()
        voter.request("POST", f"/api/vote/{qid}/up")
        assert voter.getresponse().status == 200
        assert f'"votes":{votes}'.encode() in get(phone, path)[2]
    # The writes rebuilt the polled list: every poll after the first came from memory.
    assert parsed.count(path) == 1


def test_a_phone_without_its_cookie_goes_to_flask_and_gets_one(connect, event, parsed):
    eid, _ = event
    conn = connect()
    path = f"/api/event/{eid}/questions"
    get(conn, path)
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    assert response.status == 200 and "lanqa_voter=" in response.getheader("Set-Cookie")
    assert parsed == [path, path]


def test_an_answer_sent_whole_leaves_nothing_buffered(store, clock, running, connect, event):
    eid, _ = event
    for number in range(200):  # over 8 KB: waitress would keep it in a file-like buffer
        store.ask(eid, new_ulid(clock()), f"Question {number}", None, "v" * 22, clock())
    conn = connect()
    path = f"/api/event/{eid}/questions"
    get(conn, path)
    status, _, body, _ = get(conn, path)
    assert status == 200 and len(body) > 8192
    [channel] = running._server.active_channels.values()
    assert channel.total_outbufs_len == 0
    assert [buffer.buf for buffer in channel.outbufs] == [None]
