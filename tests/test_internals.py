"""waitress's internals that LanQA uses are checked at start; when one is not as expected,
LanQA serves with plain waitress: slower, still correct, and it says so once."""

import http.client
import json
import logging
import threading

import pytest
from conftest import VOTER as VOTER_ID
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer

from lanqa import internals
from lanqa.server import Listener, Server

VOTER = f"lanqa_voter={VOTER_ID}"


def test_the_pinned_waitress_has_everything_lanqa_uses():
    assert internals.missing() == []


def test_a_renamed_attribute_is_found(monkeypatch):
    monkeypatch.delattr(HTTPChannel, "close_when_flushed")
    assert internals.missing() == ["HTTPChannel.close_when_flushed"]


def run_without_the_shim(self):
    """BaseWSGIServer.run as a release might write it: without the asyncore attribute,
    so that LanQA's loop would silently not run."""
    wasyncore.loop(self.adj.asyncore_loop_timeout, self.adj.asyncore_use_poll, self._map)


def test_a_run_that_no_longer_drives_the_loop_shim_is_found(monkeypatch):
    monkeypatch.setattr(BaseWSGIServer, "run", run_without_the_shim)
    assert internals.missing() == ["BaseWSGIServer.run uses asyncore"]


def test_a_changed_signature_is_found(monkeypatch):
    monkeypatch.setattr(wasyncore, "readwrite", lambda dispatcher, events: None)
    assert internals.missing() == ["readwrite(obj)", "readwrite(flags)"]


def request(port, method, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    conn.request(method, path, headers={"Cookie": VOTER})
    response = conn.getresponse()
    body = json.loads(response.read())
    conn.close()
    return response.status, body


@pytest.mark.parametrize("loop", ["epoll", "select"])
def test_with_an_internal_missing_phones_are_still_served_by_plain_waitress(
    app, client, monkeypatch, caplog, loop
):
    monkeypatch.setenv("LANQA_LOOP", loop)
    monkeypatch.setattr(BaseWSGIServer, "run", run_without_the_shim)
    eid = client.post("/api/event").json["id"]
    qid = client.post(f"/api/event/{eid}", json={"body": "Still there?"}).json["id"]
    with caplog.at_level(logging.WARNING, logger="lanqa.server"):
        server = Server(app, "127.0.0.1", 0, quick=app.wsgi_app.phones.from_memory)
    [warning] = [r.getMessage() for r in caplog.records if r.name == "lanqa.server"]
    assert "BaseWSGIServer.run uses asyncore" in warning and "plain waitress" in warning
    assert not isinstance(server._server, Listener)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        assert request(server.port, "GET", f"/api/event/{eid}/questions")[1][0]["votes"] == 1
        assert request(server.port, "POST", f"/api/vote/{qid}/up") == (200, {"votes": 2})
        assert request(server.port, "GET", f"/api/event/{eid}/questions")[1][0]["votes"] == 2
    finally:
        server.close()
