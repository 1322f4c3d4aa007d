"""Similar questions: "already asked?" while a guest types, and entirely offline.

The model is wordllama's small English embedding model, which ships inside its wheel.
On the labelled pairs in tests/similar_pairs.tsv its cosine alone is no guide: pairs
that share a template with one word swapped ("Will the slides be shared?" / "Will the
recording be shared?") score as high as true rewordings, and in German, French,
Spanish, Portuguese and Arabic higher (0.97 in Arabic). So a question is suggested only
when

- it is the same text again, give or take case, accents and other marks (Arabic's
  vowel signs and hamza), punctuation and one typo in one long word (any language); or
- the asker's page is in English, the cosine of the two normalised texts is at least
  0.80, and it is not the same template with a word swapped (each has a word the other
  lacks, and they share at least half the shorter one's words).

That keeps suggestions right (precision 1.0 on the set, in each of the six languages)
at the price of suggesting few (recall 0.23, in English 0.13): quiet rather than wrong.
test_similar.py measures both.
"""

import functools
import logging
import re
import threading
import time
import unicodedata
from pathlib import Path

log = logging.getLogger("lanqa.similar")
THRESHOLD = {"en": 0.80}  # cosine, per language of the asker's page; others: same text only
SUGGESTED = 3


_loading = threading.Lock()


def model():
    """wordllama's model from its own wheel, never from the network; None when it cannot
    be loaded (then only the same text again is found), said once in the log. Loaded
    once, by the first to ask: the others wait for it (about 0.3 s)."""
    with _loading:
        return load()


def load_soon():
    """Load the model in a thread of its own, so that no guest waits for it."""
    threading.Thread(target=model, name="lanqa-model", daemon=True).start()


@functools.cache
def load():
    started = time.monotonic()
    try:
        wordllama = imported()
        # 0.4.0.post1 looks for tokenizer/ where its wheel has tokenizers/, and would
        # download the file: with the package as its cache, it loads what the wheel has.
        folder = Path(wordllama.__file__).parent
        found = wordllama.WordLlama.load(cache_dir=folder, disable_download=True)
        log.info("Similar questions: model loaded in %.1f s.", time.monotonic() - started)
        return found
    except Exception as error:  # any failure means the same fallback
        log.warning(
            "Similar questions: the model could not be loaded (%s); only the same text"
            " asked again is suggested.",
            error,
        )
        return None


def imported():
    """The wordllama package. Importing it calls logging.basicConfig(), which would send
    each of LanQA's log lines to the console as well; while the root logger has a
    handler, that does nothing."""
    root = logging.getLogger()
    placeholder = logging.NullHandler()
    root.addHandler(placeholder)
    try:
        import wordllama
    finally:
        root.removeHandler(placeholder)
    return wordllama


def norm(text):
    """Case folded, accents stripped, words only: 'Où est-ce ?' -> 'ou est ce'."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text))


def vector(text):
    """The unit embedding of text's normal form, as bytes to store; None without a model."""
    found = vectors([text])
    return found and found[0]


def vectors(texts):
    """vector() of each of texts, in one go; None without a model."""
    found = model()
    if found is None:
        return None
    embedded = found.embed([norm(text) for text in texts], norm=True)
    return [row.astype("float32").tobytes() for row in embedded]


def embed_missing(store, changed, clock, batch=100, pause=0.05):
    """Embed, a batch at a time, the live questions stored without an embedding: asked
    before LanQA stored them, or while the model could not be loaded. changed(eid) is
    called for each event whose questions got theirs. Loads the model only if there are
    such questions; pauses between batches, leaving the CPU to the phones."""
    try:
        while rows := store.unembedded(clock(), batch):
            found = vectors([row["text"] for row in rows])
            if found is None:
                return
            store.embed([(row["id"], vector) for row, vector in zip(rows, found, strict=True)])
            for eid in {row["eid"] for row in rows}:
                changed(eid)
            time.sleep(pause)
    except Exception as error:  # a database closed at stop, or that cannot be written
        log.warning("Similar questions: embedding stored questions stopped (%s).", error)


