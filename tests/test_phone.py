"""Polls, texts and votes give the same answer whichever path serves them: phone.py's
rules, called by Flask's routes, by the layer in front of Flask and by the main loop."""

import dataclasses
import http.client
import json

import pytest
from conftest import VOTER, VOTER_KEY, settle
from conftest import voter as voter_id
from waitress.channel import HTTPChannel
from werkzeug.exceptions import Forbidden
from werkzeug.test import Client

from lanqa.app import create_app
from lanqa.phone import Devices, Phones

BLOCKED = voter_id("blocked" * 3 + "x")


@pytest.fixture
def event(client):
    created = client.post("/api/event").json
    for text in ("First question here", "Second question <b>here</b>"):
        client.post(f"/api/event/{created['id']}", json={"body": text})
    return created["id"]


def comparable(response):
    # waitress adds a Date header to every response that has none.
    headers = {k: v for k, v in response.headers.items() if k != "Date"}
    return response.status_code, headers, response.data


@pytest.fixture
def fast_and_flask(app):
    """Two clients with a voter cookie: one through the fast layer, one straight to Flask."""
    clients = Client(app.wsgi_app), Client(app.wsgi_app.flask)
    for client in clients:
        client.set_cookie("lanqa_voter", VOTER)
    return clients


def test_fast_and_flask_lists_are_identical(fast_and_flask, event):
    fast, flask = fast_and_flask
    path = f"/api/event/{event}/questions"
    first = comparable(fast.get(path))
    assert first == comparable(flask.get(path))
    etag = {"If-None-Match": first[1]["ETag"]}
    assert comparable(fast.get(path, headers=etag)) == comparable(flask.get(path, headers=etag))


def test_fast_and_flask_question_texts_are_identical(fast_and_flask, event):
    fast, flask = fast_and_flask
    qids = [q["qid"] for q in fast.get(f"/api/event/{event}/questions").json]
    for ids in (qids, qids[:1], [*qids, qids[0]], ["01ARZ3NDEKTSV4RRFFQ69G5FAV"]):
        path = "/api/questions/" + ",".join(ids)
        assert comparable(fast.get(path)) == comparable(flask.get(path))


def test_a_phone_with_its_cookie_is_answered_without_flask(app, client, event):
    def not_flask():
        raise AssertionError("Flask's route was used")

    app.view_functions["api.guest_list"] = lambda eid: not_flask()
    app.view_functions["api.details"] = lambda qids: not_flask()
    client.set_cookie("lanqa_voter", VOTER)
    response = client.get(f"/api/event/{event}/questions")
    assert response.status_code == 200 and len(response.json) == 2
    again = client.get(
        f"/api/event/{event}/questions", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    qids = ",".join(q["qid"] for q in response.json)
    assert len(client.get(f"/api/questions/{qids}").json) == 2
    assert client.get(f"/api/event/{event}/devices/x").status_code == 401  # Flask still routes


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/event/01ARZ3NDEKTSV4RRFFQ69G5FAV/questions", 404),
        ("/api/event/nope/questions", 400),
        ("/api/questions/01ARZ3NDEKTSV4RRFFQ69G5FAV,nope", 400),
        ("/api/questions/" + ",".join(f"01ARZ3NDEKTSV4RRFFQ69G5F{n:02d}" for n in range(101)), 400),
    ],
)
def test_unknown_or_malformed_events_fall_through_to_flask_errors(client, path, status):
    client.set_cookie("lanqa_voter", VOTER)
    response = client.get(path)
    assert response.status_code == status and "error" in response.json


def test_a_poll_counts_the_phone_as_present(client, event):
    client.set_cookie("lanqa_voter", VOTER)
    client.get(f"/api/event/{event}/questions")
    assert (
        client.application.extensions["presence"].count(event, client.application.config["CLOCK"]())
        == 1
    )


def test_fast_and_flask_votes_are_identical(app, event):
    qid = Client(app.wsgi_app).get(f"/api/event/{event}/questions").json[0]["qid"]
    answers = []
    for wsgi, one, two in ((app.wsgi_app, "a", "b"), (app.wsgi_app.flask, "c", "d")):
        for voter, updown in ((one, "up"), (two, "up"), (one, "up"), (one, "down")):
            client = Client(wsgi)
            client.set_cookie("lanqa_voter", voter_id(voter * 22))
            # A phone of its own on the network, as each voter in a hall.
            address = {"REMOTE_ADDR": f"127.0.0.{ord(voter)}"}
            vote = client.post(f"/api/vote/{qid}/{updown}", environ_base=address)
            answers.append(comparable(vote))
    fast, flask = answers[:4], answers[4:]
    assert [json.loads(body)["votes"] for _, _, body in fast] == [2, 3, 3, 2]
    assert [json.loads(body)["votes"] for _, _, body in flask] == [3, 4, 4, 3]
    assert [(status, headers) for status, headers, _ in fast] == [
        (status, headers) for status, headers, _ in flask
    ]


