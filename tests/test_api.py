"""The HTTP API, rule by rule: paths, shapes, status codes, caching, expiry."""

import re

import pytest

from lanqa.app import create_app

GOOD_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
BAD_IDS = [
    "nope",
    "01ARZ3NDEKTSV4RRFFQ69G5FA",
    "01ARZ3NDEKTSV4RRFFQ69G5FAVX",
    "01ARZ3NDEKTSV4RRFFQ69G5FAI",
    "01ARZ3NDEKTSV4RRFFQ69G5FAU",
    "81ARZ3NDEKTSV4RRFFQ69G5FAV",
]


def create(client, **body):
    response = client.post("/api/event", json=body) if body else client.post("/api/event")
    assert response.status_code == 200
    return response.json["id"], response.json["secret"]


def ask(client, eid, text="What is the plan?", asker=None):
    response = client.post(f"/api/event/{eid}", json={"body": text, "asker": asker})
    assert response.status_code == 200, response.json
    return response.json["id"]


def host_list(client, eid, secret):
    return client.get(f"/api/event/{eid}/questions/{secret}").json


def guest_list(client, eid):
    return client.get(f"/api/event/{eid}/questions").json


def toggle(client, eid, secret, qid, prop, body):
    return client.post(f"/api/event/{eid}/questions/{secret}/{qid}/toggle/{prop}", data=body)


def assert_error(response, status):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    message = response.json["error"]
    assert isinstance(message, str) and len(message) > 10 and message[0].isupper()
    return message


@pytest.fixture
def event(client):
    return create(client)


# Creating and finding events


def test_create_event_gives_ulid_and_30_char_alphanumeric_secret(client):
    eid, secret = create(client)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{26}", eid)
    assert re.fullmatch(r"[A-Za-z0-9]{30}", secret)
    assert create(client)[1] != secret


def test_event_exists_returns_empty_object_and_long_cache(client, event):
    response = client.get(f"/api/event/{event[0]}")
    assert response.status_code == 200 and response.json == {}
    assert response.headers["Cache-Control"] == "max-age=864001"


def test_event_title_is_optional_trimmed_and_returned(client):
    eid, _ = create(client, title="  Keynote Q&A  ")
    assert client.get(f"/api/event/{eid}").json == {"title": "Keynote Q&A"}


def test_event_id_is_parsed_case_insensitively(client, event):
    assert client.get(f"/api/event/{event[0].lower()}").status_code == 200


@pytest.mark.parametrize(
    "body, status",
    [({"title": "x" * 121}, 400), ({"title": 5}, 400), ("not json", 400), ("[1]", 400)],
)
def test_create_event_rejects_bad_titles(client, body, status):
    response = (
        client.post("/api/event", json=body)
        if isinstance(body, dict)
        else client.post("/api/event", data=body)
    )
    assert_error(response, status)


def test_create_event_accepts_title_of_120_characters(client):
    eid, _ = create(client, title="t" * 120)
    assert client.get(f"/api/event/{eid}").json == {"title": "t" * 120}


def test_unknown_event_is_404(client):
    assert "does not exist" in assert_error(client.get(f"/api/event/{GOOD_ID}"), 404)


# Asking


def test_ask_returns_question_id_with_one_vote_not_hidden(client, event):
    qid = ask(client, event[0])
    assert guest_list(client, event[0]) == [{"qid": qid, "votes": 1, "hidden": False}]


def test_ask_stores_text_and_name_as_sent(client, event):
    text = "  Why is   the sky blue?\n "
    qid = ask(client, event[0], text, asker=" Ada ")
    assert client.get(f"/api/questions/{qid}").json[qid]["text"] == text
    assert client.get(f"/api/questions/{qid}").json[qid]["who"] == " Ada "


