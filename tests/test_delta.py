"""Polls for changes (delta.py): a page that holds a version and applies what the server
sends ends with exactly the list a full poll gives, under random asks, votes, hides,
answers, replies, reviews, blocks, merges, undone merges and expiry; the upstream routes
are unchanged; and compressed answers decode to the same bytes. The page's own code
(held.js, order.js) does the applying, under node."""

import gzip
import json
import random
import re
import subprocess
from pathlib import Path

import pytest
from conftest import VOTER_KEY, voter

from lanqa.app import create_app
from lanqa.expiry import DAY
from lanqa.limits import DEFAULTS
from lanqa.lists import RENEW_SECONDS, SHARE_SECONDS, NotCached
from lanqa.order import new_ulid, rank

ASSETS = Path(__file__).resolve().parent.parent / "assets"
UNLIMITED = {rule: (10**6, 1) for rule in DEFAULTS}

# Reads [{"phone", "answer" (null for a 304), "expect"}] and applies each answer to its
# phone's HeldList; prints the index of every poll whose list is not the expected one.
APPLY = """
import { HeldList } from "./held.js";
const canonical = (value) => JSON.stringify(value, (key, v) =>
  v && typeof v === "object" && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort()) : v);
let input = "";
for await (const chunk of process.stdin) input += chunk;
const phones = new Map();
const wrong = [];
JSON.parse(input).forEach(({ phone, answer, expect }, index) => {
  if (!phones.has(phone)) phones.set(phone, new HeldList());
  const held = phones.get(phone);
  const list = answer ? held.apply(answer) : held.ranked;
  if (canonical(list) !== canonical(expect)) wrong.push(index);
});
console.log(JSON.stringify(wrong));
"""


