"""The order of the lists: open questions by votes, then hotness; answered and hidden last."""

from lanqa.order import hotness, new_ulid, parse_ulid, rank, ulid_ms

NOW = 1_800_000_000.0


def item(votes, minutes_ago, name, **flags):
    return {
        "qid": new_ulid(NOW - minutes_ago * 60),
        "votes": votes,
        "hidden": False,
        "name": name,
        **flags,
    }


def names(items):
    return [q["name"] for q in items]


def test_top_five_by_votes_then_the_rest_by_hotness():
    items = [
        item(10, 100, "a"),
        item(9, 100, "b"),
        item(8, 100, "c"),
        item(7, 100, "d"),
        item(6, 100, "e"),
        item(5, 100, "f"),
        item(1, 0, "g"),
        item(2, 3, "h"),
        item(0, 0, "i"),
    ]
    # after the top 5: g = 1/1, i = max(0,1)/1, h = 2/4, f = 5/101
    assert names(rank(items, NOW)) == ["a", "b", "c", "d", "e", "g", "i", "h", "f"]


def test_a_young_question_cannot_enter_the_top_five_on_hotness_alone():
    items = [item(3, 60, f"old{n}") for n in range(5)] + [item(2, 0, "new")]
    assert names(rank(items, NOW))[-1] == "new"


def test_both_sorts_are_stable():
    items = [item(4, 10, n) for n in "abcdefgh"]
    assert names(rank(items, NOW)) == list("abcdefgh")


def test_answered_and_hidden_follow_open_questions_in_their_original_order():
    items = [
        item(50, 1, "answered", answered=1),
        item(1, 1, "open"),
        item(60, 1, "hidden", hidden=True),
        item(2, 1, "open2"),
    ]
    assert names(rank(items, NOW)) == ["open2", "open", "answered", "hidden"]


def test_hotness_counts_whole_minutes_since_the_ulid_time():
    assert hotness(item(6, 0, "x"), NOW) == 6
    assert hotness({"qid": new_ulid(NOW - 59.9), "votes": 6}, NOW) == 6
    assert hotness({"qid": new_ulid(NOW - 60), "votes": 6}, NOW) == 3
    assert hotness({"qid": new_ulid(NOW - 119), "votes": 6}, NOW) == 3
    assert hotness({"qid": new_ulid(NOW - 180), "votes": 6}, NOW) == 1.5
    assert hotness({"qid": new_ulid(NOW + 600), "votes": 6}, NOW) == 6


def test_ulid_time_and_parsing():
    ulid = new_ulid(NOW)
    assert ulid_ms(ulid) == NOW * 1000
    assert parse_ulid(ulid.lower()) == ulid
    assert parse_ulid(ulid + "0") is None
    assert parse_ulid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ") == "7ZZZZZZZZZZZZZZZZZZZZZZZZZ"
    assert parse_ulid("8ZZZZZZZZZZZZZZZZZZZZZZZZZ") is None
