"""Moderation: settings, review before public, approve, "now answering", replies,
closing a session to questions and deleting it. What guests must never see, on every
path that answers them (Flask, the layer in front of it, the main loop)."""

import http.client
import json
import sqlite3
from contextlib import closing

import pytest
from conftest import VOTER, VOTER_KEY, settle
from waitress.channel import HTTPChannel

from lanqa.app import create_app

GOOD_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
DEFAULTS = {"moderation": False, "closed": False}


def create(client):
    created = client.post("/api/event", json={"title": "Town hall"}).json
    return created["id"], created["secret"]


def ask(client, eid, text="What is the plan?"):
    response = client.post(f"/api/event/{eid}", json={"body": text, "asker": None})
    assert response.status_code == 200, response.json
    return response.json["id"]


def toggle(client, eid, secret, qid, prop, body):
    return client.post(f"/api/event/{eid}/questions/{secret}/{qid}/toggle/{prop}", data=body)


def settings(client, eid, secret, **changes):
    response = client.post(f"/api/event/{eid}/settings/{secret}", json=changes)
    assert response.status_code == 200, response.json
    return response.json


def reply(client, eid, secret, qid, body):
    path = f"/api/event/{eid}/questions/{secret}/{qid}/reply"
    if isinstance(body, bytes):
        return client.post(path, data=body, content_type="application/json")
    return client.post(path, json=body)


def guest_list(client, eid):
    return client.get(f"/api/event/{eid}/questions").json


def host_list(client, eid, secret):
    return client.get(f"/api/event/{eid}/questions/{secret}").json


def assert_error(response, status):
    assert response.status_code == status, response.data
    assert response.mimetype == "application/json"
    assert response.json["error"][0].isupper()
    return response.json["error"]


