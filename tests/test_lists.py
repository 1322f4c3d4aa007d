"""The in-memory lists: polls that find nothing new never reach SQLite, and stay exact."""

import pytest

from lanqa.order import new_ulid


@pytest.fixture
def event(client):
    created = client.post("/api/event").json
    return created["id"], created["secret"]


@pytest.fixture
def sql_calls(store, monkeypatch):
    """Counts every read the store does."""
    calls = []
    original = store._rows

    def counting(sql, params=()):
        calls.append(sql)
        return original(sql, params)

    monkeypatch.setattr(store, "_rows", counting)
    return calls


def poll(client, path, etag=None):
    return client.get(path, headers={"If-None-Match": etag} if etag else {})


def test_polls_that_find_nothing_new_do_not_touch_sqlite(client, event, sql_calls):
    eid, secret = event
    client.post(f"/api/event/{eid}", json={"body": "Is this cached?"})
    for path in (f"/api/event/{eid}/questions", f"/api/event/{eid}/questions/{secret}"):
        etag = poll(client, path).headers["ETag"]
        before = len(sql_calls)
        for _ in range(20):
            assert poll(client, path, etag).status_code == 304
        assert len(sql_calls) == before


@pytest.mark.parametrize(
    "write",
    ["ask", "vote", "retract", "hide", "answer", "approve", "highlight", "reply", "close"],
)
def test_every_kind_of_write_refreshes_both_lists(app, client, event, write):
    eid, secret = event
    qid = client.post(f"/api/event/{eid}", json={"body": "First question here"}).json["id"]
    paths = [f"/api/event/{eid}/questions", f"/api/event/{eid}/questions/{secret}"]
    etags = [poll(client, path).headers["ETag"] for path in paths]
    toggle = f"/api/event/{eid}/questions/{secret}/{qid}/toggle"
    {
        "ask": lambda: client.post(f"/api/event/{eid}", json={"body": "Second one here"}),
        "vote": lambda: app.test_client().post(f"/api/vote/{qid}/up"),
        "retract": lambda: client.post(f"/api/vote/{qid}/down"),
        "hide": lambda: client.post(f"{toggle}/hidden", data="on"),
        "answer": lambda: client.post(f"{toggle}/answered", data="on"),
        "approve": lambda: client.post(f"{toggle}/approved", data="off"),
        "highlight": lambda: client.post(f"{toggle}/highlighted", data="on"),
        "reply": lambda: client.post(
            f"/api/event/{eid}/questions/{secret}/{qid}/reply", json={"reply": "Yes"}
        ),
        "close": lambda: client.post(f"/api/event/{eid}/settings/{secret}", json={"closed": True}),
    }[write]()
    for path, etag in zip(paths, etags, strict=True):
        assert poll(client, path, etag).status_code == 200


def test_the_order_moves_when_a_minute_passes_with_no_write(store, client, event, clock):
    """After the top 5, hotness = votes / (whole minutes + 1) changes with time alone."""
    eid, _ = event
    t0 = clock()
    for n in range(5):
        qid = new_ulid(t0 - 600)
        store.ask(eid, qid, f"Top question {n}", None, "asker", t0 - 600)
        for voter in range(10):
            store.vote(qid, f"voter-{voter}", True, t0)
    older = new_ulid(t0)
    store.ask(eid, older, "Older with three votes", None, "asker", t0)
    store.vote(older, "a", True, t0)
    store.vote(older, "b", True, t0)
    newer = new_ulid(t0 + 170)
    store.ask(eid, newer, "Newer with one vote", None, "asker", t0 + 170)

    def tail():
        return [q["qid"] for q in client.get(f"/api/event/{eid}/questions").json][5:]

    clock.now = t0 + 179.9  # older: 3 / (2 + 1) = 1, newer: 1 / 1; a tie keeps vote order
    assert tail() == [older, newer]
    clock.now = t0 + 180  # older: 3 / (3 + 1) = 0.75
    assert tail() == [newer, older]


def test_a_cached_list_drops_a_question_the_moment_it_expires(client, event, clock):
    eid, secret = event
    client.post(f"/api/event/{eid}", json={"body": "Short lived question"})
    clock.now += 30 * 86400 - 1
    assert len(client.get(f"/api/event/{eid}/questions/{secret}").json) == 1
    clock.now += 1
    assert client.get(f"/api/event/{eid}/questions/{secret}").json == []


def test_a_cached_event_is_gone_the_moment_it_expires(client, event, clock):
    eid, _ = event
    assert client.get(f"/api/event/{eid}/questions").status_code == 200
    clock.now += 60 * 86400
    assert client.get(f"/api/event/{eid}/questions").status_code == 404


def test_question_texts_are_read_once_and_vanish_when_they_expire(client, event, clock, sql_calls):
    eid, _ = event
    qid = client.post(f"/api/event/{eid}", json={"body": "Cached text here"}).json["id"]
    assert client.get(f"/api/questions/{qid}").json[qid]["text"] == "Cached text here"
    before = len(sql_calls)
    for _ in range(5):
        assert qid in client.get(f"/api/questions/{qid}").json
    assert len(sql_calls) == before
    clock.now += 30 * 86400
    assert client.get(f"/api/questions/{qid}").json == {}


def test_a_write_rebuilds_the_guest_list_only_if_it_was_polled_since(app, client, event, sql_calls):
    eid, _ = event
    qid = client.post(f"/api/event/{eid}", json={"body": "Rebuilt when polled?"}).json["id"]
    path = f"/api/event/{eid}/questions"
    poll(client, path)
    builds = lambda: sum("ORDER BY q.id" in sql for sql in sql_calls)  # noqa: E731
    before = builds()
    app.test_client().post(f"/api/vote/{qid}/up")
    assert builds() == before + 1  # polled since its build: rebuilt by the write
    app.test_client().post(f"/api/vote/{qid}/up")
    assert builds() == before + 1  # nobody polled in between: no build
    assert poll(client, path).json[0]["votes"] == 3
    assert builds() == before + 2


def test_a_text_read_before_an_approval_is_not_kept_from_guests_after_it(
    app, client, event, store, monkeypatch
):
    """The text is read in review; the host approves while that read is on its way. The
    approval waits for the read to be filed, so it is not undone by it."""
    import threading

    eid, secret = event
    client.post(f"/api/event/{eid}/settings/{secret}", json={"moderation": True})
    qid = client.post(f"/api/event/{eid}", json={"body": "Approved mid-read"}).json["id"]
    reading, approved = threading.Event(), threading.Event()
    details = store.details

    def slow_details(qids, now):
        found = details(qids, now)  # still in review
        reading.set()
        approved.wait(0.5)  # the approval, if it could, would land here
        return found

    monkeypatch.setattr(store, "details", slow_details)
    reader = threading.Thread(target=lambda: app.test_client().get(f"/api/questions/{qid}"))
    reader.start()
    reading.wait(5)

    def approve():
        client.post(f"/api/event/{eid}/questions/{secret}/{qid}/toggle/approved", data="on")
        approved.set()

    approver = threading.Thread(target=approve)
    approver.start()
    reader.join(5)
    approver.join(5)
    assert qid in client.get(f"/api/questions/{qid}").json
