"""Bad input and failures that no route sees coming, as errors with a sentence.

A JSON body can hold text SQLite cannot store, or be nested deep enough to overflow
the parser; the store fails when the disk is full. Each becomes an HTTPException that
phone.error_answer turns into LanQA's one error shape, on every path.
"""

import errno
import json
import re

from werkzeug.exceptions import InternalServerError, ServiceUnavailable, abort

from lanqa.i18n import _

MAX_DEPTH = 20  # LanQA's bodies are flat objects
UNEXPECTED = _("LanQA hit an unexpected problem; try again in a moment.")
DISK_FULL = _("The laptop's disk is full: this was not saved. Tell the speaker.")
TOO_DEEP = _(
    "The request body is nested too deeply (max {limit} levels): send a flat JSON object.",
    limit=MAX_DEPTH,
)
# UTF-16 halves that stand alone: json.loads lets them through ("\ud800", or the
# bytes ED A0 80), and SQLite cannot encode them.
SURROGATE = re.compile("[\ud800-\udfff]")


def check_body(data):
    """400 if data is JSON that no route could store: a broken character in a text, or
    nesting deeper than MAX_DEPTH. A body that is not JSON is left to its route."""
    try:
        value = json.loads(data)
    except RecursionError:
        abort(400, TOO_DEEP)
    except ValueError:
        return
    waiting = [(value, None, 0)]  # a loop, not recursion: the depth is the question
    while waiting:
        value, key, depth = waiting.pop()
        if isinstance(value, dict | list) and depth >= MAX_DEPTH:
            abort(400, TOO_DEEP)
        if isinstance(value, dict):
            waiting += [(item, name, depth + 1) for name, item in value.items()]
        elif isinstance(value, list):
            waiting += [(item, key, depth + 1) for item in value]
        elif isinstance(value, str) and (found := SURROGATE.search(value)):
            abort(400, broken_character(key, f"{ord(found.group()):04X}"))


def broken_character(key, code):
    """What to say of a lone surrogate (U+code) in the field key of a body."""
    if key == "body":
        return _(
            "The question contains a broken character (a lone surrogate, U+{code}, often half of an emoji): delete it and send again.",  # noqa: E501
            code=code,
        )
    if key == "asker":
        return _(
            "The name contains a broken character (a lone surrogate, U+{code}, often half of an emoji): delete it and send again.",  # noqa: E501
            code=code,
        )
    if key == "title":
        return _(
            "The title contains a broken character (a lone surrogate, U+{code}, often half of an emoji): delete it and send again.",  # noqa: E501
            code=code,
        )
    if key:
        return _(
            'The "{field}" contains a broken character (a lone surrogate, U+{code}, often half of an emoji): delete it and send again.',  # noqa: E501
            field=key[:40],
            code=code,
        )
    return _(
        "The text contains a broken character (a lone surrogate, U+{code}, often half of an emoji): delete it and send again.",  # noqa: E501
        code=code,
    )


def failure(exception):
    """The error to answer for an exception nobody expected: 503 for a full disk."""
    full = "disk is full" in str(exception)  # SQLite's SQLITE_FULL
    if full or getattr(exception, "errno", None) == errno.ENOSPC:
        return ServiceUnavailable(DISK_FULL)
    return InternalServerError(UNEXPECTED)