def node(script, data):
    """What script, a module run by node in assets/, prints (JSON) when given data."""
    done = subprocess.run(
        ["node", "--input-type=module", "-e", script],
        input=json.dumps(data),
        capture_output=True,
        text=True,
        cwd=ASSETS,
        timeout=60,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture
def app(tmp_path, clock):
    config = {"DATABASE": tmp_path / "lanqa.db", "CLOCK": clock, "VOTER_KEY": VOTER_KEY}
    app = create_app({**config, "TESTING": True, "RATE_LIMITS": UNLIMITED})
    yield app
    app.extensions["store"].close()


@pytest.fixture
def client(app):
    return app.test_client(use_cookies=False)  # each request names its own device


def cookie(n):
    return {"Cookie": f"lanqa_voter={voter(f'{n:022d}')}"}


class Room:
    """A session driven through the API by many devices, with a settable clock."""

    def __init__(self, client, clock):
        self.client, self.clock = client, clock
        created = client.post("/api/event", json={"title": "Delta"}).json
        self.eid, self.secret = created["id"], created["secret"]
        self.host = f"/api/event/{self.eid}/questions/{self.secret}"
        self.qids = []
        self.merged = []  # questions merged into another, to undo

    def ask(self, device):
        response = self.client.post(
            f"/api/event/{self.eid}",
            json={"body": f"Any news on topic {len(self.qids)}?"},
            headers=cookie(device),
        )
        assert response.status_code in (200, 403), response.data  # 403: closed, or blocked
        if response.status_code == 200:
            self.qids.append(response.json["id"])

    def vote(self, device, qid, up):
        direction = "up" if up else "down"
        self.client.post(f"/api/vote/{qid}/{direction}", headers=cookie(device))

    def toggle(self, qid, prop, on):
        body = "on" if on else "off"
        self.client.post(f"{self.host}/{qid}/toggle/{prop}", data=body)

    def post(self, path, **body):
        self.client.post(path, json=body)

    def full(self, host):
        response = self.client.get(self.host if host else f"/api/event/{self.eid}/questions")
        return response.json, response.headers["ETag"].strip('"')

    def changes(self, host, since):
        path = self.host if host else f"/api/event/{self.eid}/questions"
        response = self.client.get(path, query_string={"since": since})
        assert response.status_code in (200, 304), response.data
        return response.json if response.status_code == 200 else None


def random_step(room, rng):
    """One thing that happens in a hall, chosen at random."""
    qids = room.qids
    kind = rng.choices(
        [
            *("ask", "vote", "hide", "answer", "reply", "highlight", "review", "block"),
            *("merge", "unmerge", "time"),
        ],
        [3, 12, 1, 1, 1, 1, 1, 0.3, 0.2, 0.2, 1],
    )[0]
    if kind == "ask" or not qids:
        room.ask(rng.randrange(40))
    elif kind == "vote":
        room.vote(rng.randrange(40), rng.choice(qids), rng.random() < 0.8)
    elif kind in ("hide", "answer", "highlight"):
        prop = {"hide": "hidden", "answer": "answered", "highlight": "highlighted"}[kind]
        room.toggle(rng.choice(qids), prop, rng.random() < 0.7)
    elif kind == "reply":
        text = rng.choice([None, "Soon.", "Next week, in room 2."])
        room.post(f"{room.host}/{rng.choice(qids)}/reply", reply=text)
    elif kind == "review" and rng.random() < 0.3:
        on = rng.random() < 0.3
        room.post(f"/api/event/{room.eid}/settings/{room.secret}", moderation=on)
    elif kind == "review":
        room.toggle(rng.choice(qids[-10:]), "approved", True)
    elif kind == "block":
        room.client.post(f"{room.host}/{rng.choice(qids)}/block")
    elif kind == "merge" and len(qids) > 1:
        duplicate, survivor = rng.sample(qids, 2)
        room.post(f"{room.host}/{duplicate}/merge", into=survivor)
        room.merged.append(duplicate)
    elif kind == "unmerge" and room.merged:
        # A 404 when the survivor has been merged since, or it was undone already.
        room.client.post(f"{room.host}/{rng.choice(room.merged)}/unmerge")
    else:
        # Minutes change the hotness order.
        room.clock.now += rng.choice([61, 600, 3600])


@pytest.mark.parametrize("host", [False, True], ids=["guest", "host"])
@pytest.mark.parametrize("seed", range(4))
def test_a_page_applying_changes_holds_what_a_full_poll_gives(client, clock, host, seed):
    rng = random.Random(seed)
    room = Room(client, clock)
    versions = {}  # phone -> the version it holds, as the page sends it
    polls = []
    full_answers = 0
    for step in range(400):
        for _ in range(rng.choice([0, 1, 1, 2, 5])):
            random_step(room, rng)
        if step == 200:
            clock.now += 29 * DAY + 20 * 3600  # the first questions expire in the days after
        # Past the time guests share a version: every poll gets the newest.
        clock.now += SHARE_SECONDS + rng.random()
        for phone in rng.sample(range(6), rng.randint(1, 3)):
            # Now and then a phone comes back from a long sleep with a version long gone.
            since = versions.get(phone, "0") if rng.random() > 0.03 else "f" * 24
            answer = room.changes(host, since)
            expect, etag = room.full(host)
            if answer is not None:
                assert answer["v"] == etag
                versions[phone] = answer["v"]
                full_answers += bool(answer.get("full"))
            else:
                assert since == etag
            polls.append({"phone": phone, "answer": answer, "expect": expect})
    # The indexes of the polls after which held.js holds another list than expected.
    assert node(APPLY, polls) == []
    # The walk went through what it is meant to: long lists, and mostly changes.
    assert max(len(p["expect"]) for p in polls) >= 20
    assert full_answers < len(polls) / 5
    assert sum(p["answer"] is None for p in polls) > 10


def test_order_js_ranks_as_the_server_does():
    rng = random.Random(7)
    cases = []
    for _ in range(200):
        now = 1_800_000_000 + rng.random() * 10_000
        items = []
        for _ in range(rng.randint(0, 40)):
            asked = now - rng.random() * 7200
            qid = new_ulid(asked)
            item = {"qid": qid, "votes": rng.choice([0, 1, 1, 2, 3, 5, 8, 40]), "hidden": False}
            if rng.random() < 0.1:
                item["hidden"] = True
            if rng.random() < 0.1:
                item["answered"] = int(now)
            items.append(item)
        items.sort(key=lambda item: item["qid"])
        cases.append({"items": items, "t": int(now * 1000), "expect": rank(items, now)})
    script = """
    import { rank } from "./order.js";
    let input = "";
    for await (const chunk of process.stdin) input += chunk;
    const wrong = JSON.parse(input).filter(({ items, t, expect }) =>
      JSON.stringify(rank(items, t)) !== JSON.stringify(expect));
    console.log(wrong.length);
    """
    assert node(script, cases) == 0


def test_a_change_in_votes_alone_costs_a_few_bytes(client, clock):
    room = Room(client, clock)
    for device in range(200):
        room.ask(device)
    first = room.changes(False, "0")
    assert first["full"] == 1 and len(first["items"]) == 200
    clock.now += 1
    room.vote(500, room.qids[150], True)
    room.vote(501, room.qids[153], True)
    clock.now += 1
    answer = room.changes(False, first["v"])
    assert answer == {"v": answer["v"], "t": answer["t"], "votes": [150, 2, 3, 2]}


def test_guests_share_a_version_for_a_moment_and_the_host_never_waits(client, clock):
    room = Room(client, clock)
    room.ask(1)
    first = room.changes(False, "0")
    host_first = room.changes(True, "0")
    room.vote(2, room.qids[0], True)
    clock.now += SHARE_SECONDS / 2
    assert room.changes(False, first["v"]) is None  # the version shared a moment ago
    assert room.changes(True, host_first["v"])["votes"] == [0, 2]
    clock.now += SHARE_SECONDS / 2
    assert room.changes(False, first["v"])["votes"] == [0, 2]


def test_a_version_lasts_while_only_the_clock_moves(client, clock):
    """Each question's hotness drops once a minute, at its own moment: a minute after a
    burst of questions, the list is re-ranked every few milliseconds. A hall polling
    through that must not push the version a phone holds out of the server's memory."""
    room = Room(client, clock)
    for device in range(300):
        room.ask(device)
        room.vote(1000 + device, room.qids[-1], device % 3 == 0)
        clock.now += 0.01
    clock.now += 58.5  # half way through the minute ticks of the 300 questions
    held = room.changes(False, "0")
    for _ in range(300):  # 6 s of a hall polling, with no vote or question
        clock.now += 0.02
        room.changes(False, "0")
    later = room.changes(False, held["v"])
    assert later is None or "full" not in later


def test_pages_know_how_old_a_guests_list_may_be():
    """A guest's own action shows until a list arrives that is sure to know it: one
    asked for at least as long after the action as the version may be old."""
    lag = re.search(r"GUEST_LAG_MS = (\d+);", (ASSETS / "held.js").read_text()).group(1)
    assert int(lag) >= (SHARE_SECONDS + RENEW_SECONDS) * 1000


def test_while_a_version_is_built_the_hall_gets_the_one_before(app, client, clock):
    room = Room(client, clock)
    room.ask(1)
    held = room.changes(False, "0")
    room.vote(2, room.qids[0], True)
    clock.now += SHARE_SECONDS
    lists = app.extensions["lists"]
    with pytest.raises(NotCached):  # the main loop sends this poll to a worker
        lists.shared(room.eid, False, clock.now, cached_only=True)
    assert lists.shared(room.eid, False, clock.now, cached_only=True).etag == held["v"]
    assert room.changes(False, held["v"])["votes"] == [0, 2]  # the worker builds it
    clock.now += SHARE_SECONDS
    room.vote(3, room.qids[0], True)
    with pytest.raises(NotCached):
        lists.shared(room.eid, False, clock.now, cached_only=True)
    clock.now += RENEW_SECONDS  # that poll never got to it: another one goes
    with pytest.raises(NotCached):
        lists.shared(room.eid, False, clock.now, cached_only=True)


def test_lists_can_bring_the_texts_along(client, clock):
    room = Room(client, clock)
    for device in range(3):
        room.ask(device)
    room.toggle(room.qids[1], "hidden", True)
    path = f"/api/event/{room.eid}/questions"
    answer = client.get(path, query_string={"since": "0", "texts": "1"}).json
    assert [item["qid"] for item in answer["items"]] == [room.qids[0], room.qids[2]]
    assert set(answer["texts"]) == {room.qids[0], room.qids[2]}
    assert answer["texts"][room.qids[0]]["text"] == "Any news on topic 0?"
    host = client.get(room.host, query_string={"since": "0", "texts": "1"}).json
    assert set(host["texts"]) == set(room.qids)
    # Later, the texts of the questions that are new to the page.
    again = client.get(path, query_string={"since": answer["v"], "texts": "1"})
    assert again.status_code == 304
    room.ask(4)
    clock.now += SHARE_SECONDS
    news = client.get(path, query_string={"since": answer["v"], "texts": "1"}).json
    assert [item["qid"] for item in news["items"]] == [room.qids[3]]
    assert list(news["texts"]) == [room.qids[3]]
    room.vote(5, room.qids[0], True)
    clock.now += SHARE_SECONDS
    votes = client.get(path, query_string={"since": news["v"], "texts": "1"}).json
    assert "texts" not in votes and votes["votes"] == [0, 2]


def test_a_closed_session_says_so_in_its_changes(client, clock):
    room = Room(client, clock)
    room.ask(1)
    first = room.changes(True, "0")
    assert "closed" not in first
    room.post(f"/api/event/{room.eid}/settings/{room.secret}", closed=True)
    assert room.changes(True, first["v"])["closed"] == 1


def test_the_upstream_lists_are_what_they_were(client, clock):
    """Without ?since, the lists are upstream's, byte for byte."""
    room = Room(client, clock)
    for device in range(3):
        room.ask(device)
        clock.now += 1
    first, second, third = room.qids
    room.vote(99, second, True)
    room.toggle(first, "answered", True)
    room.toggle(third, "hidden", True)
    answered = int(clock.now)
    guest = client.get(f"/api/event/{room.eid}/questions")
    host = client.get(room.host)
    assert (
        guest.data
        == (
            f'[{{"qid":"{second}","votes":2,"hidden":false}},'
            f'{{"qid":"{first}","votes":1,"hidden":false,"answered":{answered}}}]'
        ).encode()
    )
    assert (
        host.data
        == (
            f'[{{"qid":"{second}","votes":2,"hidden":false}},'
            f'{{"qid":"{first}","votes":1,"hidden":false,"answered":{answered}}},'
            f'{{"qid":"{third}","votes":1,"hidden":true}}]'
        ).encode()
    )
    for response in (guest, host):
        assert response.headers["Content-Type"] == "application/json"
        assert response.headers["Cache-Control"] == "no-cache"
        assert re.fullmatch(r'"[0-9a-f]{24}"', response.headers["ETag"])
        assert "Content-Encoding" not in response.headers


@pytest.mark.parametrize("since", [None, "0"])
def test_compressed_answers_decode_to_the_same_bytes(client, clock, since):
    room = Room(client, clock)
    for device in range(40):
        room.ask(device)
    query = {"since": since} if since else {}
    for path in (f"/api/event/{room.eid}/questions", room.host):
        plain = client.get(path, query_string=query)
        packed = client.get(path, query_string=query, headers={"Accept-Encoding": "gzip, br"})
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) < len(plain.data) / 3
        refused = client.get(path, query_string=query, headers={"Accept-Encoding": "gzip;q=0"})
        assert refused.data == plain.data