def wire(port, path, method="GET", **headers):
    """A phone's request to the real server, with its voter cookie: the main loop
    answers it from memory when it can. (status, headers, body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, path, headers={"Cookie": f"lanqa_voter={VOTER}", **headers})
    response = conn.getresponse()
    answer = response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    conn.close()
    return answer


@pytest.fixture
def to_workers(monkeypatch):
    """The requests that went through waitress's parser to a worker thread: those the
    main loop did not answer from memory."""
    seen = []
    received = HTTPChannel.received
    monkeypatch.setattr(
        HTTPChannel, "received", lambda channel, data: seen.append(data) or received(channel, data)
    )
    return seen


@pytest.fixture
def event(client):
    return create(client)


@pytest.fixture
def moderated(client, event):
    """A session with moderation on: (eid, secret)."""
    settings(client, *event, moderation=True)
    return event


# Settings


def test_settings_start_off_and_change_one_at_a_time(client, event):
    eid, secret = event
    assert client.get(f"/api/event/{eid}/settings/{secret}").json == DEFAULTS
    assert settings(client, eid, secret, moderation=True) == {"moderation": True, "closed": False}
    assert settings(client, eid, secret, closed=True) == {"moderation": True, "closed": True}
    assert settings(client, eid, secret) == {"moderation": True, "closed": True}
    assert settings(client, eid, secret, moderation=False, closed=False) == DEFAULTS


@pytest.mark.parametrize(
    "body",
    [
        {"moderation": "yes"},
        {"closed": 1},
        {"moderation": None},
        {"moderation": True, "other": True},
        {"title": "New title"},
        [True],
        "not json",
    ],
)
def test_settings_refuse_other_keys_and_values_that_are_not_booleans(client, event, body):
    eid, secret = event
    path = f"/api/event/{eid}/settings/{secret}"
    sent = (
        client.post(path, json=body) if not isinstance(body, str) else client.post(path, data=body)
    )
    assert_error(sent, 400)
    assert client.get(path).json == DEFAULTS


@pytest.mark.parametrize("method", ["get", "post"])
def test_settings_need_the_secret_of_a_session_that_exists(client, event, method):
    eid, secret = event
    send = getattr(client, method)
    assert_error(send(f"/api/event/{eid}/settings/wrong", json={"closed": True}), 401)
    assert_error(send(f"/api/event/{GOOD_ID}/settings/{secret}", json={"closed": True}), 404)
    assert_error(send(f"/api/event/nope/settings/{secret}", json={"closed": True}), 400)
    assert client.get(f"/api/event/{eid}/settings/{secret}").json == DEFAULTS


def test_settings_and_question_states_survive_a_restart(app, client, event, tmp_path, clock):
    eid, secret = event
    settings(client, eid, secret, moderation=True, closed=False)
    waiting, shown = ask(client, eid, "Still in review?"), ask(client, eid, "Approved one here")
    toggle(client, eid, secret, shown, "approved", "on")
    toggle(client, eid, secret, shown, "highlighted", "on")
    reply(client, eid, secret, shown, {"reply": "Yes, next week."})
    settings(client, eid, secret, closed=True)
    config = {"DATABASE": tmp_path / "lanqa.db", "CLOCK": clock, "VOTER_KEY": VOTER_KEY}
    again = create_app(config)
    try:
        after = again.test_client()
        assert after.get(f"/api/event/{eid}/settings/{secret}").json == {
            "moderation": True,
            "closed": True,
        }
        assert guest_list(after, eid) == [
            {
                "qid": shown,
                "votes": 1,
                "hidden": False,
                "highlighted": True,
                "reply": "Yes, next week.",
            }
        ]
        assert {q["qid"]: q.get("review") for q in host_list(after, eid, secret)} == {
            shown: None,
            waiting: True,
        }
        assert after.get(f"/api/questions/{waiting}").json == {}
        assert_error(after.post(f"/api/event/{eid}", json={"body": "Closed, even now?"}), 403)
    finally:
        again.extensions["store"].close()


# Review before public


def test_with_moderation_a_new_question_waits_for_review(client, moderated):
    eid, secret = moderated
    asked = client.post(f"/api/event/{eid}", json={"body": "Will this show?"}).json
    qid = asked["id"]
    assert asked == {"id": qid, "review": True}  # the asker's page says it waits
    assert guest_list(client, eid) == []
    assert host_list(client, eid, secret) == [
        {"qid": qid, "votes": 1, "hidden": False, "review": True}
    ]
    assert client.get(f"/api/questions/{qid}").json == {}
    assert qid in client.get(f"/api/event/{eid}/questions/{secret}/texts/{qid}").json


def test_without_moderation_a_question_is_public_and_says_nothing_of_review(client, event):
    eid, _ = event
    asked = client.post(f"/api/event/{eid}", json={"body": "Shown at once?"}).json
    assert list(asked) == ["id"]
    assert [q["qid"] for q in guest_list(client, eid)] == [asked["id"]]


def test_approve_publishes_and_off_sends_back_to_review(client, moderated):
    eid, secret = moderated
    qid = ask(client, eid)
    client.get(f"/api/event/{eid}/questions/{secret}/texts/{qid}")  # its text now cached
    assert toggle(client, eid, secret, qid, "approved", "on").json == {"approved": True}
    assert guest_list(client, eid) == [{"qid": qid, "votes": 1, "hidden": False}]
    assert "review" not in host_list(client, eid, secret)[0]
    assert qid in client.get(f"/api/questions/{qid}").json
    assert toggle(client, eid, secret, qid, "approved", "off").json == {"approved": False}
    assert guest_list(client, eid) == []
    assert client.get(f"/api/questions/{qid}").json == {}


def test_turning_moderation_off_publishes_nothing_by_itself(client, moderated):
    eid, secret = moderated
    waiting = ask(client, eid, "Asked during moderation")
    settings(client, eid, secret, moderation=False)
    later = ask(client, eid, "Asked after moderation")
    assert [q["qid"] for q in guest_list(client, eid)] == [later]
    items = {q["qid"]: q for q in host_list(client, eid, secret)}
    assert items[waiting] == {"qid": waiting, "votes": 1, "hidden": False, "review": True}


def test_a_question_in_review_reaches_no_guest_on_any_path(client, moderated, running, to_workers):
    """The guest list and texts the projector and phones read, answered by a worker and
    then from memory on the main loop, before and after approval and when sent back."""
    eid, secret = moderated
    public = ask(client, eid, "Approved question")
    toggle(client, eid, secret, public, "approved", "on")
    waiting = ask(client, eid, "Waiting question")
    client.get(f"/api/event/{eid}/questions/{secret}/texts/{waiting}")  # cached for the host
    guest, texts = f"/api/event/{eid}/questions", f"/api/questions/{public},{waiting}"

    def seen():
        answers = [wire(running.port, guest), wire(running.port, texts)]
        assert [status for status, _, _ in answers] == [200, 200]
        listed = [q["qid"] for q in json.loads(answers[0][2])]
        return listed, sorted(json.loads(answers[1][2]))

    assert seen() == ([public], [public])  # a worker reads them
    settle(running)
    to_workers.clear()
    assert seen() == ([public], [public])  # from memory
    toggle(client, eid, secret, waiting, "approved", "on")
    assert seen() == ([public, waiting], sorted([public, waiting]))
    toggle(client, eid, secret, waiting, "approved", "off")
    assert seen() == ([public], [public])
    assert to_workers == []


def test_the_public_export_leaves_questions_in_review_out(client, moderated):
    eid, secret = moderated
    waiting, approved = ask(client, eid, "Never approved here"), ask(client, eid, "Approved one")
    for qid in (waiting, approved):  # both answered, but only one was ever public
        toggle(client, eid, secret, qid, "answered", "on")
    toggle(client, eid, secret, approved, "approved", "on")
    path = f"/api/event/{eid}/export/{secret}?format="
    public = client.get(path + "json").json
    assert [q["id"] for q in public["answered"]] == [approved] and "review" not in public
    everything = client.get(path + "json&all=1").json
    assert [q["id"] for q in everything["review"]] == [waiting]
    assert waiting not in [
        q["id"] for name in ("answered", "pending", "hidden") for q in everything[name]
    ]
    for kind in ("csv", "md", "html"):
        assert "Never approved" not in client.get(path + kind).text, kind
    sheet = client.get(path + "csv&all=1").text
    assert "in review,Never approved here" in sheet
    assert "## In review (1)" in client.get(path + "md&all=1").text


def test_blocking_a_device_keeps_its_questions_out_of_public_after_unhide(app, client, moderated):
    """Hidden and in review are two flags: a question is public only with neither, so
    showing again a blocked device's question sends it back to review, not to guests."""
    eid, secret = moderated
    phone = app.test_client()
    phone.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    spam = phone.post(f"/api/event/{eid}", json={"body": "Buy my stuff"}).json["id"]
    blocked = client.post(f"/api/event/{eid}/questions/{secret}/{spam}/block").json
    assert blocked == {"hidden": 1, "votes_removed": 1}
    [item] = host_list(client, eid, secret)
    assert item["hidden"] is True and item["review"] is True
    toggle(client, eid, secret, spam, "hidden", "off")
    assert guest_list(client, eid) == []
    assert client.get(f"/api/questions/{spam}").json == {}
    toggle(client, eid, secret, spam, "hidden", "on")
    toggle(client, eid, secret, spam, "approved", "on")  # approving a hidden one: still hidden
    assert guest_list(client, eid) == []
    assert client.get(f"/api/questions/{spam}").json == {}


