"""The SQLite store: migrations, expiry and the purge."""

import sqlite3
from contextlib import closing

import pytest

from lanqa.expiry import DAY, start_purger
from lanqa.migrations import MIGRATIONS
from lanqa.store import Store, Unusable

T = 1_800_000_000
EID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"
QID = "01ARZ3NDEKTSV4RRFFQ69G5FAW"


def rows(path, sql):
    with closing(sqlite3.connect(path)) as conn:
        return conn.execute(sql).fetchall()


@pytest.fixture
def store(tmp_path):
    store = Store(tmp_path / "lanqa.db")
    store.create_event(EID, "s" * 30, None, T)
    yield store
    store.close()


def test_a_fresh_database_gets_every_migration_and_wal(tmp_path):
    path = tmp_path / "new.db"
    Store(path)
    assert rows(path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]


def test_a_database_of_the_first_schema_opens_after_later_migrations(tmp_path):
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.executescript(f"BEGIN; {MIGRATIONS[0]}; PRAGMA user_version = 1; COMMIT;")
        conn.execute("INSERT INTO events VALUES (?, ?, ?)", (EID, "s" * 30, T))
        conn.execute(
            "INSERT INTO questions (id, eid, text, who, votes, hidden, answered, created)"
            " VALUES (?, ?, 'Old question here', 'Ada', 3, 0, ?, ?)",
            (QID, EID, T + 5, T),
        )
        conn.commit()
    store = Store(path)
    assert rows(path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert store.event(EID, T)["title"] is None
    assert [e["id"] for e in store.recent_events(T)] == [EID]  # made on the laptop
    [question] = store.questions(EID, T)
    assert (question["votes"], question["answered"]) == (3, T + 5)
    assert store.details([QID], T)[QID]["who"] == "Ada"
    assert store.vote(QID, "phone", True, T) == (EID, 4)
    assert store.vote(QID, "phone", True, T) == (EID, 4)


def test_a_database_of_schema_5_opens_with_its_sessions_unmoderated_and_open(tmp_path):
    path = tmp_path / "five.db"
    with closing(sqlite3.connect(path)) as conn:
        for number, migration in enumerate(MIGRATIONS[:5], 1):
            conn.executescript(f"BEGIN; {migration}; PRAGMA user_version = {number}; COMMIT;")
        conn.execute(
            "INSERT INTO events (id, secret, created) VALUES (?, ?, ?)", (EID, "s" * 30, T)
        )
        conn.execute(
            "INSERT INTO questions (id, eid, text, created) VALUES (?, ?, 'Old question here', ?)",
            (QID, EID, T),
        )
        conn.commit()
    store = Store(path)
    assert rows(path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    event = store.event(EID, T)
    assert (event["moderation"], event["closed"]) == (0, 0)
    [question] = store.questions(EID, T, hidden=False)  # public, as it was
    assert (question["review"], question["highlighted"], question["reply"]) == (0, 0, None)
    store.close()


def test_foreign_keys_are_on_for_every_connection(store):
    """Deleting a session relies on ON DELETE CASCADE, which SQLite only applies with
    foreign keys on, per connection."""
    assert store._writer.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store._rows("PRAGMA foreign_keys")[0][0] == 1


def test_deleting_an_event_deletes_its_questions_votes_and_blocked_devices(store):
    store.ask(EID, QID, "A question here", None, "phone", T)
    store.vote(QID, "other", True, T)
    store.block(EID, QID, T)
    assert store.delete_event(EID) is True
    for table in ("events", "questions", "votes", "blocked"):
        assert rows(store.path, f"SELECT count(*) FROM {table}") == [(0,)], table
    assert store.delete_event(EID) is False


def test_a_session_has_one_highlighted_question_even_written_directly(store):
    other = "01ARZ3NDEKTSV4RRFFQ69G5FAX"
    store.ask(EID, QID, "A question here", None, "phone", T)
    store.ask(EID, other, "Another question", None, "phone", T)
    assert store.set_flag(EID, QID, "highlighted", 1, T)
    assert store.set_flag(EID, other, "highlighted", 1, T)
    assert [(q["id"], q["highlighted"]) for q in store.questions(EID, T)] == [(QID, 0), (other, 1)]
    with closing(sqlite3.connect(store.path)) as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE questions SET highlighted = 1")


def test_a_closed_event_takes_no_question_and_a_moderated_one_reviews_it(store):
    assert store.change_settings(EID, T, closed=True)["closed"] == 1
    assert store.ask(EID, QID, "A question here", None, "phone", T) is None
    changed = store.change_settings(EID, T, closed=False, moderation=True)
    assert (changed["closed"], changed["moderation"]) == (0, 1)
    assert store.ask(EID, QID, "A question here", None, "phone", T) is True
    assert store.questions(EID, T, hidden=False) == []
    assert store.change_settings("01ARZ3NDEKTSV4RRFFQ69G5FAZ", T, closed=True) is None


def test_reopening_an_up_to_date_database_changes_nothing(tmp_path, store):
    store.ask(EID, QID, "A question here", None, "phone", T)
    again = Store(store.path)
    assert [row["id"] for row in again.questions(EID, T)] == [QID]


def test_a_database_from_a_newer_lanqa_is_refused(tmp_path):
    path = tmp_path / "future.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    with pytest.raises(Unusable, match="newer LanQA"):
        Store(path)


def test_a_failed_migration_leaves_the_database_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "half.db"
    Store(path)
    monkeypatch.setattr("lanqa.store.MIGRATIONS", [*MIGRATIONS, "CREATE TABLE x (a); BROKEN;"])
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    assert rows(path, "PRAGMA user_version") == [(len(MIGRATIONS),)]
    assert rows(path, "SELECT name FROM sqlite_master WHERE name = 'x'") == []


def without_a_secret(path):
    """A database whose event has no secret, which its schema forbids: the damage only
    PRAGMA quick_check finds, as SQLite reads the file without complaint."""
    with closing(sqlite3.connect(path)) as conn:
        schema = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'events'").fetchone()[0]
        conn.execute("PRAGMA writable_schema = ON")
        relaxed = schema.replace("secret  TEXT NOT NULL", "secret  TEXT")
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'events'", (relaxed,))
        conn.commit()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("INSERT INTO events (id, secret, created) VALUES ('E', NULL, 1)")
        conn.execute("PRAGMA writable_schema = ON")
        conn.execute("UPDATE sqlite_master SET sql = ? WHERE name = 'events'", (schema,))
        conn.commit()


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda path: path.write_bytes(path.read_bytes()[:100]), "malformed"),
        (lambda path: path.write_bytes(b"not a database at all " * 400), "not a database"),
        (without_a_secret, "NULL value in events.secret"),
    ],
    ids=["truncated", "garbage", "failing-its-check"],
)
def test_a_damaged_database_is_refused_and_left_as_it_was(tmp_path, damage, reason):
    path = tmp_path / "lanqa.db"
    Store(path).close()
    damage(path)
    before = path.read_bytes()
    with pytest.raises(Unusable) as refused:
        Store(path)
    assert str(path) in str(refused.value) and "is damaged" in str(refused.value)
    assert reason in str(refused.value) and "another --data-dir" in str(refused.value)
    assert path.read_bytes() == before


