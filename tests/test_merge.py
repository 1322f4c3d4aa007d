"""Merging a duplicate question into another: the survivor gains its voters, one vote per
device, and keeps its text under it ("also asked as") in the lists and the exports; the
duplicate leaves the lists, and a vote for it counts for the survivor."""

import csv
import io

import pytest
from conftest import VOTER_KEY, voter

from lanqa.app import create_app
from lanqa.limits import DEFAULTS

UNLIMITED = {rule: (10**6, 1) for rule in DEFAULTS}


@pytest.fixture
def client(tmp_path, clock):
    config = {"DATABASE": tmp_path / "lanqa.db", "CLOCK": clock, "VOTER_KEY": VOTER_KEY}
    app = create_app({**config, "TESTING": True, "RATE_LIMITS": UNLIMITED})
    yield app.test_client(use_cookies=False)  # each request names its own device
    app.extensions["store"].close()


def device(name):
    return {"Cookie": f"lanqa_voter={voter(name.ljust(22, 'x'))}"}


class Session:
    def __init__(self, client, title="Town hall"):
        self.client = client
        created = client.post("/api/event", json={"title": title}).json
        self.eid, self.secret = created["id"], created["secret"]
        self.host = f"/api/event/{self.eid}/questions/{self.secret}"

    def ask(self, text, by):
        response = self.client.post(f"/api/event/{self.eid}", json={"body": text}, headers=by)
        assert response.status_code == 200, response.json
        return response.json["id"]

    def vote(self, qid, by, direction="up"):
        return self.client.post(f"/api/vote/{qid}/{direction}", headers=by)

    def merge(self, qid, into):
        return self.client.post(f"{self.host}/{qid}/merge", json={"into": into})

    def unmerge(self, qid):
        return self.client.post(f"{self.host}/{qid}/unmerge")

    def guest_list(self):
        return {
            item["qid"]: item for item in self.client.get(f"/api/event/{self.eid}/questions").json
        }

    def host_list(self):
        return {item["qid"]: item for item in self.client.get(self.host).json}


def test_the_survivor_gains_the_voters_of_its_duplicate_once_each(client):
    room = Session(client)
    first = room.ask("Will the slides be online?", device("ann"))
    again = room.ask("Can we get the slides afterwards?", device("dan"))
    for name in ("bob", "cat"):
        room.vote(first, device(name))
    room.vote(again, device("bob"))  # bob voted for both: he counts once
    answer = room.merge(again, first)
    assert answer.status_code == 200
    assert answer.json == {"into": first, "votes": 4}  # ann, bob, cat, dan
    for listed in (room.guest_list(), room.host_list()):
        assert list(listed) == [first]
        assert listed[first]["votes"] == 4
        assert listed[first]["also"] == [
            {"qid": again, "text": "Can we get the slides afterwards?"}
        ]
    # dan (who asked the duplicate) takes back his vote: from the survivor.
    assert room.vote(again, device("dan"), "down").json == {"votes": 3}
    # A phone that still shows the duplicate votes for it: the vote is the survivor's.
    assert room.vote(again, device("eve")).json == {"votes": 4}
    assert room.vote(first, device("eve")).json == {"votes": 4}  # once per device


def test_what_was_merged_into_a_duplicate_goes_along(client):
    room = Session(client)
    first = room.ask("When is the next release?", device("ann"))
    second = room.ask("Release date of the next version?", device("bob"))
    third = room.ask("When do we get the new version?", device("cat"))
    assert room.merge(third, second).json["votes"] == 2
    assert room.merge(second, first).json["votes"] == 3
    also = room.guest_list()[first]["also"]
    assert [merged["qid"] for merged in also] == [second, third]
    # A question merged already cannot be merged, nor merged into.
    assert room.merge(second, first).status_code == 404
    assert room.merge(first, third).status_code == 404


def test_a_hidden_duplicate_is_not_shown_under_its_survivor(client):
    room = Session(client)
    first = room.ask("Is the cafeteria open today?", device("ann"))
    rude = room.ask("Is the awful cafeteria even open??", device("bob"))
    client.post(f"{room.host}/{rude}/toggle/hidden", data="on")
    assert room.merge(rude, first).json["votes"] == 2
    assert "also" not in room.guest_list()[first]
    assert "also" not in room.host_list()[first]


def test_merging_is_refused_when_it_makes_no_sense(client):
    room = Session(client)
    other = Session(client, "Another room")
    mine = room.ask("What about parking?", device("ann"))
    theirs = other.ask("What about parking spaces?", device("bob"))
    assert room.merge(mine, mine).status_code == 400
    assert "itself" in room.merge(mine, mine).json["error"]
    assert room.merge(mine, theirs).status_code == 404  # another session's question
    assert room.merge(theirs, mine).status_code == 404
    assert room.merge(mine, "not-a-question").status_code == 400
    bad = client.post(f"{room.host}/{mine}/merge", json={"into": 5})
    assert bad.status_code == 400 and "into" in bad.json["error"]
    wrong = client.post(
        f"/api/event/{room.eid}/questions/{'x' * 30}/{mine}/merge", json={"into": mine}
    )
    assert wrong.status_code == 401
    assert list(room.host_list()) == [mine] and list(other.host_list()) == [theirs]