def test_the_live_sessions_count_no_question_in_review(client, moderated):
    eid, secret = moderated
    ask(client, eid, "Waiting one here")
    toggle(client, eid, secret, ask(client, eid, "Approved one here"), "approved", "on")
    [live] = client.get("/api/live").json
    assert (live["id"], live["questions"]) == (eid, 1)


# Now answering


def test_one_highlighted_question_at_a_time(client, event):
    eid, secret = event
    first, second = ask(client, eid, "First question here"), ask(client, eid, "Second question")
    assert toggle(client, eid, secret, first, "highlighted", "on").json == {"highlighted": True}
    assert [q.get("highlighted") for q in guest_list(client, eid)] == [True, None]
    assert toggle(client, eid, secret, second, "highlighted", "on").json == {"highlighted": True}
    highlighted = {q["qid"]: q.get("highlighted") for q in host_list(client, eid, secret)}
    assert highlighted == {first: None, second: True}
    assert toggle(client, eid, secret, second, "highlighted", "off").json == {"highlighted": False}
    assert all("highlighted" not in q for q in guest_list(client, eid))


def test_answering_ends_the_highlight(client, event):
    eid, secret = event
    qid = ask(client, eid)
    toggle(client, eid, secret, qid, "highlighted", "on")
    toggle(client, eid, secret, qid, "answered", "on")
    assert "highlighted" not in guest_list(client, eid)[0]
    toggle(client, eid, secret, qid, "highlighted", "on")
    toggle(client, eid, secret, qid, "answered", "off")  # un-answering leaves it
    assert guest_list(client, eid)[0]["highlighted"] is True


