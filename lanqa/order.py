"""Ids and the order questions are listed in."""

import re
import secrets
import string

from ulid import ULID

TOP_N = 5
# Crockford's base32 digits -> the digits int(text, 32) reads.
TO_BASE32 = str.maketrans("0123456789ABCDEFGHJKMNPQRSTVWXYZ", "0123456789abcdefghijklmnopqrstuv")
ULID_PATTERN = re.compile(r"[0-7][0-9A-HJKMNP-TV-Z]{25}", re.IGNORECASE)
SECRET_ALPHABET = string.ascii_letters + string.digits
# Letters Crockford's base32 leaves out because people read them as digits.
LOOK_ALIKES = str.maketrans("OIL", "011")


def parse_ulid(text):
    """The canonical upper-case form of a ULID, or None if text is not one."""
    return text.upper() if ULID_PATTERN.fullmatch(text) else None


def forgive_ulid(text):
    """The ULID a person meant when typing text by hand (any case, O for 0, I or L for 1),
    canonical, or None. Paths of the API stay strict: this is for the links people type."""
    return parse_ulid(text.upper().translate(LOOK_ALIKES))


def new_ulid(now):
    return str(ULID.from_timestamp(now))


def new_secret():
    return "".join(secrets.choice(SECRET_ALPHABET) for _ in range(30))


def ulid_ms(ulid):
    """Milliseconds since the epoch, from the first 10 characters of a canonical ULID."""
    return int(ulid[:10].translate(TO_BASE32), 32)


def hotness(item, now):
    minutes = max(0, (int(now * 1000) - ulid_ms(item["qid"])) // 60_000)
    return max(item["votes"], 1) / (minutes + 1)


def rank(items, now):
    """Open questions by votes, all but the top 5 re-sorted by hotness; then the rest."""
    open_ = [q for q in items if not q["hidden"] and "answered" not in q]
    closed = [q for q in items if q["hidden"] or "answered" in q]
    open_.sort(key=lambda q: q["votes"], reverse=True)
    open_[TOP_N:] = sorted(open_[TOP_N:], key=lambda q: hotness(q, now), reverse=True)
    return open_ + closed