@pytest.mark.parametrize(
    "body, status, says",
    [
        ({"body": ""}, 400, "empty"),
        ({"body": "   \n "}, 400, "empty"),
        ({"body": "Why?"}, 400, "two words"),
        ({"body": "  Why?  "}, 400, "two words"),
        ({"body": "Hello"}, 400, "two words"),
        ({"body": "中"}, 400, "two words"),  # one character of a script without spaces
        ({"body": " 中？ "}, 400, "two words"),
        ({"body": "two words", "asker": "n" * 101}, 400, "max 100"),
        ({"body": 5}, 422, "body"),
        ({"asker": "Ada"}, 422, "body"),
        ({"body": "two words", "asker": 7}, 422, "asker"),
    ],
)
def test_ask_rejects_bad_questions_and_creates_nothing(client, event, body, status, says):
    message = assert_error(client.post(f"/api/event/{event[0]}", json=body), status)
    assert says in message
    assert host_list(client, *event) == []


@pytest.mark.parametrize(
    "text",
    [
        "tab\tseparated",
        "为什么天空是蓝色的？",  # Chinese
        "なぜ空は青いのですか",  # Japanese (Hiragana and Han)
        "カメラ",  # Katakana
        "하늘은 왜 파란가요",  # Korean
        "ทำไมท้องฟ้าถึงเป็นสีฟ้า",  # Thai
        "ເປັນຫຍັງ",  # Lao
        "ហេតុអ្វី",  # Khmer
        "ဘာကြောင့်လဲ",  # Myanmar
        "ཅི་ལ",  # Tibetan
        "لماذا السماء زرقاء؟",  # Arabic, with spaces
    ],
)
def test_ask_counts_words_as_each_script_writes_them(client, event, text):
    qid = ask(client, event[0], text)
    assert client.get(f"/api/questions/{qid}").json[qid]["text"] == text


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", '"a string"', ""])
def test_ask_rejects_bodies_that_are_not_json_objects(client, event, raw):
    response = client.post(f"/api/event/{event[0]}", data=raw, content_type="application/json")
    assert_error(response, 400)


def test_ask_accepts_name_of_100_characters_and_null_name(client, event):
    qid = ask(client, event[0], asker="n" * 100)
    other = ask(client, event[0], asker=None)
    details = client.get(f"/api/questions/{qid},{other}").json
    assert details[qid]["who"] == "n" * 100
    assert "who" not in details[other]


def test_ask_on_unknown_event_is_404_and_makes_no_orphan(client, store, clock):
    assert_error(client.post(f"/api/event/{GOOD_ID}", json={"body": "a question"}), 404)
    assert store.questions(GOOD_ID, clock()) == []


# Size, paths, methods


@pytest.mark.parametrize(
    "path",
    [
        "/api/event",
        f"/api/event/{GOOD_ID}",
        f"/api/vote/{GOOD_ID}/up",
        f"/api/event/{GOOD_ID}/questions/secret/{GOOD_ID}/toggle/hidden",
    ],
)
def test_bodies_over_1024_bytes_are_413_on_every_route(client, path):
    assert "1024" in assert_error(client.post(path, data="x" * 1025), 413)


def test_a_question_filling_1024_bytes_is_accepted(client, event):
    envelope = len(b'{"body": "", "asker": null}')
    text = "a " + "b" * (1024 - envelope - 2)
    response = client.post(
        f"/api/event/{event[0]}",
        data=f'{{"body": "{text}", "asker": null}}',
        content_type="application/json",
    )
    assert response.status_code == 200


