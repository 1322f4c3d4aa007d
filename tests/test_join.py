"""Joining by typing: the short address takes phones to the live sessions, links typed
by hand are forgiven, and the projector's Wi-Fi code stays on the laptop."""

import re
from types import SimpleNamespace

import pytest
from conftest import VOTER

from lanqa import qr
from lanqa.__main__ import print_links
from lanqa.app import create_app
from lanqa.net import Address
from lanqa.order import forgive_ulid, new_ulid

PHONE = {"REMOTE_ADDR": "10.0.0.5"}
HOUR = 3600


def create(client, title=None):
    return client.post("/api/event", json={"title": title} if title else {}).json


def ask(client, eid, text="What comes next?"):
    return client.post(f"/api/event/{eid}", json={"body": text, "asker": None}).json["id"]


def live(app):
    return app.test_client().get("/api/live", environ_base=PHONE).json


@pytest.fixture
def phone(app):
    return app.test_client()


# The short address


def test_a_phone_at_the_short_address_goes_to_the_one_live_session(client, phone):
    eid = create(client)["id"]
    response = phone.get("/", environ_base=PHONE)
    assert response.status_code == 303 and response.headers["Location"] == f"/event/{eid}"


def test_with_several_live_sessions_or_none_a_phone_gets_the_list(client, phone):
    assert phone.get("/", environ_base=PHONE).headers["Location"] == "/live"
    create(client)
    create(client)
    response = phone.get("/", environ_base=PHONE)
    assert response.status_code == 303 and response.headers["Location"] == "/live"
    with phone.get("/live", environ_base=PHONE) as page:
        assert page.status_code == 200 and page.mimetype == "text/html"


def test_the_laptop_keeps_its_start_screen(client):
    create(client)
    with client.get("/") as page:
        assert page.status_code == 200 and page.mimetype == "text/html"


def test_the_live_list_gives_no_secrets_and_puts_the_most_questions_first(app, client, clock):
    quiet = create(client, "Quiet room")
    clock.now += 60
    busy = create(client, "Main hall")
    ask(client, busy["id"])
    clock.now += 60
    newest = create(client)
    found = live(app)
    assert found == [
        {"id": busy["id"], "title": "Main hall", "created": int(clock.now) - 60, "questions": 1},
        {"id": newest["id"], "title": None, "created": int(clock.now), "questions": 0},
        {"id": quiet["id"], "title": "Quiet room", "created": int(clock.now) - 120, "questions": 0},
    ]
    response = app.test_client().get("/api/live", environ_base=PHONE)
    assert not any(event["secret"] in response.text for event in (quiet, busy, newest))
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_session_is_live_for_12_hours_after_its_start_last_question_or_last_vote(
    app, client, clock
):
    eid = create(client)["id"]
    clock.now += 12 * HOUR - 1
    assert [e["id"] for e in live(app)] == [eid]
    clock.now += 1
    assert live(app) == []
    qid = ask(client, eid)
    clock.now += 12 * HOUR - 1
    assert [e["id"] for e in live(app)] == [eid]
    app.test_client().post(f"/api/vote/{qid}/up")  # another device
    clock.now += 12 * HOUR - 1
    assert [e["id"] for e in live(app)] == [eid]
    clock.now += 1
    assert live(app) == []


def test_a_session_someone_has_open_is_live(app, client, clock):
    eid, secret = create(client).values()
    clock.now += 2 * 86400
    assert live(app) == []
    client.get(f"/api/event/{eid}/questions/{secret}")  # the host reopened it
    assert [e["id"] for e in live(app)] == [eid]
    clock.now += 60
    assert live(app) == []


def test_hidden_questions_are_not_counted_and_expired_sessions_not_listed(app, client, clock):
    eid, secret = create(client).values()
    qid = ask(client, eid, "Buy cheap watches")
    client.post(f"/api/event/{eid}/questions/{secret}/{qid}/toggle/hidden", data="on")
    assert live(app)[0]["questions"] == 0
    clock.now += 60 * 86400
    assert live(app) == []


def test_sessions_created_by_other_devices_are_listed_on_a_venue_server(tmp_path, clock):
    app = create_app({"DATABASE": tmp_path / "db", "CLOCK": clock, "REMOTE_CREATE": True})
    phone = app.test_client()
    eid = phone.post("/api/event", json={"title": "Room B"}, environ_base=PHONE).json["id"]
    assert live(app) == [{"id": eid, "title": "Room B", "created": int(clock.now), "questions": 0}]
    app.extensions["store"].close()


