"""Rate limits on asking and voting, per device and per network address."""

import pytest

from lanqa.limits import Bucket, parse


def test_a_bucket_allows_a_burst_then_refills_evenly():
    bucket = Bucket(per_minute=6)
    assert [bucket.take("phone", 0) for _ in range(6)] == [0] * 6
    assert bucket.take("phone", 0) == 10  # one token every 10 s
    assert bucket.take("other", 0) == 0
    assert bucket.take("phone", 9.9) == 1
    assert bucket.take("phone", 10) == 0
    assert bucket.take("phone", 10) == 10


def test_limits_parse_and_explain_mistakes():
    assert parse("ask=5/30,vote=60/600") == {"ask": (5, 30), "vote": (60, 600)}
    with pytest.raises(ValueError, match="ask=5/30"):
        parse("ask=5")
    with pytest.raises(ValueError, match="ask=5/30"):
        parse("talk=1/2")


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


def test_an_address_with_many_devices_is_limited_more_generously(app, eid):
    statuses = [ask(app.test_client(), eid, n).status_code for n in range(31)]
    assert statuses == [200] * 30 + [429]


def test_votes_are_limited_per_device(app, client, eid):
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
    assert "'ask=5': write it as ask=5/30 or vote=60/600" in capsys.readouterr().err