@pytest.mark.parametrize("path", ["/nope", "/api", "/api/nope", "/api/event/x/y/z", "/event"])
def test_unknown_paths_are_404_json(client, path):
    assert_error(client.get(path), 404)


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/event"),
        ("put", f"/api/event/{GOOD_ID}"),
        ("delete", "/api/event"),
        ("get", f"/api/vote/{GOOD_ID}/up"),
        ("post", f"/api/questions/{GOOD_ID}"),
        ("post", f"/api/event/{GOOD_ID}/questions"),
    ],
)
def test_wrong_methods_are_405_json(client, method, path):
    assert_error(getattr(client, method)(path), 405)


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize(
    "method, template",
    [
        ("get", "/api/event/{}"),
        ("post", "/api/event/{}"),
        ("get", "/api/event/{}/questions"),
        ("get", "/api/event/{}/questions/secret"),
        ("post", "/api/vote/{}/up"),
        ("get", "/api/questions/{}"),
        ("get", "/api/questions/" + GOOD_ID + ",{}"),
        ("post", "/api/event/{}/questions/secret/" + GOOD_ID + "/toggle/hidden"),
        ("post", "/api/event/" + GOOD_ID + "/questions/secret/{}/toggle/hidden"),
    ],
)
def test_malformed_ids_anywhere_are_400(client, method, template, bad):
    response = getattr(client, method)(template.format(bad), json={"body": "two words"})
    assert "malformed" in assert_error(response, 400)


# Lists


def test_lists_of_an_event_without_questions_are_empty(client, event):
    assert guest_list(client, event[0]) == []
    assert host_list(client, *event) == []


def test_lists_of_unknown_event_are_404(client):
    assert_error(client.get(f"/api/event/{GOOD_ID}/questions"), 404)
    assert_error(client.get(f"/api/event/{GOOD_ID}/questions/secret"), 404)


def test_host_list_with_wrong_secret_is_401(client, event):
    eid, secret = event
    wrong = secret[:-1] + ("y" if secret.endswith("x") else "x")  # one character off
    assert_error(client.get(f"/api/event/{eid}/questions/{wrong}"), 401)
    assert_error(client.get(f"/api/event/{eid}/questions/x"), 401)


def test_lists_do_not_mix_events(client, event):
    other = create(client)
    ask(client, other[0])
    assert guest_list(client, event[0]) == []


def test_lists_carry_etag_no_cache_and_answer_304_when_unchanged(client, event):
    eid, secret = event
    for path in (f"/api/event/{eid}/questions", f"/api/event/{eid}/questions/{secret}"):
        first = client.get(path)
        assert first.headers["Cache-Control"] == "no-cache"
        etag = first.headers["ETag"]
        unchanged = client.get(path, headers={"If-None-Match": etag})
        assert unchanged.status_code == 304 and unchanged.data == b""
        ask(client, eid)
        changed = client.get(path, headers={"If-None-Match": etag})
        assert changed.status_code == 200 and changed.headers["ETag"] != etag


# Toggling


def test_hide_removes_question_from_guest_list_only(client, event):
    eid, secret = event
    qid = ask(client, eid)
    assert toggle(client, eid, secret, qid, "hidden", "on").json == {"hidden": True}
    assert guest_list(client, eid) == []
    assert host_list(client, eid, secret) == [{"qid": qid, "votes": 1, "hidden": True}]
    assert toggle(client, eid, secret, qid, "hidden", "off").json == {"hidden": False}
    assert guest_list(client, eid) == [{"qid": qid, "votes": 1, "hidden": False}]


def test_answer_sets_now_overwrites_and_off_removes(client, event, clock):
    eid, secret = event
    qid = ask(client, eid)
    assert toggle(client, eid, secret, qid, "answered", "on").json == {"answered": int(clock())}
    clock.now += 90
    assert toggle(client, eid, secret, qid, "answered", "on").json == {"answered": int(clock())}
    assert guest_list(client, eid)[0]["answered"] == int(clock())
    assert toggle(client, eid, secret, qid, "answered", "off").json == {}
    assert "answered" not in guest_list(client, eid)[0]
    assert "answered" not in host_list(client, eid, secret)[0]