def test_a_vote_is_counted_in_front_of_flask(app, client, event):
    app.view_functions["api.vote"] = lambda qid, updown: 1 / 0
    qid = client.get(f"/api/event/{event}/questions").json[0]["qid"]
    client.set_cookie("lanqa_voter", VOTER)
    assert client.post(f"/api/vote/{qid}/up").json == {"votes": 2}
    assert client.get(f"/api/event/{event}/questions").json[0]["votes"] == 2


@pytest.mark.parametrize(
    "path, status",
    [
        ("/api/vote/01ARZ3NDEKTSV4RRFFQ69G5FAV/up", 404),
        ("/api/vote/nope/up", 400),
        ("/api/vote/01ARZ3NDEKTSV4RRFFQ69G5FAV/sideways", 400),
    ],
)
def test_votes_for_unknown_or_malformed_questions_get_flask_errors(client, path, status):
    client.set_cookie("lanqa_voter", VOTER)
    response = client.post(path)
    assert response.status_code == status and "error" in response.json


def test_a_vote_refused_by_its_address_costs_the_device_one_token(tmp_path, clock):
    app = create_app(
        {
            "DATABASE": tmp_path / "db",
            "CLOCK": clock,
            "RATE_LIMITS": {"vote": (10, 60), "vote-address": (1, 60)},
            "VOTER_KEY": VOTER_KEY,
        }
    )
    eid = app.test_client().post("/api/event").json["id"]
    qid = app.test_client().post(f"/api/event/{eid}", json={"body": "Who pays?"}).json["id"]
    phone = Client(app.wsgi_app)
    phone.set_cookie("lanqa_voter", VOTER)
    assert phone.post(f"/api/vote/{qid}/up").status_code == 200
    refused = phone.post(f"/api/vote/{qid}/down")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "60"
    per_device = app.extensions["limits"].buckets["vote"]
    assert per_device.state[VOTER][0] == 10 - 2  # one for the vote, one for the refusal
    app.extensions["store"].close()


def test_a_new_rule_in_phone_py_holds_on_the_main_loop_too(app, running, event, monkeypatch):
    """A check added to the shared poll must reach phones whose polls the main loop
    answers from memory, not only those Flask answers."""
    poll = Phones.poll

    def with_new_rule(self, eid, voter, if_none_match, **options):
        if voter == BLOCKED:
            raise Forbidden("This device is blocked.")
        answer = poll(self, eid, voter, if_none_match, **options)
        return dataclasses.replace(answer, headers=(*answer.headers, ("X-Rule", "applied")))

    path = f"/api/event/{event}/questions"
    conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
    conn.request("GET", path, headers={"Cookie": f"lanqa_voter={VOTER}"})
    conn.getresponse().read()  # the list is now cached: the main loop answers the next poll
    settle(running)
    monkeypatch.setattr(Phones, "poll", with_new_rule)
    to_workers = []  # requests that went through waitress's parser to a worker thread
    received = HTTPChannel.received
    monkeypatch.setattr(
        HTTPChannel,
        "received",
        lambda channel, data: to_workers.append(data) or received(channel, data),
    )
    for voter, status in ((VOTER, 200), (BLOCKED, 403)):
        conn.request("GET", path, headers={"Cookie": f"lanqa_voter={voter}"})
        response = conn.getresponse()
        body = response.read()
        assert response.status == status
        if status == 200:
            assert response.getheader("X-Rule") == "applied" and b"votes" in body
        else:
            assert json.loads(body) == {"error": "This device is blocked."}
    assert len(to_workers) == 1  # the 200 came from the main loop; errors go to a worker
    conn.close()


def test_a_voter_id_is_checked_once_and_a_forged_one_never_passes():
    devices = Devices(b"key")
    voter = devices.new()
    signed = []
    devices.sign = lambda nonce, sign=devices.sign: signed.append(nonce) or sign(nonce)
    assert devices.of(f"lanqa_voter={voter}") == voter == devices.of(f"a=b; lanqa_voter={voter}")
    assert signed == [voter[:22]]  # the second time it was known
    forged = voter[:22] + ("A" if voter[22] != "A" else "B") + voter[23:]
    assert devices.of(f"lanqa_voter={forged}") is None
    assert devices.of(f"lanqa_voter={forged}") is None