def test_highlights_of_two_sessions_are_separate(client, event):
    other = create(client)
    mine, theirs = ask(client, event[0]), ask(client, other[0])
    toggle(client, *event, mine, "highlighted", "on")
    toggle(client, *other, theirs, "highlighted", "on")
    assert guest_list(client, event[0])[0]["highlighted"] is True


@pytest.mark.parametrize("prop", ["approved", "highlighted"])
def test_new_toggles_check_path_secret_body_and_session(client, event, prop):
    eid, secret = event
    qid = ask(client, eid)
    other_qid = ask(client, create(client)[0])
    assert_error(toggle(client, eid, secret, qid, "pinned", "on"), 400)
    assert_error(toggle(client, eid, secret, "nope", prop, "on"), 400)
    assert_error(toggle(client, GOOD_ID, secret, qid, prop, "on"), 404)
    assert_error(toggle(client, eid, "wrong", qid, prop, "on"), 401)
    assert_error(toggle(client, eid, secret, qid, prop, "yes"), 400)
    assert_error(toggle(client, eid, secret, other_qid, prop, "on"), 404)
    assert_error(toggle(client, eid, secret, GOOD_ID, prop, "on"), 404)
    assert host_list(client, eid, secret) == [{"qid": qid, "votes": 1, "hidden": False}]


# Replies


def test_a_reply_travels_in_the_list_items_not_in_the_texts(client, event):
    eid, secret = event
    qid = ask(client, eid)
    texts = client.get(f"/api/questions/{qid}").json
    assert reply(client, eid, secret, qid, {"reply": "  Next week.\n "}).json == {
        "reply": "Next week."
    }
    assert guest_list(client, eid)[0]["reply"] == "Next week."
    assert host_list(client, eid, secret)[0]["reply"] == "Next week."
    assert client.get(f"/api/questions/{qid}").json == texts  # immutable, as upstream's


@pytest.mark.parametrize("removal", [{"reply": ""}, {"reply": "   "}, {"reply": None}])
def test_an_empty_or_null_reply_removes_it(client, event, removal):
    eid, secret = event
    qid = ask(client, eid)
    reply(client, eid, secret, qid, {"reply": "For now"})
    assert reply(client, eid, secret, qid, removal).json == {}
    assert guest_list(client, eid) == [{"qid": qid, "votes": 1, "hidden": False}]


def test_a_reply_of_500_characters_fits_and_one_more_does_not(client, event):
    eid, secret = event
    qid = ask(client, eid)
    assert reply(client, eid, secret, qid, {"reply": "r" * 500}).json == {"reply": "r" * 500}
    assert "500" in assert_error(reply(client, eid, secret, qid, {"reply": "r" * 501}), 400)
    wide = json.dumps({"reply": "é" * 500}, ensure_ascii=False).encode()  # 1,012 bytes
    assert reply(client, eid, secret, qid, wide).json == {"reply": "é" * 500}
    assert guest_list(client, eid)[0]["reply"] == "é" * 500


@pytest.mark.parametrize(
    "body", [{"reply": 5}, {"reply": ["a"]}, {"reply": {"text": "a"}}, {"text": "a"}, {}, [1]]
)
def test_a_reply_must_be_text_or_null(client, event, body):
    eid, secret = event
    qid = ask(client, eid)
    assert assert_error(reply(client, eid, secret, qid, body), 400)
    assert "reply" not in host_list(client, eid, secret)[0]


