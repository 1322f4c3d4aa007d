"""Every SQL statement LanQA runs: events, questions, votes, migrations (their SQL in
migrations.py) and the purge."""

import json
import queue
import sqlite3
import threading
from contextlib import contextmanager

from lanqa.expiry import event_cutoff, live_cutoff, question_cutoff
from lanqa.i18n import _
from lanqa.migrations import MIGRATIONS

# A question is visible while both it and its event are younger than their lifetimes.
LIVE = """questions q JOIN events e ON e.id = q.eid
          WHERE q.created > :qcut AND e.created > :ecut"""
# What guests may see of a question: neither hidden nor waiting for review (nor merged
# into another: no list has those).
PUBLIC = "q.hidden = 0 AND q.review = 0 AND q.merged IS NULL"
# The texts of the questions merged into q that guests may see, as JSON: [{qid, text}].
ALSO = """(SELECT json_group_array(json_object('qid', m.id, 'text', m.text))
           FROM questions m WHERE m.merged = q.id AND m.hidden = 0) AS also"""
EVENT = "id, secret, title, created, moderation, closed"
# The flags a host sets on a question (set_flag).
FLAGS = ("hidden", "answered", "review", "highlighted")
# SQLite's primary error codes for a file that is damaged, or that cannot be written.
DAMAGED = (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
UNWRITABLE = (
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_PERM,
    sqlite3.SQLITE_AUTH,
)


def problem(code, path, reason):
    """What to say when the file, not LanQA, is at fault, by SQLite's primary error code;
    None when LanQA is."""
    if code in DAMAGED:
        return damaged(path, reason)
    if code == sqlite3.SQLITE_FULL:
        return _(
            "The disk holding {path} is full ({reason}): free some space, then start LanQA again.",
            path=path,
            reason=reason,
        )
    if code == sqlite3.SQLITE_IOERR:
        return _(
            "LanQA could not read or write {path} ({reason}): check that its disk has free space and works, then start LanQA again.",  # noqa: E501
            path=path,
            reason=reason,
        )
    if code in UNWRITABLE:
        return _(
            "LanQA cannot open or write {path} ({reason}): make the file and its folder writable, or start LanQA with another --data-dir.",  # noqa: E501
            path=path,
            reason=reason,
        )
    return None


def damaged(path, reason):
    return _(
        "{path} is damaged ({reason}). LanQA has left it as it is: move it elsewhere (keep it, it may be recoverable) to start with an empty one, or start LanQA with another --data-dir.",  # noqa: E501
        path=path,
        reason=reason,
    )


class Unusable(Exception):
    """The database (or its folder) cannot be used; the message names it and says what to do."""


class Store:
    """One SQLite file: one writer connection behind a lock, a pool of reader connections.

    Connections stay open: opening one costs about half a millisecond, and closing the
    last one checkpoints the WAL with an fsync.
    """

    def __init__(self, path):
        self.path = str(path)
        self._write_lock = threading.Lock()
        self._readers = queue.SimpleQueue()
        try:
            self._open()
        except sqlite3.Error as error:
            message = problem(getattr(error, "sqlite_errorcode", 0) & 0xFF, self.path, error)
            if message is None:
                raise  # LanQA's own mistake: keep the traceback
            raise Unusable(message) from error

    def _open(self):
        self._writer = self._connect()
        try:
            self.check()
            self.migrate()
        except BaseException:
            self._writer.close()
            raise

    def _connect(self):
        conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        # WAL + NORMAL: a killed process loses nothing that was committed.
        conn.execute("PRAGMA synchronous = NORMAL")
        return conn

    def close(self):
        with self._write_lock:
            self._writer.close()
        while not self._readers.empty():
            self._readers.get().close()

    @contextmanager
    def _writing(self):
        # One writer at a time in this process, so writers queue on a lock
        # instead of spinning in SQLite's busy handler.
        with self._write_lock, self._writer as conn:
            yield conn

    def _rows(self, sql, params=()):
        try:
            conn = self._readers.get_nowait()
        except queue.Empty:
            conn = self._connect()
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            self._readers.put(conn)

    def check(self):
        """Refuse a damaged file at start, before a migration writes to it, rather than
        fail on some request in the middle of a talk."""
        problems = [row[0] for row in self._writer.execute("PRAGMA quick_check")]
        if problems != ["ok"]:
            raise Unusable(damaged(self.path, "; ".join(problems[:3])))

    def migrate(self):
        """Bring the file up to the newest schema, one transaction per step."""
        with self._write_lock:
            conn = self._writer
            conn.execute("PRAGMA journal_mode = WAL")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise Unusable(
                    _(
                        "{path} was written by a newer LanQA (schema {version}); update LanQA to open it.",  # noqa: E501
                        path=self.path,
                        version=version,
                    )
                )
            for number in range(version + 1, len(MIGRATIONS) + 1):
                try:
                    conn.executescript(
                        f"BEGIN; {MIGRATIONS[number - 1]}; PRAGMA user_version = {number}; COMMIT;"
                    )
                except sqlite3.Error:
                    conn.rollback()
                    raise

    def setting(self, name, make):
        """The stored value of name, first stored as make() if there is none."""
        with self._writing() as conn:
            conn.execute("INSERT OR IGNORE INTO settings VALUES (?, ?)", (name, make()))
            return conn.execute("SELECT value FROM settings WHERE name = ?", (name,)).fetchone()[0]

    @staticmethod
    def _cutoffs(now):
        return {"qcut": question_cutoff(now), "ecut": event_cutoff(now)}

    # Events

    def create_event(self, eid, secret, title, now, local=True):
        """local: created on the laptop itself (only those are on its recent list)."""
        with self._writing() as conn:
            conn.execute(
                "INSERT INTO events (id, secret, title, created, local) VALUES (?, ?, ?, ?, ?)",
                (eid, secret, title, int(now), int(local)),
            )

    def event(self, eid, now):
        """The live event as a dict (id, secret, title, created, moderation, closed), or None."""
        rows = self._rows(
            f"SELECT {EVENT} FROM events WHERE id = ? AND created > ?", (eid, event_cutoff(now))
        )
        return dict(rows[0]) if rows else None

    def change_settings(self, eid, now, moderation=None, closed=None):
        """Set the settings given (not None) of a live event: the event as event() gives
        it, or None if it is gone."""
        with self._writing() as conn:
            row = conn.execute(
                "UPDATE events SET moderation = coalesce(:moderation, moderation),"
                " closed = coalesce(:closed, closed) WHERE id = :eid AND created > :ecut"
                f" RETURNING {EVENT}",
                {"eid": eid, "ecut": event_cutoff(now), "moderation": moderation, "closed": closed},
            ).fetchone()
            return dict(row) if row else None

    def delete_event(self, eid):
        """Delete an event and, by ON DELETE CASCADE, its questions, votes and blocked
        devices, in one transaction; False if there was none."""
        with self._writing() as conn:
            return bool(conn.execute("DELETE FROM events WHERE id = ?", (eid,)).rowcount)

    def recent_events(self, now, limit=20):
        """The newest live events created on the laptop, with their question counts, for
        its start screen."""
        return self._rows(
            "SELECT e.id, e.secret, e.title, e.created,"
            " (SELECT count(*) FROM questions q WHERE q.eid = e.id AND q.created > :qcut)"
            " AS questions FROM events e WHERE e.created > :ecut AND e.local = 1"
            " ORDER BY e.created DESC, e.id DESC LIMIT :limit",
            {**self._cutoffs(now), "limit": limit},
        )

    def live_events(self, now, watched=(), limit=50):
        """The live events, wherever they were created, for phones: started, asked in or
        voted in since live_cutoff, or among watched (ids). id, title, created, shown
        questions and active (its last such second), no secret; most questions first, then
        the most recently active."""
        marks = ", ".join(f":w{i}" for i in range(len(watched)))
        return self._rows(
            f"SELECT e.id, e.title, e.created, count(q.id) FILTER (WHERE {PUBLIC}) AS questions,"
            " max(e.created, ifnull(max(q.created), 0), ifnull(max(q.voted), 0)) AS active"
            " FROM events e LEFT JOIN questions q ON q.eid = e.id AND q.created > :qcut"
            f" WHERE e.created > :ecut GROUP BY e.id HAVING active > :since OR e.id IN ({marks})"
            " ORDER BY questions DESC, active DESC, e.id DESC LIMIT :limit",
            {
                **self._cutoffs(now),
                **{f"w{i}": eid for i, eid in enumerate(watched)},
                "since": live_cutoff(now),
                "limit": limit,
            },
        )

    # Questions

    def ask(self, eid, qid, text, who, voter, now, embedding=None, resembles=None):
        """Store a question with the asker's own vote, in review if its event has
        moderation on: whether it is in review, or None if the event is gone or closed.
        resembles: the id of an earlier question it looks like."""
        with self._writing() as conn:
            row = conn.execute(
                "INSERT INTO questions"
                " (id, eid, text, who, created, asker, review, embedding, resembles)"
                " SELECT ?, id, ?, ?, ?, ?, moderation, ?, ? FROM events"
                " WHERE id = ? AND created > ? AND closed = 0 RETURNING review",
                (qid, text, who, int(now), voter, embedding, resembles, eid, event_cutoff(now)),
            ).fetchone()
            if row is None:
                return None
            conn.execute("INSERT INTO votes (qid, voter) VALUES (?, ?)", (qid, voter))
            return bool(row["review"])

    def questions(self, eid, now, hidden=True):
        """The live questions of an event (id, votes, hidden, answered, created, review,
        highlighted, reply, also: see ALSO), oldest first, those merged into another
        left out; hidden=False: only those guests may see."""
        sql = (
            "SELECT q.id, q.votes, q.hidden, q.answered, q.created, q.review, q.highlighted,"
            f" q.reply, q.resembles, {ALSO} FROM {LIVE} AND q.eid = :eid AND q.merged IS NULL"
        )
        if not hidden:
            sql += f" AND {PUBLIC}"
        return self._rows(sql + " ORDER BY q.id", {**self._cutoffs(now), "eid": eid})

    def similar_candidates(self, eid, now):
        """The questions of eid that guests see (id, created), to suggest one of."""
        return self._rows(
            f"SELECT q.id, q.created FROM {LIVE} AND q.eid = :eid AND {PUBLIC} ORDER BY q.id",
            {**self._cutoffs(now), "eid": eid},
        )

    def texts_and_embeddings(self, qids):
        """Rows (id, text, embedding) of the questions qids."""
        marks = ", ".join("?" * len(qids))
        return self._rows(f"SELECT id, text, embedding FROM questions WHERE id IN ({marks})", qids)

    def unembedded(self, now, limit):
        """Up to limit live questions (id, eid, text) stored without an embedding."""
        return self._rows(
            f"SELECT q.id, q.eid, q.text FROM {LIVE} AND q.embedding IS NULL LIMIT :limit",
            {**self._cutoffs(now), "limit": limit},
        )

    def embed(self, embeddings):
        """Store embeddings: (qid, bytes) pairs."""
        with self._writing() as conn:
            conn.executemany(
                "UPDATE questions SET embedding = ? WHERE id = ?",
                [(vector, qid) for qid, vector in embeddings],
            )

    def votes(self, qids):
        """{qid: votes} of the questions qids."""
        marks = ", ".join("?" * len(qids))
        rows = self._rows(f"SELECT id, votes FROM questions WHERE id IN ({marks})", qids)
        return {row["id"]: row["votes"] for row in rows}

    def export_rows(self, eid, now):
        """Every live question of an event, all columns, oldest first; those merged into
        another are under it (also)."""
        return self._rows(
            "SELECT q.id, q.text, q.who, q.votes, q.hidden, q.answered, q.created, q.review,"
            f" q.reply, {ALSO} FROM {LIVE} AND q.eid = :eid AND q.merged IS NULL ORDER BY q.id",
            {**self._cutoffs(now), "eid": eid},
        )

    def details(self, qids, now):
        """{qid: row with eid, text, who, hidden, review, created, event_created} for the
        live questions among qids."""
        marks = ", ".join(f":q{i}" for i in range(len(qids)))
        params = {**self._cutoffs(now), **{f"q{i}": qid for i, qid in enumerate(qids)}}
        rows = self._rows(
            "SELECT q.id, q.eid, q.text, q.who, q.hidden, q.review, q.created,"
            " e.created AS event_created"
            f" FROM {LIVE} AND q.id IN ({marks})",
            params,
        )
        return {row["id"]: row for row in rows}

    def set_flag(self, eid, qid, column, value, now):
        """Set one of FLAGS on a live question of eid; False if there is none. Answering
        a question ends its highlight; highlighting one ends the session's other."""
        assert column in FLAGS
        params = {**self._cutoffs(now), "value": value, "qid": qid, "eid": eid}
        with self._writing() as conn:
            found = conn.execute(
                f"SELECT 1 FROM {LIVE} AND q.id = :qid AND q.eid = :eid", params
            ).fetchone()
            if found is None:
                return False
            if column == "highlighted" and value:
                conn.execute(
                    "UPDATE questions SET highlighted = 0"
                    " WHERE eid = :eid AND highlighted = 1 AND id != :qid",
                    params,
                )
            also = ", highlighted = 0" if column == "answered" and value is not None else ""
            conn.execute(f"UPDATE questions SET {column} = :value{also} WHERE id = :qid", params)
            return True

    def reply(self, eid, qid, text, now):
        """Set (None: remove) the host's reply to a live question of eid; False if there
        is none."""
        with self._writing() as conn:
            return bool(
                conn.execute(
                    "UPDATE questions SET reply = :text WHERE id = :qid AND eid = :eid"
                    f" AND id IN (SELECT q.id FROM {LIVE})",
                    {**self._cutoffs(now), "text": text, "qid": qid, "eid": eid},
                ).rowcount
            )

    def merge(self, eid, qid, into, now):
        """Merge qid into `into`, live questions of eid not merged themselves: `into` gains
        qid's voters (a device that voted for both counts once) and what was merged into
        qid; qid leaves the lists, its own votes kept for unmerge(). The votes of `into`
        after it, or None."""
        params = {**self._cutoffs(now), "eid": eid, "qid": qid, "into": into}
        with self._writing() as conn:
            found = conn.execute(
                f"SELECT count(*) FROM {LIVE} AND q.eid = :eid AND q.merged IS NULL"
                " AND q.id IN (:qid, :into)",
                params,
            ).fetchone()[0]
            if found != 2:
                return None
            gained = conn.execute(
                "INSERT OR IGNORE INTO votes (qid, voter)"
                " SELECT :into, voter FROM votes WHERE qid = :qid RETURNING voter",
                params,
            ).fetchall()
            along = conn.execute(
                "UPDATE questions SET merged = :into WHERE merged = :qid RETURNING id", params
            ).fetchall()
            conn.execute(
                "UPDATE questions SET merged = :into, highlighted = 0 WHERE id = :qid", params
            )
            conn.execute(
                "INSERT OR REPLACE INTO merges (qid, into_, along, voters)"
                " VALUES (:qid, :into, :along, :voters)",
                {
                    **params,
                    "along": json.dumps([row[0] for row in along]),
                    "voters": json.dumps([row[0] for row in gained]),
                },
            )
            return self._recount(conn, into)

    def unmerge(self, eid, qid, now):
        """Undo merging qid, while the question it went into has not been merged itself:
        qid is back with its own votes, and takes back what was merged into it before;
        the other loses the voters it gained then. (the other's id, qid's votes, the
        other's votes), or None."""
        params = {**self._cutoffs(now), "eid": eid, "qid": qid}
        with self._writing() as conn:
            found = conn.execute(
                "SELECT into_, along, voters FROM merges WHERE qid = :qid AND into_ ="
                f" (SELECT q.merged FROM {LIVE} AND q.eid = :eid AND q.id = :qid)",
                params,
            ).fetchone()
            if found is None:
                return None
            into = found["into_"]
            params = {**params, "into": into, "along": found["along"], "voters": found["voters"]}
            conn.execute("UPDATE questions SET merged = NULL WHERE id = :qid", params)
            conn.execute(
                "UPDATE questions SET merged = :qid WHERE merged = :into"
                " AND id IN (SELECT value FROM json_each(:along))",
                params,
            )
            # Not those who voted for another question still merged into it, too.
            conn.execute(
                "DELETE FROM votes WHERE qid = :into"
                " AND voter IN (SELECT value FROM json_each(:voters)) AND voter NOT IN"
                " (SELECT voter FROM votes WHERE qid IN"
                " (SELECT id FROM questions WHERE merged = :into))",
                params,
            )
            conn.execute("DELETE FROM merges WHERE qid = :qid", params)
            return into, self._recount(conn, qid), self._recount(conn, into)

    @staticmethod
    def _recount(conn, qid):
        return conn.execute(
            "UPDATE questions SET votes = (SELECT count(*) FROM votes WHERE qid = :qid)"
            " WHERE id = :qid RETURNING votes",
            {"qid": qid},
        ).fetchone()[0]

    def vote(self, qid, voter, up, now):
        """Add or retract voter's vote: (event id, new count), or None if the question is gone."""
        # Two statements, not four: each lets go of the GIL, and getting it back from
        # busy workers is most of the 0.7 ms a vote held the write lock under load.
        # A vote for a question merged into another is for that one.
        live = f"SELECT coalesce(q.merged, q.id) AS id FROM {LIVE} AND q.id = :qid"
        params = {**self._cutoffs(now), "qid": qid, "voter": voter, "now": int(now)}
        with self._writing() as conn:
            if up:
                sql = f"INSERT OR IGNORE INTO votes (qid, voter) SELECT id, :voter FROM ({live})"
            else:
                sql = f"DELETE FROM votes WHERE voter = :voter AND qid IN ({live})"
            changed = conn.execute(sql, params).rowcount
            row = conn.execute(
                "UPDATE questions SET votes = MAX(votes + :delta, 0), voted = :now"
                f" WHERE id IN ({live}) RETURNING eid, votes",
                {**params, "delta": changed if up else -changed},
            ).fetchone()
            return None if row is None else (row["eid"], row["votes"])

    # Devices a host blocked

    def block(self, eid, qid, now):
        """Block the device that asked qid in eid: hide its questions, take back its votes.
        (ids of the questions hidden, votes taken back), or None if qid is not a live question of
        eid whose asker is known (questions asked before LanQA kept it are not)."""
        params = {**self._cutoffs(now), "eid": eid, "qid": qid}
        with self._writing() as conn:
            row = conn.execute(
                f"SELECT q.asker FROM {LIVE} AND q.eid = :eid AND q.id = :qid", params
            ).fetchone()
            if row is None or row["asker"] is None:
                return None
            params["voter"] = row["asker"]
            conn.execute("INSERT OR IGNORE INTO blocked (eid, voter) VALUES (:eid, :voter)", params)
            hidden = conn.execute(
                "UPDATE questions SET hidden = 1 WHERE eid = :eid AND asker = :voter"
                " AND hidden = 0 RETURNING id",
                params,
            ).fetchall()
            voted = conn.execute(
                "DELETE FROM votes WHERE voter = :voter"
                " AND qid IN (SELECT id FROM questions WHERE eid = :eid) RETURNING qid",
                params,
            ).fetchall()
            conn.executemany(
                "UPDATE questions SET votes = MAX(votes - 1, 0) WHERE id = ?",
                [(vote["qid"],) for vote in voted],
            )
            # Votes kept on merged questions (for an undo) are not counted twice.
            counted = conn.execute(
                "SELECT count(*) FROM questions WHERE merged IS NULL"
                " AND id IN (SELECT value FROM json_each(?))",
                (json.dumps([vote["qid"] for vote in voted]),),
            ).fetchone()[0]
            return [row["id"] for row in hidden], counted

    def event_of(self, qid):
        """The event id of question qid, or None."""
        rows = self._rows("SELECT eid FROM questions WHERE id = ?", (qid,))
        return rows[0]["eid"] if rows else None

    def blocked(self):
        """Every (event id, voter) a host has blocked."""
        return {(row["eid"], row["voter"]) for row in self._rows("SELECT eid, voter FROM blocked")}

    def hide(self, eid, qids, now):
        """Hide the live questions of eid among qids: the ids of those shown until now."""
        marks = ", ".join("?" * len(qids))
        with self._writing() as conn:
            rows = conn.execute(
                f"UPDATE questions SET hidden = 1 WHERE eid = ? AND hidden = 0 AND id IN ({marks})"
                " AND created > ? RETURNING id",
                (eid, *qids, question_cutoff(now)),
            ).fetchall()
            return [row["id"] for row in rows]

    # Expiry

    def purge(self, now):
        """Delete expired events and questions (and their votes) from disk."""
        with self._writing() as conn:
            events = conn.execute(
                "DELETE FROM events WHERE created <= ?", (event_cutoff(now),)
            ).rowcount
            questions = conn.execute(
                "DELETE FROM questions WHERE created <= ?", (question_cutoff(now),)
            ).rowcount
        return events, questions