class Index:
    """Questions to compare a text with, made ready once: their normal forms, grouped by
    word count, and their embeddings in one matrix."""

    def __init__(self, rows):
        """rows: dicts with "text" and "embedding" (bytes or None), and "norm" if known."""
        self.rows = rows
        self.norms = [row.get("norm") or norm(row["text"]) for row in rows]
        self.by_words = {}  # word count -> positions: the same text has as many words
        for i, normal in enumerate(self.norms):
            self.by_words.setdefault(normal.count(" "), []).append(i)
        self.embedded = [i for i, row in enumerate(rows) if row["embedding"]]
        self.matrix = None
        if self.embedded and model() is not None:
            import numpy  # with the model only: a build without it has no numpy either

            stored = b"".join(rows[i]["embedding"] for i in self.embedded)
            self.matrix = numpy.frombuffer(stored, numpy.float32).reshape(len(self.embedded), -1)

    def suggest(self, text, lang, query=None):
        """Up to SUGGESTED of the rows that look like text, best first; query: text's
        vector, if already made."""
        asked = norm(text)
        if not asked:
            return []
        found = {}  # position -> score
        for i in self.by_words.get(asked.count(" "), ()):
            if near_exact(asked, self.norms[i]):
                found[i] = 2.0
        threshold = THRESHOLD.get(lang)
        if threshold is not None and self.matrix is not None:
            import numpy

            query = query or vector(text)
            cosines = self.matrix @ numpy.frombuffer(query, numpy.float32)
            for j in numpy.flatnonzero(cosines >= threshold).tolist():
                i = self.embedded[j]
                if i not in found and not template_swap(asked, self.norms[i]):
                    found[i] = float(cosines[j])
        best = sorted(found, key=lambda i: (-found[i], i))[:SUGGESTED]
        return [self.rows[i] for i in best]


class Indexes:
    """An Index of each event's questions that guests see, made again only when they
    change: votes, which change all the time, do not. Texts never change, so each
    question's normal form and embedding is read from the database once."""

    def __init__(self, events=50, texts=20_000):
        self.events, self.texts = events, texts
        self._texts = {}  # qid -> {"id", "text", "norm", "embedding"}
        self._made = {}  # eid -> (version, valid until, Index)
        self._making = threading.Lock()

    def get(self, eid, version, now, questions, read):
        """eid's Index as of version (a number that changes with the questions guests
        see). questions() -> those questions' rows with "id" and "gone" (when it
        expires); read(qids) -> rows with "id", "text" and "embedding"."""
        made = self._made.get(eid)
        if made and made[0] == version and now < made[1]:
            return made[2]
        with self._making:  # one at a time: lookups meanwhile wait and share it
            made = self._made.get(eid)
            if made and made[0] == version and now < made[1]:
                return made[2]
            rows = questions()
            # Those known without an embedding may have one by now (embed_missing), but
            # not while there is no model to make it.
            again = model() is not None
            missing = [
                row["id"]
                for row in rows
                if row["id"] not in self._texts
                or (again and self._texts[row["id"]]["embedding"] is None)
            ]
            if len(self._texts) + len(missing) > self.texts:
                self._texts.clear()
                missing = [row["id"] for row in rows]
            for row in read(missing) if missing else ():
                self._texts[row["id"]] = {**row, "norm": norm(row["text"])}
            index = Index([self._texts[row["id"]] for row in rows if row["id"] in self._texts])
            if len(self._made) >= self.events:
                self._made.clear()
            gone = min((row["gone"] for row in rows), default=float("inf"))
            self._made[eid] = (version, gone, index)
            return index


def near_exact(a, b):
    """The same normalised text, or one word differs by one typo (both words of at least
    5 letters, no digits): CEO/CFO and Q3/Q4 stay different."""
    if a == b:
        return bool(a)
    words_a, words_b = a.split(), b.split()
    differ = [(x, y) for x, y in zip(words_a, words_b, strict=False) if x != y]
    if len(words_a) != len(words_b) or len(differ) != 1:
        return False
    x, y = differ[0]
    return min(len(x), len(y)) >= 5 and not any(c.isdigit() for c in x + y) and edits(x, y) <= 1


def edits(a, b):
    """Edit distance, a swap of two neighbouring letters counting as one edit."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


def template_swap(a, b):
    """Each has a word the other lacks, and they share at least half the shorter one's
    words: the same question about another thing."""
    words_a, words_b = set(a.split()), set(b.split())
    shared = len(words_a & words_b)
    return bool(words_a - words_b and words_b - words_a) and shared >= 0.5 * min(
        len(words_a), len(words_b)
    )