@pytest.mark.parametrize("body", ["ON", "On", " on", "on\n", "yes", "", "true", "offf"])
def test_toggle_body_must_be_exactly_on_or_off(client, event, body):
    eid, secret = event
    qid = ask(client, eid)
    assert_error(toggle(client, eid, secret, qid, "hidden", body), 400)
    assert host_list(client, eid, secret)[0]["hidden"] is False


def test_toggle_checks_path_then_secret_then_body(client, event):
    eid, secret = event
    qid = ask(client, eid)
    assert_error(toggle(client, eid, "wrong", qid, "pinned", "bad"), 400)
    assert_error(toggle(client, GOOD_ID, "wrong", qid, "hidden", "bad"), 404)
    assert_error(toggle(client, eid, "wrong", qid, "hidden", "bad"), 401)
    assert_error(toggle(client, eid, secret, qid, "hidden", "bad"), 400)


def test_toggle_of_a_question_from_another_event_is_404(client, event):
    eid, secret = event
    other_qid = ask(client, create(client)[0])
    assert_error(toggle(client, eid, secret, other_qid, "hidden", "on"), 404)
    assert_error(toggle(client, eid, secret, GOOD_ID, "answered", "on"), 404)


def test_toggle_needs_the_secret_of_that_event(client, event):
    eid, _ = event
    qid = ask(client, eid)
    _, other_secret = create(client)
    assert_error(toggle(client, eid, other_secret, qid, "hidden", "on"), 401)


def test_hidden_and_answered_are_independent(client, event):
    eid, secret = event
    qid = ask(client, eid)
    toggle(client, eid, secret, qid, "hidden", "on")
    toggle(client, eid, secret, qid, "answered", "on")
    toggle(client, eid, secret, qid, "hidden", "off")
    assert guest_list(client, eid)[0]["answered"]


# Voting


def test_vote_up_and_down_from_another_device(app, event):
    phone = app.test_client()
    qid = ask(phone, event[0])
    other = app.test_client()
    assert other.post(f"/api/vote/{qid}/up").json == {"votes": 2}
    assert other.post(f"/api/vote/{qid}/up").json == {"votes": 2}
    assert other.post(f"/api/vote/{qid}/down").json == {"votes": 1}
    assert other.post(f"/api/vote/{qid}/down").json == {"votes": 1}


def test_asker_has_already_voted_and_can_retract(client, event):
    qid = ask(client, event[0])
    assert client.post(f"/api/vote/{qid}/up").json == {"votes": 1}
    assert client.post(f"/api/vote/{qid}/down").json == {"votes": 0}
    assert client.post(f"/api/vote/{qid}/down").json == {"votes": 0}
    assert client.post(f"/api/vote/{qid}/up").json == {"votes": 1}


def test_voter_cookie_is_http_only_and_lax(client):
    cookie = client.get("/api/questions/" + GOOD_ID).headers["Set-Cookie"]
    assert "lanqa_voter=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_forged_voter_cookie_is_replaced(app, event):
    phone = app.test_client()
    phone.set_cookie("lanqa_voter", "<script>")
    response = phone.get(f"/api/event/{event[0]}")
    assert re.search(r"lanqa_voter=[A-Za-z0-9_-]{33};", response.headers["Set-Cookie"])


@pytest.mark.parametrize("updown", ["sideways", "UP", "upp"])
def test_vote_direction_must_be_up_or_down(client, updown):
    assert_error(client.post(f"/api/vote/{GOOD_ID}/{updown}"), 400)


def test_vote_on_unknown_question_is_404(client):
    assert_error(client.post(f"/api/vote/{GOOD_ID}/up"), 404)


# Question details


def test_details_give_text_when_and_who_only_when_named(client, event, clock):
    anonymous = ask(client, event[0], "First question here")
    named = ask(client, event[0], "Second question here", asker="person")
    response = client.get(f"/api/questions/{anonymous},{named}")
    assert response.json == {
        anonymous: {"text": "First question here", "when": int(clock())},
        named: {"text": "Second question here", "when": int(clock()), "who": "person"},
    }
    assert response.headers["Cache-Control"] == "max-age=864001"