# Links typed by hand


def test_typed_ids_are_forgiven_and_strict_ones_unchanged():
    eid = new_ulid(1_800_000_000)
    typed = eid.lower().replace("0", "o").replace("1", "l")
    assert forgive_ulid(typed) == eid
    assert forgive_ulid(eid.replace("1", "I")) == eid
    assert forgive_ulid("nope") is None and forgive_ulid(eid + "X") is None


@pytest.mark.parametrize(
    "path, goes_to",
    [
        ("/event/{eid}/", "/event/{eid}"),
        ("/event/{low}", "/event/{eid}"),
        ("/event/{look}/", "/event/{eid}"),
        ("/event/{low}/{secret}/", "/event/{eid}/{secret}"),
        ("/event/{eid}/projector/?ip=10.0.0.5", "/event/{eid}/projector?ip=10.0.0.5"),
        ("/event/nope/", "/event/nope"),  # and that page says the link is wrong
    ],
)
def test_links_typed_by_hand_go_on_to_the_canonical_page(client, phone, path, goes_to):
    eid, secret = create(client).values()
    names = {"eid": eid, "secret": secret, "low": eid.lower()}
    names["look"] = names["low"].replace("0", "o").replace("1", "l")
    response = phone.get(path.format(**names), environ_base=PHONE)
    assert response.status_code == 308
    assert response.headers["Location"] == goes_to.format(**names)
    with phone.get(goes_to.format(**names), environ_base=PHONE) as page:
        assert page.status_code == 200 and page.mimetype == "text/html"


def test_the_api_stays_strict_about_look_alikes(client, phone):
    eid = create(client)["id"]
    assert phone.get(f"/api/event/{eid.lower()}").status_code == 200
    assert phone.get(f"/api/event/O{eid[1:]}").status_code == 400  # ids start with 0 until 3085


# What the laptop shows the room


def test_the_terminal_shows_the_short_address_to_type(monkeypatch, capsys):
    monkeypatch.setattr("lanqa.net.candidates", lambda: [Address("192.168.1.5", "wlan0", 100)])
    server = SimpleNamespace(host="0.0.0.0", port=8471, kind="epoll", cap=5000, open_files=None)
    print_links(server, "http://127.0.0.1:8471")
    out = capsys.readouterr().out
    assert "Phones on the same Wi-Fi: http://192.168.1.5:8471/" in out
    assert re.search(r"^  Or type: 192\.168\.1\.5:8471$", out, re.MULTILINE)


def test_the_wifi_code_escapes_what_the_format_reserves():
    assert qr.wifi('My "Café"; 2,4:GHz', "pa\\ss;word") == (
        'WIFI:T:WPA;S:My \\"Café\\"\\; 2\\,4\\:GHz;P:pa\\\\ss\\;word;;'
    )


def test_the_wifi_code_is_drawn_for_the_laptop_only(client, phone):
    body = {"name": "Venue", "password": "secret words"}
    response = client.post("/api/local/wifi-qr", json=body)
    assert response.mimetype == "image/svg+xml" and b"<svg" in response.data
    assert response.headers["Cache-Control"] == "no-store"
    refused = phone.post("/api/local/wifi-qr", json=body, environ_base=PHONE)
    assert refused.status_code == 403 and "laptop" in refused.json["error"]


@pytest.mark.parametrize(
    "body, says",
    [
        ({"name": "Venue"}, "Send the network"),
        ({"name": "", "password": "x"}, "Send the network"),
        ({"name": "Venue", "password": 5}, "Send the network"),
        ({"name": "n" * 33, "password": "x"}, "max 32"),
    ],
)
def test_the_wifi_code_needs_a_name_and_a_password(client, body, says):
    response = client.post("/api/local/wifi-qr", json=body)
    assert response.status_code == 400 and says in response.json["error"]


def test_a_vote_leaves_its_time_for_the_live_rule(store, client, clock):
    eid = create(client)["id"]
    qid = ask(client, eid)
    assert store.vote(qid, VOTER, True, clock.now + 5) is not None
    [row] = store.live_events(clock.now + 5)
    assert row["active"] == int(clock.now) + 5