def test_an_undone_merge_gives_each_question_back_its_own_voters(client):
    room = Session(client)
    first = room.ask("Will the slides be online?", device("ann"))
    again = room.ask("Can we get the slides afterwards?", device("dan"))
    room.vote(first, device("bob"))
    room.vote(again, device("bob"))  # bob voted for both
    room.vote(again, device("eve"))
    assert room.merge(again, first).json["votes"] == 4  # ann, bob, dan, eve
    room.vote(again, device("fay"))  # a vote for the duplicate, after: for the survivor
    answer = room.unmerge(again)
    assert answer.status_code == 200
    assert answer.json == {"votes": 3, "into": first, "into_votes": 3}  # fay stays
    for listed in (room.guest_list(), room.host_list()):
        assert set(listed) == {first, again}
        assert (listed[first]["votes"], listed[again]["votes"]) == (3, 3)
        assert "also" not in listed[first]
    # Each device's vote is where it was: dan and eve again have theirs on the duplicate.
    assert room.vote(again, device("dan")).json["votes"] == 3
    assert room.vote(first, device("dan")).json["votes"] == 4
    assert room.unmerge(again).status_code == 404  # not merged any more
    # It can be merged again, and undone again.
    assert room.merge(again, first).json["votes"] == 5
    assert room.unmerge(again).json == {"votes": 3, "into": first, "into_votes": 4}


def test_undoing_a_merge_takes_back_what_had_gone_along(client):
    room = Session(client)
    first = room.ask("When is the next release?", device("ann"))
    second = room.ask("Release date of the next version?", device("bob"))
    third = room.ask("When do we get the new version?", device("cat"))
    room.merge(third, second)
    room.merge(second, first)
    assert room.unmerge(third).status_code == 404  # its survivor has been merged since
    assert room.unmerge(second).json == {"votes": 2, "into": first, "into_votes": 1}
    listed = room.guest_list()
    assert set(listed) == {first, second}
    assert listed[second]["also"] == [{"qid": third, "text": "When do we get the new version?"}]
    assert room.unmerge(third).json == {"votes": 1, "into": second, "into_votes": 1}
    assert set(room.guest_list()) == {first, second, third}


def test_undoing_a_merge_is_refused_when_it_makes_no_sense(client):
    room = Session(client)
    other = Session(client, "Another room")
    mine = room.ask("What about parking?", device("ann"))
    kept = room.ask("Where can we park?", device("bob"))
    assert room.unmerge(mine).status_code == 404  # never merged
    room.merge(mine, kept)
    across = client.post(f"{other.host}/{mine}/unmerge")
    assert across.status_code == 404 and "error" in across.json
    wrong = client.post(f"/api/event/{room.eid}/questions/{'x' * 30}/{mine}/unmerge")
    assert wrong.status_code == 401
    assert room.unmerge("not-a-question").status_code == 400
    assert list(room.guest_list()) == [kept]


def test_a_blocked_device_s_votes_on_merged_questions_are_counted_once(client):
    room = Session(client)
    first = room.ask("Will the slides be online?", device("ann"))
    again = room.ask("Can we get the slides afterwards?", device("bob"))
    room.vote(first, device("bob"))
    room.merge(again, first)
    done = client.post(f"{room.host}/{again}/block")
    assert done.json == {"hidden": 1, "votes_removed": 1}
    assert room.guest_list()[first]["votes"] == 1


def test_exports_list_the_duplicate_under_its_survivor(client):
    room = Session(client)
    first = room.ask("Will there be a recording?", device("ann"))
    again = room.ask("Is the talk being recorded?", device("bob"))
    room.merge(again, first)
    client.post(f"{room.host}/{first}/toggle/answered", data="on")
    path = f"/api/event/{room.eid}/export/{room.secret}"
    data = client.get(path, query_string={"format": "json"}).json
    [question] = data["answered"]
    assert question["id"] == first and question["votes"] == 2
    assert question["also"] == ["Is the talk being recorded?"]
    rows = list(csv.reader(io.StringIO(client.get(path, query_string={"format": "csv"}).text)))
    assert rows[0][-1] == "also asked as"
    assert [row[-1] for row in rows[1:]] == ["Is the talk being recorded?"]
    for format in ("md", "html"):
        text = client.get(path, query_string={"format": format}).text
        assert "Also asked as: Is the talk being recorded?" in text
    german = client.get(path, query_string={"format": "md"}, headers={"Accept-Language": "de"})
    assert "Also asked as" not in german.text