def test_details_leave_out_unknown_ids(client, event):
    qid = ask(client, event[0])
    assert client.get(f"/api/questions/{GOOD_ID}").json == {}
    assert list(client.get(f"/api/questions/{qid},{GOOD_ID},{qid}").json) == [qid]


def test_details_take_at_most_100_ids(client):
    ids = [GOOD_ID[:-2] + f"{n:02d}" for n in range(101)]
    assert client.get("/api/questions/" + ",".join(ids[:100])).status_code == 200
    assert "100" in assert_error(client.get("/api/questions/" + ",".join(ids)), 400)


# Pages


@pytest.mark.parametrize("path", ["/", f"/event/{GOOD_ID}", f"/event/{GOOD_ID}/secret"])
def test_pages_serve_the_web_client_with_security_headers(client, path):
    with client.get(path) as response:
        assert response.status_code == 200 and response.mimetype == "text/html"
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_an_expired_question_is_gone_from_every_route(client, event, clock):
    eid, secret = event
    qid = ask(client, eid)
    clock.now += 30 * 86400
    assert guest_list(client, eid) == [] and host_list(client, eid, secret) == []
    assert client.get(f"/api/questions/{qid}").json == {}
    assert_error(client.post(f"/api/vote/{qid}/up"), 404)
    assert_error(toggle(client, eid, secret, qid, "answered", "on"), 404)


def test_an_expired_event_is_gone_from_every_route(client, event, clock):
    eid, secret = event
    clock.now += 60 * 86400
    assert_error(client.get(f"/api/event/{eid}"), 404)
    assert_error(client.get(f"/api/event/{eid}/questions"), 404)
    assert_error(client.get(f"/api/event/{eid}/questions/{secret}"), 404)
    assert_error(client.post(f"/api/event/{eid}", json={"body": "too late now"}), 404)


# The laptop's own routes, and who is here


def test_recent_events_list_secrets_only_to_the_laptop(app, client):
    eid, secret = create(client, title="Morning keynote")
    ask(client, eid)
    [recent] = client.get("/api/local/events").json
    assert recent["id"] == eid and recent["secret"] == secret
    assert recent["title"] == "Morning keynote" and recent["questions"] == 1
    phone = app.test_client()
    lan = {"REMOTE_ADDR": "192.168.1.50"}
    assert_error(phone.get("/api/local/events", environ_base=lan), 403)
    forged = phone.get(
        "/api/local/events", environ_base=lan, headers={"X-Forwarded-For": "127.0.0.1"}
    )
    assert_error(forged, 403)


def test_other_devices_cannot_create_sessions(app, client):
    phone = app.test_client()
    lan = {"REMOTE_ADDR": "192.168.1.50"}
    refused = phone.post("/api/event", json={"title": "Mine now"}, environ_base=lan)
    assert_error(refused, 403)
    assert "laptop" in refused.json["error"]
    forged = phone.post("/api/event", environ_base=lan, headers={"X-Forwarded-For": "127.0.0.1"})
    assert_error(forged, 403)
    assert client.get("/api/local/events").json == []


def test_a_venue_server_lets_devices_create_sessions_off_the_laptops_list(tmp_path, clock):
    app = create_app({"DATABASE": tmp_path / "db", "CLOCK": clock, "REMOTE_CREATE": True})
    lan = {"REMOTE_ADDR": "192.168.1.50"}
    phone = app.test_client()
    created = phone.post("/api/event", json={"title": "Room B"}, environ_base=lan)
    assert created.status_code == 200
    assert phone.get(f"/api/event/{created.json['id']}").json == {"title": "Room B"}
    own_id = app.test_client().post("/api/event").json["id"]  # the laptop's own
    assert [e["id"] for e in app.test_client().get("/api/local/events").json] == [own_id]
    # Rate-limited per address (3 a minute per device, 10 per address): cookie-less
    # devices on one address get 10 in all, then a 429 with its wait.
    statuses = [
        app.test_client().post("/api/event", environ_base=lan).status_code for _ in range(12)
    ]
    assert statuses == [200] * 9 + [429] * 3
    app.extensions["store"].close()


