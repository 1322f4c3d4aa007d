"""A list as the changes since a version the phone holds, and compressed bodies.

The whole guest list goes to a phone once; after that LanQA's pages ask
`?since=<version>` and get what changed (README, "Changes since a version"). A hall's
votes change a few numbers between two polls; sending those numbers and nothing else
is what lets a thousand phones share a venue's Wi-Fi.

The answer is JSON:

    {"v": version, "t": server time in ms, "full": 1, "items": [item, ...]}
    {"v": version, "t": ms, "votes": [gap, votes, ...], "gone": [gap, ...],
     "items": [item, ...]}

plus "closed": 1 while the session takes no questions. Items are the list's items
(upstream's shape) in question-id order, not ranked: the page ranks them (order.js, as
order.rank does) at time t. A change refers to a question by its index among the held
version's items in id order, written as the gap from the index before it (the first
from 0): `"votes": [3, 12, 1, 7]` sets item 3 to 12 votes and item 4 to 7. "gone" takes
items out the same way; "items" adds the new ones and replaces those that changed in
more than their votes. Empty keys are left out. A version the server no longer holds
(or "0") gets the full list. With `texts=1`, "texts" holds the texts of the questions
new to the phone (all of them, in a full list), as /api/questions gives them.
"""

import gzip
import json

MIN_COMPRESSED = 200  # smaller bodies gain less than gzip's own 18 bytes and the header


def full(built):
    return _body(built, {"full": 1, "items": built.items})


def changes(old, new):
    """The body that turns old's items (a Built) into new's."""
    now = {item["qid"]: item for item in new.items}
    votes, gone, items = [], [], []
    voted = left = 0  # the index each list's last gap counts from
    for index, item in enumerate(old.items):
        changed = now.pop(item["qid"], None)
        if changed is None:
            gone.append(index - left)
            left = index
        elif changed is item or changed == item:
            continue
        elif changed == {**item, "votes": changed["votes"]}:
            votes += (index - voted, changed["votes"])
            voted = index
        else:
            items.append(changed)
    items += now.values()  # questions that are new to this phone
    return _body(new, {"votes": votes, "gone": gone, "items": items})


def _body(built, parts):
    data = {"v": built.etag, "t": int(built.now * 1000)}  # as order.hotness counts
    data.update((name, value) for name, value in parts.items() if value)
    if built.closed:
        data["closed"] = 1
    return json.dumps(data, separators=(",", ":")).encode()


def with_texts(body, texts):
    """body (a JSON object) with "texts": texts (the JSON of /api/questions) added."""
    return body[:-1] + b',"texts":' + texts + b"}"


def compress(body):
    """gzip of body, or None when that would not pay."""
    if len(body) < MIN_COMPRESSED:
        return None
    return gzip.compress(body, compresslevel=6, mtime=0)


def accepts_gzip(accept_encoding):
    """Whether an Accept-Encoding header takes gzip (not with q=0)."""
    for part in (accept_encoding or "").lower().split(","):
        coding, _, weight = part.partition(";")
        if coding.strip() in ("gzip", "*"):
            return weight.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False