def test_a_database_that_cannot_be_opened_says_which_file(tmp_path):
    path = tmp_path / "lanqa.db"
    path.mkdir()
    with pytest.raises(Unusable, match="cannot open or write .*lanqa.db"):
        Store(path)


# Expiry: questions 30 days after asking, events 60 days after creation.


def live(store, now):
    return {
        "event": store.event(EID, now) is not None,
        "list": [row["id"] for row in store.questions(EID, now)],
        "details": list(store.details([QID], now)),
        "vote": store.vote(QID, "late-phone", True, now) is not None,
        "toggle": store.set_flag(EID, QID, "hidden", 0, now),
    }


def test_a_question_is_kept_until_30_days_and_gone_at_30_days(store):
    store.ask(EID, QID, "A question here", None, "phone", T)
    kept = live(store, T + 30 * DAY - 60)
    assert kept == {"event": True, "list": [QID], "details": [QID], "vote": True, "toggle": True}
    gone = live(store, T + 30 * DAY)
    assert gone == {"event": True, "list": [], "details": [], "vote": False, "toggle": False}


def test_an_event_is_kept_until_60_days_and_gone_with_its_questions_at_60(store):
    store.ask(EID, QID, "A late question", None, "phone", T + 45 * DAY)
    assert live(store, T + 60 * DAY - 60)["list"] == [QID]
    gone = live(store, T + 60 * DAY)
    assert gone == {"event": False, "list": [], "details": [], "vote": False, "toggle": False}
    assert (
        store.ask(EID, "01ARZ3NDEKTSV4RRFFQ69G5FAX", "Too late now", None, "p", T + 60 * DAY)
        is None
    )


def test_purge_deletes_from_disk_only_what_has_expired(store):
    store.ask(EID, QID, "A question here", None, "phone", T)
    assert store.purge(T + 30 * DAY - 1) == (0, 0)
    assert rows(store.path, "SELECT count(*) FROM questions") == [(1,)]
    assert store.purge(T + 30 * DAY) == (0, 1)
    assert rows(store.path, "SELECT count(*) FROM votes") == [(0,)]
    assert store.purge(T + 60 * DAY - 1) == (0, 0)
    assert store.purge(T + 60 * DAY) == (1, 0)
    assert rows(store.path, "SELECT count(*) FROM events") == [(0,)]


def test_purging_an_event_deletes_its_questions_and_votes(store):
    store.ask(EID, QID, "A late question", None, "phone", T + 45 * DAY)
    store.purge(T + 60 * DAY)
    assert rows(store.path, "SELECT count(*) FROM questions") == [(0,)]
    assert rows(store.path, "SELECT count(*) FROM votes") == [(0,)]


def test_the_purger_runs_once_at_start_then_every_interval():
    calls = []

    class Recorder:
        def purge(self, now):
            calls.append(now)

    stop = start_purger(Recorder(), every=0.01, clock=lambda: len(calls))
    try:
        assert calls == [0]  # synchronously, before start_purger returns
        for _ in range(500):
            if len(calls) >= 3:
                break
            stop.wait(0.01)
        assert calls[:3] == [0, 1, 2]
    finally:
        stop.set()


def test_a_purge_that_fails_is_logged_and_the_next_one_still_runs(caplog):
    calls = []

    class FullDisk:
        def purge(self, now):
            calls.append(now)
            raise sqlite3.OperationalError("database or disk is full")

    stop = start_purger(FullDisk(), every=0.01, clock=lambda: len(calls))
    try:
        for _ in range(500):
            if len(calls) >= 2:
                break
            stop.wait(0.01)
        assert calls[:2] == [0, 1]
    finally:
        stop.set()
    assert "could not delete what has expired" in caplog.text
    assert "database or disk is full" in caplog.text
