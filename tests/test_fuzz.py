"""Random requests at every route: never a 5xx, and every error is a JSON sentence."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lanqa.app import create_app
from lanqa.limits import DEFAULTS

# Each route with the method it answers; random methods are tried too.
ROUTES = [
    ("POST", "/api/event"),
    ("GET", "/api/event/{eid}"),
    ("POST", "/api/event/{eid}"),
    ("GET", "/api/event/{eid}/questions"),
    ("GET", "/api/event/{eid}/questions/{secret}"),
    ("POST", "/api/event/{eid}/questions/{secret}/{qid}/toggle/{prop}"),
    ("POST", "/api/vote/{qid}/{updown}"),
    ("GET", "/api/questions/{qids}"),
    ("GET", "/api/event/{eid}/share"),
    ("GET", "/api/event/{eid}/qr.svg"),
    ("GET", "/api/event/{eid}/devices/{secret}"),
    ("GET", "/api/event/{eid}/export/{secret}"),
    ("GET", "/api/event/{eid}/settings/{secret}"),
    ("POST", "/api/event/{eid}/settings/{secret}"),
    ("POST", "/api/event/{eid}/questions/{secret}/{qid}/reply"),
    # Deleting: a session of its own, so that the others live through the run.
    ("DELETE", "/api/event/{doomed}/{doomed_secret}"),
    ("POST", "/api/event/{doomed}/delete/{doomed_secret}"),
    ("GET", "/api/local/events"),
    ("GET", "/api/live"),
    ("POST", "/api/local/wifi-qr"),
    ("GET", "/"),
    ("GET", "/live"),
    ("GET", "/event/{eid}"),
    ("GET", "/event/{eid}/"),
    ("GET", "/event/{eid}/{secret}"),
    ("GET", "/event/{eid}/{secret}/"),
    ("GET", "/assets/{name}"),
    ("GET", "/{anything}"),
]
METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"]
CONTENT_TYPES = [
    None,
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=latin-1",
]

ULIDS = st.from_regex(r"[0-7][0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{25}", fullmatch=True)
TEXT = st.text(max_size=40).filter(lambda t: "/" not in t and "?" not in t and "#" not in t)


def test_random_requests_never_give_a_server_error(tmp_path):
    app = create_app(
        {
            "DATABASE": tmp_path / "fuzz.db",
            "RATE_LIMITS": {rule: (10**6, 1) for rule in DEFAULTS},
        }
    )
    client = app.test_client()
    event = client.post("/api/event", json={"title": "Fuzz"}).json
    qid = client.post(f"/api/event/{event['id']}", json={"body": "Seed question"}).json["id"]
    doomed = client.post("/api/event", json={"title": "Doomed"}).json
    client.post(f"/api/event/{doomed['id']}", json={"body": "Doomed question"})
    ids = st.one_of(st.just(event["id"]), st.just(qid), ULIDS, TEXT)
    parts = {
        "eid": ids,
        "qid": ids,
        "secret": st.one_of(st.just(event["secret"]), TEXT),
        "doomed": st.one_of(st.just(doomed["id"]), ids),
        "doomed_secret": st.one_of(st.just(doomed["secret"]), TEXT),
        "prop": st.sampled_from(["hidden", "answered", "approved", "highlighted", "pinned", ""]),
        "updown": st.sampled_from(["up", "down", "sideways"]),
        "qids": st.lists(ids, max_size=5).map(",".join),
        "name": st.sampled_from(["app.js", "style.css", "../lanqa/app.py", "nope", "%2e%2e/x"]),
        "anything": TEXT,
    }
    scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=60)
    # Two words, one with a lone surrogate ("\ud800" in the JSON), which SQLite refuses.
    scalars |= st.tuples(st.text(max_size=20), st.characters(categories=["Cs"])).map(" ".join)
    json_values = st.recursive(
        scalars,
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["body", "asker", "title", "reply", "moderation", "closed"])
                | st.text(max_size=5),
                inner,
                max_size=3,
            )
        ),
        max_leaves=6,
    )
    bodies = st.one_of(
        st.none(),
        st.binary(max_size=1500),
        st.text(max_size=300),
        st.sampled_from(["on", "off", "{", "[]", '"text"', "5"]),
        json_values.map(json.dumps),
    )
    routes = st.one_of(
        st.sampled_from(ROUTES),
        st.tuples(st.sampled_from(METHODS), st.sampled_from([path for _, path in ROUTES])),
    )

    @settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        route=routes,
        values=st.fixed_dictionaries(parts),
        body=bodies,
        content_type=st.sampled_from(CONTENT_TYPES),
        query=st.sampled_from(["", "?format=csv", "?format=xlsx&all=1", "?ip=1.2.3.4", "?x=%ff"]),
    )
    def check(route, values, body, content_type, query):
        method, path = route[0], route[1].format(**values) + query
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.open(path, method=method, data=body, headers=headers)
        assert response.status_code < 500, (method, path, body, response.data[:200])
        if response.status_code >= 400 and method != "HEAD":
            assert response.mimetype == "application/json", (method, path, response.data[:200])
            assert isinstance(response.json["error"], str) and response.json["error"]
        response.close()

    check()
    app.extensions["store"].close()


# Bodies that no route can store, and the sentence each gets (tests/test_bad_input.py
# sends malformed HTTP, which the test client cannot).
RAW_SURROGATE = '{"body": "half an emoji \ud83d here"}'.encode("utf-8", "surrogatepass")
BAD_BODIES = [
    ("/api/event/{eid}", b'{"body": "half \\ud83d emoji", "asker": null}', "question contains"),
    ("/api/event/{eid}", b'{"body": "two words", "asker": "\\udfff"}', "name contains"),
    ("/api/event", b'{"title": "Keynote \\ud800"}', "title contains"),
    ("/api/event/{eid}", RAW_SURROGATE, "question contains a broken character (a lone surrogate"),
    ("/api/event/{eid}", b'{"body": ["\\udc00"]}', "question contains"),
    ("/api/event/{eid}", b'{"note": "\\udc00"}', '"note" contains'),
    ("/api/event/{eid}", b"[" * 1000, "nested too deeply (max 20 levels)"),
    ("/api/event/{eid}", b'{"body": ' + b"[" * 25 + b"]" * 25 + b"}", "nested too deeply"),
    ("/api/event", b'{"a":' * 100 + b"1" + b"}" * 100, "nested too deeply"),
]


@pytest.mark.parametrize(("path", "body", "error"), BAD_BODIES)
def test_a_body_no_route_can_store_is_a_400_with_its_reason(client, path, body, error):
    eid = client.post("/api/event", json={"title": "Fuzz"}).json["id"]
    response = client.post(path.format(eid=eid), data=body, content_type="application/json")
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert error in response.json["error"]
