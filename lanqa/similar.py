"""Similar questions: "already asked?" while a guest types, and entirely offline.

The model is wordllama's small English embedding model, which ships inside its wheel.
On the labelled pairs in tests/similar_pairs.tsv its cosine alone is no guide: pairs
that share a template with one word swapped ("Will the slides be shared?" / "Will the
recording be shared?") score as high as true rewordings, and in German, French, Spanish
and Portuguese higher. So a question is suggested only when

- it is the same text again, give or take case, accents, punctuation and one typo in
  one long word (any language); or
- the asker's page is in English, the cosine of the two normalised texts is at least
  0.80, and it is not the same template with a word swapped (each has a word the other
  lacks, and they share at least half the shorter one's words).

That keeps suggestions right (precision 1.0 on the set) at the price of suggesting
few (recall 0.17): quiet rather than wrong. test_similar.py measures both.
"""

import functools
import logging
import re
import unicodedata
from pathlib import Path

log = logging.getLogger("lanqa.similar")
THRESHOLD = {"en": 0.80}  # cosine, per language of the asker's page; others: same text only
SUGGESTED = 3


@functools.cache
def model():
    """wordllama's model from its own wheel, never from the network; None when it cannot
    be loaded (then only the same text again is found), said once in the log."""
    try:
        import wordllama
        from wordllama import WordLlama

        # 0.4.0.post1 looks for tokenizer/ where its wheel has tokenizers/, and would
        # download the file: with the package as its cache, it loads what the wheel has.
        folder = Path(wordllama.__file__).parent
        return WordLlama.load(cache_dir=folder, disable_download=True)
    except Exception as error:  # any failure means the same fallback
        log.warning(
            "Similar questions: the model could not be loaded (%s); only the same text"
            " asked again is suggested.",
            error,
        )
        return None


def norm(text):
    """Case folded, accents stripped, words only: 'Où est-ce ?' -> 'ou est ce'."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+", text))


def vector(text):
    """The unit embedding of text's normal form, as bytes to store; None without a model."""
    found = model()
    if found is None:
        return None
    return found.embed([norm(text)], norm=True)[0].astype("float32").tobytes()


def suggest(text, lang, candidates, query=None):
    """Up to SUGGESTED of candidates (rows with "text" and "embedding", and "norm" if
    known) that look like text, best first; query: text's vector, if already made."""
    asked = norm(text)
    if not asked or not candidates:
        return []
    threshold = THRESHOLD.get(lang)
    scores = [0.0] * len(candidates)
    if threshold is None:
        query = None
    elif query is None:
        query = vector(text)
    if query is not None:
        import numpy  # with the model only: a build without it has no numpy either

        known = [i for i, row in enumerate(candidates) if row["embedding"]]
        if known:
            stored = b"".join(candidates[i]["embedding"] for i in known)
            matrix = numpy.frombuffer(stored, numpy.float32).reshape(len(known), -1)
            cosines = matrix @ numpy.frombuffer(query, numpy.float32)
            for i, cosine in zip(known, cosines.tolist(), strict=True):
                scores[i] = cosine
    words, found = asked.count(" "), []
    for row, score in zip(candidates, scores, strict=True):
        other = row.get("norm") or norm(row["text"])
        # The same text, or a typo apart, has as many words: only those need a closer look.
        if other.count(" ") == words and near_exact(asked, other):
            found.append((2.0, row))
        elif threshold is not None and score >= threshold and not template_swap(asked, other):
            found.append((score, row))
    found.sort(key=lambda pair: pair[0], reverse=True)
    return [row for _, row in found[:SUGGESTED]]


class Known:
    """Each question's normal form and embedding, read once: texts never change, and a
    guest typing looks them all up several times a question."""

    def __init__(self, limit=20_000):
        self.limit = limit
        self._found = {}  # qid -> (norm, embedding)

    def rows(self, questions, read):
        """questions: rows with "id" and "votes"; read(qids) -> rows with "id", "text"
        and "embedding" of those not known yet. The candidates suggest() takes."""
        missing = [row["id"] for row in questions if row["id"] not in self._found]
        if missing:
            if len(self._found) + len(missing) > self.limit:
                self._found.clear()
            for row in read(missing):
                self._found[row["id"]] = (norm(row["text"]), row["text"], row["embedding"])
        rows = []
        for row in questions:
            normal, text, embedding = self._found.get(row["id"], ("", "", None))
            rows.append({**row, "norm": normal, "text": text, "embedding": embedding})
        return rows


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