def test_a_reply_needs_the_secret_and_a_question_of_that_session(client, event):
    eid, secret = event
    qid = ask(client, eid)
    other_qid = ask(client, create(client)[0])
    body = {"reply": "Yes"}
    assert_error(reply(client, eid, "wrong", qid, body), 401)
    assert_error(reply(client, GOOD_ID, secret, qid, body), 404)
    assert_error(reply(client, eid, secret, other_qid, body), 404)
    assert_error(reply(client, eid, secret, GOOD_ID, body), 404)
    assert_error(reply(client, eid, secret, "nope", body), 400)


def test_a_reply_to_a_question_in_review_stays_with_the_host(client, moderated):
    eid, secret = moderated
    qid = ask(client, eid)
    reply(client, eid, secret, qid, {"reply": "Not yet"})
    assert guest_list(client, eid) == []
    assert host_list(client, eid, secret)[0]["reply"] == "Not yet"


# Closing a session to questions


def test_a_closed_session_refuses_questions_and_still_takes_votes(app, client, event):
    eid, secret = event
    qid = ask(client, eid)
    settings(client, eid, secret, closed=True)
    refused = client.post(f"/api/event/{eid}", json={"body": "One more question?"})
    assert refused.status_code == 403 and refused.json == {
        "error": "Questions are closed for this session."
    }
    # Said before anything else is wrong with the question.
    assert_error(client.post(f"/api/event/{eid}", json={"body": "Hi"}), 403)
    assert app.test_client().post(f"/api/vote/{qid}/up").json == {"votes": 2}
    assert [q["votes"] for q in guest_list(client, eid)] == [2]
    settings(client, eid, secret, closed=False)
    ask(client, eid, "Open again now")


@pytest.mark.parametrize("host", [False, True])
def test_lists_say_closed_on_200_and_304_and_change_etag(client, event, host):
    eid, secret = event
    ask(client, eid)
    path = f"/api/event/{eid}/questions" + (f"/{secret}" if host else "")
    open_etag = client.get(path).headers["ETag"]
    assert "X-Questions-Closed" not in client.get(path).headers
    settings(client, eid, secret, closed=True)
    closed = client.get(path, headers={"If-None-Match": open_etag})
    assert closed.status_code == 200 and closed.headers["X-Questions-Closed"] == "1"
    etag = closed.headers["ETag"]
    assert etag != open_etag
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["X-Questions-Closed"] == "1"
    settings(client, eid, secret, closed=False)
    reopened = client.get(path, headers={"If-None-Match": etag})
    assert reopened.status_code == 200 and "X-Questions-Closed" not in reopened.headers
    assert reopened.headers["ETag"] == open_etag


def test_phones_on_the_main_loop_learn_that_questions_closed(client, event, running, to_workers):
    eid, secret = event
    ask(client, eid)
    path = f"/api/event/{eid}/questions"
    etag = wire(running.port, path)[1]["etag"]  # a worker builds the list
    settle(running)
    to_workers.clear()
    assert wire(running.port, path, **{"If-None-Match": etag})[0] == 304
    settings(client, eid, secret, closed=True)
    status, headers, _ = wire(running.port, path, **{"If-None-Match": etag})
    assert (status, headers["x-questions-closed"]) == (200, "1")
    status, headers, _ = wire(running.port, path, **{"If-None-Match": headers["etag"]})
    assert (status, headers["x-questions-closed"]) == (304, "1")
    assert to_workers == []  # all three from memory, on the main loop


# Deleting a session


def counts(path, eid):
    """Rows of eid in every table that holds a session's data, read from the file."""
    with closing(sqlite3.connect(path)) as conn:
        return {
            "events": conn.execute("SELECT count(*) FROM events WHERE id = ?", (eid,)).fetchone()[
                0
            ],
            "questions": conn.execute(
                "SELECT count(*) FROM questions WHERE eid = ?", (eid,)
            ).fetchone()[0],
            "votes": conn.execute(
                "SELECT count(*) FROM votes WHERE qid IN (SELECT id FROM questions WHERE eid = ?)"
                " OR qid NOT IN (SELECT id FROM questions)",
                (eid,),
            ).fetchone()[0],
            "blocked": conn.execute(
                "SELECT count(*) FROM blocked WHERE eid = ?", (eid,)
            ).fetchone()[0],
        }


