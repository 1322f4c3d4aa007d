"""The database's schema, as the steps that built it: store.py applies those a database
has not had yet, each in a transaction of its own, and counts them in PRAGMA
user_version."""

# Append-only: entry N brings a database from user_version N to N + 1.
MIGRATIONS = [
    # 1: the upstream data model.
    """
    CREATE TABLE events (
        id      TEXT PRIMARY KEY,
        secret  TEXT NOT NULL,
        created INTEGER NOT NULL
    );
    CREATE TABLE questions (
        id       TEXT PRIMARY KEY,
        eid      TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        text     TEXT NOT NULL,
        who      TEXT,
        votes    INTEGER NOT NULL DEFAULT 1,
        hidden   INTEGER NOT NULL DEFAULT 0,
        answered INTEGER,
        created  INTEGER NOT NULL
    );
    CREATE INDEX questions_by_event ON questions(eid);
    CREATE INDEX questions_by_age ON questions(created);
    CREATE INDEX events_by_age ON events(created);
    """,
    # 2: event titles, and who voted for what (one vote per device).
    """
    ALTER TABLE events ADD COLUMN title TEXT;
    CREATE TABLE votes (
        qid   TEXT NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
        voter TEXT NOT NULL,
        PRIMARY KEY (qid, voter)
    ) WITHOUT ROWID;
    """,
    # 3: whether an event was created on the laptop (1) or by another device (0).
    """
    ALTER TABLE events ADD COLUMN local INTEGER NOT NULL DEFAULT 1;
    """,
    # 4: the laptop's own keys; which device asked a question; devices a host blocked.
    """
    CREATE TABLE settings (
        name  TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    ALTER TABLE questions ADD COLUMN asker TEXT;
    CREATE TABLE blocked (
        eid   TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
        voter TEXT NOT NULL,
        PRIMARY KEY (eid, voter)
    ) WITHOUT ROWID;
    """,
    # 5: when a question's votes last changed, so a session's last activity is known.
    """
    ALTER TABLE questions ADD COLUMN voted INTEGER;
    """,
    # 6: moderation. Per session: new questions wait for review, asking closed. Per
    # question: in review, "now answering" (one per session), the speaker's reply.
    """
    ALTER TABLE events ADD COLUMN moderation INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE events ADD COLUMN closed INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE questions ADD COLUMN review INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE questions ADD COLUMN highlighted INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE questions ADD COLUMN reply TEXT;
    CREATE UNIQUE INDEX one_highlight ON questions(eid) WHERE highlighted = 1;
    """,
    # 7: a question the host merged into another (its duplicate): that one's id.
    """
    ALTER TABLE questions ADD COLUMN merged TEXT;
    CREATE INDEX questions_merged ON questions(merged) WHERE merged IS NOT NULL;
    """,
    # 8: each question's embedding (similar.py), made once when it is asked.
    """
    ALTER TABLE questions ADD COLUMN embedding BLOB;
    """,
    # 9: the earlier question a new one looked like when it was asked, for the host.
    """
    ALTER TABLE questions ADD COLUMN resembles TEXT;
    """,
    # 10: what each merge moved, so that it can be undone: the questions merged into the
    # duplicate before (along) and the voters the survivor gained (both JSON arrays).
    """
    CREATE TABLE merges (
        qid    TEXT PRIMARY KEY REFERENCES questions(id) ON DELETE CASCADE,
        into_  TEXT NOT NULL,
        along  TEXT NOT NULL,
        voters TEXT NOT NULL
    ) WITHOUT ROWID;
    """,
]