def test_recent_events_are_newest_first(client, clock):
    first = create(client)[0]
    clock.now += 10
    second = create(client)[0]
    assert [e["id"] for e in client.get("/api/local/events").json] == [second, first]


def test_host_sees_how_many_devices_polled_in_the_last_minute(app, client, event, clock):
    eid, secret = event
    for _ in range(3):
        app.test_client().get(f"/api/event/{eid}/questions")
    client.get(f"/api/event/{eid}/questions/{secret}")
    assert client.get(f"/api/event/{eid}/devices/{secret}").json == {"devices": 4}
    clock.now += 60
    assert client.get(f"/api/event/{eid}/devices/{secret}").json == {"devices": 0}
    assert_error(client.get(f"/api/event/{eid}/devices/wrong"), 401)


# Sharing the guest link


@pytest.fixture
def lan(monkeypatch):
    """Pretend this laptop has Wi-Fi and a docker bridge."""
    pairs = [("docker0", "172.17.0.1"), ("wlan0", "192.168.1.23"), ("eth0", "10.0.0.5")]
    monkeypatch.setattr("lanqa.net.interfaces", lambda: pairs)
    monkeypatch.setattr("lanqa.net.route_hint", lambda: "172.17.0.1")


def test_share_gives_the_guest_link_on_the_lan_address(client, event, lan):
    eid = event[0]
    share = client.get(f"/api/event/{eid}/share", base_url="http://127.0.0.1:8471").json
    assert share["url"] == f"http://192.168.1.23:8471/event/{eid}"
    assert share["lan"] is True
    assert [a["ip"] for a in share["addresses"]] == ["192.168.1.23", "10.0.0.5", "172.17.0.1"]
    chosen = client.get(f"/api/event/{eid}/share?ip=10.0.0.5", base_url="http://127.0.0.1:8471")
    assert chosen.json["url"] == f"http://10.0.0.5:8471/event/{eid}"


def test_share_without_a_network_says_so(client, event, monkeypatch):
    monkeypatch.setattr("lanqa.net.interfaces", lambda: [("lo", "127.0.0.1")])
    monkeypatch.setattr("lanqa.net.route_hint", lambda: None)
    share = client.get(f"/api/event/{event[0]}/share").json
    assert share["lan"] is False and share["addresses"] == []


def test_share_qr_is_an_svg_image(client, event, lan):
    response = client.get(f"/api/event/{event[0]}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml") and b"<svg" in response.data


def test_an_unexpected_failure_is_a_json_500_that_loses_nothing(tmp_path, monkeypatch):
    from lanqa.app import create_app

    app = create_app({"DATABASE": tmp_path / "crash.db"})
    client = app.test_client()
    eid, _ = create(client)
    qid = ask(client, eid)
    monkeypatch.setattr(app.extensions["store"], "vote", lambda *a: 1 / 0)
    message = assert_error(app.test_client().post(f"/api/vote/{qid}/up"), 500)
    assert "try again" in message
    assert guest_list(client, eid) == [{"qid": qid, "votes": 1, "hidden": False}]
    app.extensions["store"].close()


def test_only_pages_served_to_the_laptop_itself_allow_eval(client):
    phone = client.get("/", environ_base={"REMOTE_ADDR": "192.168.1.50"})
    laptop = client.get("/")
    assert "unsafe-eval" not in phone.headers["Content-Security-Policy"]
    assert "script-src 'self' 'unsafe-eval';" in laptop.headers["Content-Security-Policy"]
    for response in (phone, laptop):
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
        response.close()