@pytest.mark.parametrize("how", ["DELETE", "POST"])
def test_deleting_a_session_removes_every_row_of_it_at_once(app, client, event, store, how):
    eid, secret = event
    kept = create(client)
    ask(client, kept[0], "Another session's question")
    settings(client, eid, secret, moderation=True, closed=False)
    qids = [ask(client, eid, f"Question number {n}") for n in range(3)]
    app.test_client().post(f"/api/vote/{qids[0]}/up")
    spammer = app.test_client()
    spammer.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    spam = spammer.post(f"/api/event/{eid}", json={"body": "Buy my stuff"}).json["id"]
    client.post(f"/api/event/{eid}/questions/{secret}/{spam}/block")
    reply(client, eid, secret, qids[1], {"reply": "Soon"})
    assert counts(store.path, eid) == {"events": 1, "questions": 4, "votes": 4, "blocked": 1}
    if how == "DELETE":
        deleted = client.delete(f"/api/event/{eid}/{secret}")
    else:
        deleted = client.post(f"/api/event/{eid}/delete/{secret}")
    assert deleted.status_code == 200 and deleted.json == {"deleted": True}
    assert counts(store.path, eid) == {"events": 0, "questions": 0, "votes": 0, "blocked": 0}
    assert counts(store.path, kept[0])["questions"] == 1
    assert [e["id"] for e in client.get("/api/local/events").json] == [kept[0]]


def test_a_deleted_session_is_404_on_every_route_and_path(app, client, event, running):
    eid, secret = event
    qid = ask(client, eid)
    guest, texts = f"/api/event/{eid}/questions", f"/api/questions/{qid}"
    for _ in range(2):  # cached: the main loop answers the second time
        assert wire(running.port, guest)[0] == 200 and qid in json.loads(
            wire(running.port, texts)[2]
        )
    assert client.delete(f"/api/event/{eid}/{secret}").json == {"deleted": True}
    assert wire(running.port, guest)[0] == 404
    assert json.loads(wire(running.port, texts)[2]) == {}
    assert wire(running.port, f"/api/event/{eid}")[0] == 404  # the guest link's check
    host = f"/api/event/{eid}/questions/{secret}"
    for response in (
        client.get(f"/api/event/{eid}"),
        client.get(guest),
        client.get(host),
        client.get(f"{host}/texts/{qid}"),
        client.get(f"/api/event/{eid}/settings/{secret}"),
        client.get(f"/api/event/{eid}/export/{secret}"),
        client.post(f"/api/event/{eid}", json={"body": "Anyone there?"}),
        client.post(f"/api/vote/{qid}/up"),
        toggle(client, eid, secret, qid, "answered", "on"),
        reply(client, eid, secret, qid, {"reply": "Too late"}),
        client.delete(f"/api/event/{eid}/{secret}"),
    ):
        assert_error(response, 404)
    assert client.get(texts).json == {}


def test_deleting_needs_the_secret_and_a_session(client, event, store):
    eid, secret = event
    ask(client, eid)
    assert_error(client.delete(f"/api/event/{eid}/wrong"), 401)
    assert_error(client.post(f"/api/event/{eid}/delete/wrong"), 401)
    assert_error(client.delete(f"/api/event/{GOOD_ID}/{secret}"), 404)
    assert_error(client.delete(f"/api/event/nope/{secret}"), 400)
    assert counts(store.path, eid)["questions"] == 1


def test_a_deleted_sessions_blocked_devices_are_forgotten(app, client, event):
    eid, secret = event
    spammer = app.test_client()
    spammer.environ_base["REMOTE_ADDR"] = "10.0.0.66"
    spam = spammer.post(f"/api/event/{eid}", json={"body": "Buy my stuff"}).json["id"]
    client.post(f"/api/event/{eid}/questions/{secret}/{spam}/block")
    client.delete(f"/api/event/{eid}/{secret}")
    assert app.extensions["phones"].blocked == set()
