"""Rate limits on asking and voting, per device and per network address."""

import pytest

from lanqa.limits import Bucket, parse


def test_a_bucket_allows_a_burst_then_refills_evenly():
    bucket = Bucket(6, 60)
    assert [bucket.take("phone", 0) for _ in range(6)] == [0] * 6
    assert bucket.take("phone", 0) == 10  # one token every 10 s
    assert bucket.take("other", 0) == 0
    assert bucket.take("phone", 9.9) == 1
    assert bucket.take("phone", 10) == 0
    assert bucket.take("phone", 10) == 10


def test_limits_parse_and_explain_mistakes():
    assert parse("ask=5/30,devices=10/600") == {"ask": (5, 30), "devices": (10, 600)}
    for wrong in ("ask=5", "talk=1/2", "vote=1/x"):
        with pytest.raises(ValueError, match="write it as rule=count/seconds, e.g. ask=5/60"):
            parse(wrong)
    with pytest.raises(ValueError, match="at least 1"):
        parse("ask=5/0")


@pytest.fixture
def eid(client):
    return client.post("/api/event").json["id"]


def ask(client, eid, n=0):
    return client.post(f"/api/event/{eid}", json={"body": f"Question number {n}"})


def test_a_device_asking_a_sixth_time_in_a_minute_is_told_to_wait(client, eid, clock, store):
    assert [ask(client, eid, n).status_code for n in range(5)] == [200] * 5
    refused = ask(client, eid, 5)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "12"
    assert refused.json["error"] == "You are asking very fast: wait 12 seconds, then send it again."
    assert len(store.questions(eid, clock())) == 5
    clock.now += 12
    assert ask(client, eid, 6).status_code == 200


def test_an_address_asks_at_most_ten_questions_in_any_minute(app, eid, clock):
    """However many devices it has: five phones of one hotspot, asking every 3 s."""
    phones = [app.test_client() for _ in range(5)]
    accepted = []
    for n in range(100):
        if ask(phones[n % 5], eid, n).status_code == 200:
            accepted.append(clock.now)
        clock.now += 3
    assert len(accepted) == 5 + 297 // 12  # 5 at once, then one every 12 s
    assert max(sum(t <= a <= t + 60 for a in accepted) for t in accepted) <= 10


def test_an_address_gets_ten_new_devices_then_waits(app, eid, clock):
    """A client without a cookie is a new device: a script that drops its cookie gets
    ten, then a 429 in JSON; its neighbours on other addresses are not affected."""
    script = {"REMOTE_ADDR": "10.0.0.66"}
    new = [app.test_client().get(f"/api/event/{eid}", environ_base=script) for _ in range(11)]
    assert [response.status_code for response in new] == [200] * 10 + [429]
    refused = app.test_client().get(f"/api/event/{eid}/questions", environ_base=script)
    assert refused.json == {
        "error": "Too many new devices from your network: wait 60 seconds, then try again."
    }
    assert "Set-Cookie" not in refused.headers and refused.headers["Retry-After"] == "60"
    other = app.test_client().get(f"/api/event/{eid}", environ_base={"REMOTE_ADDR": "10.0.0.7"})
    assert other.status_code == 200 and "lanqa_voter=" in other.headers["Set-Cookie"]
    page = app.test_client().get(f"/event/{eid}", environ_base=script)  # still served
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    page.close()
    clock.now += 60
    assert app.test_client().get(f"/api/event/{eid}", environ_base=script).status_code == 200


def test_a_made_up_voter_cookie_is_no_device(app, eid):
    phone = app.test_client()
    phone.set_cookie("lanqa_voter", "A" * 33)
    assert "lanqa_voter=" in phone.get(f"/api/event/{eid}").headers["Set-Cookie"]


def test_an_address_adds_at_most_ten_votes_to_a_question_in_ten_minutes(app, eid, clock):
    """A script voting every 10 s for 20 minutes, each time as a new device (no cookie):
    whatever it does with cookies, its address adds at most ten votes in ten minutes."""
    qid = ask(app.test_client(), eid).json["id"]
    script = {"REMOTE_ADDR": "10.0.0.66"}
    added = []
    for _ in range(120):
        if app.test_client().post(f"/api/vote/{qid}/up", environ_base=script).status_code == 200:
            added.append(clock.now)
        clock.now += 10
    assert max(sum(t <= a <= t + 600 for a in added) for t in added) <= 10
    assert len(added) == 5 + 9  # 5 at once, then one every 2 minutes
    assert app.test_client().get(f"/api/event/{eid}/questions").json[0]["votes"] == 1 + 14


def test_a_hotspot_of_five_phones_votes_normally(app, eid):
    qid = ask(app.test_client(), eid).json["id"]
    hotspot = {"REMOTE_ADDR": "10.0.0.5"}
    phones = [app.test_client() for _ in range(5)]
    assert [p.post(f"/api/vote/{qid}/up", environ_base=hotspot).status_code for p in phones] == [
        200
    ] * 5
    refused = app.test_client().post(f"/api/vote/{qid}/up", environ_base=hotspot)
    assert refused.status_code == 429
    assert refused.json["error"] == (
        "Many votes for this question came from your network: wait 120 seconds."
    )


def test_votes_are_limited_per_device(app, client, eid):
    app.extensions["limits"].buckets["question-votes"] = Bucket(100, 60)  # not this rule
    qids = [ask(app.test_client(), eid, n).json["id"] for n in range(2)]
    statuses = [
        client.post(f"/api/vote/{qids[n % 2]}/{'up' if n % 4 < 2 else 'down'}").status_code
        for n in range(61)
    ]
    assert statuses == [200] * 60 + [429]
    refused = client.post(f"/api/vote/{qids[0]}/up")
    assert "wait 1 second," in refused.json["error"] and refused.headers["Retry-After"] == "1"


def test_invalid_requests_do_not_use_up_the_limit(client, eid):
    for _ in range(10):
        assert client.post(f"/api/event/{eid}", json={"body": "one"}).status_code == 400
    assert ask(client, eid).status_code == 200


def test_the_command_line_explains_a_wrong_limit(capsys):
    from lanqa.__main__ import main

    with pytest.raises(SystemExit):
        main(["serve", "--limits", "ask=5"])
    assert "'ask=5': write it as rule=count/seconds" in capsys.readouterr().err
