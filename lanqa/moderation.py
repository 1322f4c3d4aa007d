"""The host's moderation routes: a session's settings, replies, merging a duplicate
question into another, deleting a session.

Approving and highlighting are toggles, next to hiding and answering in api.py. What
guests may see follows from two flags on a question: hidden, and in review; lists.py
and store.py's PUBLIC keep both out of everything guests get.
"""

from flask import Blueprint, abort

from lanqa.api import host_event, json_object, lists, now, phones, store
from lanqa.i18n import _
from lanqa.phone import EVENT_GONE, ulid_or_400

bp = Blueprint("moderation", __name__, url_prefix="/api")

SETTINGS = ("moderation", "closed")
MAX_REPLY = 500


@bp.get("/event/<eid>/settings/<secret>")
def settings(eid, secret):
    return settings_of(host_event(eid, secret))


@bp.post("/event/<eid>/settings/<secret>")
def change_settings(eid, secret):
    """{"moderation": bool, "closed": bool}, either or both: the settings after it."""
    found = host_event(eid, secret)
    data = json_object()
    if any(key not in SETTINGS or not isinstance(value, bool) for key, value in data.items()):
        abort(
            400,
            _('Send the settings as {"moderation": true or false, "closed": true or false}.'),
        )
    changed = lists().change_event(
        lambda: store().change_settings(found["id"], now(), **data), now()
    )
    if changed is None:
        abort(404, EVENT_GONE)
    return settings_of(changed)


def settings_of(event):
    return {name: bool(event[name]) for name in SETTINGS}


@bp.post("/event/<eid>/questions/<secret>/<qid>/reply")
def reply(eid, secret, qid):
    """{"reply": "text"} sets the host's reply to qid; "" or null removes it."""
    eid, qid = ulid_or_400(eid, "session"), ulid_or_400(qid, "question")
    host_event(eid, secret)
    data = json_object()
    text = data.get("reply", 0)  # 0: neither text nor null
    if not isinstance(text, str | None):
        abort(
            400, _('Send the reply as {"reply": "your answer"}, or {"reply": null} to remove it.')
        )
    text = (text or "").strip() or None
    if text and len(text) > MAX_REPLY:
        abort(400, _("The reply is too long (max {limit} characters).", limit=MAX_REPLY))
    if not store().reply(eid, qid, text, now()):
        abort(404, _("That question is not part of this Q&A session."))
    lists().changed(eid, now())
    return {"reply": text} if text else {}


@bp.post("/event/<eid>/questions/<secret>/<qid>/merge")
def merge(eid, secret, qid):
    """{"into": qid2}: qid, a duplicate, joins qid2, which gains its voters (one vote per
    device) and lists its text under it ("also asked as"); qid leaves the lists."""
    eid, qid = ulid_or_400(eid, "session"), ulid_or_400(qid, "question")
    host_event(eid, secret)
    into = json_object().get("into")
    if not isinstance(into, str):
        abort(400, _('Send the question to merge into as {"into": "<question id>"}.'))
    into = ulid_or_400(into, "question")
    if into == qid:
        abort(400, _("A question cannot be merged into itself."))
    votes = store().merge(eid, qid, into, now())
    if votes is None:
        abort(404, _("That question is not part of this Q&A session."))
    lists().changed(eid, now())
    return {"into": into, "votes": votes}


@bp.delete("/event/<eid>/<secret>")
@bp.post("/event/<eid>/delete/<secret>")  # for clients that cannot send DELETE
def delete(eid, secret):
    """The session, its questions, votes, settings and blocked devices, all at once."""
    found = host_event(eid, secret)
    if not phones().delete(found["id"]):
        abort(404, EVENT_GONE)
    return {"deleted": True}
